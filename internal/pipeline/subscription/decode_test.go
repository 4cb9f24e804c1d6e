package subscription

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// gzipWriter is reused because a new gzip.Writer allocates about a megabyte.
var gzipWriter, _ = gzip.NewWriterLevel(nil, gzip.BestSpeed)

func gzipBytes(t testing.TB, doc []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzipWriter
	zw.Reset(&buf)
	if _, err := zw.Write(doc); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// decoded is a decoder result with copied events, comparable with DecodeNaive.
type decoded struct {
	Header Header
	Events []events.CloudwatchLogsLogEvent
}

func decodeFast(d *Decoder, gz []byte) (decoded, error) {
	var out decoded
	h, err := d.Decode(gz, func(ev Event) error {
		out.Events = append(out.Events, events.CloudwatchLogsLogEvent{ID: string(ev.ID), Timestamp: ev.Timestamp, Message: string(ev.Message)})
		return nil
	})
	out.Header = h
	return out, err
}

func fromNaive(data events.CloudwatchLogsData) decoded {
	out := decoded{Header: Header{
		Owner:               data.Owner,
		LogGroup:            data.LogGroup,
		LogStream:           data.LogStream,
		SubscriptionFilters: data.SubscriptionFilters,
		LogEvents:           len(data.LogEvents),
	}}
	switch data.MessageType {
	case "DATA_MESSAGE":
		out.Header.MessageType = DataMessage
		if len(data.LogEvents) > 0 {
			out.Events = data.LogEvents
		}
	case "CONTROL_MESSAGE":
		out.Header.MessageType = ControlMessage
	}
	return out
}

// referenceID is the event id of decodeReference: a JSON string, as
// encoding/json decodes it into a string, or the literal text of a JSON
// number.
type referenceID string

func (id *referenceID) UnmarshalJSON(b []byte) error {
	switch c := b[0]; {
	case c == 'n': // null leaves the value unchanged, as for a string
		return nil
	case c == '"':
		var s string
		err := json.Unmarshal(b, &s)
		*id = referenceID(s)
		return err
	case c == '-' || c >= '0' && c <= '9':
		*id = referenceID(b)
		return nil
	}
	return &json.UnmarshalTypeError{Value: string(b), Type: reflect.TypeFor[string](), Field: "id"}
}

// decodeReference is DecodeNaive with the one difference the decoder is
// meant to have: an event id may be a JSON number (moto writes them so),
// whose literal text is the id. Everything else is encoding/json decoding
// into types shaped like the aws-lambda-go ones.
func decodeReference(gz []byte) (events.CloudwatchLogsData, error) {
	var data struct {
		Owner               string   `json:"owner"`
		LogGroup            string   `json:"logGroup"`
		LogStream           string   `json:"logStream"`
		SubscriptionFilters []string `json:"subscriptionFilters"`
		MessageType         string   `json:"messageType"`
		LogEvents           []struct {
			ID        referenceID `json:"id"`
			Timestamp int64       `json:"timestamp"`
			Message   string      `json:"message"`
		} `json:"logEvents"`
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return events.CloudwatchLogsData{}, err
	}
	doc, err := io.ReadAll(zr)
	if err != nil {
		return events.CloudwatchLogsData{}, err
	}
	if err := json.Unmarshal(doc, &data); err != nil {
		return events.CloudwatchLogsData{}, err
	}
	switch data.MessageType {
	case "DATA_MESSAGE", "CONTROL_MESSAGE":
	default:
		return events.CloudwatchLogsData{}, fmt.Errorf("%w %q", ErrMessageType, data.MessageType)
	}
	out := events.CloudwatchLogsData{
		Owner: data.Owner, LogGroup: data.LogGroup, LogStream: data.LogStream,
		SubscriptionFilters: data.SubscriptionFilters, MessageType: data.MessageType,
	}
	if data.LogEvents != nil {
		out.LogEvents = make([]events.CloudwatchLogsLogEvent, len(data.LogEvents))
		for i, ev := range data.LogEvents {
			out.LogEvents[i] = events.CloudwatchLogsLogEvent{ID: string(ev.ID), Timestamp: ev.Timestamp, Message: ev.Message}
		}
	}
	return out, nil
}

// compareWithNaive decodes doc with the decoder and with decodeReference and
// fails unless they agree: both reject it, or both accept it with the same
// header and events. Where DecodeNaive accepts the document, the reference
// must agree with it too.
func compareWithNaive(t testing.TB, d *Decoder, doc []byte) (decoded, error) {
	t.Helper()
	gz := gzipBytes(t, doc)
	fast, ferr := decodeFast(d, gz)
	data, rerr := decodeReference(gz)
	if (ferr == nil) != (rerr == nil) {
		t.Fatalf("fast error %v, reference error %v\ndocument: %q", ferr, rerr, doc)
	}
	if naive, nerr := DecodeNaive(gz); nerr == nil && (rerr != nil || !reflect.DeepEqual(fromNaive(naive), fromNaive(data))) {
		t.Fatalf("the reference decoder departs from encoding/json: %v\ndocument: %q", rerr, doc)
	}
	if rerr != nil {
		return fast, ferr
	}
	if want := fromNaive(data); !reflect.DeepEqual(fast, want) {
		t.Fatalf("fast and reference disagree\nfast:  %+v\nreference: %+v\ndocument: %q", fast, want, doc)
	}
	return fast, nil
}

func TestDecode(t *testing.T) {
	ev := func(id string, ts int64, msg string) events.CloudwatchLogsLogEvent {
		return events.CloudwatchLogsLogEvent{ID: id, Timestamp: ts, Message: msg}
	}
	const flow = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK"
	tests := []struct {
		name   string
		doc    string
		header Header
		events []events.CloudwatchLogsLogEvent
	}{
		{"aws example",
			`{"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"/vpc/flowlogs","logStream":"eni-1235b8ca123456789-all","subscriptionFilters":["Destination"],"logEvents":[{"id":"31953106606966983378809025079804211143289615424298221568","timestamp":1432826855000,"message":"` + flow + `"},{"id":"31953106606966983378809025079804211143289615424298221569","timestamp":1432826855000,"message":"{\"eventVersion\":\"1.03\"}"}]}`,
			Header{DataMessage, "123456789012", "/vpc/flowlogs", "eni-1235b8ca123456789-all", []string{"Destination"}, 2},
			[]events.CloudwatchLogsLogEvent{ev("31953106606966983378809025079804211143289615424298221568", 1432826855000, flow), ev("31953106606966983378809025079804211143289615424298221569", 1432826855000, `{"eventVersion":"1.03"}`)}},
		{"control message",
			`{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1432826855000,"message":"CWL CONTROL MESSAGE: Checking health of destination Kinesis stream."}]}`,
			Header{ControlMessage, "CloudwatchLogs", "", "", []string{}, 1}, nil},
		{"whitespace",
			" \n\t{ \"messageType\" :\r\n \"DATA_MESSAGE\" , \"logEvents\" : [ { \"id\" : \"1\" , \"timestamp\" : 7 , \"message\" : \"m\" } , { } ] } \n",
			Header{DataMessage, "", "", "", nil, 2}, []events.CloudwatchLogsLogEvent{ev("1", 7, "m"), ev("", 0, "")}},
		{"events before header and unknown keys",
			`{"logEvents":[{"message":"b","extra":{"a":[1,2,{"b":null}],"c":true},"timestamp":-5,"id":"x"}],"policyLevel":"ACCOUNT_LEVEL_POLICY","n":-1.5e+3,"owner":"o","messageType":"DATA_MESSAGE"}`,
			Header{DataMessage, "o", "", "", nil, 1}, []events.CloudwatchLogsLogEvent{ev("x", -5, "b")}},
		{"escapes",
			`{"messageType":"DATA_MESSAGE","logEvents":[{"message":"q\"b\\s\/ \b\f\n\r\t \u00e9\u00E9 \ud83d\ude00 lone\ud800 low\udc00\u0041 pair\ud83d\u0041"}]}`,
			Header{DataMessage, "", "", "", nil, 1}, []events.CloudwatchLogsLogEvent{ev("", 0, "q\"b\\s/ \b\f\n\r\t éé 😀 lone\ufffd low\ufffdA pair\ufffdA")}},
		{"raw utf-8 and invalid bytes",
			"{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[{\"message\":\"caf\xc3\xa9 \xff\xfe \xed\xa0\x80 \xe2\x82\"}]}",
			Header{DataMessage, "", "", "", nil, 1}, []events.CloudwatchLogsLogEvent{ev("", 0, "café \ufffd\ufffd \ufffd\ufffd\ufffd \ufffd\ufffd")}},
		{"case-insensitive keys",
			`{"MESSAGETYPE":"DATA_MESSAGE","Owner":"o","logevents":[{"ID":"i","TimeStamp":3,"me\u017fsage":"long s","MESSAGE":"upper"}]}`,
			Header{DataMessage, "o", "", "", nil, 1}, []events.CloudwatchLogsLogEvent{ev("i", 3, "upper")}},
		{"escaped keys",
			`{"\u006dessageType":"DATA_MESSAGE","logEvents":[{"\u0069d":"i","messag\u0065":"m"}]}`,
			Header{DataMessage, "", "", "", nil, 1}, []events.CloudwatchLogsLogEvent{ev("i", 0, "m")}},
		{"keys that only look alike",
			`{"messageType":"DATA_MESSAGE","logEvents":[{"\u0130d":"dotted I","i d":"space","message":"m"}]}`,
			Header{DataMessage, "", "", "", nil, 1}, []events.CloudwatchLogsLogEvent{ev("", 0, "m")}},
		{"duplicate keys and null",
			`{"messageType":"CONTROL_MESSAGE","owner":"a","owner":null,"messageType":"DATA_MESSAGE","logEvents":[{"id":"1","id":null,"message":"x","message":"y","timestamp":5,"timestamp":null}]}`,
			Header{DataMessage, "a", "", "", nil, 1}, []events.CloudwatchLogsLogEvent{ev("1", 5, "y")}},
		{"repeated logEvents decode over the previous array",
			`{"messageType":"DATA_MESSAGE","logEvents":[{"id":"a","message":"m1"},{"id":"b","message":"m2"}],"logEvents":[{"timestamp":9}],"logEvents":[null,null]}`,
			Header{DataMessage, "", "", "", nil, 2}, []events.CloudwatchLogsLogEvent{ev("a", 9, "m1"), ev("b", 0, "m2")}},
		{"empty logEvents resets the previous array",
			`{"messageType":"DATA_MESSAGE","logEvents":[{"id":"a"}],"logEvents":[],"logEvents":[null]}`,
			Header{DataMessage, "", "", "", nil, 1}, []events.CloudwatchLogsLogEvent{ev("", 0, "")}},
		{"null logEvents",
			`{"messageType":"DATA_MESSAGE","logEvents":[{"id":"a"}],"logEvents":null}`,
			Header{DataMessage, "", "", "", nil, 0}, nil},
		{"subscription filters",
			`{"messageType":"DATA_MESSAGE","subscriptionFilters":["a","b"],"subscriptionFilters":[null],"logEvents":[]}`,
			Header{DataMessage, "", "", "", []string{"a"}, 0}, nil},
		{"null subscription filters",
			`{"messageType":"DATA_MESSAGE","subscriptionFilters":["a"],"subscriptionFilters":null}`,
			Header{DataMessage, "", "", "", nil, 0}, nil},
		{"timestamps",
			`{"messageType":"DATA_MESSAGE","logEvents":[{"timestamp":-0},{"timestamp":9223372036854775807},{"timestamp":-9223372036854775808},{"timestamp":0}]}`,
			Header{DataMessage, "", "", "", nil, 4}, []events.CloudwatchLogsLogEvent{ev("", 0, ""), ev("", 9223372036854775807, ""), ev("", -9223372036854775808, ""), ev("", 0, "")}},
		{"numeric ids, as moto writes them",
			`{"messageType":"DATA_MESSAGE","logEvents":[{"id":0,"timestamp":1,"message":"a"},{"id":-1.5e+3,"message":"b"},{"id":31953106606966983378809025079804211143289615424298221568,"message":"c"}]}`,
			Header{DataMessage, "", "", "", nil, 3}, []events.CloudwatchLogsLogEvent{ev("0", 1, "a"), ev("-1.5e+3", 0, "b"), ev("31953106606966983378809025079804211143289615424298221568", 0, "c")}},
		{"numeric and string ids mixed, last one wins",
			`{"messageType":"DATA_MESSAGE","logEvents":[{"id":"s","id":7},{"id":8,"id":null},{"id":9,"id":"t"},{"ID" : 10 }]}`,
			Header{DataMessage, "", "", "", nil, 4}, []events.CloudwatchLogsLogEvent{ev("7", 0, ""), ev("8", 0, ""), ev("t", 0, ""), ev("10", 0, "")}},
		{"deep unknown value", `{"messageType":"DATA_MESSAGE","x":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`,
			Header{DataMessage, "", "", "", nil, 0}, nil},
	}
	d := NewDecoder()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := compareWithNaive(t, d, []byte(tt.doc))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(got.Header, tt.header) {
				t.Errorf("header %+v, want %+v", got.Header, tt.header)
			}
			if !reflect.DeepEqual(got.Events, tt.events) {
				t.Errorf("events %+v, want %+v", got.Events, tt.events)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		msg  string
	}{
		{"empty", "", "unexpected end of JSON input at byte 0"},
		{"null document", "null", `unknown messageType ""`},
		{"missing messageType", `{"logEvents":[]}`, `unknown messageType ""`},
		{"other messageType", `{"messageType":"data_message"}`, `unknown messageType "data_message"`},
		{"top-level array", `[]`, "not a JSON object at byte 0"},
		{"truncated", `{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1"`, "expected ',' or '}'"},
		{"unterminated string", `{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1`, "unterminated string at byte 49"},
		{"trailing data", `{"messageType":"DATA_MESSAGE"} {}`, "invalid character after top-level value at byte 31"},
		{"trailing comma", `{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1"},]}`, "at byte 54"},
		{"fractional timestamp", `{"messageType":"DATA_MESSAGE","logEvents":[{"timestamp":1.5}]}`, "timestamp is not an integer at byte 56"},
		{"exponent timestamp", `{"messageType":"DATA_MESSAGE","logEvents":[{"timestamp":1e3}]}`, "timestamp is not an integer"},
		{"string timestamp", `{"messageType":"DATA_MESSAGE","logEvents":[{"timestamp":"1"}]}`, "value should be a number"},
		{"timestamp overflow", `{"messageType":"DATA_MESSAGE","logEvents":[{"timestamp":9223372036854775808}]}`, "timestamp out of range"},
		{"leading zero", `{"messageType":"DATA_MESSAGE","logEvents":[{"timestamp":01}]}`, "expected ',' or '}'"},
		{"numeric message", `{"messageType":"DATA_MESSAGE","logEvents":[{"message":5}]}`, "value should be a string at byte 54"},
		{"numeric message beside a numeric id", `{"messageType":"DATA_MESSAGE","logEvents":[{"id":1,"message":5}]}`, "value should be a string at byte 61"},
		{"boolean id", `{"messageType":"DATA_MESSAGE","logEvents":[{"id":true}]}`, "value should be a string or a number at byte 49"},
		{"object id", `{"messageType":"DATA_MESSAGE","logEvents":[{"id":{"n":1}}]}`, "value should be a string or a number"},
		{"array id", `{"messageType":"DATA_MESSAGE","logEvents":[{"id":[1]}]}`, "value should be a string or a number"},
		{"bad numeric id", `{"messageType":"DATA_MESSAGE","logEvents":[{"id":1.}]}`, "invalid number"},
		{"numeric id with a leading zero", `{"messageType":"DATA_MESSAGE","logEvents":[{"id":01}]}`, "expected ',' or '}'"},
		{"plus-signed id", `{"messageType":"DATA_MESSAGE","logEvents":[{"id":+1}]}`, "invalid character looking for a value at byte 49"},
		{"object logEvents", `{"messageType":"DATA_MESSAGE","logEvents":{}}`, "value should be an array of log events"},
		{"string event", `{"messageType":"DATA_MESSAGE","logEvents":["x"]}`, "value should be a log event object"},
		{"numeric owner", `{"messageType":"DATA_MESSAGE","owner":123456789012}`, "value should be a string"},
		{"numeric filter", `{"messageType":"DATA_MESSAGE","subscriptionFilters":[1]}`, "value should be a string"},
		{"invalid escape", `{"messageType":"DATA_MESSAGE","logEvents":[{"message":"\x"}]}`, "invalid escape in string"},
		{"short unicode escape", `{"messageType":"DATA_MESSAGE","logEvents":[{"message":"\u12"}]}`, "invalid \\u escape"},
		{"control character", "{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[{\"message\":\"a\tb\"}]}", "control character in string"},
		{"bad literal", `{"messageType":"DATA_MESSAGE","x":nul}`, "invalid literal"},
		{"single quotes", `{'messageType':'DATA_MESSAGE'}`, "expected a string key"},
		{"too deep", `{"messageType":"DATA_MESSAGE","x":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`, "exceeded max depth"},
		{"syntax error after a type error", `{"messageType":"DATA_MESSAGE","owner":[1,}`, "at byte 41"},
	}
	d := NewDecoder()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := compareWithNaive(t, d, []byte(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %v, want one containing %q", err, tt.msg)
			}
		})
	}
}

