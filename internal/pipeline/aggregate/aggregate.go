// Package aggregate folds connections into tumbling time windows: every flow
// whose start time falls in the same window and that has the same client,
// server, server port, protocol and action adds to one aggregate.
//
// An Aggregator keeps a bounded number of aggregates open. A window is
// flushed when the stream has moved past its end (a flow starts at or after
// the window's end plus the allowed lateness), when Flush is called, or early
// when opening one more aggregate would exceed Options.MaxKeys: the oldest
// window is then flushed whole and Stats.EarlyFlushes counts it. Flows that
// arrive for a window already flushed open it again and Stats.Late counts
// them; the same key can then appear in more than one aggregate for a
// window, whose counts add up to the truth.
//
// Endpoint identities are interned: Intern maps an identity key to a small
// Identity handle and keeps one value of type T per identity for the output,
// so folding a flow into an open aggregate hashes integers only and does not
// allocate. Identities are released when no open aggregate refers to them,
// so memory stays bounded however many endpoints a stream holds.
//
// Sums never wrap: the bytes and packets of an aggregate saturate at the
// largest uint64 (math.MaxUint64) and stay there, so a sum too large to
// count reads as the maximum, never as a small or, converted to a signed
// column, negative number. Records and Duplicates count flows one at a
// time and cannot reach the maximum (2^64 calls of Add). The window
// arithmetic holds for any int64 times whose window starts are int64s;
// flow records carry Unix times from 1970 to 2262 (flowrecord.MaxTime).
package aggregate

import (
	"errors"
	"math"
	"strings"
	"time"
	"unsafe"
)

// Identity is the handle of an interned endpoint identity.
type Identity uint32

// Key identifies an aggregate.
type Key struct {
	// Window is the start of the window, in Unix seconds.
	Window     int64
	Client     Identity
	Server     Identity
	ServerPort uint16
	Protocol   uint8
	// Action is the caller's code for the flow's action (flowrecord.Action).
	Action uint8
}

// hash picks a slot of recentAggs.
func (k *Key) hash() uint8 {
	h := uint32(k.Window)*0x9e3779b1 ^ uint32(k.Client)*0x85ebca6b ^ uint32(k.Server)*0xc2b2ae35 ^
		(uint32(k.ServerPort)|uint32(k.Protocol)<<16|uint32(k.Action)<<24)*0x27d4eb2f
	return uint8(h >> 24)
}

// Flow is one flow log record's contribution to an aggregate, already
// oriented from client to server.
type Flow struct {
	Client     Identity
	Server     Identity
	ServerPort uint16
	Protocol   uint8
	Action     uint8
	// Start and End are the record's start and end, in Unix seconds; Start
	// picks the window.
	Start, End int64
	// Bytes and packets sent by the client (Uploaded) and by the server
	// (Downloaded).
	Uploaded, Downloaded               uint64
	UploadedPackets, DownloadedPackets uint64
	// Duplicate marks a copy of a flow that another interface's record
	// already counts: it adds to Records and Duplicates but not to bytes or
	// packets.
	Duplicate bool
	// TrafficPath is the record's traffic-path, 0 when absent.
	TrafficPath uint8
}

// Aggregate is the sum of the flows of one key.
type Aggregate struct {
	Key
	// Start is the earliest start and End the latest end of the folded
	// flows, in Unix seconds.
	Start, End int64
	// Uploaded, Downloaded, UploadedPackets and DownloadedPackets are the
	// sums of the flows' counts, saturated at math.MaxUint64.
	Uploaded, Downloaded               uint64
	UploadedPackets, DownloadedPackets uint64
	// Records is the number of flows folded, Duplicates how many of them
	// were duplicate copies.
	Records, Duplicates uint64
	// TrafficPath is the first traffic-path the flows reported, 0 if none
	// did.
	TrafficPath uint8
}

// Options configure an Aggregator.
type Options struct {
	// Window is the length of a window; it must be a whole number of
	// seconds. Default 60s.
	Window time.Duration
	// Lateness is how long past a window's end flows may still arrive for
	// it: the window is flushed once a flow starts at or after its end plus
	// Lateness. Flow log records of one interval reach a subscription out of
	// order, by up to the capture interval (1 or 10 minutes). Default: one
	// Window. A negative value means zero.
	Lateness time.Duration
	// MaxKeys bounds the number of open aggregates. Default 100000.
	MaxKeys int
}

