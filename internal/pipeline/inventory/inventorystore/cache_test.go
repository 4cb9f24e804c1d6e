package inventorystore_test

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/attribution"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventorystore"
)

// fakeReader answers every address with one open range of one interface,
// except addresses in 192.0.2.0/24, which nobody owns.
type fakeReader struct {
	reads atomic.Int64
	delay time.Duration
}

func (f *fakeReader) Ownership(ctx context.Context, addr netip.Addr) ([]inventorystore.Owned, error) {
	f.reads.Add(1)
	if f.delay > 0 {
		time.Sleep(f.delay)
	}
	if netip.MustParsePrefix("192.0.2.0/24").Contains(addr) {
		return nil, nil
	}
	return []inventorystore.Owned{{Key: inventorystore.Single(addr), InterfaceID: "eni-" + addr.String()}}, nil
}

func (f *fakeReader) History(ctx context.Context, id string) (*inventorystore.History, error) {
	f.reads.Add(1)
	return &inventorystore.History{ID: id}, nil
}

func (f *fakeReader) TagHistory(ctx context.Context, arn string) (inventorystore.TagHistory, error) {
	f.reads.Add(1)
	return inventorystore.TagHistory{{Tags: map[string]string{"arn": arn}}}, nil
}

// nthAddr returns the n-th address of 10.0.0.0/8.
func nthAddr(n int) netip.Addr {
	return netip.AddrFrom4([4]byte{10, byte(n >> 16), byte(n >> 8), byte(n)})
}