// TestDecodeFastPath checks log events that the fast path for CloudWatch
// Logs' own spelling decodes, and those it leaves to the general decoder,
// sometimes after setting some fields.
func TestDecodeFastPath(t *testing.T) {
	events := []string{
		`{"id":"1","timestamp":1700000000000,"message":"2 a b"}`,
		`{"message":"m","timestamp":9,"id":"x"}`,
		`{"id":"1","timestamp":123456789012345678,"message":"18 digits"}`,
		`{"id":"1","timestamp":1234567890123456789,"message":"19 digits"}`,
		`{"id":"1","timestamp":9223372036854775808,"message":"overflow"}`,
		`{"id":"1","timestamp":0,"message":"zero"}`,
		`{"id":"1","timestamp":-5,"message":"negative"}`,
		`{"id":"1","timestamp":15.0,"message":"fraction"}`,
		`{"id":"1","timestamp":15e3,"message":"exponent"}`,
		`{"id":"1","timestamp":15E3,"message":"exponent"}`,
		`{"id":"1","timestamp":"15","message":"string timestamp"}`,
		`{"id":"1","timestamp":15,"message":"esc\u00e9aped"}`,
		`{"id":"1","timestamp":15,"message":"quote \" inside"}`,
		"{\"id\":\"1\",\"timestamp\":15,\"message\":\"caf\xc3\xa9\"}",
		"{\"id\":\"1\",\"timestamp\":15,\"message\":\"tab\tinside\"}",
		`{"id":"1","timestamp":15,"message":"then an unknown key","x":[1,2]}`,
		`{"id":"1","timestamp":15,"message":"then a space" }`,
		`{"id":"1", "timestamp":15,"message":"space after a comma"}`,
		`{"id":"1","timestamp":15,"message":null}`,
		`{"id":"1","timestamp":15,"message":"dup","message":"last wins"}`,
		`{"id":7,"timestamp":15,"message":"numeric id"}`,
		`{"ID":"1","timestamp":15,"message":"upper-case key"}`,
		`{"id":"1","timestamp":15,"message":"unterminated}`,
		`{"id":"1","timestamp":15,"message":"missing brace"`,
		`{"id":"1","timestamp":15`,
		`{"id":"1","timestamp":`,
		`{"id":"1","timestamp":15,"message":"x"]`,
		`{}`,
	}
	d := NewDecoder()
	for _, ev := range events {
		for _, doc := range []string{
			`{"messageType":"DATA_MESSAGE","logEvents":[` + ev + `]}`,
			// After an event that sets every field, which the fast path
			// must leave as the general decoder leaves them.
			`{"messageType":"DATA_MESSAGE","logEvents":[{"id":"a","timestamp":1,"message":"m"}],"logEvents":[` + ev + `]}`,
		} {
			if _, err := compareWithNaive(t, d, []byte(doc)); err != nil {
				t.Logf("%s: %v", ev, err)
			}
		}
	}
}

