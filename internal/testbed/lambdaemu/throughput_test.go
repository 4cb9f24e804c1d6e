//go:build cgo

package lambdaemu_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/contract"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/flowrecord"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/lambda/artifact"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/subscription"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/lambdaemu"
)

// throughputRecords is the number of flow log records of each invocation:
// a 1 MB subscription payload, the handler benchmarks' payload.
const throughputRecords = 10_000

// BenchmarkDeployedModes runs each deployed way of enriching through the
// real bootstrap, from the zip the provider embeds, under the Lambda
// emulator, warm, one 10,000-record payload an invocation, rows to S3 in
// moto, and reports records per CPU second of the function's processes
// (the bootstrap and the emulator, read from /proc): cloudwatch-logs
// (CloudWatch Logs invokes the function), kinesis (a stream, no window)
// and kinesis-window (a stream with a tumbling window: the records are
// folded into the window's state, which the function returns).
func BenchmarkDeployedModes(b *testing.B) {
	gz := subscription.GeneratePayload(throughputRecords, 1)
	enis := writeENIs(b, gz)
	data := base64.StdEncoding.EncodeToString(gz)
	cfg := acctest.AWSConfig(b)
	bucket := "throughput-rows"
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		b.Fatal(err)
	}
	const shard, stream = "shardId-000000000000", "arn:aws:kinesis:us-east-1:123456789012:stream/flows"
	record := events.KinesisEventRecord{EventID: shard + ":1", EventSourceArn: stream, Kinesis: events.KinesisRecord{Data: gz, SequenceNumber: "1", PartitionKey: "k"}}
	cases := []struct {
		name, mode string
		event      any
	}{
		{"cloudwatch-logs", contract.ModeCloudWatchLogs, events.CloudwatchLogsEvent{AWSLogs: events.CloudwatchLogsRawData{Data: data}}},
		{"kinesis", contract.ModeKinesis, events.KinesisEvent{Records: []events.KinesisEventRecord{record}}},
		{"kinesis-window", contract.ModeKinesis, events.KinesisTimeWindowEvent{
			KinesisEvent:         events.KinesisEvent{Records: []events.KinesisEventRecord{record}},
			TimeWindowProperties: events.TimeWindowProperties{ShardID: shard, EventSourceARN: stream},
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			zip, err := artifact.ZipForMode(c.mode, hostArch())
			if err != nil {
				b.Fatalf("%v (run `make artifact`)", err)
			}
			event, err := json.Marshal(c.event)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			fn, err := lambdaemu.Start(ctx, lambdaemu.Config{
				Zip: zip, Name: "throughput-" + c.name, MemoryMB: 1024, Endpoint: acctest.Current.URL, Region: acctest.Region,
				Env: map[string]string{
					contract.EnvMode: c.mode, contract.EnvOutputBucket: bucket, contract.EnvOutputPrefix: c.name + "/", contract.EnvENIs: enis,
				},
			})
			if err != nil {
				b.Fatal(err)
			}
			defer fn.Stop()
			invoke := func() {
				res, err := fn.Invoke(ctx, event)
				if err != nil || res.Error != "" {
					b.Fatalf("%v %s\n%s", err, res.Error, fn.Log())
				}
			}
			invoke() // the cold start is BenchmarkInit's (package lambdazip)
			cpu := fn.CPU()
			b.SetBytes(int64(len(gz)))
			for b.Loop() {
				invoke()
			}
			used := fn.CPU() - cpu
			if used > 0 {
				b.ReportMetric(float64(throughputRecords*b.N)/used.Seconds(), "records/cpu-s")
			}
			b.ReportMetric(float64(throughputRecords*b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// writeENIs writes, as describe-network-interfaces prints them, the
// network interface of a payload with every private address its records
// name, and returns the file's path.
func writeENIs(tb testing.TB, gz []byte) string {
	tb.Helper()
	doc, err := subscription.DecodeNaive(gz)
	if err != nil {
		tb.Fatal(err)
	}
	p := flowrecord.NewParser(flowrecord.DefaultFormat)
	var rec flowrecord.Record
	eni := ""
	seen := map[netip.Addr]bool{}
	var addrs []map[string]string
	for _, ev := range doc.LogEvents {
		if p.Parse([]byte(ev.Message), &rec) != nil {
			continue
		}
		eni = string(rec.InterfaceID())
		for _, a := range []netip.Addr{rec.SrcAddr(), rec.DstAddr()} {
			if a.Is4() && a.IsPrivate() && !seen[a] {
				seen[a] = true
				addrs = append(addrs, map[string]string{"PrivateIpAddress": a.String()})
			}
		}
	}
	if eni == "" || len(addrs) == 0 {
		tb.Fatal("the payload names no interface")
	}
	js, err := json.Marshal(map[string]any{"NetworkInterfaces": []any{map[string]any{
		"NetworkInterfaceId": eni, "OwnerId": doc.Owner, "InterfaceType": "interface",
		"AvailabilityZone": "us-east-1a", "AvailabilityZoneId": "use1-az1", "SubnetId": "subnet-0a1b2c3d4e5f60718", "VpcId": "vpc-0c1d2e3f4a5b6c7d8",
		"PrivateIpAddress": addrs[0]["PrivateIpAddress"], "PrivateIpAddresses": addrs,
		"TagSet": []map[string]string{{"Key": "app", "Value": "checkout"}},
	}}})
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "enis.json")
	if err := os.WriteFile(path, js, 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}
