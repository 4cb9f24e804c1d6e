package handler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/s3sink"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/subscription"
)

// flakyInventory fails the calls numbered in failAt (1-based).
type flakyInventory struct {
	InventorySource
	calls  int
	failAt []int
}

func (f *flakyInventory) Inventory(ctx context.Context, addrs []netip.Addr) (*inventory.Inventory, error) {
	f.calls++
	if slices.Contains(f.failAt, f.calls) {
		return nil, errors.New("injected inventory failure")
	}
	return f.InventorySource.Inventory(ctx, addrs)
}

// shardInput is a shard's records with what they hold.
type shardInput struct {
	records           []events.KinesisEventRecord
	good, bad, broken int // flow log lines that parse, that do not, payloads that do not decode
}

// conservationShard returns 24 Kinesis records of subscription payloads:
// records of four interfaces over several hours, some lines that do not
// parse, a payload that is not gzip and a control message.
func conservationShard(t *testing.T, arn string) (shardInput, [][]byte) {
	t.Helper()
	var gens [][]byte
	for seed := range 4 {
		gens = append(gens, subscription.GeneratePayload(1200, int64(40+seed)))
	}
	var in shardInput
	add := func(data []byte) {
		seq := fmt.Sprintf("4959%052d", 1000+7*len(in.records))
		in.records = append(in.records, events.KinesisEventRecord{
			EventID: "shardId-000000000002:" + seq, EventSourceArn: arn, EventSource: "aws:kinesis",
			Kinesis: events.KinesisRecord{Data: data, SequenceNumber: seq, PartitionKey: strconv.Itoa(len(in.records))},
		})
	}
	bad := "2 123456789012 eni-0a1b2c3d4e5f60718 10.0.0.1 nope 443 49152 6 1 40 1718000000 1718000060 ACCEPT OK"
	id := 1
	for i := range 22 {
		switch i {
		case 5:
			add([]byte("not a gzip payload"))
			in.broken++
			continue
		case 9:
			add(gzipBytes(t, []byte(`{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1,"message":"CWL CONTROL MESSAGE"}]}`)))
			continue
		}
		msgs := payloadMessages(t, gens[i%4])[(i/4)*200 : (i/4)*200+200]
		in.good += len(msgs)
		if i%3 == 0 {
			msgs = append(msgs, bad, bad)
			in.bad += 2
		}
		add(subscriptionPayload(t, "123456789012", "/vpc/flow-logs", fmt.Sprintf("eni-%d-all", i%4), id, msgs))
		id += len(msgs)
	}
	return in, gens
}