func TestDecodeCallbackError(t *testing.T) {
	stop := errors.New("stop")
	d := NewDecoder()
	calls := 0
	h, err := d.Decode(GeneratePayload(10, 1), func(Event) error {
		calls++
		if calls == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 3 || h.MessageType != DataMessage {
		t.Errorf("err %v after %d calls, header %+v", err, calls, h)
	}
}

func TestDecodeBase64(t *testing.T) {
	gz := GeneratePayload(50, 2)
	d := NewDecoder()
	want, err := decodeFast(d, gz)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		data    string
		wantErr string
	}{
		{"lambda event data", base64.StdEncoding.EncodeToString(gz), ""},
		{"not base64", "!!!", "decoding subscription payload base64"},
		{"not gzip", base64.StdEncoding.EncodeToString([]byte("{}")), "decompressing subscription payload"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got decoded
			h, err := d.DecodeBase64(tt.data, func(ev Event) error {
				got.Events = append(got.Events, events.CloudwatchLogsLogEvent{ID: string(ev.ID), Timestamp: ev.Timestamp, Message: string(ev.Message)})
				return nil
			})
			got.Header = h
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("DecodeBase64 = %+v, %v", got.Header, err)
			}
		})
	}
	t.Run("matches aws-lambda-go", func(t *testing.T) {
		data, err := events.CloudwatchLogsRawData{Data: base64.StdEncoding.EncodeToString(gz)}.Parse()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fromNaive(data), want) {
			t.Error("aws-lambda-go parses the payload differently")
		}
	})
}

