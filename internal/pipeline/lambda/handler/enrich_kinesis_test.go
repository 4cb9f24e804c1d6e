package handler

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kinesistypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/klauspost/compress/gzip"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/s3sink"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/subscription"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
)

// readShard reads every record of a stream's only shard, as the Lambda
// event source mapping would, and returns them as Kinesis event records.
func readShard(t *testing.T, kc *kinesis.Client, stream, streamARN string) []events.KinesisEventRecord {
	t.Helper()
	ctx := context.Background()
	shards, err := kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	if len(shards.Shards) != 1 {
		t.Fatalf("%d shards, want 1", len(shards.Shards))
	}
	shard := aws.ToString(shards.Shards[0].ShardId)
	it, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
		StreamName: aws.String(stream), ShardId: aws.String(shard), ShardIteratorType: kinesistypes.ShardIteratorTypeTrimHorizon,
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []events.KinesisEventRecord
	iter := it.ShardIterator
	for range 10 {
		page, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Records {
			seq := aws.ToString(r.SequenceNumber)
			out = append(out, events.KinesisEventRecord{
				AwsRegion: acctest.Region, EventID: shard + ":" + seq, EventName: "aws:kinesis:record",
				EventSource: "aws:kinesis", EventSourceArn: streamARN, EventVersion: "1.0",
				Kinesis: events.KinesisRecord{
					Data: r.Data, PartitionKey: aws.ToString(r.PartitionKey), SequenceNumber: seq, KinesisSchemaVersion: "1.0",
				},
			})
		}
		if len(page.Records) == 0 || page.NextShardIterator == nil {
			break
		}
		iter = page.NextShardIterator
	}
	return out
}

// TestKinesisThroughMoto runs the whole path on moto: a log group's
// subscription filter to a Kinesis stream, records read from the shard,
// the tumbling window invocations Lambda would make, and the objects in S3;
// then the whole window again, as a retry, which must write the same keys.
func TestKinesisThroughMoto(t *testing.T) {
	ctx := context.Background()
	cfg := acctest.AWSConfig(t)
	kc := kinesis.NewFromConfig(cfg)
	lc := cloudwatchlogs.NewFromConfig(cfg)
	s3c, bucket := motoS3(t)

	stream := fmt.Sprintf("flows-%d", time.Now().UnixNano())
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(stream), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = kc.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String(stream)}) })
	sum, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	streamARN := aws.ToString(sum.StreamDescriptionSummary.StreamARN)

	group, logStream := "/vpc/flow-logs-"+stream, "eni-0a1b2c3d4e5f60718-all"
	if _, err := lc.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = lc.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(group)})
	})
	if _, err := lc.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(logStream)}); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.PutSubscriptionFilter(ctx, &cloudwatchlogs.PutSubscriptionFilterInput{
		LogGroupName: aws.String(group), FilterName: aws.String("vpcflow"), FilterPattern: aws.String(""),
		DestinationArn: aws.String(streamARN), RoleArn: aws.String("arn:aws:iam::" + acctest.AccountID + ":role/cwl-to-kinesis"),
	}); err != nil {
		t.Fatal(err)
	}

	gens := [][]byte{subscription.GeneratePayload(400, 21), subscription.GeneratePayload(400, 22), subscription.GeneratePayload(400, 23)}
	inv := payloadsInventory(t, gens...)
	delivered := payloadMessages(t, gens[0])[:20]
	var logEvents []cwltypes.InputLogEvent
	now := time.Now().UnixMilli()
	for i, m := range delivered {
		logEvents = append(logEvents, cwltypes.InputLogEvent{Message: aws.String(m), Timestamp: aws.Int64(now + int64(i))})
	}
	if _, err := lc.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{
		LogGroupName: aws.String(group), LogStreamName: aws.String(logStream), LogEvents: logEvents,
	}); err != nil {
		t.Fatal(err)
	}

	// What moto delivered through the subscription filter.
	fromMoto := readShard(t, kc, stream, streamARN)
	if len(fromMoto) != 1 {
		t.Fatalf("moto delivered %d records to the stream, want 1", len(fromMoto))
	}
	checkMotoDelivery(t, fromMoto[0].Kinesis.Data, group, logStream, delivered)

	// Payloads as CloudWatch Logs delivers them, with string event ids.
	wantWritten := 0
	for i, gz := range gens {
		msgs := payloadMessages(t, gz)
		wantWritten += len(msgs)
		payload := subscriptionPayload(t, acctest.AccountID, group, logStream, 1000*(i+1), msgs)
		if _, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{
			StreamName: aws.String(stream), Data: payload, PartitionKey: aws.String(fmt.Sprintf("p%d", i)),
		}); err != nil {
			t.Fatal(err)
		}
	}
	records := readShard(t, kc, stream, streamARN)
	if len(records) != 1+len(gens) {
		t.Fatalf("%d records in the shard, want %d", len(records), 1+len(gens))
	}
	// Every record, moto's included, is enriched: none is rejected.
	wantWritten += len(delivered)
	wantRead, wantRejected := wantWritten, 0

	var logs bytes.Buffer
	sink, err := s3sink.New(s3c, bucket, "flows", s3sink.NDJSON)
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewKinesisHandler(EnrichConfig{Sink: sink, Inventory: StaticInventory{Inv: inv}, Logger: jsonLog(&logs)}, KinesisOptions{})
	if err != nil {
		t.Fatal(err)
	}
	shard, _, _ := strings.Cut(records[0].EventID, ":")
	window := events.Window{Start: events.RFC3339EpochTime{Time: time.Now().Truncate(time.Minute)}}
	window.End = events.RFC3339EpochTime{Time: window.Start.Add(5 * time.Minute)}
	invocations := []struct {
		records []events.KinesisEventRecord
		final   bool
	}{
		{records[:2], false},
		{records[2:], false},
		{nil, true},
	}
	var runs [][]string
	for run := range 2 {
		state := map[string]string{}
		for i, inv := range invocations {
			ev := events.KinesisTimeWindowEvent{
				KinesisEvent: events.KinesisEvent{Records: inv.records},
				TimeWindowProperties: events.TimeWindowProperties{
					Window: window, State: state, ShardID: shard, EventSourceARN: streamARN, IsFinalInvokeForWindow: inv.final,
				},
			}
			resp, err := h.HandleKinesisWindow(ctx, ev)
			if err != nil {
				t.Fatalf("run %d invocation %d: %v", run+1, i+1, err)
			}
			if len(resp.BatchItemFailures) != 0 || resp.State == nil {
				t.Fatalf("run %d invocation %d: %+v", run+1, i+1, resp)
			}
			state = resp.State
		}
		if len(state) != 0 {
			t.Errorf("run %d: the final invocation returned state %v", run+1, state)
		}
		objects := storedRows(t, s3c, bucket, "flows/")
		runs = append(runs, sortedKeys(objects))
		if got := recordsIn(t, objects); got != int64(wantWritten) {
			t.Errorf("run %d: rows fold %d records, want %d", run+1, got, wantWritten)
		}
		stored := lastLog(t, &logs, "window stored")
		if stored["read"] != float64(wantRead) || stored["written"] != float64(wantWritten) || stored["rejected"] != float64(wantRejected) {
			t.Errorf("run %d: window counts %v, want read %d written %d rejected %d", run+1, stored, wantRead, wantWritten, wantRejected)
		}
	}
	if !slices.Equal(runs[0], runs[1]) {
		t.Errorf("the retried window wrote other keys:\n%q\n%q", runs[0], runs[1])
	}
	if len(runs[0]) < 2 {
		t.Fatalf("objects %q, want rows in more than one partition", runs[0])
	}
	first, last := records[0].Kinesis.SequenceNumber, records[len(records)-1].Kinesis.SequenceNumber
	for _, k := range runs[0] {
		m := keyPattern.FindStringSubmatch(k)
		if m == nil {
			t.Errorf("key %q is not flows/dt=.../hour=../NAME", k)
			continue
		}
		n, err := s3sink.ParseName(m[1])
		if err != nil || n.Kind != 'k' || n.First != first || n.Last != last || !strings.HasSuffix(n.Source, "-"+shard) {
			t.Errorf("name of %q: %+v, %v; want records %s to %s of %s", k, n, err, first, last, shard)
		}
	}
}

