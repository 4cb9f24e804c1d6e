package churn_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/attribution"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventorystore"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventorysync"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/lambda/handler"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/lambda/inventoryhandler"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/churn"
)

func TestMain(m *testing.M) { acctest.MainMoto(m) }

// countingDB counts the DynamoDB calls of the store.
type countingDB struct {
	inventorystore.API
	reads, writes atomic.Int64
}

func (c *countingDB) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.reads.Add(1)
	return c.API.GetItem(ctx, in, opts...)
}

func (c *countingDB) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	c.reads.Add(1)
	return c.API.Query(ctx, in, opts...)
}

func (c *countingDB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	c.writes.Add(1)
	return c.API.PutItem(ctx, in, opts...)
}

func (c *countingDB) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	c.writes.Add(1)
	return c.API.UpdateItem(ctx, in, opts...)
}

func (c *countingDB) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	c.writes.Add(1)
	return c.API.BatchWriteItem(ctx, in, opts...)
}

var tableSeq atomic.Int64

func newStore(t *testing.T) (*inventorystore.Store, *countingDB) {
	t.Helper()
	client := dynamodb.NewFromConfig(acctest.AWSConfig(t))
	name := fmt.Sprintf("churn-%d", tableSeq.Add(1))
	if err := inventorystore.CreateTable(context.Background(), client, name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	})
	db := &countingDB{API: client}
	return inventorystore.New(db, name, inventorystore.Options{}), db
}

var day = time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)

// eventDelay bounds how late the simulation delivers an event;
// batchEvery is how often the enrichment runs.
const (
	eventDelay = 2 * time.Minute
	batchEvery = 5 * time.Minute
)

// attributed returns who the inventory says owned addr at t.
func attributed(inv *inventory.Inventory, addr netip.Addr, t time.Time) (churn.Owner, bool) {
	iface, ok := inv.Lookup(addr, t)
	if !ok {
		return churn.Owner{}, false
	}
	ep := attribution.Attribute(inv, addr, t, attribution.Hints{})
	return churn.Owner{ENI: iface.ID, Instance: iface.InstanceID, App: ep.Tags["app"]}, true
}

// score counts records and misattributions.
type score struct {
	records, wrong int
	examples       []string
}

func (s *score) add(got, want churn.Owner, gotOK, wantOK bool, r churn.Record) {
	s.records++
	if got != want || gotOK != wantOK {
		s.wrong++
		if len(s.examples) < 5 {
			s.examples = append(s.examples, fmt.Sprintf("%s at %s: got %+v (%v), want %+v", r.Addr, r.Start.Format(time.TimeOnly), got, gotOK, want))
		}
	}
}

func (s *score) rate() float64 {
	if s.records == 0 {
		return 0
	}
	return float64(s.wrong) / float64(s.records)
}

