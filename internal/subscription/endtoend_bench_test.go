package subscription

import (
	stdgzip "compress/gzip"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"testing"

	goccy "github.com/goccy/go-json"
	"github.com/klauspost/compress/gzip"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/cputime"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowrecord"
)

// libraryGunzip decompresses a payload with a reused library gzip reader
// into a reused buffer, the way Decoder would without its own inflater.
type libraryGunzip struct {
	reset func(r io.Reader) error
	read  func(p []byte) (int, error)
	buf   []byte
}

func (l *libraryGunzip) gunzip(b *testing.B, gz []byte) []byte {
	if err := l.reset(newByteReader(gz)); err != nil {
		b.Fatal(err)
	}
	buf := l.buf[:0]
	// The size in the gzip trailer, as Decoder.Gunzip uses it.
	if hint := int(binary.LittleEndian.Uint32(gz[len(gz)-4:])); cap(buf) < hint+1 {
		buf = make([]byte, 0, hint+1)
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := l.read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	l.buf = buf
	return buf
}

type byteReader struct {
	b []byte
}

func newByteReader(b []byte) *byteReader { return &byteReader{b} }

func (r *byteReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

func (r *byteReader) ReadByte() (byte, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c, nil
}

func klauspostGunzip() *libraryGunzip {
	zr := new(gzip.Reader)
	return &libraryGunzip{reset: zr.Reset, read: zr.Read}
}

func stdlibGunzip() *libraryGunzip {
	zr := new(stdgzip.Reader)
	return &libraryGunzip{reset: zr.Reset, read: zr.Read}
}

// libraryMessage is the subscription message as encoding/json decodes it,
// with the event id of decodeReference (a string, or a number's text).
type libraryMessage struct {
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

// BenchmarkDecodeEndToEnd measures a CloudWatch Logs subscription payload,
// as a Lambda function receives it (base64 of gzip JSON), to parsed flow
// log records, with each combination of decompressor and JSON decoder:
//
//	handwritten           the Decoder: its inflater and its JSON scanner
//	klauspost             klauspost/compress/gzip, then the JSON scanner
//	stdlib                compress/gzip, then the JSON scanner
//	klauspost+encjson     klauspost/compress/gzip, then encoding/json
//	klauspost+goccy       klauspost/compress/gzip, then goccy/go-json (in
//	                      the module graph already, through duckdb and arrow)
//
// Run all of them in one invocation and compare with benchstat:
//
//	go test -run '^$' -bench 'DecodeEndToEnd' -count 6 ./internal/subscription | tee e2e.txt
//	benchstat -col /variant e2e.txt
func BenchmarkDecodeEndToEnd(b *testing.B) {
	gz := GeneratePayload(benchRecords, 1)
	data := base64.StdEncoding.EncodeToString(gz)
	jsonSize := int64(len(GenerateJSON(benchRecords, 1)))

	run := func(b *testing.B, decode func(b *testing.B, parse func(msg []byte) error)) {
		p := flowrecord.NewParser(flowrecord.DefaultFormat)
		var r flowrecord.Record
		var total uint64
		records := 0
		parse := func(msg []byte) error {
			if err := p.Parse(msg, &r); err != nil {
				return err
			}
			total += r.Bytes()
			records++
			return nil
		}
		b.SetBytes(jsonSize)
		b.ReportAllocs()
		cpu := cputime.Process()
		for b.Loop() {
			decode(b, parse)
		}
		if records != benchRecords*b.N || total == 0 {
			b.Fatalf("parsed %d records, want %d", records, benchRecords*b.N)
		}
		cputime.ReportRecords(b, float64(benchRecords)*float64(b.N), cpu)
	}
	var raw []byte
	unbase64 := func(b *testing.B) []byte {
		var err error
		raw, err = base64.StdEncoding.AppendDecode(raw[:0], []byte(data))
		if err != nil {
			b.Fatal(err)
		}
		return raw
	}
	scanWith := func(lib *libraryGunzip) func(b *testing.B, parse func([]byte) error) {
		d := NewDecoder()
		return func(b *testing.B, parse func([]byte) error) {
			doc := lib.gunzip(b, unbase64(b))
			if _, err := d.DecodeJSON(doc, func(ev Event) error { return parse(ev.Message) }); err != nil {
				b.Fatal(err)
			}
		}
	}

	unmarshalWith := func(lib *libraryGunzip, unmarshal func([]byte, any) error) func(b *testing.B, parse func([]byte) error) {
		return func(b *testing.B, parse func([]byte) error) {
			doc := lib.gunzip(b, unbase64(b))
			var msg libraryMessage
			if err := unmarshal(doc, &msg); err != nil {
				b.Fatal(err)
			}
			if msg.MessageType != "DATA_MESSAGE" {
				b.Fatalf("messageType %q", msg.MessageType)
			}
			for i := range msg.LogEvents {
				if err := parse([]byte(msg.LogEvents[i].Message)); err != nil {
					b.Fatal(err)
				}
			}
		}
	}

	b.Run("variant=handwritten", func(b *testing.B) {
		d := NewDecoder()
		run(b, func(b *testing.B, parse func([]byte) error) {
			if _, err := d.DecodeBase64(data, func(ev Event) error { return parse(ev.Message) }); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("variant=klauspost", func(b *testing.B) { run(b, scanWith(klauspostGunzip())) })
	b.Run("variant=stdlib", func(b *testing.B) { run(b, scanWith(stdlibGunzip())) })
	b.Run("variant=klauspost+encjson", func(b *testing.B) { run(b, unmarshalWith(klauspostGunzip(), json.Unmarshal)) })
	b.Run("variant=klauspost+goccy", func(b *testing.B) { run(b, unmarshalWith(klauspostGunzip(), goccy.Unmarshal)) })
}
