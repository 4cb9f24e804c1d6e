package handler

import (
	"context"
	"encoding/base64"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/enrich"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/s3sink"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/subscription"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/cputime"
)

// benchRecords is the number of log events in a benchmark payload: about
// 1 MB of JSON, as large as CloudWatch Logs makes a subscription batch.
// It is the payload of the enrich package's BenchmarkEndToEnd.
const benchRecords = 10_000

// discardS3 takes objects and keeps nothing, as a fast S3 would.
type discardS3 struct{ bytes int64 }

func (d *discardS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	n, err := io.Copy(io.Discard, in.Body)
	d.bytes += n
	return &s3.PutObjectOutput{}, err
}

// engineCost is the cost per payload of BenchmarkEngineEndToEnd (CPU time
// where it is known, else wall time), when it ran before in the same
// invocation, so that the handler benchmarks can report theirs against it.
var engineCost float64

// reportRecords reports records per second of wall time and of CPU time,
// and the cost per payload against the engine alone (x-engine). On a shared
// machine the wall time counts the waits for a CPU; the CPU time does not.
func reportRecords(b *testing.B, cpuStart time.Duration, engine bool) {
	records := float64(benchRecords) * float64(b.N)
	b.ReportMetric(records/b.Elapsed().Seconds(), "records/s")
	cost := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	if cpu := cputime.Process() - cpuStart; cpu > 0 {
		b.ReportMetric(records/cpu.Seconds(), "records/cpu-s")
		cost = float64(cpu.Nanoseconds()) / float64(b.N)
	}
	if engine {
		engineCost = cost
	} else if engineCost > 0 {
		b.ReportMetric(cost/engineCost, "x-engine")
	}
}

