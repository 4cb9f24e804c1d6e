package inventorystore

import (
	"container/list"
	"context"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// Reader is what Cache reads through to; Store is one.
type Reader interface {
	Ownership(ctx context.Context, addr netip.Addr) ([]Owned, error)
	History(ctx context.Context, id string) (*History, error)
	TagHistory(ctx context.Context, arn string) (TagHistory, error)
}

var _ Reader = (*Store)(nil)

// Cache defaults.
const (
	DefaultCacheSize        = 100_000
	DefaultCacheTTL         = 5 * time.Minute
	DefaultCacheNegativeTTL = time.Minute
	DefaultCacheConcurrency = 16
	DefaultCacheSettle      = 5 * time.Minute
	DefaultCacheMinRefresh  = 30 * time.Second
)

// CacheOptions configure a Cache.
type CacheOptions struct {
	// Size is the most entries kept (one per address, interface and
	// ARN); the least recently used go first. Default: DefaultCacheSize.
	Size int
	// TTL is how long an entry is used before it is read again. Default:
	// DefaultCacheTTL.
	TTL time.Duration
	// NegativeTTL is how long "no such address" or "no tags recorded" is
	// remembered. Default: DefaultCacheNegativeTTL.
	NegativeTTL time.Duration
	// Settle is how long after a change its event may still reach the
	// store (CloudTrail delivers management events to EventBridge within
	// minutes): an entry read at T is known to hold every change up to
	// T - Settle, and records after that read it again. Default:
	// DefaultCacheSettle.
	Settle time.Duration
	// MinRefresh is the least time between two reads of an entry for
	// records newer than what it knows, so that records of the last
	// minutes do not read the store for every batch. Default:
	// DefaultCacheMinRefresh.
	MinRefresh time.Duration
	// Concurrency is how many reads Resolve makes at once. Default:
	// DefaultCacheConcurrency.
	Concurrency int
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// CacheStats counts what the cache did.
type CacheStats struct {
	// Hits are answers from the cache, including waits on a read another
	// caller had started; Misses are reads of the store.
	Hits, Misses uint64
	// Refreshes are the misses of entries still within their TTL that a
	// record newer than what they knew read again.
	Refreshes uint64
	// Evictions are entries dropped to stay within Size.
	Evictions uint64
	Entries   int
}

// Cache is a bounded read-through cache of ownership, interface histories
// and tag histories, safe for concurrent use. Concurrent misses of the same
// key share one read.
//
// An entry is used for a batch of records only while it is within its TTL
// and knows the batch's latest record time: it was read more than Settle
// after that time (or less than MinRefresh ago). Histories answer for any
// time they know, so a late record and a current one get each the owner of
// its own time from the same entry.
type Cache struct {
	r    Reader
	opts CacheOptions

	mu       sync.Mutex
	lru      *list.List // of *cacheEntry, most recently used first
	entries  map[string]*list.Element
	inflight map[string]*cacheCall

	hits, misses, refreshes, evictions atomic.Uint64
}

type cacheEntry struct {
	key     string
	owned   []Owned
	hist    *History
	tags    TagHistory
	found   bool
	loaded  time.Time
	expires time.Time
}

type cacheCall struct {
	done chan struct{}
	e    *cacheEntry
	err  error
}

// NewCache returns a cache reading through to r.
func NewCache(r Reader, opts CacheOptions) *Cache {
	if opts.Size <= 0 {
		opts.Size = DefaultCacheSize
	}
	if opts.TTL <= 0 {
		opts.TTL = DefaultCacheTTL
	}
	if opts.NegativeTTL <= 0 {
		opts.NegativeTTL = DefaultCacheNegativeTTL
	}
	if opts.Settle <= 0 {
		opts.Settle = DefaultCacheSettle
	}
	if opts.MinRefresh <= 0 {
		opts.MinRefresh = DefaultCacheMinRefresh
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultCacheConcurrency
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Cache{
		r:        r,
		opts:     opts,
		lru:      list.New(),
		entries:  make(map[string]*list.Element),
		inflight: make(map[string]*cacheCall),
	}
}

// Stats returns the cache's counters.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	n := len(c.entries)
	c.mu.Unlock()
	return CacheStats{Hits: c.hits.Load(), Misses: c.misses.Load(), Refreshes: c.refreshes.Load(), Evictions: c.evictions.Load(), Entries: n}
}

// Ownership returns the periods of ownership of an address, as
// Store.Ownership does, known up to latest (zero: any). The slice is
// shared: callers must not modify it.
func (c *Cache) Ownership(ctx context.Context, addr netip.Addr, latest time.Time) ([]Owned, error) {
	addr = addr.Unmap().WithZone("")
	e, err := c.get(ctx, "ip:"+addr.String(), latest, func(ctx context.Context) (*cacheEntry, error) {
		os, err := c.r.Ownership(ctx, addr)
		return &cacheEntry{owned: os, found: len(os) > 0}, err
	})
	if err != nil {
		return nil, err
	}
	return e.owned, nil
}

// History returns the history of an interface, as Store.History does,
// known up to latest (zero: any).
func (c *Cache) History(ctx context.Context, id string, latest time.Time) (*History, error) {
	e, err := c.get(ctx, "eni:"+id, latest, func(ctx context.Context) (*cacheEntry, error) {
		h, err := c.r.History(ctx, id)
		return &cacheEntry{hist: h, found: h != nil && (len(h.items) > 0 || h.Deleted != 0)}, err
	})
	if err != nil {
		return nil, err
	}
	return e.hist, nil
}

// TagHistory returns the tags of a resource over time, as
// Store.TagHistory does, known up to latest (zero: any).
func (c *Cache) TagHistory(ctx context.Context, arn string, latest time.Time) (TagHistory, error) {
	e, err := c.get(ctx, "arn:"+arn, latest, func(ctx context.Context) (*cacheEntry, error) {
		h, err := c.r.TagHistory(ctx, arn)
		return &cacheEntry{tags: h, found: len(h) > 0}, err
	})
	if err != nil {
		return nil, err
	}
	return e.tags, nil
}

// Invalidate drops the entry of an address or, with a non-empty arn, of
// a resource's tags, so that the next read goes to the store.
func (c *Cache) Invalidate(addr netip.Addr, arn string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range []string{"ip:" + addr.Unmap().WithZone("").String(), "arn:" + arn} {
		if el, ok := c.entries[k]; ok {
			c.lru.Remove(el)
			delete(c.entries, k)
		}
	}
}

// knows reports whether an entry may answer for records up to latest.
func (c *Cache) knows(e *cacheEntry, now, latest time.Time) bool {
	return latest.IsZero() || latest.Before(e.loaded.Add(-c.opts.Settle)) || now.Sub(e.loaded) < c.opts.MinRefresh
}

func (c *Cache) get(ctx context.Context, key string, latest time.Time, load func(context.Context) (*cacheEntry, error)) (*cacheEntry, error) {
	now := c.opts.Now()
	c.mu.Lock()
	if el, ok := c.entries[key]; ok {
		e := el.Value.(*cacheEntry)
		if now.Before(e.expires) {
			if c.knows(e, now, latest) {
				c.lru.MoveToFront(el)
				c.mu.Unlock()
				c.hits.Add(1)
				return e, nil
			}
			c.refreshes.Add(1)
		}
		c.lru.Remove(el)
		delete(c.entries, key)
	}
	if call, ok := c.inflight[key]; ok {
		c.mu.Unlock()
		c.hits.Add(1)
		select {
		case <-call.done:
			return call.e, call.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	call := &cacheCall{done: make(chan struct{})}
	c.inflight[key] = call
	c.mu.Unlock()
	c.misses.Add(1)

	loaded := c.opts.Now()
	e, err := load(ctx)
	c.mu.Lock()
	delete(c.inflight, key)
	if err == nil {
		e.key = key
		e.loaded = loaded
		ttl := c.opts.TTL
		if !e.found {
			ttl = c.opts.NegativeTTL
		}
		e.expires = loaded.Add(ttl)
		c.entries[key] = c.lru.PushFront(e)
		for c.lru.Len() > c.opts.Size {
			old := c.lru.Back()
			c.lru.Remove(old)
			delete(c.entries, old.Value.(*cacheEntry).key)
			c.evictions.Add(1)
		}
	}
	c.mu.Unlock()
	call.e, call.err = e, err
	close(call.done)
	return e, err
}
