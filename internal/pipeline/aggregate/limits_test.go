package aggregate

import (
	"math"
	"testing"
	"time"
)

// TestSumsSaturate checks that byte and packet sums stop at math.MaxUint64
// instead of wrapping, at every boundary a sum can cross, and that
// duplicates add nothing even when their counts are at the limit.
func TestSumsSaturate(t *testing.T) {
	const (
		max63 = math.MaxInt64     // 2^63-1, the most a record carries
		pow63 = math.MaxInt64 + 1 // 2^63
		max64 = math.MaxUint64    // 2^64-1
	)
	tests := []struct {
		name   string
		counts []uint64 // one flow each, uploaded bytes and packets
		dups   []uint64 // duplicate flows, which add nothing
		want   uint64
	}{
		{"one flow of 2^63-1", []uint64{max63}, nil, max63},
		{"two flows of 2^63-1 fit", []uint64{max63, max63}, nil, 2 * max63},
		{"2^64-1 and two of 2^63", []uint64{max64, pow63, pow63}, nil, max64},
		{"2^63 and 2^63 is one past the top", []uint64{pow63, pow63}, nil, max64},
		{"2^64-1 and 1", []uint64{max64, 1}, nil, max64},
		{"2^64-1 and 0", []uint64{max64, 0}, nil, max64},
		{"2^64-2 and 1 reaches the top exactly", []uint64{max64 - 1, 1}, nil, max64},
		{"saturated sums stay there", []uint64{max64, max64, max64, 5}, nil, max64},
		{"duplicates at the limit add nothing", []uint64{10}, []uint64{max64, max64}, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c collector
			a, err := New(Options{Window: time.Minute}, c.emit)
			if err != nil {
				t.Fatal(err)
			}
			cl := a.Intern("client", func() string { return "client" })
			sv := a.Intern("server", func() string { return "server" })
			for i, v := range append(append([]uint64(nil), tt.counts...), tt.dups...) {
				f := Flow{Client: cl, Server: sv, ServerPort: 443, Protocol: 6, Start: 60, End: 61,
					Uploaded: v, Downloaded: v, UploadedPackets: v, DownloadedPackets: v,
					Duplicate: i >= len(tt.counts)}
				if err := a.Add(&f); err != nil {
					t.Fatal(err)
				}
			}
			if err := a.Flush(); err != nil {
				t.Fatal(err)
			}
			if len(c.out) != 1 {
				t.Fatalf("%d aggregates, want 1: %v", len(c.out), strs(c.out))
			}
			g := c.out[0]
			if g.Up != tt.want || g.Down != tt.want || g.UpPkts != tt.want || g.DownPkts != tt.want {
				t.Errorf("sums up=%d down=%d pk=%d/%d, want %d", g.Up, g.Down, g.UpPkts, g.DownPkts, tt.want)
			}
			if n := uint64(len(tt.counts) + len(tt.dups)); g.Records != n || g.Dups != uint64(len(tt.dups)) {
				t.Errorf("records %d dups %d, want %d %d", g.Records, g.Dups, n, len(tt.dups))
			}
		})
	}
}

// TestExtremeTimes checks the window arithmetic at the ends of the time
// range: a flow at the latest time int64 holds neither flushes windows that
// have not ended nor wraps the lateness bound.
func TestExtremeTimes(t *testing.T) {
	var c collector
	a, err := New(Options{Window: time.Minute}, c.emit)
	if err != nil {
		t.Fatal(err)
	}
	add(t, a, in{client: "a", server: "b", port: 1, start: math.MaxInt64 - 1, end: math.MaxInt64, up: 100})
	add(t, a, in{client: "a", server: "b", port: 1, start: math.MaxInt64, end: math.MaxInt64, up: 100})
	if len(c.out) != 0 {
		t.Fatalf("flushed before the window ended: %v", strs(c.out))
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	if len(c.out) != 1 || c.out[0].Up != 200 || c.out[0].Records != 2 || c.out[0].Window != math.MaxInt64-math.MaxInt64%60 {
		t.Fatalf("got %v", strs(c.out))
	}

	// The epoch and the last second of year 9999, the ends of the times
	// flow records carry.
	c.out = nil
	if a, err = New(Options{Window: time.Minute}, c.emit); err != nil {
		t.Fatal(err)
	}
	const last = 253402300799
	add(t, a, in{client: "a", server: "b", port: 1, start: 0, end: 0, up: 1})
	add(t, a, in{client: "a", server: "b", port: 1, start: last, end: last, up: 1})
	if got := strs(c.out); len(got) != 1 || c.out[0].Window != 0 {
		t.Fatalf("the epoch's window was not flushed by a flow in 9999: %v", got)
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	if len(c.out) != 2 || c.out[1].Window != last-last%60 || c.out[1].End != last {
		t.Fatalf("got %v", strs(c.out))
	}
}

// TestAddSaturatedAllocs checks that saturating sums keep Add free of
// allocation.
func TestAddSaturatedAllocs(t *testing.T) {
	a, err := New(Options{Window: time.Minute}, func(*Aggregate, string, string) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	cl := a.Intern("client", func() string { return "client" })
	sv := a.Intern("server", func() string { return "server" })
	f := Flow{Client: cl, Server: sv, Start: 60, End: 61, Uploaded: math.MaxUint64, DownloadedPackets: math.MaxUint64}
	if err := a.Add(&f); err != nil {
		t.Fatal(err)
	}
	if allocs := testing.AllocsPerRun(100, func() { _ = a.Add(&f) }); allocs != 0 {
		t.Errorf("%v allocations per Add, want 0", allocs)
	}
}
