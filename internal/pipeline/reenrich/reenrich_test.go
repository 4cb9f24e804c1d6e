package reenrich_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventorystore"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/lambda/handler"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/lambda/inventoryhandler"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/reenrich"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/s3sink"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/churn"
)

func TestMain(m *testing.M) { acctest.MainMoto(m) }

var seq atomic.Int64

const (
	filter = "vpcflow"
	addr   = "10.9.0.5"
)

// fixture is a log group of flow log records, an inventory table and an
// output bucket on moto.
type fixture struct {
	logs    *cloudwatchlogs.Client
	s3      *s3.Client
	store   *inventorystore.Store
	inv     *inventoryhandler.InventoryHandler
	sink    *s3sink.Sink
	group   string
	stream  string
	records int
	bytes   int64
	packets int64
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	cfg := acctest.AWSConfig(t)
	n := seq.Add(1)
	f := &fixture{
		logs: cloudwatchlogs.NewFromConfig(cfg),
		s3: s3.NewFromConfig(cfg, func(o *s3.Options) {
			o.UsePathStyle = true
			o.DisableLogOutputChecksumValidationSkipped = true
		}),
		group:  fmt.Sprintf("/vpcflow/reenrich-%d", n),
		stream: "eni-0c4a110000000b001-all",
	}
	db := dynamodb.NewFromConfig(cfg)
	table := fmt.Sprintf("reenrich-%d", n)
	if err := inventorystore.CreateTable(ctx, db, table); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(table)})
	})
	f.store = inventorystore.New(db, table, inventorystore.Options{})
	f.inv = &inventoryhandler.InventoryHandler{Store: f.store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	bucket := fmt.Sprintf("reenrich-%d-%d", time.Now().UnixNano()%1_000_000, n)
	if _, err := f.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	var err error
	if f.sink, err = s3sink.New(f.s3, bucket, "connections/", s3sink.NDJSON); err != nil {
		t.Fatal(err)
	}
	if _, err := f.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(f.group)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(f.group), LogStreamName: aws.String(f.stream)}); err != nil {
		t.Fatal(err)
	}
	return f
}

// event applies an EC2 API call at its time.
func (f *fixture) event(t *testing.T, at time.Time, name string, req, resp any) {
	t.Helper()
	ev := churn.APICall(fmt.Sprintf("%s-%d", name, at.Unix()), at, name, req, resp)
	if err := f.inv.HandleInventoryEvent(context.Background(), ev); err != nil {
		t.Fatalf("%s at %s: %v", name, at, err)
	}
}

// putRecords writes flow log records of addr talking to the internet, one
// every 5 minutes from from to to, as flow logs write them to CloudWatch
// Logs: the event's timestamp is the record's start. The records have no
// interface-id: with one, which copy of a flow counts depends on who owns
// its addresses, and a heal rightly changes it (the record of the true
// owner's interface, which the stale inventory took for a second
// interface's copy, gets its bytes back). Records without it are all
// counted, so bytes and packets must not change either.
func (f *fixture) putRecords(t *testing.T, from, to time.Time) {
	t.Helper()
	var evs []cwltypes.InputLogEvent
	for at := from; at.Before(to); at = at.Add(5 * time.Minute) {
		i := f.records
		b, p := int64(1000+i), int64(1+i%7)
		msg := fmt.Sprintf("2 %s - %s 203.0.113.%d 443 %d 6 %d %d %d %d ACCEPT OK",
			churn.Account, addr, 1+i%5, 40000+i, p, b, at.Unix(), at.Unix()+50)
		evs = append(evs, cwltypes.InputLogEvent{Message: aws.String(msg), Timestamp: aws.Int64(at.UnixMilli())})
		f.records++
		f.bytes += b
		f.packets += p
	}
	if _, err := f.logs.PutLogEvents(context.Background(), &cloudwatchlogs.PutLogEventsInput{
		LogGroupName: aws.String(f.group), LogStreamName: aws.String(f.stream), LogEvents: evs,
	}); err != nil {
		t.Fatal(err)
	}
}