// lambdaSim drives a KinesisHandler as the event source mapping does for
// one shard and one tumbling window: batches from the checkpoint, the state
// of the last successful invocation, a retry of the same batch and state
// after a function error, the checkpoint moved to the batch item failure
// after a partial success, and a final invocation at the end.
type lambdaSim struct {
	h     *KinesisHandler
	arn   string
	batch int
	// twice invokes every batch a second time with the same state, as if
	// the first response were lost, and checks that both answer alike.
	twice bool
	// redeliver starts every batch after the first this many records
	// before the checkpoint: the duplicates Lambda may deliver.
	redeliver int

	invocations, failures, partials, compared int
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

const maxAttempts = 6

func (s *lambdaSim) run(t *testing.T, records []events.KinesisEventRecord) {
	t.Helper()
	ctx := context.Background()
	window := events.Window{Start: events.RFC3339EpochTime{Time: time.Unix(1_718_000_000, 0).UTC()}}
	window.End = events.RFC3339EpochTime{Time: window.Start.Add(15 * time.Minute)}
	invoke := func(batch []events.KinesisEventRecord, state map[string]string, final bool) (events.KinesisTimeWindowEventResponse, error) {
		s.invocations++
		return s.h.HandleKinesisWindow(ctx, events.KinesisTimeWindowEvent{
			KinesisEvent: events.KinesisEvent{Records: batch},
			TimeWindowProperties: events.TimeWindowProperties{
				Window: window, State: state, ShardID: "shardId-000000000002", EventSourceARN: s.arn, IsFinalInvokeForWindow: final,
			},
		})
	}
	state := map[string]string{}
	checkpoint, attempts := 0, 0
	for checkpoint < len(records) {
		start := checkpoint
		if checkpoint > 0 {
			start = max(0, checkpoint-s.redeliver)
		}
		batch := records[start:min(len(records), checkpoint+s.batch)]
		resp, err := invoke(batch, state, false)
		if err == nil && s.twice {
			// The second answer is the one Lambda keeps. Without injected
			// failures in either, both must be the same.
			again, err2 := invoke(batch, state, false)
			clean := err2 == nil && len(again.BatchItemFailures) == 0 && len(resp.BatchItemFailures) == 0
			if clean && again.State[stateKey] != resp.State[stateKey] {
				t.Fatalf("the same batch and state answered with different states")
			}
			s.compared += btoi(clean)
			resp, err = again, err2
		}
		if err != nil {
			s.failures++
			if attempts++; attempts > maxAttempts {
				t.Fatalf("batch at %d still failing: %v", checkpoint, err)
			}
			continue
		}
		attempts = 0
		if resp.State == nil {
			t.Fatal("a response without state is a failure to Lambda")
		}
		state = resp.State
		if len(resp.BatchItemFailures) > 0 {
			s.partials++
			failed := resp.BatchItemFailures[0].ItemIdentifier
			i := slices.IndexFunc(records, func(r events.KinesisEventRecord) bool { return r.Kinesis.SequenceNumber == failed })
			if i < start || i >= start+len(batch) {
				t.Fatalf("batch item failure %s is not in the batch", failed)
			}
			checkpoint = i
			continue
		}
		checkpoint = start + len(batch)
	}
	for attempt := 0; ; attempt++ {
		resp, err := invoke(nil, state, true)
		if err == nil {
			if len(resp.State) != 0 || resp.State == nil {
				t.Fatalf("final invocation state %v", resp.State)
			}
			return
		}
		s.failures++
		if attempt == maxAttempts {
			t.Fatalf("final invocation still failing: %v", err)
		}
	}
}

// TestKinesisConservation checks that every log event of a window is
// counted exactly once in S3, or rejected, however the invocations fail
// and are retried: N in == sum of the stored rows' Records + rejected.
func TestKinesisConservation(t *testing.T) {
	client, bucket := motoS3(t)
	const arn = "arn:aws:kinesis:us-east-1:123456789012:stream/flows"
	in, gens := conservationShard(t, arn)
	inv := payloadsInventory(t, gens...)

	tests := []struct {
		name          string
		batch         int
		maxState      int
		twice         bool
		redeliver     int
		failPuts      []int // puts that fail, 1-based
		failInventory []int // inventory calls that fail, 1-based
		wantParts     bool  // the state bound forces parts stored early
		wantPartial   bool
		wantFailures  bool
	}{
		{name: "clean", batch: 5},
		{name: "one batch", batch: 100},
		{name: "small state, parts stored early", batch: 4, maxState: 24_000, wantParts: true},
		{name: "same batch twice", batch: 3, maxState: 24_000, twice: true, wantParts: true},
		{name: "records delivered again", batch: 6, redeliver: 3},
		{name: "crash while storing a part", batch: 4, maxState: 24_000, failPuts: []int{2, 5}, wantParts: true, wantFailures: true},
		{name: "crash while storing the window", batch: 7, failPuts: []int{1, 3}, wantFailures: true},
		{name: "inventory fails mid-batch", batch: 8, failInventory: []int{3, 9, 10}, wantPartial: true},
		{name: "everything", batch: 5, maxState: 20_000, redeliver: 2, twice: true, failPuts: []int{3, 8}, failInventory: []int{6, 13},
			wantParts: true, wantPartial: true, wantFailures: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefix := "conservation/" + sanitize(tt.name) + "/"
			sink, err := s3sink.New(&schedPuts{next: client, failAt: tt.failPuts}, bucket, prefix, s3sink.NDJSON)
			if err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			src := &flakyInventory{InventorySource: StaticInventory{Inv: inv}, failAt: tt.failInventory}
			h, err := NewKinesisHandler(EnrichConfig{Sink: sink, Inventory: src, Logger: jsonLog(&logs)}, KinesisOptions{MaxStateBytes: tt.maxState})
			if err != nil {
				t.Fatal(err)
			}
			sim := &lambdaSim{h: h, arn: arn, batch: tt.batch, twice: tt.twice, redeliver: tt.redeliver}
			sim.run(t, in.records)

			objects := storedRows(t, client, bucket, prefix)
			stored := recordsIn(t, objects)
			if stored != int64(in.good) {
				t.Errorf("rows fold %d records, want %d", stored, in.good)
			}
			counts := lastLog(t, &logs, "window stored")
			read, written, rejected := counts["read"].(float64), counts["written"].(float64), counts["rejected"].(float64)
			if int(read) != in.good+in.bad+in.broken || int(written) != in.good || int(rejected) != in.bad+in.broken || read != written+rejected {
				t.Errorf("counts read %v written %v rejected %v; want %d, %d, %d", read, written, rejected,
					in.good+in.bad+in.broken, in.good, in.bad+in.broken)
			}
			parts := checkParts(t, objects, in.records)
			if tt.wantParts != (parts > 1) {
				t.Errorf("%d parts, want parts stored early: %v", parts, tt.wantParts)
			}
			if tt.twice && sim.compared == 0 {
				t.Error("no batch was answered twice without failures")
			}
			if tt.wantPartial != (sim.partials > 0) || tt.wantFailures != (sim.failures > 0) {
				t.Errorf("%d partial failures, %d failures; want partial %v, failures %v", sim.partials, sim.failures, tt.wantPartial, tt.wantFailures)
			}
			t.Logf("%d invocations, %d failed, %d partial; %d objects in %d parts", sim.invocations, sim.failures, sim.partials, len(objects), parts)
		})
	}
}

