package handler

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/flowobject"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/flowrecord"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/s3sink"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/synthetic"
)

// s3Delivery is a synthetic estate's flow logs cut into chunks of lines,
// each chunk one CloudWatch Logs subscription payload, and the same chunks
// a few to a file as VPC Flow Logs delivers them to S3.
type s3Delivery struct {
	set    *synthetic.Set
	inv    *inventory.Inventory
	chunks []s3Chunk
	lines  int
}

type s3Chunk struct {
	flowLog int
	format  string
	lines   []string
}

// chunkLines is the lines of a chunk; a file holds filesChunks chunks, and
// the S3 handler reads it in parts of chunkLines, so that its parts are
// the chunks.
const (
	chunkLines  = 3000
	fileChunks  = 3
	s3TestFLID  = "fl-0123456789abcdef0"
	s3TestHours = 1
)

func newS3Delivery(t *testing.T) *s3Delivery {
	t.Helper()
	set := synthetic.Generate(synthetic.Options{Seed: 1, HoursPerDay: s3TestHours})
	inv := inventory.New()
	for _, load := range []func() error{
		func() error { return inv.LoadNetworkInterfaces(bytes.NewReader(set.NetworkInterfaces), time.Time{}) },
		func() error { return inv.LoadTags(bytes.NewReader(set.Resources)) },
		func() error { return inv.LoadIPRanges(bytes.NewReader(set.IPRanges)) },
	} {
		if err := load(); err != nil {
			t.Fatal(err)
		}
	}
	d := &s3Delivery{set: set, inv: inv}
	for i, fl := range set.FlowLogs {
		for lines := range slices.Chunk(fl.Lines, chunkLines) {
			d.chunks = append(d.chunks, s3Chunk{flowLog: i, format: fl.Format, lines: lines})
			d.lines += len(lines)
		}
	}
	return d
}

// files returns the chunks grouped into files: a flow log's chunks, a few
// to a file.
func (d *s3Delivery) files() [][]s3Chunk {
	var files [][]s3Chunk
	for i, c := range d.chunks {
		if len(files) == 0 || len(files[len(files)-1]) == fileChunks || d.chunks[i-1].flowLog != c.flowLog {
			files = append(files, nil)
		}
		files[len(files)-1] = append(files[len(files)-1], c)
	}
	return files
}

// put stores each file in the bucket, as text or Parquet, under the key
// layout VPC Flow Logs uses (Hive-compatible with hourly partitions for
// Parquet), and returns the notification of each.
func (d *s3Delivery) put(t *testing.T, client *s3.Client, bucket string, kind flowobject.Kind) []ObjectRef {
	t.Helper()
	var refs []ObjectRef
	for n, file := range d.files() {
		format, err := flowrecord.ParseFormat(file[0].format)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, c := range file {
			lines = append(lines, c.lines...)
		}
		at := time.Date(2024, 6, 1, n%24, 5*(n%12), 0, 0, time.UTC)
		name := fmt.Sprintf("%s_vpcflowlogs_%s_%s_%s_%08x", synthetic.Account, synthetic.Region, s3TestFLID, at.Format("20060102T1504Z"), n)
		var key string
		var body []byte
		if kind == flowobject.Parquet {
			key = fmt.Sprintf("flowlogs/AWSLogs/aws-account-id=%s/aws-service=vpcflowlogs/aws-region=%s/year=2024/month=06/day=01/hour=%02d/%s.log.parquet",
				synthetic.Account, synthetic.Region, at.Hour(), name)
			var buf bytes.Buffer
			if err := flowobject.WriteParquet(&buf, format, lines); err != nil {
				t.Fatal(err)
			}
			body = buf.Bytes()
		} else {
			key = fmt.Sprintf("flowlogs/AWSLogs/%s/vpcflowlogs/%s/2024/06/01/%s.log.gz", synthetic.Account, synthetic.Region, name)
			body = gzipBytes(t, []byte(format.Header()+"\n"+strings.Join(lines, "\n")+"\n"))
		}
		if _, err := flowobject.ParseKey(key); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		out, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, ObjectRef{Bucket: bucket, Key: key, ETag: strings.Trim(aws.ToString(out.ETag), `"`)})
	}
	return refs
}