// TestChurn runs the churning estate (2 hours by default, CHURN_HOURS for
// more) through the inventory
// handler (events delayed up to 2 minutes, 10% delivered two or three
// times, reordered, 1% lost) and the enrichment's inventory lookups (flow
// records delivered 5 to 15 minutes late, resolved per minute through the
// cache), then heals the lost events from CloudTrail's record and enriches
// every record again. It asserts no misattribution where the events tell
// the owner, and none after healing except what CloudTrail does not hold
// (tag changes); it logs the rate of attributing to the current owner,
// the design this replaces, on the same records, and the rates so far at
// every simulated hour.
//
// The run's time grows with the square of the hours: moto 5.2.1's Query
// looks at every item of the table (see TestReadsPer10000Records) and the
// table grows all day. On a busy machine 3 hours took 4 minutes (17 s, 52 s
// and 2 minutes for the hours in turn) and 8 hours 32 minutes (the eighth
// hour alone 5 minutes); a day would take several hours.
func TestChurn(t *testing.T) {
	if testing.Short() {
		t.Skip("a day of churn through DynamoDB (moto)")
	}
	ctx := context.Background()
	hours := 2
	if v, err := strconv.Atoi(os.Getenv("CHURN_HOURS")); err == nil && v > 0 {
		hours = v
	}
	sim := churn.Generate(churn.Config{Seed: 14, Start: day, Duration: time.Duration(hours) * time.Hour, Pool: 12, RecordsPerMinute: 6})
	store, db := newStore(t)
	h := &inventoryhandler.InventoryHandler{Store: store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}

	rng := rand.New(rand.NewPCG(14, 41))
	type delivery struct {
		at time.Time
		ev events.CloudWatchEvent
	}
	var deliveries []delivery
	lostAddrs, lostENIs := map[netip.Addr]bool{}, map[string]bool{}
	lostTagAddrs, lostTagENIs := map[netip.Addr]bool{}, map[string]bool{}
	lost, dups := 0, 0
	for _, e := range sim.Events {
		if rng.Float64() < 0.01 {
			lost++
			for _, a := range e.Addrs {
				lostAddrs[a] = true
			}
			for _, id := range e.ENIs {
				lostENIs[id] = true
			}
			if e.Event.Source == "aws.tag" {
				for _, a := range e.Addrs {
					lostTagAddrs[a] = true
				}
				for _, id := range e.ENIs {
					lostTagENIs[id] = true
				}
			}
			continue
		}
		n := 1
		if rng.Float64() < 0.1 {
			n += 1 + rng.IntN(2)
			dups += n - 1
		}
		for range n {
			delay := time.Duration(rng.Int64N(int64(eventDelay)))
			deliveries = append(deliveries, delivery{e.At.Add(delay), e.Event})
		}
	}
	slices.SortStableFunc(deliveries, func(a, b delivery) int { return a.at.Compare(b.at) })
	type late struct {
		at time.Time
		r  churn.Record
	}
	var records []late
	for _, r := range sim.Records {
		records = append(records, late{r.Start.Add(5*time.Minute + time.Duration(rng.Int64N(int64(10*time.Minute)))), r})
	}
	slices.SortStableFunc(records, func(a, b late) int { return a.at.Compare(b.at) })

	now := day
	// Settle is the bound of the events' delay, as it should be set.
	cache := inventorystore.NewCache(store, inventorystore.CacheOptions{Now: func() time.Time { return now }, Settle: eventDelay})
	src := handler.StoreInventory{Cache: cache}

	var told, affected, baseline score
	reordered := 0
	for i := 1; i < len(deliveries); i++ {
		if deliveries[i].ev.Time.Before(deliveries[i-1].ev.Time) {
			reordered++
		}
	}
	end := day.Add(time.Duration(hours)*time.Hour + 20*time.Minute)
	di, ri := 0, 0
	readsBefore := db.reads.Load()
	// The enrichment runs every batchEvery, on the records delivered
	// since the last run.
	began := time.Now()
	for now = day.Add(batchEvery); !now.After(end); now = now.Add(batchEvery) {
		if now.Sub(day)%time.Hour == 0 {
			// Progress, for a long run on a busy machine: the rates so far.
			t.Logf("%v simulated (%v): misattribution %.4f%% (%d of %d) where the events tell, %.2f%% (%d of %d) touched by a lost event, baseline %.2f%%; %d reads, %d writes",
				now.Sub(day), time.Since(began).Round(time.Second), 100*told.rate(), told.wrong, told.records, 100*affected.rate(), affected.wrong, affected.records,
				100*baseline.rate(), db.reads.Load(), db.writes.Load())
		}
		for ; di < len(deliveries) && !deliveries[di].at.After(now); di++ {
			if err := h.HandleInventoryEvent(ctx, deliveries[di].ev); err != nil {
				t.Fatalf("event %s: %v", deliveries[di].ev.ID, err)
			}
		}
		var batch []churn.Record
		for ; ri < len(records) && !records[ri].at.After(now); ri++ {
			batch = append(batch, records[ri].r)
		}
		if len(batch) == 0 {
			continue
		}
		var addrs []netip.Addr
		var latest time.Time
		for _, r := range batch {
			addrs = append(addrs, r.Addr, r.Peer)
			if r.Start.After(latest) {
				latest = r.Start
			}
		}
		inv, err := src.InventoryAt(ctx, addrs, latest)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range batch {
			want, wantOK := sim.Truth.At(r.Addr, r.Start)
			got, gotOK := attributed(inv, r.Addr, r.Start)
			if lostAddrs[r.Addr] || lostENIs[want.ENI] || lostENIs[got.ENI] {
				affected.add(got, want, gotOK, wantOK, r)
			} else {
				told.add(got, want, gotOK, wantOK, r)
			}
			cur, curOK := sim.Truth.At(r.Addr, now)
			baseline.add(cur, want, curOK, wantOK, r)
		}
	}
	liveReads := db.reads.Load() - readsBefore
	t.Logf("estate: %d hours, %d events (%d lost, %d extra deliveries, %d deliveries earlier than the one before), %d flow records on %d addresses",
		hours, len(sim.Events), lost, dups, reordered, len(sim.Records), len(sim.Addrs))
	t.Logf("as delivered: misattribution %.4f%% (%d of %d) of records whose owner the delivered events tell; %.2f%% (%d of %d) of records touched by a lost event",
		100*told.rate(), told.wrong, told.records, 100*affected.rate(), affected.wrong, affected.records)
	t.Logf("baseline, attributing to the owner at enrichment time: misattribution %.2f%% (%d of %d)", 100*baseline.rate(), baseline.wrong, baseline.records)
	t.Logf("DynamoDB reads while enriching: %d for %d records (%.0f per 10,000), cache %+v", liveReads, told.records+affected.records,
		10000*float64(liveReads)/float64(told.records+affected.records), cache.Stats())
	if told.wrong != 0 {
		t.Errorf("misattributed %d records whose owner the events tell, e.g.\n%v", told.wrong, told.examples)
	}

	// Healing: the sync replays what CloudTrail holds (every API call of
	// the day; tag changes are EventBridge events CloudTrail does not
	// record as such), through the same conversion as LookupEvents'
	// results, in the order LookupEvents returns them (newest first).
	for i := len(sim.Events) - 1; i >= 0; i-- {
		e := sim.Events[i]
		if e.Event.Source != "aws.ec2" {
			continue
		}
		ev, err := inventorysync.FromCloudTrail(cttypes.Event{EventId: aws.String(e.Event.ID), EventTime: aws.Time(e.At), CloudTrailEvent: aws.String(string(e.Event.Detail))}, churn.Account, churn.Region)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.HandleInventoryEvent(ctx, ev); err != nil {
			t.Fatalf("replaying %s: %v", e.Event.ID, err)
		}
	}
	t.Logf("healed from CloudTrail's record (%d events) after %v", len(sim.Events), time.Since(began).Round(time.Second))
	now = end.Add(time.Hour)
	healed := handler.StoreInventory{Cache: inventorystore.NewCache(store, inventorystore.CacheOptions{Now: func() time.Time { return now }})}
	var after, untold score
	for start := 0; start < len(sim.Records); start += 500 {
		batch := sim.Records[start:min(start+500, len(sim.Records))]
		var addrs []netip.Addr
		for _, r := range batch {
			addrs = append(addrs, r.Addr, r.Peer)
		}
		inv, err := healed.InventoryAt(ctx, addrs, batch[len(batch)-1].Start)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range batch {
			want, wantOK := sim.Truth.At(r.Addr, r.Start)
			got, gotOK := attributed(inv, r.Addr, r.Start)
			if lostTagAddrs[r.Addr] || lostTagENIs[want.ENI] {
				untold.add(got, want, gotOK, wantOK, r)
			} else {
				after.add(got, want, gotOK, wantOK, r)
			}
		}
	}
	t.Logf("after healing from CloudTrail: misattribution %.4f%% (%d of %d); records touched by a lost tag change, which CloudTrail does not hold: %.2f%% (%d of %d)",
		100*after.rate(), after.wrong, after.records, 100*untold.rate(), untold.wrong, untold.records)
	if after.wrong != 0 {
		t.Errorf("after healing, misattributed %d records, e.g.\n%v", after.wrong, after.examples)
	}
}

