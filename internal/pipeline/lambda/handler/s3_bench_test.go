package handler

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/s3sink"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/subscription"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/cputime"
)

// fileS3 serves one flow log file from memory, as a fast S3 would.
type fileS3 struct{ body []byte }

func (f fileS3) GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(f.body))}, nil
}

// keysS3 discards objects and counts those of rejected records.
type keysS3 struct {
	discardS3
	puts, rejected int
}

func (k *keysS3) PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	k.puts++
	if strings.Contains(aws.ToString(in.Key), "_rejected/") {
		k.rejected++
	}
	return k.discardS3.PutObject(ctx, in, opts...)
}

// BenchmarkHandleS3 measures a warm s3-mode handler on one SQS message
// naming a gzip flow log file of the benchmark payload's 10,000 records,
// with its header line, as VPC Flow Logs delivers it to S3: read, parse,
// enrich, and the puts to S3 (which discards them).
func BenchmarkHandleS3(b *testing.B) {
	gz := subscription.GeneratePayload(benchRecords, 1)
	data, err := subscription.DecodeNaive(gz)
	if err != nil {
		b.Fatal(err)
	}
	var text strings.Builder
	text.WriteString("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n")
	for _, ev := range data.LogEvents {
		text.WriteString(ev.Message)
		text.WriteByte('\n')
	}
	var file bytes.Buffer
	zw := gzip.NewWriter(&file)
	_, _ = zw.Write([]byte(text.String()))
	_ = zw.Close()
	store := &keysS3{}
	sink, err := s3sink.New(store, "rows", "flows", s3sink.Parquet)
	if err != nil {
		b.Fatal(err)
	}
	h, err := NewS3Handler(EnrichConfig{Sink: sink, Inventory: StaticInventory{Inv: payloadsInventory(b, gz)}, Logger: quietLog}, fileS3{file.Bytes()}, S3Options{TempDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "1", Body: `{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put",` +
		`"s3":{"bucket":{"name":"flow-logs"},"object":{"key":"AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/06/01/f.log.gz","eTag":"abc"}}}]}`}}}
	ctx := context.Background()
	b.SetBytes(int64(file.Len()))
	b.ReportAllocs()
	cpu := cputime.Process()
	for b.Loop() {
		resp, err := h.HandleSQS(ctx, ev)
		if err != nil || len(resp.BatchItemFailures) > 0 {
			b.Fatal(err, resp.BatchItemFailures)
		}
	}
	if store.puts == 0 || store.rejected > 0 {
		b.Fatalf("%d objects stored, %d of rejected records: the file was not enriched", store.puts, store.rejected)
	}
	reportRecords(b, cpu, false)
}
