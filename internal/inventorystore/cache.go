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
	Ranges(ctx context.Context, addr netip.Addr) ([]Range, error)
	Tags(ctx context.Context, arn string) (map[string]string, bool, error)
}

var _ Reader = (*Store)(nil)

// Cache defaults.
const (
	DefaultCacheSize        = 100_000
	DefaultCacheTTL         = 5 * time.Minute
	DefaultCacheNegativeTTL = time.Minute
	DefaultCacheConcurrency = 16
)

// CacheOptions configure a Cache.
type CacheOptions struct {
	// Size is the most entries kept (one per address, one per ARN); the
	// least recently used go first. Default: DefaultCacheSize.
	Size int
	// TTL is how long an entry is used before it is read again. Default:
	// DefaultCacheTTL.
	TTL time.Duration
	// NegativeTTL is how long "no such address" or "no tags recorded" is
	// remembered. Default: DefaultCacheNegativeTTL.
	NegativeTTL time.Duration
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
	// Evictions are entries dropped to stay within Size.
	Evictions uint64
	Entries   int
}

// Cache is a bounded read-through cache of address ranges and tags, safe for
// concurrent use. Concurrent misses of the same key share one read.
type Cache struct {
	r    Reader
	opts CacheOptions

	mu       sync.Mutex
	lru      *list.List // of *cacheEntry, most recently used first
	entries  map[string]*list.Element
	inflight map[string]*cacheCall

	hits, misses, evictions atomic.Uint64
}

type cacheEntry struct {
	key     string
	ranges  []Range
	tags    map[string]string
	found   bool
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
	return CacheStats{Hits: c.hits.Load(), Misses: c.misses.Load(), Evictions: c.evictions.Load(), Entries: n}
}

// Ranges returns the ranges of an address, as Store.Ranges does. The slice
// is shared: callers must not modify it.
func (c *Cache) Ranges(ctx context.Context, addr netip.Addr) ([]Range, error) {
	addr = addr.Unmap().WithZone("")
	e, err := c.get(ctx, "ip:"+addr.String(), func(ctx context.Context) (*cacheEntry, error) {
		rs, err := c.r.Ranges(ctx, addr)
		return &cacheEntry{ranges: rs, found: len(rs) > 0}, err
	})
	if err != nil {
		return nil, err
	}
	return e.ranges, nil
}

// Tags returns the tags of a resource, as Store.Tags does. The map is
// shared: callers must not modify it.
func (c *Cache) Tags(ctx context.Context, arn string) (map[string]string, bool, error) {
	e, err := c.get(ctx, "arn:"+arn, func(ctx context.Context) (*cacheEntry, error) {
		tags, found, err := c.r.Tags(ctx, arn)
		return &cacheEntry{tags: tags, found: found}, err
	})
	if err != nil {
		return nil, false, err
	}
	return e.tags, e.found, nil
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

func (c *Cache) get(ctx context.Context, key string, load func(context.Context) (*cacheEntry, error)) (*cacheEntry, error) {
	now := c.opts.Now()
	c.mu.Lock()
	if el, ok := c.entries[key]; ok {
		e := el.Value.(*cacheEntry)
		if now.Before(e.expires) {
			c.lru.MoveToFront(el)
			c.mu.Unlock()
			c.hits.Add(1)
			return e, nil
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

	e, err := load(ctx)
	c.mu.Lock()
	delete(c.inflight, key)
	if err == nil {
		e.key = key
		ttl := c.opts.TTL
		if !e.found {
			ttl = c.opts.NegativeTTL
		}
		e.expires = c.opts.Now().Add(ttl)
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
