package subscription

import (
	"strings"
	"testing"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/flowrecord"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/cputime"
)

// benchRecords makes a payload of about 1 MB of JSON (150 KB compressed).
const benchRecords = 4500

func benchPayload(b *testing.B) []byte {
	gz := GeneratePayload(benchRecords, 1)
	b.SetBytes(int64(len(GenerateJSON(benchRecords, 1))))
	b.ReportAllocs()
	return gz
}

// BenchmarkGunzip measures the decoder's decompression alone:
// klauspost/compress/gzip, reset for each payload, into a reused buffer.
func BenchmarkGunzip(b *testing.B) {
	gz := benchPayload(b)
	d := NewDecoder()
	cpu := cputime.Process()
	for b.Loop() {
		if _, err := d.Gunzip(gz); err != nil {
			b.Fatal(err)
		}
	}
	cputime.ReportRecords(b, float64(benchRecords)*float64(b.N), cpu)
}

// BenchmarkDecodeNaive is the usual approach: standard gzip, encoding/json
// into the aws-lambda-go types, and strings.Fields on every message.
func BenchmarkDecodeNaive(b *testing.B) {
	gz := benchPayload(b)
	fields := 0
	cpu := cputime.Process()
	for b.Loop() {
		data, err := DecodeNaive(gz)
		if err != nil {
			b.Fatal(err)
		}
		for _, ev := range data.LogEvents {
			fields += len(strings.Fields(ev.Message))
		}
	}
	if fields == 0 {
		b.Fatal("no fields")
	}
	cputime.ReportRecords(b, float64(benchRecords)*float64(b.N), cpu)
}

func BenchmarkDecode(b *testing.B) {
	gz := benchPayload(b)
	d := NewDecoder()
	n := 0
	count := func(ev Event) error {
		n += len(ev.Message)
		return nil
	}
	cpu := cputime.Process()
	for b.Loop() {
		if _, err := d.Decode(gz, count); err != nil {
			b.Fatal(err)
		}
	}
	cputime.ReportRecords(b, float64(benchRecords)*float64(b.N), cpu)
}

// BenchmarkDecodeJSON measures the JSON scanner alone.
func BenchmarkDecodeJSON(b *testing.B) {
	benchPayload(b)
	doc := GenerateJSON(benchRecords, 1)
	d := NewDecoder()
	noop := func(Event) error { return nil }
	cpu := cputime.Process()
	for b.Loop() {
		if _, err := d.DecodeJSON(doc, noop); err != nil {
			b.Fatal(err)
		}
	}
	cputime.ReportRecords(b, float64(benchRecords)*float64(b.N), cpu)
}

func BenchmarkDecodeAndParse(b *testing.B) {
	gz := benchPayload(b)
	d := NewDecoder()
	p := flowrecord.NewParser(flowrecord.DefaultFormat)
	var r flowrecord.Record
	var bytes uint64
	parse := func(ev Event) error {
		if err := p.Parse(ev.Message, &r); err != nil {
			return err
		}
		bytes += r.Bytes()
		return nil
	}
	cpu := cputime.Process()
	for b.Loop() {
		if _, err := d.Decode(gz, parse); err != nil {
			b.Fatal(err)
		}
	}
	cputime.ReportRecords(b, float64(benchRecords)*float64(b.N), cpu)
}