// schedPuts fails the puts numbered in failAt (1-based) and passes the
// others on.
type schedPuts struct {
	next   s3sink.PutAPI
	puts   int
	failAt []int
}

func (s *schedPuts) PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	s.puts++
	if slices.Contains(s.failAt, s.puts) {
		return nil, errors.New("injected S3 failure")
	}
	return s.next.PutObject(ctx, in, opts...)
}

// checkParts checks that the stored parts of the window cover disjoint
// ranges of the shard's records, and returns how many there are.
func checkParts(t *testing.T, objects map[string][]connrows.Row, records []events.KinesisEventRecord) int {
	t.Helper()
	type span struct{ first, last string }
	seen := map[span]bool{}
	for key := range objects {
		n, err := s3sink.ParseName(lastSegment(key))
		if err != nil {
			t.Fatal(err)
		}
		seen[span{n.First, n.Last}] = true
	}
	var spans []span
	for s := range seen {
		spans = append(spans, s)
	}
	sort.Slice(spans, func(i, j int) bool { return s3sink.CompareSeq(spans[i].first, spans[j].first) < 0 })
	for i := 1; i < len(spans); i++ {
		if s3sink.CompareSeq(spans[i].first, spans[i-1].last) <= 0 {
			t.Errorf("parts %v and %v overlap", spans[i-1], spans[i])
		}
	}
	if len(spans) > 0 {
		if spans[0].first != records[0].Kinesis.SequenceNumber || spans[len(spans)-1].last != records[len(records)-1].Kinesis.SequenceNumber {
			t.Errorf("parts run from %s to %s, want the whole shard", spans[0].first, spans[len(spans)-1].last)
		}
	}
	return len(spans)
}

func lastSegment(key string) string {
	for i := len(key) - 1; i >= 0; i-- {
		if key[i] == '/' {
			return key[i+1:]
		}
	}
	return key
}

func sanitize(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			b[i] = '-'
		}
	}
	return string(b)
}