func TestGunzip(t *testing.T) {
	doc := GenerateJSON(200, 3)
	half := len(doc) / 2
	multi := append(gzipBytes(t, doc[:half]), gzipBytes(t, doc[half:])...)
	tests := []struct {
		name    string
		gz      []byte
		maxSize int
		wantErr error
		errText string
	}{
		{"single member", gzipBytes(t, doc), 0, nil, ""},
		{"two members", multi, 0, nil, ""},
		{"size limit", gzipBytes(t, doc), len(doc) - 1, ErrTooLarge, "limit"},
		{"exact size limit", gzipBytes(t, doc), len(doc), nil, ""},
		{"truncated", gzipBytes(t, doc)[:100], 0, nil, "unexpected EOF"},
		{"not gzip", doc, 0, nil, "invalid header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDecoder()
			d.MaxSize = tt.maxSize
			got, err := d.Gunzip(tt.gz)
			if tt.errText != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errText) || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.errText)
				}
				return
			}
			if err != nil || !bytes.Equal(got, doc) {
				t.Fatalf("Gunzip: %d bytes, %v", len(got), err)
			}
		})
	}
}

// TestDecoderReuse decodes different payloads with one decoder and checks
// nothing leaks from one call into the next.
func TestDecoderReuse(t *testing.T) {
	d := NewDecoder()
	docs := [][]byte{
		GenerateJSON(300, 1),
		[]byte(`{"messageType":"DATA_MESSAGE","logEvents":[{"id":"\u0031","message":"esc\u00e9"}]}`),
		GenerateJSON(5, 2),
		[]byte(`{"messageType":"CONTROL_MESSAGE","logEvents":[{}]}`),
		GenerateJSON(300, 1),
	}
	for round := range 2 {
		for i, doc := range docs {
			if _, err := compareWithNaive(t, d, doc); err != nil {
				t.Fatalf("round %d doc %d: %v", round, i, err)
			}
		}
	}
}