// BenchmarkEngineEndToEnd is the enrich package's BenchmarkEndToEnd on the
// same payload and inventory as the handler benchmarks: base64 awslogs.data
// to gzip NDJSON rows, with a warm enricher. Run it with them
// (-bench 'EngineEndToEnd|Handle') for their x-engine ratio.
func BenchmarkEngineEndToEnd(b *testing.B) {
	gz := subscription.GeneratePayload(benchRecords, 1)
	data := base64.StdEncoding.EncodeToString(gz)
	inv := payloadsInventory(b, gz)
	w, err := connrows.NewNDJSON(io.Discard, connrows.NDJSONOptions{Gzip: true})
	if err != nil {
		b.Fatal(err)
	}
	e, err := enrich.New(inv, w, enrich.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	cpu := cputime.Process()
	for b.Loop() {
		w.Reset(io.Discard)
		e.Reset(w)
		if err := e.PayloadBase64(1, data); err != nil {
			b.Fatal(err)
		}
		if err := e.Close(); err != nil {
			b.Fatal(err)
		}
		if st := e.Stats(); st.Read != benchRecords || st.Rejected != 0 {
			b.Fatalf("stats %+v", st)
		}
	}
	reportRecords(b, cpu, true)
}

// BenchmarkHandleSubscription measures a warm CloudWatch Logs handler on a
// 1 MB subscription payload with the inventory in memory: base64, decode,
// parse, enrich, gzip NDJSON per partition, and the puts to S3 (which
// discards them).
func BenchmarkHandleSubscription(b *testing.B) {
	gz := subscription.GeneratePayload(benchRecords, 1)
	event := events.CloudwatchLogsEvent{AWSLogs: events.CloudwatchLogsRawData{Data: base64.StdEncoding.EncodeToString(gz)}}
	store := &discardS3{}
	sink, err := s3sink.New(store, "bucket", "flows", s3sink.NDJSON)
	if err != nil {
		b.Fatal(err)
	}
	h, err := NewLogsHandler(EnrichConfig{Sink: sink, Inventory: StaticInventory{Inv: payloadsInventory(b, gz)}, Logger: quietLog})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := h.HandleCloudWatchLogs(ctx, event); err != nil { // warm up
		b.Fatal(err)
	}
	b.SetBytes(int64(len(event.AWSLogs.Data)))
	b.ReportAllocs()
	cpu := cputime.Process()
	var res LogsResult
	for b.Loop() {
		if res, err = h.HandleCloudWatchLogs(ctx, event); err != nil {
			b.Fatal(err)
		}
		if res.Read != benchRecords || res.Rejected != 0 {
			b.Fatalf("result %+v", res)
		}
	}
	reportRecords(b, cpu, false)
	b.ReportMetric(float64(res.Rows), "rows/payload")
}

// BenchmarkHandleKinesisWindow measures a warm Kinesis handler folding the
// same payload into an empty window and returning the state.
func BenchmarkHandleKinesisWindow(b *testing.B) {
	gz := subscription.GeneratePayload(benchRecords, 1)
	sink, err := s3sink.New(&discardS3{}, "bucket", "flows", s3sink.NDJSON)
	if err != nil {
		b.Fatal(err)
	}
	h, err := NewKinesisHandler(EnrichConfig{Sink: sink, Inventory: StaticInventory{Inv: payloadsInventory(b, gz)}, Logger: quietLog}, KinesisOptions{})
	if err != nil {
		b.Fatal(err)
	}
	ev := events.KinesisTimeWindowEvent{
		KinesisEvent: events.KinesisEvent{Records: []events.KinesisEventRecord{{
			EventID: "shardId-000000000000:1", Kinesis: events.KinesisRecord{Data: gz, SequenceNumber: "1"},
		}}},
		TimeWindowProperties: events.TimeWindowProperties{ShardID: "shardId-000000000000", EventSourceARN: "arn:aws:kinesis:us-east-1:123456789012:stream/s"},
	}
	ctx := context.Background()
	b.SetBytes(int64(len(gz)))
	b.ReportAllocs()
	cpu := cputime.Process()
	var state int
	for b.Loop() {
		resp, err := h.HandleKinesisWindow(ctx, ev)
		if err != nil || len(resp.BatchItemFailures) > 0 {
			b.Fatal(err, resp.BatchItemFailures)
		}
		state = len(resp.State[stateKey])
	}
	reportRecords(b, cpu, false)
	b.ReportMetric(float64(state), "state-bytes")
}

// BenchmarkHandleKinesis measures a warm Kinesis handler without a
// tumbling window (the modules' default): the record's payload enriched
// and its rows put to S3 (which discards them), as the CloudWatch Logs
// handler stores a payload.
func BenchmarkHandleKinesis(b *testing.B) {
	gz := subscription.GeneratePayload(benchRecords, 1)
	sink, err := s3sink.New(&discardS3{}, "bucket", "flows", s3sink.NDJSON)
	if err != nil {
		b.Fatal(err)
	}
	h, err := NewKinesisHandler(EnrichConfig{Sink: sink, Inventory: StaticInventory{Inv: payloadsInventory(b, gz)}, Logger: quietLog}, KinesisOptions{})
	if err != nil {
		b.Fatal(err)
	}
	ev := events.KinesisTimeWindowEvent{KinesisEvent: events.KinesisEvent{Records: []events.KinesisEventRecord{{
		EventID: "shardId-000000000000:1", EventSourceArn: "arn:aws:kinesis:us-east-1:123456789012:stream/s",
		Kinesis: events.KinesisRecord{Data: gz, SequenceNumber: "1"},
	}}}}
	ctx := context.Background()
	if _, err := h.HandleKinesisWindow(ctx, ev); err != nil { // warm up
		b.Fatal(err)
	}
	b.SetBytes(int64(len(gz)))
	b.ReportAllocs()
	cpu := cputime.Process()
	for b.Loop() {
		resp, err := h.HandleKinesisWindow(ctx, ev)
		if err != nil || len(resp.BatchItemFailures) > 0 {
			b.Fatal(err, resp.BatchItemFailures)
		}
	}
	reportRecords(b, cpu, false)
}