// deliver enriches every log event of the group as the subscription
// delivers it to the enrichment function: payloads of up to 5 events, with
// the events' ids, through the CloudWatch Logs handler on the inventory
// table.
func (f *fixture) deliver(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	h, err := handler.NewLogsHandler(handler.EnrichConfig{
		Sink:      f.sink,
		Inventory: handler.StoreInventory{Cache: inventorystore.NewCache(f.store, inventorystore.CacheOptions{})},
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	var all []cwltypes.FilteredLogEvent
	p := cloudwatchlogs.NewFilterLogEventsPaginator(f.logs, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(f.group)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page.Events...)
	}
	if len(all) != f.records {
		t.Fatalf("the log group holds %d events, want %d", len(all), f.records)
	}
	type logEvent struct {
		ID        string `json:"id"`
		Timestamp int64  `json:"timestamp"`
		Message   string `json:"message"`
	}
	for i := 0; i < len(all); i += 5 {
		doc := map[string]any{
			"messageType": "DATA_MESSAGE", "owner": churn.Account, "logGroup": f.group, "logStream": f.stream,
			"subscriptionFilters": []string{filter},
		}
		var evs []logEvent
		for _, e := range all[i:min(i+5, len(all))] {
			evs = append(evs, logEvent{ID: aws.ToString(e.EventId), Timestamp: aws.ToInt64(e.Timestamp), Message: aws.ToString(e.Message)})
		}
		doc["logEvents"] = evs
		raw, _ := json.Marshal(doc)
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(raw)
		_ = zw.Close()
		ev := events.CloudwatchLogsEvent{AWSLogs: events.CloudwatchLogsRawData{Data: base64.StdEncoding.EncodeToString(buf.Bytes())}}
		if _, err := h.HandleCloudWatchLogs(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
}

// rows returns the rows of every object of the output, by key.
func (f *fixture) rows(t *testing.T) map[string][]connrows.Row {
	t.Helper()
	ctx := context.Background()
	out := map[string][]connrows.Row{}
	p := s3.NewListObjectsV2Paginator(f.s3, &s3.ListObjectsV2Input{Bucket: aws.String(f.sink.Bucket()), Prefix: aws.String(f.sink.Prefix())})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			if strings.Contains(key, "/"+s3sink.RejectedDir+"/") {
				continue
			}
			obj, err := f.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(f.sink.Bucket()), Key: aws.String(key)})
			if err != nil {
				t.Fatal(err)
			}
			zr, err := gzip.NewReader(obj.Body)
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			sc := bufio.NewScanner(zr)
			out[key] = []connrows.Row{}
			for sc.Scan() {
				var r connrows.Row
				if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
					t.Fatalf("%s: %v", key, err)
				}
				out[key] = append(out[key], r)
			}
			_ = obj.Body.Close()
		}
	}
	return out
}

// totals are the sums of the rows, and the owner of addr in each
// partition.
type totals struct {
	records, bytes, packets int64
	owners                  map[string][]string // partition: owners of addr, sorted, distinct
}

func sum(rows map[string][]connrows.Row) totals {
	tot := totals{owners: map[string][]string{}}
	for key, rs := range rows {
		part := key[strings.Index(key, "dt="):strings.LastIndexByte(key, '/')]
		for _, r := range rs {
			tot.records += r.Records
			tot.bytes += r.Uploaded + r.Downloaded
			tot.packets += r.UploadedPackets + r.DownloadedPackets
			owner := ""
			for _, ep := range []*connrows.Endpoint{r.Client, r.Server} {
				if ep != nil && ep.InterfaceID != "" {
					owner = ep.InterfaceID
				}
			}
			if !slices.Contains(tot.owners[part], owner) {
				tot.owners[part] = append(tot.owners[part], owner)
				slices.Sort(tot.owners[part])
			}
		}
	}
	return tot
}