func TestDecodeAllocs(t *testing.T) {
	d := NewDecoder()
	allocs := func(n int) float64 {
		gz := GeneratePayload(n, 4)
		return testing.AllocsPerRun(20, func() {
			if _, err := d.Decode(gz, func(Event) error { return nil }); err != nil {
				t.Fatal(err)
			}
		})
	}
	small, large := allocs(100), allocs(5000)
	// The header's strings are allocated once per payload; nothing is
	// allocated per event.
	if small != large || large > 8 {
		t.Errorf("%v allocations for 100 events, %v for 5000", small, large)
	}
}

// TestPlain checks plain, which decides that a JSON string needs no
// decoding, with a byte that does at every position of strings of every
// length up to 40.
func TestPlain(t *testing.T) {
	for n := range 41 {
		s := bytes.Repeat([]byte("0"), n)
		if !plain(s) {
			t.Fatalf("%q is plain", s)
		}
		for i := range n {
			for _, c := range []byte{0, 0x1f, '\\', 0x7f + 1, 0xff} {
				b := bytes.Clone(s)
				b[i] = c
				if plain(b) {
					t.Fatalf("%q is not plain", b)
				}
			}
			for _, c := range []byte{' ', '!', '"', '~', 0x7f} {
				b := bytes.Clone(s)
				b[i] = c
				if !plain(b) {
					t.Fatalf("%q is plain", b)
				}
			}
		}
	}
}