// Defaults.
const (
	DefaultWindow  = 60 * time.Second
	DefaultMaxKeys = 100_000
)

// Stats counts what an Aggregator did.
type Stats struct {
	// Records is the number of flows added, Duplicates how many of them
	// were duplicate copies.
	Records, Duplicates uint64
	// Aggregates is the number of aggregates emitted.
	Aggregates uint64
	// Windows is the number of window flushes, EarlyFlushes how many of
	// them happened before the window's end to stay within MaxKeys.
	Windows, EarlyFlushes uint64
	// Late is the number of flows that arrived for a window already flushed.
	Late uint64
	// OpenKeys is the number of aggregates open now, PeakKeys the most
	// that were open at once.
	OpenKeys, PeakKeys int
	// Identities is the number of identities interned now.
	Identities int
}

// EmitFunc receives each aggregate as its window is flushed, with the values
// interned for its client and server. The aggregate is only valid during the
// call.
type EmitFunc[T any] func(agg *Aggregate, client, server T) error

type identity[T any] struct {
	key   string
	value T
	refs  int32
	alive bool
}

type window struct {
	start int64
	slots []int32
}

// Aggregator folds flows into windows. It is not safe for concurrent use.
type Aggregator[T any] struct {
	size       int64
	lastWindow int64 // the start of the window WindowStart found last
	lateness   int64
	maxKeys    int
	emit       EmitFunc[T]

	ids     map[string]Identity
	recent  [64]Identity // recently interned, by key address; see Intern
	idents  []identity[T]
	freeIDs []Identity
	fresh   []Identity

	index map[Key]int32
	// recentAggs remembers the slots of recently added keys, by a hash of
	// the key; a slot is checked against its aggregate's key, so that a
	// closed or reused aggregate cannot mislead it.
	recentAggs [256]int32
	aggs       []Aggregate
	freeAggs   []int32

	windows   []*window // open windows, oldest first
	spare     []*window
	watermark int64 // latest flow start seen
	// expiredTo is the end of the latest window flushed because the
	// stream moved past it: a flow that starts before it is late.
	expiredTo int64

	stats Stats
}

// ErrWindow reports a window that is not a positive whole number of seconds.
var ErrWindow = errors.New("aggregation window must be a positive whole number of seconds")

// New returns an Aggregator that hands flushed aggregates to emit.
func New[T any](opts Options, emit EmitFunc[T]) (*Aggregator[T], error) {
	if opts.Window == 0 {
		opts.Window = DefaultWindow
	}
	if opts.Window < time.Second || opts.Window%time.Second != 0 {
		return nil, ErrWindow
	}
	if opts.Lateness == 0 {
		opts.Lateness = opts.Window
	}
	if opts.Lateness < 0 {
		opts.Lateness = 0
	}
	if opts.MaxKeys <= 0 {
		opts.MaxKeys = DefaultMaxKeys
	}
	return &Aggregator[T]{
		size:      int64(opts.Window / time.Second),
		lateness:  int64((opts.Lateness + time.Second - 1) / time.Second),
		maxKeys:   opts.MaxKeys,
		emit:      emit,
		ids:       make(map[string]Identity),
		index:     make(map[Key]int32),
		watermark: minInt64,
		expiredTo: minInt64,
	}, nil
}

const minInt64 = -1 << 63

// Window returns the window length.
func (a *Aggregator[T]) Window() time.Duration { return time.Duration(a.size) * time.Second }

// WindowStart returns the start of the window that a Unix time falls in.
func (a *Aggregator[T]) WindowStart(unix int64) int64 {
	// Flows come in time order, give or take: most fall in the window of
	// the one before, which saves a division.
	if w := a.lastWindow; unix >= w && uint64(unix-w) < uint64(a.size) {
		return w
	}
	w := unix - unix%a.size
	if unix < 0 && unix%a.size != 0 {
		w -= a.size
	}
	a.lastWindow = w
	return w
}