// TestReenrichAfterHeal enriches four hours of records with an inventory
// that lost two events (the owner's deletion and its successor's
// creation), heals the inventory by replaying them, re-enriches the middle
// two hours and checks that their rows now carry the record-time owner,
// that the hours outside the range are untouched, and that nothing was lost
// or counted twice: records, bytes and packets add up to what the log group
// holds, after one run and after a second run of the same range.
func TestReenrichAfterHeal(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	now := time.Now().UTC()
	h0 := now.Add(-48 * time.Hour).Truncate(time.Hour)
	from, to := h0.Add(time.Hour), h0.Add(3*time.Hour)

	// The truth: eni-a had the address until h0-90m, eni-b from h0-1h.
	// Delivered: eni-a's creation only.
	const wrong, right = "eni-0c4a11000000000a1", "eni-0c4a11000000000b1"
	a := netip.MustParseAddr(addr)
	req, resp := churn.CreateInterface(wrong, a, "old")
	f.event(t, h0.Add(-2*time.Hour), "CreateNetworkInterface", req, resp)

	f.putRecords(t, h0, h0.Add(4*time.Hour))
	f.deliver(t)
	live := f.rows(t)
	before := sum(live)
	if before.records != int64(f.records) || before.bytes != f.bytes || before.packets != f.packets {
		t.Fatalf("live rows hold %d records, %d bytes, %d packets; the log group %d, %d, %d",
			before.records, before.bytes, before.packets, f.records, f.bytes, f.packets)
	}
	for part, owners := range before.owners {
		if !slices.Equal(owners, []string{wrong}) {
			t.Fatalf("live rows of %s: owners %v, want the stale %s", part, owners, wrong)
		}
	}

	// The heal: the lost events, replayed at their own times.
	f.event(t, h0.Add(-90*time.Minute), "DeleteNetworkInterface", map[string]any{"networkInterfaceId": wrong}, map[string]any{"_return": true})
	req, resp = churn.CreateInterface(right, a, "new")
	f.event(t, h0.Add(-time.Hour), "CreateNetworkInterface", req, resp)

	cfg := reenrich.Config{
		LogGroup: f.group, Owner: churn.Account, SubscriptionFilter: filter, From: from, To: to,
		Sink:      f.sink,
		Inventory: handler.StoreInventory{Cache: inventorystore.NewCache(f.store, inventorystore.CacheOptions{})},
		PageSize:  7, Chunk: 10,
	}

	// A range that is not closed is refused before anything is read.
	open := cfg
	open.From, open.To = now.Truncate(time.Hour).Add(-2*time.Hour), now.Truncate(time.Hour)
	if _, err := reenrich.Run(ctx, open, f.logs, f.s3); err == nil || !strings.Contains(err.Error(), "may still write rows") {
		t.Fatalf("a range that ended less than a day ago: err %v, want a refusal", err)
	}

	for run := 1; run <= 2; run++ {
		rep, err := reenrich.Run(ctx, cfg, f.logs, f.s3)
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		if !rep.Replaced || rep.Pages < 2 || rep.Records() != 24 {
			t.Errorf("run %d: %+v; want the range replaced, read over several pages, 24 records", run, rep)
		}
		after := f.rows(t)
		got := sum(after)
		if got.records != before.records || got.bytes != before.bytes || got.packets != before.packets {
			t.Errorf("run %d: the rows hold %d records, %d bytes, %d packets; before %d, %d, %d",
				run, got.records, got.bytes, got.packets, before.records, before.bytes, before.packets)
		}
		for part, owners := range got.owners {
			in := part == connrows.PartitionPath(from) || part == connrows.PartitionPath(from.Add(time.Hour))
			want := []string{wrong}
			if in {
				want = []string{right}
			}
			if !slices.Equal(owners, want) {
				t.Errorf("run %d: %s: owners %v, want %v", run, part, owners, want)
			}
		}
		for key := range after {
			part := key[strings.Index(key, "dt="):strings.LastIndexByte(key, '/')]
			if part == connrows.PartitionPath(from) || part == connrows.PartitionPath(from.Add(time.Hour)) {
				if key != f.sink.Key(part, s3sink.ReenrichedName(churn.Account, f.group, []string{filter})) {
					t.Errorf("run %d: %s is left in a replaced partition", run, key)
				}
				continue
			}
			if _, ok := live[key]; !ok {
				t.Errorf("run %d: %s appeared outside the range", run, key)
			}
		}
		for i, p := range rep.Partitions {
			// 12 records a partition, in payloads of 5: 3 or 4 objects
			// the first time, the replacement the second.
			wantDeleted, ok := p.Objects, p.Objects >= 3
			if run == 2 {
				wantDeleted, ok = 0, p.Objects == 1
			}
			if !ok || p.Records != 12 || p.NewRecords != 12 || p.Deleted != wantDeleted {
				t.Errorf("run %d: partition %d: %+v; want 12 records before and after, every other object deleted", run, i, p)
			}
		}
	}

	// An object the function wrote into the range after the run (the
	// range was not closed after all) makes the counts differ: nothing is
	// replaced.
	part := connrows.PartitionPath(from)
	late := f.sink.Key(part, s3sink.LogsName(churn.Account, f.group, []string{filter}, f.stream, "999"))
	if _, err := f.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(f.sink.Bucket()), Key: aws.String(late),
		Body: bytes.NewReader(emptyGzip()), Metadata: map[string]string{"records": "1"}}); err != nil {
		t.Fatal(err)
	}
	keys := f.rows(t)
	_, err := reenrich.Run(ctx, cfg, f.logs, f.s3)
	var ce *reenrich.CountError
	if !errors.As(err, &ce) || len(ce.Partitions) != 1 || ce.Partitions[0].Path != part || ce.Partitions[0].Records != 1 {
		t.Fatalf("with a late object: err %v, want a count error naming %s only", err, part)
	}
	if got := f.rows(t); len(got) != len(keys) {
		t.Errorf("a refused run changed the objects: %d, before %d", len(got), len(keys))
	}
	t.Log(err)
}

func emptyGzip() []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_ = zw.Close()
	return buf.Bytes()
}