// checkMotoDelivery checks the subscription payload moto put on the
// stream, and that the subscription decoder delivers every one of its
// events. CloudWatch Logs writes event ids as strings ("id":
// "3195310660696698337880902507980421114328961542429"); moto 5.2 writes
// its event counter as a JSON number ("id": 0), a quirk the decoder
// tolerates by taking the number's text as the id.
func checkMotoDelivery(t *testing.T, data []byte, group, logStream string, messages []string) {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("moto's record is not gzip: %v", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		MessageType string `json:"messageType"`
		LogGroup    string `json:"logGroup"`
		LogStream   string `json:"logStream"`
		LogEvents   []struct {
			ID      json.RawMessage `json:"id"`
			Message string          `json:"message"`
		} `json:"logEvents"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.MessageType != "DATA_MESSAGE" || doc.LogGroup != group || doc.LogStream != logStream || len(doc.LogEvents) != len(messages) {
		t.Fatalf("moto delivered %s of %s/%s with %d events, want a DATA_MESSAGE of %s/%s with %d",
			doc.MessageType, doc.LogGroup, doc.LogStream, len(doc.LogEvents), group, logStream, len(messages))
	}
	for i, ev := range doc.LogEvents {
		if ev.Message != messages[i] {
			t.Fatalf("event %d: %q, want %q", i, ev.Message, messages[i])
		}
	}
	var got []subscription.Event
	h, err := subscription.NewDecoder().Decode(data, func(ev subscription.Event) error {
		got = append(got, subscription.Event{ID: bytes.Clone(ev.ID), Timestamp: ev.Timestamp, Message: bytes.Clone(ev.Message)})
		return nil
	})
	if err != nil || h.MessageType != subscription.DataMessage || len(got) != len(messages) {
		t.Fatalf("moto's payload decodes to %d events of a %v, error %v; want the %d events of a DATA_MESSAGE", len(got), h.MessageType, err, len(messages))
	}
	isNumber := false
	for i, ev := range doc.LogEvents {
		if string(got[i].Message) != messages[i] {
			t.Errorf("decoded event %d: %q, want %q", i, got[i].Message, messages[i])
		}
		// The id as decoded: a string's content, or a number's text.
		want := string(ev.ID)
		if ev.ID[0] == '"' {
			if err := json.Unmarshal(ev.ID, &want); err != nil {
				t.Fatal(err)
			}
		} else {
			isNumber = true
		}
		if string(got[i].ID) != want {
			t.Errorf("decoded event %d: id %q, want %q", i, got[i].ID, want)
		}
	}
	if isNumber {
		t.Logf("moto writes subscription event ids as JSON numbers (%s), CloudWatch Logs as strings; the decoder takes the number's text as the id", doc.LogEvents[0].ID)
	}
}