// dbCalls counts, through a middleware on the DynamoDB client, the calls
// of each read operation and the items they returned.
type dbCalls struct {
	mu           sync.Mutex
	calls, items map[string]int64
}

func (c *dbCalls) snapshot() (calls, items map[string]int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.calls), maps.Clone(c.items)
}

// reads returns the read calls and items since an earlier snapshot.
func (c *dbCalls) since(calls, items map[string]int64) (dc, di map[string]int64, total int64) {
	now, nowItems := c.snapshot()
	dc, di = map[string]int64{}, map[string]int64{}
	for _, op := range []string{"GetItem", "Query", "BatchGetItem"} {
		dc[op], di[op] = now[op]-calls[op], nowItems[op]-items[op]
		total += dc[op]
	}
	return dc, di, total
}

func (c *dbCalls) add(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("CountReads", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		out, md, err := next.HandleInitialize(ctx, in)
		op, n := "", 0
		switch in.Parameters.(type) {
		case *dynamodb.GetItemInput:
			op = "GetItem"
			if r, ok := out.Result.(*dynamodb.GetItemOutput); ok && r.Item != nil {
				n = 1
			}
		case *dynamodb.QueryInput:
			op = "Query"
			if r, ok := out.Result.(*dynamodb.QueryOutput); ok {
				n = len(r.Items)
			}
		case *dynamodb.BatchGetItemInput:
			op = "BatchGetItem"
			if r, ok := out.Result.(*dynamodb.BatchGetItemOutput); ok {
				for _, items := range r.Responses {
					n += len(items)
				}
			}
		default:
			return out, md, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.calls == nil {
			c.calls, c.items = map[string]int64{}, map[string]int64{}
		}
		c.calls[op]++
		c.items[op] += int64(n)
		return out, md, err
	}), middleware.After)
}