// s3Notification returns the body S3 sends to SQS for the creation of refs.
func s3Notification(t *testing.T, refs ...ObjectRef) string {
	t.Helper()
	var recs []map[string]any
	for _, r := range refs {
		recs = append(recs, map[string]any{
			"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": synthetic.Region,
			"eventTime": "2024-06-01T00:10:00.000Z", "eventName": "ObjectCreated:Put",
			"s3": map[string]any{
				"s3SchemaVersion": "1.0", "configurationId": "vpcflow",
				"bucket": map[string]any{"name": r.Bucket, "arn": "arn:aws:s3:::" + r.Bucket},
				// S3 URL-encodes keys in notifications.
				"object": map[string]any{"key": url.QueryEscape(r.Key), "size": 1, "eTag": r.ETag, "sequencer": "0062E99A88DC407460"},
			},
		})
	}
	b, err := json.Marshal(map[string]any{"Records": recs})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// eventBridgeNotification returns the body of an EventBridge Object Created
// event of ref, as an EventBridge rule puts it on a queue.
func eventBridgeNotification(t *testing.T, ref ObjectRef) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"version": "0", "id": "17793124-05d4-b198-2fde-7ededc63b103", "detail-type": "Object Created",
		"source": "aws.s3", "account": synthetic.Account, "region": synthetic.Region,
		"resources": []string{"arn:aws:s3:::" + ref.Bucket},
		"detail": map[string]any{
			"version": "0", "bucket": map[string]any{"name": ref.Bucket},
			"object": map[string]any{"key": ref.Key, "size": 1, "etag": ref.ETag, "sequencer": "617f08299329d189"},
			"reason": "PutObject",
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func sqsEvent(bodies ...string) events.SQSEvent {
	var ev events.SQSEvent
	for i, b := range bodies {
		ev.Records = append(ev.Records, events.SQSMessage{MessageId: fmt.Sprintf("msg-%d", i), Body: b,
			EventSource: "aws:sqs", EventSourceARN: "arn:aws:sqs:us-east-1:123456789012:vpcflow-flow-logs"})
	}
	return ev
}

// rowJSON is what a row is compared by: everything but the order of rows.
func rowJSON(t *testing.T, r connrows.Row) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// rowSet returns the rows of objects as a sorted list of their JSON.
func rowSet(t *testing.T, objects map[string][]connrows.Row) []string {
	t.Helper()
	var keys []string
	for _, rows := range objects {
		for _, r := range rows {
			r.Start, r.End, r.Window = r.Start.UTC(), r.End.UTC(), r.Window.UTC()
			keys = append(keys, rowJSON(t, r))
		}
	}
	slices.Sort(keys)
	return keys
}

// TestS3SameRowsAsCloudWatchLogs delivers the same records of the
// synthetic estate as CloudWatch Logs payloads and as flow log files in S3,
// text and Parquet, and checks that the rows are the same, row for row.
func TestS3SameRowsAsCloudWatchLogs(t *testing.T) {
	client, bucket := motoS3(t)
	d := newS3Delivery(t)
	ctx := context.Background()
	sink := func(prefix string) *s3sink.Sink {
		s, err := s3sink.New(client, bucket, prefix, s3sink.NDJSON)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	cfg := func(prefix string) EnrichConfig {
		return EnrichConfig{Sink: sink(prefix), Inventory: StaticInventory{Inv: d.inv}, Logger: quietLog}
	}

	// CloudWatch Logs: one payload a chunk, each flow log its own log group
	// with its format.
	logsCfg := cfg("cwl/")
	logsCfg.Formats = map[string]flowrecord.Format{}
	for _, fl := range d.set.FlowLogs {
		f, err := flowrecord.ParseFormat(fl.Format)
		if err != nil {
			t.Fatal(err)
		}
		logsCfg.Formats[fl.LogGroup] = f
	}
	lh, err := NewLogsHandler(logsCfg)
	if err != nil {
		t.Fatal(err)
	}
	read := 0
	for i, c := range d.chunks {
		gz := subscriptionPayload(t, synthetic.Account, d.set.FlowLogs[c.flowLog].LogGroup, "all", 1000*i, c.lines)
		res, err := lh.HandleCloudWatchLogs(ctx, events.CloudwatchLogsEvent{AWSLogs: events.CloudwatchLogsRawData{Data: base64.StdEncoding.EncodeToString(gz)}})
		if err != nil {
			t.Fatal(err)
		}
		read += res.Read
	}
	if read != d.lines {
		t.Fatalf("CloudWatch Logs: read %d records, want %d", read, d.lines)
	}
	want := storedRows(t, client, bucket, "cwl/")
	wantSet := rowSet(t, want)
	t.Logf("%d records in %d chunks, %d rows from CloudWatch Logs", d.lines, len(d.chunks), len(wantSet))
	if recordsIn(t, want) != int64(d.lines) {
		t.Fatalf("CloudWatch Logs rows fold %d records, want %d", recordsIn(t, want), d.lines)
	}

	for _, kind := range []flowobject.Kind{flowobject.Text, flowobject.Parquet} {
		t.Run(kind.String(), func(t *testing.T) {
			prefix := kind.String() + "/"
			refs := d.put(t, client, bucket, kind)
			h, err := NewS3Handler(cfg(prefix), client, S3Options{PartRecords: chunkLines, TempDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			var bodies []string
			for _, r := range refs {
				bodies = append(bodies, s3Notification(t, r))
			}
			resp, err := h.HandleSQS(ctx, sqsEvent(bodies...))
			if err != nil || len(resp.BatchItemFailures) != 0 {
				t.Fatalf("HandleSQS: %v, failures %v", err, resp.BatchItemFailures)
			}
			got := storedRows(t, client, bucket, prefix)
			if n := recordsIn(t, got); n != int64(d.lines) {
				t.Errorf("rows fold %d records, want %d", n, d.lines)
			}
			gotSet := rowSet(t, got)
			if !slices.Equal(gotSet, wantSet) {
				t.Errorf("%d rows, CloudWatch Logs %d; they differ", len(gotSet), len(wantSet))
				for i := range min(len(gotSet), len(wantSet)) {
					if gotSet[i] != wantSet[i] {
						t.Errorf("first difference:\n s3:  %s\n cwl: %s", gotSet[i], wantSet[i])
						break
					}
				}
			}
			for key := range got {
				name := key[strings.LastIndexByte(key, '/')+1:]
				n, err := s3sink.ParseName(name)
				if err != nil || n.Kind != 'o' {
					t.Errorf("%s: name %+v, %v", key, n, err)
				}
			}
			if rej := storedRejected(t, client, bucket, prefix); len(rej) != 0 {
				t.Errorf("rejected %v, want none", rej)
			}
		})
	}
}

// TestS3RetriedNotifications delivers each file's notification again in
// every way SQS and Lambda do (a duplicate in the same batch, the same
// batch again, the EventBridge form of the same creation, a batch retried
// after a failure in the middle of a file) and checks that nothing is
// stored twice: the same keys, the same records.
func TestS3RetriedNotifications(t *testing.T) {
	client, bucket := motoS3(t)
	d := newS3Delivery(t)
	refs := d.put(t, client, bucket, flowobject.Text)
	ctx := context.Background()
	puts := &failingPuts{PutAPI: client}
	sink, err := s3sink.New(puts, bucket, "rows/", s3sink.NDJSON)
	if err != nil {
		t.Fatal(err)
	}
	// Parts of 1,000 lines: several parts a file, several objects a part.
	h, err := NewS3Handler(EnrichConfig{Sink: sink, Inventory: StaticInventory{Inv: d.inv}, Logger: quietLog}, client,
		S3Options{PartRecords: 1000, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, r := range refs {
		bodies = append(bodies, s3Notification(t, r))
	}

	// The first delivery fails at the fifth object written, in the middle
	// of the first file: its message is reported, the others are stored.
	puts.failAt = 5
	resp, err := h.HandleSQS(ctx, sqsEvent(bodies...))
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "msg-0" {
		t.Fatalf("batch item failures %v, want msg-0 alone", resp.BatchItemFailures)
	}
	partial := storedObjects(t, client, bucket, "rows/")

	// SQS delivers the failed message again, with a copy of another.
	resp, err = h.HandleSQS(ctx, sqsEvent(bodies[0], bodies[1]))
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("retry: %v, failures %v", err, resp.BatchItemFailures)
	}
	once := storedObjects(t, client, bucket, "rows/")
	for key := range partial {
		if _, ok := once[key]; !ok {
			t.Errorf("%s, written by the failed attempt, is not among the keys of the retry", key)
		}
	}
	rows := storedRows(t, client, bucket, "rows/")
	if n := recordsIn(t, rows); n != int64(d.lines) {
		t.Fatalf("after the retry: rows fold %d records, want %d", n, d.lines)
	}

	// Every notification again: twice in one batch, in its EventBridge
	// form, and one message naming every file.
	var again []string
	for _, r := range refs {
		again = append(again, s3Notification(t, r), s3Notification(t, r), eventBridgeNotification(t, r))
	}
	again = append(again, s3Notification(t, refs...))
	resp, err = h.HandleSQS(ctx, sqsEvent(again...))
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("duplicates: %v, failures %v", err, resp.BatchItemFailures)
	}
	after := storedObjects(t, client, bucket, "rows/")
	if got, want := sortedKeys(after), sortedKeys(once); !slices.Equal(got, want) {
		t.Errorf("duplicates changed the objects: %d, want %d", len(got), len(want))
	}
	for key, body := range once {
		if !bytes.Equal(after[key], body) {
			t.Errorf("%s changed when written again", key)
		}
	}
	if n := recordsIn(t, storedRows(t, client, bucket, "rows/")); n != int64(d.lines) {
		t.Errorf("after the duplicates: rows fold %d records, want %d", n, d.lines)
	}
	t.Logf("%d files, %d records, %d objects", len(refs), d.lines, len(after))
}

// TestS3Rejects checks what the handler keeps rather than fails: lines that
// do not parse or are too long, a body that is no notification, a file
// that is neither text nor Parquet, and a file deleted before it was read;
// and that a file replaced after its notification is left to the
// notification of its new content.
func TestS3Rejects(t *testing.T) {
	client, bucket := motoS3(t)
	ctx := context.Background()
	put := func(key string, body []byte) ObjectRef {
		out, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		return ObjectRef{Bucket: bucket, Key: key, ETag: strings.Trim(aws.ToString(out.ETag), `"`)}
	}
	good := "2 123456789012 eni-0a1b2c3d4e5f60718 10.0.0.1 10.0.0.2 40000 443 6 10 1000 1718000000 1718000060 ACCEPT OK"
	bad := "2 123456789012 eni-0a1b2c3d4e5f60718 not-an-address 10.0.0.2 40000 443 6 10 1000 1718000000 1718000060 ACCEPT OK"
	long := strings.Repeat("x", flowobject.MaxLineBytes+10)
	file := flowrecord.DefaultFormat.Header() + "\n" + good + "\n" + bad + "\n" + long + "\n" + good + "\n"
	lines := put("in/a.log.gz", gzipBytes(t, []byte(file)))
	notFlowLog := put("in/b.log.gz", []byte("\x1f\x8bnot gzip at all"))
	deleted := ObjectRef{Bucket: bucket, Key: "in/gone.log.gz", ETag: "0123456789abcdef0123456789abcdef"}
	replaced := put("in/c.log.gz", gzipBytes(t, []byte(good+"\n")))
	replaced.ETag = "0123456789abcdef0123456789abcdef" // the notification of an earlier content

	sink, err := s3sink.New(client, bucket, "rows/", s3sink.NDJSON)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	h, err := NewS3Handler(EnrichConfig{Sink: sink, Inventory: StaticInventory{Inv: inventory.New()}, Logger: jsonLog(&logs)}, client, S3Options{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	own := ObjectRef{Bucket: bucket, Key: "rows/dt=2024-06-10/hour=06/x.json.gz"}
	resp, err := h.HandleSQS(ctx, sqsEvent(
		s3Notification(t, lines), "not json", s3Notification(t, notFlowLog), s3Notification(t, deleted),
		s3Notification(t, replaced), `{"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"b"}`, s3Notification(t, own)))
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("HandleSQS: %v, failures %v", err, resp.BatchItemFailures)
	}
	batch := lastLog(t, &logs, "batch stored")
	// Read: 4 lines of a, the body, b, the deleted file; rejected: all but
	// the two good lines.
	if batch["read"] != 7.0 || batch["written"] != 2.0 || batch["rejected"] != 5.0 {
		t.Errorf("counts logged %v", batch)
	}
	kept := storedRejected(t, client, bucket, "rows/")
	var reasons []string
	for _, rs := range kept {
		for _, r := range rs {
			reasons = append(reasons, fmt.Sprintf("%s line %d: %s", r.Object, r.Event, r.Reason))
		}
	}
	slices.Sort(reasons)
	want := []string{
		" line 0: payload does not decode: not an S3 event notification",
		"s3://" + bucket + "/in/a.log.gz line 3: ",
		"s3://" + bucket + "/in/a.log.gz line 4: line too long",
		"s3://" + bucket + "/in/b.log.gz line 0: not a gzip file",
		"s3://" + bucket + "/in/gone.log.gz line 0: the file no longer exists (NoSuchKey)",
	}
	if len(reasons) != len(want) {
		t.Fatalf("kept %d rejections, want %d:\n%s", len(reasons), len(want), strings.Join(reasons, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(reasons[i], want[i]) {
			t.Errorf("rejection %d: %q, want it to begin %q", i, reasons[i], want[i])
		}
	}
	if rows := storedRows(t, client, bucket, "rows/"); recordsIn(t, rows) != 2 {
		t.Errorf("rows fold %d records, want the two good lines", recordsIn(t, rows))
	}
}

func TestParseNotificationSNS(t *testing.T) {
	ref := ObjectRef{Bucket: "b", Key: "AWSLogs/a b/x.log.gz", ETag: "e"}
	inner := s3Notification(t, ref)
	wrapped, err := json.Marshal(map[string]string{"Type": "Notification", "Message": inner})
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{inner, string(wrapped), eventBridgeNotification(t, ref)} {
		refs, err := ParseNotification(body)
		if err != nil || len(refs) != 1 || refs[0] != ref {
			t.Errorf("ParseNotification(%.60s...) = %+v, %v, want %+v", body, refs, err, ref)
		}
	}
}