// Intern returns the identity of key, creating it with value(key) if it is
// new. The key is copied when stored, so it may be a view of a reused
// buffer. An identity lives while open aggregates refer to it; one that no
// Add uses is dropped at the next window flush.
func (a *Aggregator[T]) Intern(key string, value func() T) Identity {
	// Callers mostly pass the same few key strings again and again (an
	// attribution cache's key of an interface): a slot picked by the
	// string's address remembers its identity, which is checked by content
	// so that a reused buffer or a released identity cannot mislead it.
	slot := &a.recent[(uintptr(unsafe.Pointer(unsafe.StringData(key)))>>4^uintptr(len(key)))%uintptr(len(a.recent))]
	if id := *slot; int(id) < len(a.idents) {
		if e := &a.idents[id]; e.alive && e.key == key {
			return id
		}
	}
	if id, ok := a.ids[key]; ok {
		*slot = id
		return id
	}
	key = strings.Clone(key)
	var id Identity
	if n := len(a.freeIDs); n > 0 {
		id = a.freeIDs[n-1]
		a.freeIDs = a.freeIDs[:n-1]
		a.idents[id] = identity[T]{key: key, value: value(), alive: true}
	} else {
		id = Identity(len(a.idents))
		a.idents = append(a.idents, identity[T]{key: key, value: value(), alive: true})
	}
	a.ids[key] = id
	a.fresh = append(a.fresh, id)
	*slot = id
	return id
}

// Value returns the value interned for an identity.
func (a *Aggregator[T]) Value(id Identity) T { return a.idents[id].value }

func (a *Aggregator[T]) retain(id Identity) { a.idents[id].refs++ }

func (a *Aggregator[T]) release(id Identity) {
	e := &a.idents[id]
	e.refs--
	if e.refs == 0 {
		a.drop(id)
	}
}

func (a *Aggregator[T]) drop(id Identity) {
	e := &a.idents[id]
	delete(a.ids, e.key)
	*e = identity[T]{}
	a.freeIDs = append(a.freeIDs, id)
}

// Add folds a flow into its aggregate, flushing windows as the stream moves
// on. The flow's identities must come from Intern since the last flush.
func (a *Aggregator[T]) Add(f *Flow) error {
	k := Key{
		Window:     a.WindowStart(f.Start),
		Client:     f.Client,
		Server:     f.Server,
		ServerPort: f.ServerPort,
		Protocol:   f.Protocol,
		Action:     f.Action,
	}
	h := &a.recentAggs[k.hash()]
	slot := *h
	if int(slot) >= len(a.aggs) || a.aggs[slot].Key != k || a.aggs[slot].Records == 0 {
		var ok bool
		if slot, ok = a.index[k]; !ok {
			var err error
			if slot, err = a.open(k, f.Start); err != nil {
				return err
			}
		}
		*h = slot
	}
	g := &a.aggs[slot]
	g.Start = min(g.Start, f.Start)
	g.End = max(g.End, f.End)
	g.Records++
	a.stats.Records++
	if f.Duplicate {
		g.Duplicates++
		a.stats.Duplicates++
	} else {
		g.Uploaded = addSat(g.Uploaded, f.Uploaded)
		g.Downloaded = addSat(g.Downloaded, f.Downloaded)
		g.UploadedPackets = addSat(g.UploadedPackets, f.UploadedPackets)
		g.DownloadedPackets = addSat(g.DownloadedPackets, f.DownloadedPackets)
	}
	if g.TrafficPath == 0 {
		g.TrafficPath = f.TrafficPath
	}
	if f.Start > a.watermark {
		a.watermark = f.Start
		return a.flushExpired()
	}
	return nil
}

// addSat returns a+b, or math.MaxUint64 when the sum does not fit.
func addSat(a, b uint64) uint64 {
	if s := a + b; s >= a {
		return s
	}
	return math.MaxUint64
}

