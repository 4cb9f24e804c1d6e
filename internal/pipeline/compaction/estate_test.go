//go:build cgo

package compaction_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/klauspost/compress/gzip"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/compaction"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/flowrecord"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/lambda/handler"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/parquetrows"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/s3sink"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/demo/answers"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/synthetic"
)

// Shape of the traffic: small payloads, so that every hour partition gets
// many parts, as a busy shard's invocations make them.
const (
	estateEventsPerPayload = 10
	estateShards           = 2
	estateWindowRecords    = 12 // Kinesis records per tumbling window of a shard
	estateBatch            = 4  // Kinesis records per invocation
	estateLateEvery        = 9  // every 9th payload of the direct path arrives after the first compaction
)

// estatePayload is one CloudWatch Logs subscription payload.
type estatePayload struct {
	gz    []byte
	lines int
}

// estatePayloads cuts a flow log's records into payloads as CloudWatch
// Logs delivers them: a log stream per network interface, events in order.
func estatePayloads(t *testing.T, fl synthetic.FlowLog) []estatePayload {
	t.Helper()
	format, err := flowrecord.ParseFormat(fl.Format)
	if err != nil {
		t.Fatal(err)
	}
	field := format.Index(flowrecord.FieldInterfaceID)
	streams := map[string][]string{}
	var order []string
	for _, l := range fl.Lines {
		eni := strings.Fields(l)[field]
		if _, ok := streams[eni]; !ok {
			order = append(order, eni)
		}
		streams[eni] = append(streams[eni], l)
	}
	type event struct {
		ID        string `json:"id"`
		Timestamp int64  `json:"timestamp"`
		Message   string `json:"message"`
	}
	var out []estatePayload
	id := 0
	for _, eni := range order {
		lines := streams[eni]
		for len(lines) > 0 {
			n := min(len(lines), estateEventsPerPayload)
			doc := struct {
				MessageType         string   `json:"messageType"`
				Owner               string   `json:"owner"`
				LogGroup            string   `json:"logGroup"`
				LogStream           string   `json:"logStream"`
				SubscriptionFilters []string `json:"subscriptionFilters"`
				LogEvents           []event  `json:"logEvents"`
			}{"DATA_MESSAGE", synthetic.Account, fl.LogGroup, eni + "-all", []string{"vpcflow"}, nil}
			for _, m := range lines[:n] {
				id++
				doc.LogEvents = append(doc.LogEvents, event{ID: fmt.Sprintf("%056d", id), Timestamp: 1_718_000_000_000, Message: m})
			}
			raw, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			_, _ = zw.Write(raw)
			if err := zw.Close(); err != nil {
				t.Fatal(err)
			}
			out = append(out, estatePayload{gz: buf.Bytes(), lines: n})
			lines = lines[n:]
		}
	}
	return out
}

// kinesisShard plays Lambda's event source mapping with a tumbling window
// over one shard's records: windows of estateWindowRecords records, each
// in batches of estateBatch with the state carried, and a final
// invocation.
type kinesisShard struct {
	h       *handler.KinesisHandler
	arn, id string
	records []events.KinesisEventRecord
	windows [][2]int // the records of each window played
}

func (s *kinesisShard) add(gz []byte) {
	seq := fmt.Sprintf("4959%052d", 1000+len(s.records))
	s.records = append(s.records, events.KinesisEventRecord{
		EventID: s.id + ":" + seq, EventSourceArn: s.arn, EventSource: "aws:kinesis",
		Kinesis: events.KinesisRecord{Data: gz, SequenceNumber: seq, PartitionKey: "k"},
	})
}

// window plays the records [from, to) as one window; it returns the
// number of invocations.
func (s *kinesisShard) window(t *testing.T, from, to int) int {
	t.Helper()
	ctx := context.Background()
	start := time.Date(2024, 6, 10, 0, 0, 0, 0, time.UTC).Add(time.Duration(from) * time.Minute)
	props := events.TimeWindowProperties{
		Window:  events.Window{Start: events.RFC3339EpochTime{Time: start}, End: events.RFC3339EpochTime{Time: start.Add(time.Minute)}},
		ShardID: s.id, EventSourceARN: s.arn, State: map[string]string{},
	}
	n := 0
	for i := from; i < to; i += estateBatch {
		ev := events.KinesisTimeWindowEvent{KinesisEvent: events.KinesisEvent{Records: s.records[i:min(to, i+estateBatch)]}, TimeWindowProperties: props}
		resp, err := s.h.HandleKinesisWindow(ctx, ev)
		if err != nil || len(resp.BatchItemFailures) > 0 {
			t.Fatalf("shard %s records %d..: %v %v", s.id, i, err, resp.BatchItemFailures)
		}
		props.State = resp.State
		n++
	}
	props.IsFinalInvokeForWindow = true
	if _, err := s.h.HandleKinesisWindow(ctx, events.KinesisTimeWindowEvent{TimeWindowProperties: props}); err != nil {
		t.Fatalf("shard %s final invocation: %v", s.id, err)
	}
	return n + 1
}

