package handler

import (
	"context"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/cputime"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/s3sink"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/subscription"
)

// BenchmarkHandleKinesis measures a warm Kinesis handler without a tumbling
// window (the module's default) storing one record of a 1 MB payload: the
// payload's rows go to S3 (which discards them) under the payload's name.
func BenchmarkHandleKinesis(b *testing.B) {
	gz := subscription.GeneratePayload(benchRecords, 1)
	store := &discardS3{}
	sink, err := s3sink.New(store, "bucket", "flows", s3sink.Parquet)
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
	b.ReportMetric(float64(store.bytes)/float64(b.N), "stored-bytes/payload")
}