func TestCacheBounded(t *testing.T) {
	r := &fakeReader{}
	c := inventorystore.NewCache(r, inventorystore.CacheOptions{Size: 100})
	ctx := context.Background()
	const distinct = 20_000
	for i := range distinct {
		if _, err := c.Ownership(ctx, nthAddr(i), time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	st := c.Stats()
	if st.Entries != 100 {
		t.Errorf("entries = %d, want the size, 100", st.Entries)
	}
	if st.Evictions != distinct-100 || st.Misses != distinct {
		t.Errorf("stats = %+v, want %d misses and %d evictions", st, distinct, distinct-100)
	}
	// The 100 most recent addresses are still cached; the oldest are not.
	before := r.reads.Load()
	for i := distinct - 100; i < distinct; i++ {
		if _, err := c.Ownership(ctx, nthAddr(i), time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	if got := r.reads.Load() - before; got != 0 {
		t.Errorf("re-reading the newest 100 addresses made %d reads, want 0", got)
	}
	if _, err := c.Ownership(ctx, nthAddr(0), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got := r.reads.Load() - before; got != 1 {
		t.Errorf("reading an evicted address made %d reads, want 1", got)
	}
}

func TestCacheExpiry(t *testing.T) {
	tests := []struct {
		name      string
		addr      string
		after     time.Duration
		wantReads int64
	}{
		{"entry within its TTL", "10.0.1.5", 4 * time.Minute, 1},
		{"entry past its TTL", "10.0.1.5", 6 * time.Minute, 2},
		{"negative entry within its TTL", "192.0.2.10", 50 * time.Second, 1},
		{"negative entry past its TTL", "192.0.2.10", 70 * time.Second, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := t0
			r := &fakeReader{}
			c := inventorystore.NewCache(r, inventorystore.CacheOptions{TTL: 5 * time.Minute, NegativeTTL: time.Minute, Now: func() time.Time { return now }})
			ctx := context.Background()
			addr := netip.MustParseAddr(tt.addr)
			if _, err := c.Ownership(ctx, addr, time.Time{}); err != nil {
				t.Fatal(err)
			}
			now = now.Add(tt.after)
			if _, err := c.Ownership(ctx, addr, time.Time{}); err != nil {
				t.Fatal(err)
			}
			if got := r.reads.Load(); got != tt.wantReads {
				t.Errorf("reads = %d, want %d", got, tt.wantReads)
			}
		})
	}
}

// TestCacheKnowsUpTo checks that an entry answers for records up to the
// time it was read less the settling time of events, and that a record
// after that reads the store again, at most once per MinRefresh.
func TestCacheKnowsUpTo(t *testing.T) {
	tests := []struct {
		name      string
		after     time.Duration // since the first read
		latest    time.Duration // record time, from the first read
		wantReads int64
	}{
		{"record older than what the entry knows", time.Minute, -6 * time.Minute, 1},
		{"record newer than what the entry knows", time.Minute, -4 * time.Minute, 2},
		{"record newer, entry just read", 10 * time.Second, -4 * time.Minute, 1},
		{"any time, within the TTL", time.Minute, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := t0
			r := &fakeReader{}
			c := inventorystore.NewCache(r, inventorystore.CacheOptions{Settle: 5 * time.Minute, MinRefresh: 30 * time.Second, Now: func() time.Time { return now }})
			ctx := context.Background()
			addr := netip.MustParseAddr("10.0.1.5")
			if _, err := c.Ownership(ctx, addr, t0.Add(-10*time.Minute)); err != nil {
				t.Fatal(err)
			}
			now = now.Add(tt.after)
			latest := time.Time{}
			if tt.latest != 0 {
				latest = t0.Add(tt.latest)
			}
			if _, err := c.Ownership(ctx, addr, latest); err != nil {
				t.Fatal(err)
			}
			if got := r.reads.Load(); got != tt.wantReads {
				t.Errorf("reads = %d, want %d (stats %+v)", got, tt.wantReads, c.Stats())
			}
		})
	}
}

func TestCacheConcurrentMissesShareOneRead(t *testing.T) {
	r := &fakeReader{delay: 20 * time.Millisecond}
	c := inventorystore.NewCache(r, inventorystore.CacheOptions{})
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := range 50 {
		wg.Go(func() {
			for i := range 10 {
				rs, err := c.Ownership(ctx, nthAddr((g+i)%10), time.Time{})
				if err != nil || len(rs) != 1 {
					t.Errorf("Ownership: %v, %v", rs, err)
				}
			}
		})
	}
	wg.Wait()
	if got := r.reads.Load(); got != 10 {
		t.Errorf("reads = %d, want 10, one per address", got)
	}
	if st := c.Stats(); st.Hits+st.Misses != 500 || st.Misses != 10 {
		t.Errorf("stats = %+v, want 10 misses of 500 lookups", st)
	}
}

// TestResolveSecondPassReadsNothing runs the Lambda's per-batch resolution
// twice over the same addresses against DynamoDB (moto) and counts the
// calls made through the store's client.
func TestResolveSecondPassReadsNothing(t *testing.T) {
	store, db, _ := newStore(t)
	ctx := context.Background()
	var addrs []netip.Addr
	for i := range 40 {
		a := netip.AddrFrom4([4]byte{10, 0, 2, byte(10 + i)})
		iface := &inventory.Interface{
			ID:               fmt.Sprintf("eni-0%016x", 0xabc000+i),
			AccountID:        account,
			Region:           "us-east-1",
			AvailabilityZone: "us-east-1b",
			SubnetID:         "subnet-0123456789abcdef1",
			VPCID:            "vpc-0f1e2d3c4b5a69788",
			InterfaceType:    "interface",
			InstanceID:       fmt.Sprintf("i-0%016x", 0xdef000+i),
			PrivateIPs:       []netip.Addr{a},
			Tags:             map[string]string{"Name": fmt.Sprintf("node-%d", i)},
		}
		if _, err := store.PutInterface(ctx, iface, "", at(0)); err != nil {
			t.Fatal(err)
		}
		if _, err := store.PutTags(ctx, "arn:aws:ec2:us-east-1:123456789012:instance/"+iface.InstanceID, map[string]string{"service": "checkout"}, at(0), 1); err != nil {
			t.Fatal(err)
		}
		addrs = append(addrs, a, a) // batches repeat addresses
	}
	// Addresses nobody owns are cached as such.
	for i := range 10 {
		addrs = append(addrs, netip.AddrFrom4([4]byte{198, 51, 100, byte(i)}))
	}
	base := inventory.New()
	cache := inventorystore.NewCache(store, inventorystore.CacheOptions{})

	db.Reset()
	inv, err := cache.Resolve(ctx, base, addrs)
	if err != nil {
		t.Fatal(err)
	}
	first := db.Reads()
	if first == 0 {
		t.Fatalf("first pass made no reads")
	}
	if db.Writes() != 0 {
		t.Errorf("resolving made %d writes", db.Writes())
	}

	db.Reset()
	inv2, err := cache.Resolve(ctx, base, addrs)
	if err != nil {
		t.Fatal(err)
	}
	if got := db.Reads(); got != 0 {
		t.Errorf("second pass made %d DynamoDB reads, want 0 (first pass made %d)", got, first)
	}
	if st := cache.Stats(); st.Hits == 0 {
		t.Errorf("stats = %+v, want hits", st)
	}
	if base.Len() != 0 {
		t.Errorf("Resolve modified the base inventory")
	}

	for _, inv := range []*inventory.Inventory{inv, inv2} {
		a := netip.MustParseAddr("10.0.2.15")
		iface, ok := inv.Lookup(a, at(1))
		if !ok || iface.ID != fmt.Sprintf("eni-0%016x", 0xabc000+5) {
			t.Fatalf("Lookup(%s) = %+v, %v", a, iface, ok)
		}
		ep := attribution.Attribute(inv, a, at(1), attribution.Hints{})
		if ep.Type != attribution.TypeInstance || ep.Tags["Name"] != "node-5" || ep.Tags["service"] != "checkout" {
			t.Errorf("Attribute(%s) = type %s tags %v; want the instance with its ENI and instance tags", a, ep.Type, ep.Tags)
		}
		if _, ok := inv.Lookup(a, at(-1)); ok {
			t.Errorf("Lookup before the range opened found an owner")
		}
		if _, ok := inv.Lookup(netip.MustParseAddr("198.51.100.3"), at(1)); ok {
			t.Errorf("an address nobody owns resolved")
		}
	}
}

func BenchmarkCacheHit(b *testing.B) {
	c := inventorystore.NewCache(&fakeReader{}, inventorystore.CacheOptions{})
	ctx := context.Background()
	for i := range 1000 {
		_, _ = c.Ownership(ctx, nthAddr(i), time.Time{})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		_, _ = c.Ownership(ctx, nthAddr(i%1000), time.Time{})
	}
}