func (s *kinesisShard) drain(t *testing.T) int {
	n := 0
	for from := 0; from < len(s.records); from += estateWindowRecords {
		to := min(len(s.records), from+estateWindowRecords)
		n += s.window(t, from, to)
		s.windows = append(s.windows, [2]int{from, to})
	}
	return n
}

// TestEstateCompaction pushes the synthetic estate (an hour a day) through
// the enrichment handlers in many small payloads per hour partition (a
// Kinesis stream read with a tumbling window, and CloudWatch Logs straight
// to the function) into staging in moto's S3, compacts it, with a run that
// stops before its manifest, one that stops before its deletes, payloads
// delivered again after their compaction and late payloads, and checks
// that each hour partition has at most one object per run that found new
// parts in it, that nothing is left in staging, and that the five named
// queries, in DuckDB, answer the same over the compacted objects as over
// the staged parts, and as the ground truth.
func TestEstateCompaction(t *testing.T) {
	if testing.Short() {
		t.Skip("pushes the synthetic estate through moto")
	}
	ctx := context.Background()
	began := time.Now()
	set := synthetic.Generate(synthetic.Options{Seed: 1, HoursPerDay: 1})
	client, bucket := motoBucket(t)
	const prefix = "connections/"
	sink, err := s3sink.New(client, bucket, prefix, s3sink.Parquet)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"enis": set.NetworkInterfaces, "tags": set.Resources, "ranges": set.IPRanges}
	inv, err := handler.LoadInventory(func(name string) (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(files[name])), nil
	}, "enis", "tags", "ranges")
	if err != nil {
		t.Fatal(err)
	}
	cfg := handler.EnrichConfig{
		Sink: sink.Staged(), Inventory: handler.StaticInventory{Inv: inv}, Formats: map[string]flowrecord.Format{},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, fl := range set.FlowLogs {
		if cfg.Formats[fl.LogGroup], err = flowrecord.ParseFormat(fl.Format); err != nil {
			t.Fatal(err)
		}
	}
	logs, err := handler.NewLogsHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	kin, err := handler.NewKinesisHandler(cfg, handler.KinesisOptions{})
	if err != nil {
		t.Fatal(err)
	}
	const streamARN = "arn:aws:kinesis:us-east-1:123456789012:stream/vpcflow-flow-logs"
	var shards []*kinesisShard
	for i := range estateShards {
		shards = append(shards, &kinesisShard{h: kin, arn: streamARN, id: fmt.Sprintf("shardId-%012d", i)})
	}

	// Flow logs 0 and 2 through Kinesis, flow log 1 straight from
	// CloudWatch Logs, with every estateLateEvery-th payload held back.
	records, kinesisPayloads := 0, 0
	var direct, late []estatePayload
	for i, fl := range set.FlowLogs {
		for j, p := range estatePayloads(t, fl) {
			records += p.lines
			switch {
			case i%2 == 0:
				shards[kinesisPayloads%estateShards].add(p.gz)
				kinesisPayloads++
			case j%estateLateEvery == estateLateEvery-1:
				late = append(late, p)
			default:
				direct = append(direct, p)
			}
		}
	}
	invokeDirect := func(ps []estatePayload) {
		for _, p := range ps {
			ev := events.CloudwatchLogsEvent{AWSLogs: events.CloudwatchLogsRawData{Data: base64.StdEncoding.EncodeToString(p.gz)}}
			if res, err := logs.HandleCloudWatchLogs(ctx, ev); err != nil || res.Rejected > 0 {
				t.Fatalf("direct payload: %+v, %v", res, err)
			}
		}
	}
	invocations := map[string]int{}
	for _, s := range shards {
		invocations[s.id] = s.drain(t)
	}
	invokeDirect(direct)
	t.Logf("pushed in %s", time.Since(began).Round(time.Millisecond))
	t.Logf("%d records in %d Kinesis payloads (invocations per shard: %v) and %d direct payloads (%d held back as late)",
		records, kinesisPayloads, invocations, len(direct)+len(late), len(late))
	for id, n := range invocations {
		if n < 50 {
			t.Fatalf("shard %s: %d invocations, not many batches", id, n)
		}
	}

	store := &faultStore{Store: s3sink.Objects{Client: client, Bucket: bucket}}
	staging := prefix + compaction.StagingDir + "/"
	before := partitionCounts(listed(t, store, staging), staging)
	if rejected := listed(t, store, prefix+s3sink.RejectedDir+"/"); len(rejected) > 0 {
		t.Fatalf("records rejected: %v", rejected)
	}
	busiest := 0
	for _, n := range before {
		busiest = max(busiest, n)
	}
	if busiest < 10 {
		t.Fatalf("at most %d parts in a partition: not the many small objects compaction is for", busiest)
	}
	staged := t.TempDir()
	download(t, store, staging, staged)

	clock := set.Truth.Now.Add(time.Hour + compaction.DefaultGrace)
	c, err := compaction.New(store, compaction.Options{Prefix: prefix, Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	var total compaction.Stats
	run := func(wantErr bool) compaction.Stats {
		t.Helper()
		st, err := c.Run(ctx)
		if (err != nil) != wantErr {
			t.Fatalf("compaction run: %+v, error %v, want an error: %v", st, err, wantErr)
		}
		total.Parts += st.Parts
		total.Redelivered += st.Redelivered
		total.Orphans += st.Orphans
		total.Objects += st.Objects
		return st
	}
	// A run that stops before its third manifest, then one that stops
	// before deleting the parts of its second partition, then one that
	// finishes.
	store.failManifest = 3
	run(true)
	store.failStagingDelete = store.stagingDeletes + 2
	run(true)
	store.failManifest, store.failStagingDelete = 0, 0
	first := run(false)
	if got := listed(t, store, staging); len(got) != 0 {
		t.Fatalf("%d parts left in staging after the first complete run", len(got))
	}

	// After the compaction: payloads delivered again (a retried direct
	// invocation, a Kinesis window played again after a lost checkpoint)
	// and the late payloads.
	invokeDirect(direct[:3])
	shards[0].window(t, shards[0].windows[1][0], shards[0].windows[1][1])
	invokeDirect(late)
	lateParts := partitionCounts(listed(t, store, staging), staging)
	download(t, store, staging, staged)
	last := run(false)
	if last.Redelivered == 0 || last.Parts == 0 {
		t.Fatalf("last run: %+v, want parts delivered again and late parts", last)
	}
	if got := listed(t, store, staging); len(got) != 0 {
		t.Fatalf("%d parts left in staging", len(got))
	}
	if total.Orphans == 0 || total.Redelivered <= last.Redelivered {
		t.Fatalf("the stopped runs left nothing to finish: %+v", total)
	}

	// The bound: an object per partition and run that found new parts in
	// it (no object reaches 128 MB here), so one, or two where late parts
	// arrived.
	compacted := t.TempDir()
	download(t, store, prefix, compacted)
	after := partitionCounts(listed(t, store, prefix), prefix)
	for p := range before {
		bound := 1
		if lateParts[p] > 0 {
			bound = 2
		}
		if after[p] < 1 || after[p] > bound {
			t.Errorf("partition %s: %d objects, want 1 to %d (%d parts staged, %d late)", p, after[p], bound, before[p], lateParts[p])
		}
	}
	if len(after) != len(before) {
		t.Errorf("%d partitions compacted, %d staged", len(after), len(before))
	}
	t.Logf("%d parts (up to %d a partition) in %d partitions compacted into %d objects; first complete run %+v; last run %+v; in all %+v",
		sum(before)+sum(lateParts), busiest, len(before), sum(after), first, last, total)

	t.Logf("compacted in %s", time.Since(began).Round(time.Millisecond))
	// The same rows, the same answers.
	a, b := rowTotals(t, staged), rowTotals(t, compacted)
	if a != b {
		t.Fatalf("totals differ: staged %+v, compacted %+v", a, b)
	}
	if a.records != int64(records) {
		t.Fatalf("%d records in rows, %d pushed", a.records, records)
	}
	want, err := answers.Run(staged, set.Truth, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	got, err := answers.Run(compacted, set.Truth, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if got[i].Err != nil {
			t.Errorf("%s over the compacted objects: %v", got[i].Query.Name, got[i].Err)
		}
		if !slices.EqualFunc(got[i].Rows, want[i].Rows, slices.Equal[[]string]) {
			t.Errorf("%s: compacted %v, staged %v", got[i].Query.Name, got[i].Rows, want[i].Rows)
		}
	}
}

// partitionCounts counts the objects of each partition under a prefix,
// leaving out underscore folders.
func partitionCounts(keys []string, prefix string) map[string]int {
	out := map[string]int{}
	for _, k := range keys {
		rel := strings.TrimPrefix(k, prefix)
		if strings.HasPrefix(rel, "_") {
			continue
		}
		out[rel[:strings.LastIndexByte(rel, '/')]]++
	}
	return out
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// download copies the objects under prefix, but for underscore folders,
// to dir, keeping their keys below the prefix.
func download(t *testing.T, store compaction.Store, prefix, dir string) {
	t.Helper()
	for _, key := range listed(t, store, prefix) {
		rel := strings.TrimPrefix(key, prefix)
		if strings.HasPrefix(rel, "_") {
			continue
		}
		body, err := store.Get(context.Background(), key)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

type totals struct{ rows, records, bytes, packets int64 }

// rowTotals adds up the Parquet rows under dir.
func rowTotals(t *testing.T, dir string) totals {
	t.Helper()
	var tt totals
	paths, err := filepath.Glob(filepath.Join(dir, "*", "*", "*.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		body, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := parquetrows.Read(bytes.NewReader(body), int64(len(body)))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, r := range rows {
			tt.rows++
			tt.records += r.Records
			tt.bytes += r.Uploaded + r.Downloaded
			tt.packets += r.UploadedPackets + r.DownloadedPackets
		}
	}
	return tt
}
