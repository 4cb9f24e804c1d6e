package subscription

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"testing"

	goccy "github.com/goccy/go-json"
	"github.com/klauspost/compress/gzip"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/flowrecord"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/cputime"
)

// libraryMessage is the subscription message as a JSON library decodes it,
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
// log records, with the Decoder and with JSON libraries in place of its
// scanner:
//
//	handwritten   the Decoder: klauspost/compress/gzip and the JSON scanner
//	encjson       the same gzip reader, then encoding/json
//	goccy         the same gzip reader, then goccy/go-json (in the module
//	              graph already, through duckdb and arrow)
//
// Run them in one invocation and compare with benchstat:
//
//	go test -run '^$' -bench DecodeEndToEnd -count 8 ./internal/pipeline/subscription | tee e2e.txt
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
	// unmarshalWith decodes the payload as the Decoder does (base64, then
	// a reused gzip reader into a reused buffer sized from the gzip
	// trailer), and the message with a JSON library.
	unmarshalWith := func(unmarshal func([]byte, any) error) func(b *testing.B, parse func([]byte) error) {
		var raw, doc []byte
		var br bytes.Reader
		zr := new(gzip.Reader)
		return func(b *testing.B, parse func([]byte) error) {
			var err error
			if raw, err = base64.StdEncoding.AppendDecode(raw[:0], []byte(data)); err != nil {
				b.Fatal(err)
			}
			br.Reset(raw)
			if err := zr.Reset(&br); err != nil {
				b.Fatal(err)
			}
			if hint := int(binary.LittleEndian.Uint32(raw[len(raw)-4:])); cap(doc) < hint+1 {
				doc = make([]byte, 0, hint+1)
			}
			doc = doc[:0]
			for {
				n, err := zr.Read(doc[len(doc):cap(doc)])
				doc = doc[:len(doc)+n]
				if err == io.EOF {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
			}
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
	b.Run("variant=encjson", func(b *testing.B) { run(b, unmarshalWith(json.Unmarshal)) })
	b.Run("variant=goccy", func(b *testing.B) { run(b, unmarshalWith(goccy.Unmarshal)) })
}