// open creates the aggregate of k, first making room for it.
func (a *Aggregator[T]) open(k Key, start int64) (int32, error) {
	if k.Window < a.expiredTo {
		a.stats.Late++
	}
	// Hold the identities while windows are flushed, which may release
	// their last other references.
	a.retain(k.Client)
	a.retain(k.Server)
	for len(a.index) >= a.maxKeys && len(a.windows) > 0 {
		a.stats.EarlyFlushes++
		if err := a.flushOldest(); err != nil {
			a.release(k.Client)
			a.release(k.Server)
			return 0, err
		}
	}
	var slot int32
	if n := len(a.freeAggs); n > 0 {
		slot = a.freeAggs[n-1]
		a.freeAggs = a.freeAggs[:n-1]
	} else {
		slot = int32(len(a.aggs))
		a.aggs = append(a.aggs, Aggregate{})
	}
	a.aggs[slot] = Aggregate{Key: k, Start: start, End: minInt64}
	a.index[k] = slot
	w := a.window(k.Window)
	w.slots = append(w.slots, slot)
	a.stats.OpenKeys = len(a.index)
	a.stats.PeakKeys = max(a.stats.PeakKeys, a.stats.OpenKeys)
	return slot, nil
}

// window returns the open window that starts at start, opening it if needed.
func (a *Aggregator[T]) window(start int64) *window {
	i := len(a.windows)
	for i > 0 && a.windows[i-1].start >= start {
		if a.windows[i-1].start == start {
			return a.windows[i-1]
		}
		i--
	}
	var w *window
	if n := len(a.spare); n > 0 {
		w = a.spare[n-1]
		a.spare = a.spare[:n-1]
	} else {
		w = &window{}
	}
	w.start = start
	a.windows = append(a.windows, nil)
	copy(a.windows[i+1:], a.windows[i:])
	a.windows[i] = w
	return w
}

// flushExpired flushes the windows the watermark has passed.
func (a *Aggregator[T]) flushExpired() error {
	// Every open window starts at or before the watermark, so the
	// distance between them is exact as an unsigned number even where
	// start+size+lateness would overflow.
	for len(a.windows) > 0 && uint64(a.watermark-a.windows[0].start) >= uint64(a.size+a.lateness) {
		end := a.windows[0].start + a.size
		if end < a.windows[0].start {
			end = math.MaxInt64
		}
		a.expiredTo = max(a.expiredTo, end)
		if err := a.flushOldest(); err != nil {
			return err
		}
	}
	return nil
}

// flushOldest emits and closes the oldest open window.
func (a *Aggregator[T]) flushOldest() error {
	w := a.windows[0]
	a.windows = append(a.windows[:0], a.windows[1:]...)
	a.stats.Windows++
	var err error
	for _, slot := range w.slots {
		g := &a.aggs[slot]
		if err == nil {
			err = a.emit(g, a.idents[g.Client].value, a.idents[g.Server].value)
			a.stats.Aggregates++
		}
		delete(a.index, g.Key)
		a.release(g.Client)
		a.release(g.Server)
		*g = Aggregate{}
		a.freeAggs = append(a.freeAggs, slot)
	}
	w.slots = w.slots[:0]
	a.spare = append(a.spare, w)
	a.stats.OpenKeys = len(a.index)
	// Identities interned for flows that were never added.
	for _, id := range a.fresh {
		if e := &a.idents[id]; e.refs == 0 && e.alive {
			a.drop(id)
		}
	}
	a.fresh = a.fresh[:0]
	return err
}

// Flush emits every open aggregate, oldest window first.
func (a *Aggregator[T]) Flush() error {
	for len(a.windows) > 0 {
		if err := a.flushOldest(); err != nil {
			return err
		}
	}
	return nil
}

// Reset discards every open aggregate and identity without emitting them
// and zeroes the stats, keeping the memory already allocated for reuse.
func (a *Aggregator[T]) Reset() {
	clear(a.ids)
	clear(a.idents)
	a.idents = a.idents[:0]
	a.freeIDs = a.freeIDs[:0]
	a.fresh = a.fresh[:0]
	clear(a.index)
	clear(a.aggs)
	a.aggs = a.aggs[:0]
	a.freeAggs = a.freeAggs[:0]
	for _, w := range a.windows {
		w.slots = w.slots[:0]
		a.spare = append(a.spare, w)
	}
	a.windows = a.windows[:0]
	a.watermark = minInt64
	a.expiredTo = minInt64
	a.stats = Stats{}
}

// Stats returns the counts so far.
func (a *Aggregator[T]) Stats() Stats {
	s := a.stats
	s.Identities = len(a.ids)
	return s
}