// TestReadsPer10000Records counts the DynamoDB reads that enriching
// records costs through the enrichment handler's store lookup
// (handler.StoreInventory on the cache), with a cold cache and again with
// a warm one: a figure, not a timing. Each record is of another
// interface's address talking to one of 250 internet peers, in batches of
// 500 as payloads bring them; the warm pass enriches the same records
// again. The store is seeded through its own batch
// path (Store.PutNewInterfaces writes what the inventory handler writes
// for a new interface, 25 items a BatchWriteItem).
//
// By default 200 interfaces and as many records; CHURN_READS_INTERFACES=N
// sets both to N, and CHURN_READS_10K=1 to 10,000, the figure of the
// issue. Records of distinct interfaces cost the same reads each, so the
// counts per 10,000 records do not depend on N, as long as the cache holds
// every entry (3 per interface, DefaultCacheSize 100,000). Seeding is
// quick (1,000 interfaces, 5,000 items, in about 8 seconds); reading is
// not: moto 5.2.1's Query looks at every item of the table
// (moto/dynamodb/models/table.py, Table.query: the items of all_items()
// whose hash key matches), some 20 µs of moto's CPU per item, so a read
// costs moto time in proportion to the table, and the run grows with the
// square of N: 1,000 interfaces take about 15 minutes on a busy machine,
// 10,000 would take moto about 40,000 reads of a second each. DynamoDB's
// cost per read does not depend on the table's size, and neither do the
// counts.
func TestReadsPer10000Records(t *testing.T) {
	ctx := context.Background()
	n := 200
	if v, err := strconv.Atoi(os.Getenv("CHURN_READS_INTERFACES")); err == nil && v > 0 {
		n = v
	}
	if os.Getenv("CHURN_READS_10K") != "" {
		n = 10_000
	}
	records := n
	counter := &dbCalls{}
	client := dynamodb.NewFromConfig(acctest.AWSConfig(t), func(o *dynamodb.Options) { o.APIOptions = append(o.APIOptions, counter.add) })
	name := fmt.Sprintf("churn-reads-%d", tableSeq.Add(1))
	if err := inventorystore.CreateTable(ctx, client, name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	})
	store := inventorystore.New(client, name, inventorystore.Options{})

	ifaces := make([]*inventory.Interface, n)
	for i := range n {
		ifaces[i] = &inventory.Interface{
			ID: fmt.Sprintf("eni-0%016x", 0x10000+i), AccountID: churn.Account, Region: churn.Region,
			AvailabilityZone: churn.Zone, VPCID: churn.VPC, SubnetID: churn.Subnet, InterfaceType: "interface",
			PrivateIPs: []netip.Addr{netip.AddrFrom4([4]byte{10, 20, byte(i >> 8), byte(i)})},
			Tags:       map[string]string{"app": fmt.Sprintf("app-%d", i%50)},
		}
	}
	began := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for w := range 4 {
		wg.Go(func() {
			errs[w] = store.PutNewInterfaces(ctx, ifaces[w*n/4:(w+1)*n/4], day)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	seeded := time.Since(began)
	t.Logf("%d interfaces seeded in %v", n, seeded.Round(time.Second))

	now := day.Add(time.Hour)
	cache := inventorystore.NewCache(store, inventorystore.CacheOptions{Now: func() time.Time { return now }, TTL: time.Hour})
	src := handler.StoreInventory{Cache: cache}
	const batch = 500
	at := day.Add(30 * time.Minute)
	pass := func(what string) int64 {
		calls, items := counter.snapshot()
		found := 0
		for b := 0; b < records; b += batch {
			var addrs []netip.Addr
			for i := b; i < min(b+batch, records); i++ {
				addrs = append(addrs, ifaces[i%n].PrivateIPs[0], netip.AddrFrom4([4]byte{203, 0, 113, byte(i%250 + 1)}))
			}
			inv, err := src.InventoryAt(ctx, addrs, at)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < len(addrs); i += 2 {
				if iface, ok := inv.Lookup(addrs[i], at); ok && iface.Tags["app"] != "" {
					found++
				}
			}
		}
		if found != records {
			t.Fatalf("%s pass attributed %d of %d records", what, found, records)
		}
		dc, di, total := counter.since(calls, items)
		t.Logf("%s: %d reads for %d records (%d per 10,000): Query %d calls, %d items; GetItem %d calls, %d items; BatchGetItem %d calls, %d items",
			what, total, records, total*10000/int64(records), dc["Query"], di["Query"], dc["GetItem"], di["GetItem"], dc["BatchGetItem"], di["BatchGetItem"])
		return total
	}
	began = time.Now()
	cold := pass("cold")
	coldTook := time.Since(began)
	t.Logf("cold pass took %v", coldTook.Round(time.Second))
	// Warm, within NegativeTTL of the cold pass: everything is cached.
	now = now.Add(30 * time.Second)
	began = time.Now()
	warm := pass("warm")
	t.Logf("%d interfaces seeded in %v; cold pass %v, warm pass %v (moto, for the record: not asserted); cache %+v",
		n, seeded.Round(time.Second), coldTook.Round(time.Second), time.Since(began).Round(time.Millisecond), cache.Stats())
	if warm != 0 {
		t.Errorf("warm pass made %d reads, want 0", warm)
	}
	// Warm, past NegativeTTL (a minute) and within TTL: the addresses no
	// interface owns (the internet peers) are read again, their key and
	// their /28, and nothing else.
	now = now.Add(2 * time.Minute)
	peers := int64(min(records, 250))
	if later := pass("warm, negative entries expired"); later != 2*peers {
		t.Errorf("warm pass after NegativeTTL made %d reads, want 2 for each of the %d peers", later, peers)
	}
	// Cold, each record's address costs its own key and its /28's, its
	// interface's history and its ARN's tags; each peer its key and its
	// /28: at most 4 reads a record and 2 a peer.
	if limit := int64(4*records + 2*250); cold > limit {
		t.Errorf("cold pass made %d reads, want at most %d", cold, limit)
	}
}
