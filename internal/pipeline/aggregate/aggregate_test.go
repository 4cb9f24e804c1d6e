package aggregate

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

// emitted is an aggregate as a test sees it: identities resolved to keys.
type emitted struct {
	Window           int64
	Client, Server   string
	ServerPort       uint16
	Start, End       int64
	Up, Down         uint64
	UpPkts, DownPkts uint64
	Records, Dups    uint64
	TrafficPath      uint8
}

func (e emitted) String() string {
	return fmt.Sprintf("w=%d %s->%s:%d [%d,%d] up=%d down=%d pk=%d/%d rec=%d dup=%d tp=%d",
		e.Window, e.Client, e.Server, e.ServerPort, e.Start, e.End, e.Up, e.Down, e.UpPkts, e.DownPkts, e.Records, e.Dups, e.TrafficPath)
}

type collector struct{ out []emitted }

func (c *collector) emit(g *Aggregate, client, server string) error {
	c.out = append(c.out, emitted{
		Window: g.Window, Client: client, Server: server, ServerPort: g.ServerPort,
		Start: g.Start, End: g.End, Up: g.Uploaded, Down: g.Downloaded,
		UpPkts: g.UploadedPackets, DownPkts: g.DownloadedPackets,
		Records: g.Records, Dups: g.Duplicates, TrafficPath: g.TrafficPath,
	})
	return nil
}

// in is a flow as a test writes it: identities by key.
type in struct {
	client, server string
	port           uint16
	start, end     int64
	up, down       uint64
	dup            bool
	path           uint8
}

func add(t testing.TB, a *Aggregator[string], f in) {
	t.Helper()
	c := a.Intern(f.client, func() string { return f.client })
	s := a.Intern(f.server, func() string { return f.server })
	err := a.Add(&Flow{
		Client: c, Server: s, ServerPort: f.port, Protocol: 6, Action: 1,
		Start: f.start, End: f.end,
		Uploaded: f.up, Downloaded: f.down, UploadedPackets: f.up / 100, DownloadedPackets: f.down / 100,
		Duplicate: f.dup, TrafficPath: f.path,
	})
	if err != nil {
		t.Fatalf("Add: %v", err)
	}
}

func TestAggregator(t *testing.T) {
	tests := []struct {
		name  string
		opts  Options
		flows []in
		// wantBeforeFlush is what has been emitted before Flush.
		wantBeforeFlush []string
		want            []string
		wantStats       Stats
	}{
		{
			name: "both directions fold into one aggregate",
			opts: Options{Window: time.Minute},
			flows: []in{
				{client: "a", server: "b", port: 22, start: 1418530010, end: 1418530070, up: 4249},
				{client: "a", server: "b", port: 22, start: 1418530010, end: 1418530070, down: 332},
			},
			want:      []string{"w=1418529960 a->b:22 [1418530010,1418530070] up=4249 down=332 pk=42/3 rec=2 dup=0 tp=0"},
			wantStats: Stats{Records: 2, Aggregates: 1, Windows: 1, PeakKeys: 1},
		},
		{
			name: "window boundaries: start picks the window",
			opts: Options{Window: time.Minute, Lateness: -1},
			flows: []in{
				{client: "a", server: "b", port: 443, start: 59, end: 70, up: 100},
				{client: "a", server: "b", port: 443, start: 60, end: 61, up: 200},
				{client: "a", server: "b", port: 443, start: 119, end: 200, up: 300},
				{client: "a", server: "b", port: 443, start: 120, end: 121, up: 400},
			},
			wantBeforeFlush: []string{
				"w=0 a->b:443 [59,70] up=100 down=0 pk=1/0 rec=1 dup=0 tp=0",
				"w=60 a->b:443 [60,200] up=500 down=0 pk=5/0 rec=2 dup=0 tp=0",
			},
			want: []string{
				"w=0 a->b:443 [59,70] up=100 down=0 pk=1/0 rec=1 dup=0 tp=0",
				"w=60 a->b:443 [60,200] up=500 down=0 pk=5/0 rec=2 dup=0 tp=0",
				"w=120 a->b:443 [120,121] up=400 down=0 pk=4/0 rec=1 dup=0 tp=0",
			},
			// The next window opens before the stream is known to be past
			// the previous one.
			wantStats: Stats{Records: 4, Aggregates: 3, Windows: 3, PeakKeys: 2},
		},
		{
			name: "lateness keeps a window open",
			opts: Options{Window: time.Minute, Lateness: time.Minute},
			flows: []in{
				{client: "a", server: "b", port: 443, start: 10, end: 20, up: 1},
				{client: "a", server: "b", port: 443, start: 70, end: 80, up: 2},
				{client: "a", server: "b", port: 443, start: 50, end: 55, up: 4}, // 20s late, still open
				{client: "a", server: "b", port: 443, start: 120, end: 130, up: 8},
				{client: "a", server: "b", port: 443, start: 55, end: 58, up: 16}, // window 0 flushed at 120: late
			},
			wantBeforeFlush: []string{
				"w=0 a->b:443 [10,55] up=5 down=0 pk=0/0 rec=2 dup=0 tp=0",
			},
			want: []string{
				"w=0 a->b:443 [10,55] up=5 down=0 pk=0/0 rec=2 dup=0 tp=0",
				"w=0 a->b:443 [55,58] up=16 down=0 pk=0/0 rec=1 dup=0 tp=0",
				"w=60 a->b:443 [70,80] up=2 down=0 pk=0/0 rec=1 dup=0 tp=0",
				"w=120 a->b:443 [120,130] up=8 down=0 pk=0/0 rec=1 dup=0 tp=0",
			},
			wantStats: Stats{Records: 5, Aggregates: 4, Windows: 4, Late: 1, PeakKeys: 3},
		},
		{
			name: "keys: server port, client and server apart",
			opts: Options{Window: time.Minute},
			flows: []in{
				{client: "a", server: "b", port: 443, start: 0, end: 1, up: 1},
				{client: "a", server: "b", port: 80, start: 0, end: 1, up: 2},
				{client: "b", server: "a", port: 443, start: 0, end: 1, up: 4},
				{client: "a", server: "c", port: 443, start: 0, end: 1, up: 8},
				{client: "a", server: "b", port: 443, start: 1, end: 2, up: 16},
			},
			want: []string{
				"w=0 a->b:443 [0,2] up=17 down=0 pk=0/0 rec=2 dup=0 tp=0",
				"w=0 a->b:80 [0,1] up=2 down=0 pk=0/0 rec=1 dup=0 tp=0",
				"w=0 b->a:443 [0,1] up=4 down=0 pk=0/0 rec=1 dup=0 tp=0",
				"w=0 a->c:443 [0,1] up=8 down=0 pk=0/0 rec=1 dup=0 tp=0",
			},
			wantStats: Stats{Records: 5, Aggregates: 4, Windows: 1, PeakKeys: 4},
		},
		{
			name: "duplicates count as records, not bytes",
			opts: Options{Window: time.Minute},
			flows: []in{
				{client: "a", server: "b", port: 5432, start: 0, end: 10, up: 1000, path: 1},
				{client: "a", server: "b", port: 5432, start: 0, end: 10, up: 1000, dup: true},
				{client: "a", server: "b", port: 5432, start: 0, end: 10, down: 300, path: 2},
				{client: "a", server: "b", port: 5432, start: 0, end: 10, down: 300, dup: true},
			},
			want:      []string{"w=0 a->b:5432 [0,10] up=1000 down=300 pk=10/3 rec=4 dup=2 tp=1"},
			wantStats: Stats{Records: 4, Duplicates: 2, Aggregates: 1, Windows: 1, PeakKeys: 1},
		},
		{
			name: "bounded memory: the oldest window is flushed early",
			opts: Options{Window: time.Minute, MaxKeys: 2, Lateness: 10 * time.Minute},
			flows: []in{
				{client: "a", server: "b", port: 1, start: 0, end: 1, up: 1},
				{client: "a", server: "b", port: 1, start: 60, end: 61, up: 2},
				{client: "a", server: "b", port: 2, start: 60, end: 61, up: 4}, // third key: window 0 goes
				{client: "a", server: "b", port: 3, start: 60, end: 61, up: 8}, // fourth: window 60 goes
				{client: "a", server: "b", port: 1, start: 60, end: 61, up: 16},
			},
			wantBeforeFlush: []string{
				"w=0 a->b:1 [0,1] up=1 down=0 pk=0/0 rec=1 dup=0 tp=0",
				"w=60 a->b:1 [60,61] up=2 down=0 pk=0/0 rec=1 dup=0 tp=0",
				"w=60 a->b:2 [60,61] up=4 down=0 pk=0/0 rec=1 dup=0 tp=0",
			},
			want: []string{
				"w=0 a->b:1 [0,1] up=1 down=0 pk=0/0 rec=1 dup=0 tp=0",
				"w=60 a->b:1 [60,61] up=2 down=0 pk=0/0 rec=1 dup=0 tp=0",
				"w=60 a->b:2 [60,61] up=4 down=0 pk=0/0 rec=1 dup=0 tp=0",
				"w=60 a->b:3 [60,61] up=8 down=0 pk=0/0 rec=1 dup=0 tp=0",
				"w=60 a->b:1 [60,61] up=16 down=0 pk=0/0 rec=1 dup=0 tp=0",
			},
			wantStats: Stats{Records: 5, Aggregates: 5, Windows: 3, EarlyFlushes: 2, PeakKeys: 2},
		},
		{
			name: "negative times fall in the window below",
			opts: Options{Window: time.Minute},
			flows: []in{
				{client: "a", server: "b", port: 1, start: -1, end: 0, up: 1},
				{client: "a", server: "b", port: 1, start: -60, end: 0, up: 2},
				{client: "a", server: "b", port: 1, start: -61, end: 0, up: 4},
			},
			want: []string{
				"w=-120 a->b:1 [-61,0] up=4 down=0 pk=0/0 rec=1 dup=0 tp=0",
				"w=-60 a->b:1 [-60,0] up=3 down=0 pk=0/0 rec=2 dup=0 tp=0",
			},
			wantStats: Stats{Records: 3, Aggregates: 2, Windows: 2, PeakKeys: 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c collector
			a, err := New(tt.opts, c.emit)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range tt.flows {
				add(t, a, f)
			}
			if got := strs(c.out); !reflect.DeepEqual(got, orEmpty(tt.wantBeforeFlush)) {
				t.Errorf("before Flush:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(tt.wantBeforeFlush, "\n     "))
			}
			if err := a.Flush(); err != nil {
				t.Fatal(err)
			}
			if got := strs(c.out); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("after Flush:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(tt.want, "\n     "))
			}
			if got := a.Stats(); got != tt.wantStats {
				t.Errorf("Stats = %+v, want %+v", got, tt.wantStats)
			}
			// Conservation: every flow is in exactly one emitted aggregate.
			var recs uint64
			for _, e := range c.out {
				recs += e.Records
			}
			if recs != uint64(len(tt.flows)) {
				t.Errorf("emitted aggregates hold %d records, want %d", recs, len(tt.flows))
			}
		})
	}
}

func strs(es []emitted) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.String())
	}
	return out
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func TestNewRejectsWindow(t *testing.T) {
	for _, w := range []time.Duration{-time.Second, 1500 * time.Millisecond, time.Millisecond} {
		t.Run(w.String(), func(t *testing.T) {
			if _, err := New(Options{Window: w}, (&collector{}).emit); !errors.Is(err, ErrWindow) {
				t.Errorf("New(Window: %v) error = %v, want ErrWindow", w, err)
			}
		})
	}
}

func TestEmitErrorStops(t *testing.T) {
	boom := errors.New("boom")
	a, err := New(Options{Window: time.Minute, Lateness: -1}, func(*Aggregate, string, string) error { return boom })
	if err != nil {
		t.Fatal(err)
	}
	c := a.Intern("a", func() string { return "a" })
	s := a.Intern("b", func() string { return "b" })
	if err := a.Add(&Flow{Client: c, Server: s, Start: 0}); err != nil {
		t.Fatalf("first Add: %v", err)
	}
	c = a.Intern("a", func() string { return "a" })
	s = a.Intern("b", func() string { return "b" })
	if err := a.Add(&Flow{Client: c, Server: s, Start: 60}); !errors.Is(err, boom) {
		t.Fatalf("Add past the window = %v, want the emit error", err)
	}
}

// TestIdentitiesReleased checks that identities do not outlive the
// aggregates that use them, so a stream of ever new endpoints stays bounded.
func TestIdentitiesReleased(t *testing.T) {
	var c collector
	a, err := New(Options{Window: time.Minute, Lateness: -1, MaxKeys: 50}, c.emit)
	if err != nil {
		t.Fatal(err)
	}
	peakIdents := 0
	for i := range 100_000 {
		client := fmt.Sprintf("client-%d", i)
		add(t, a, in{client: client, server: "server", port: 443, start: int64(i / 10), end: int64(i/10 + 1), up: 1})
		peakIdents = max(peakIdents, a.Stats().Identities)
		if i%7 == 0 {
			// An identity interned for a flow that never comes.
			a.Intern(fmt.Sprintf("orphan-%d", i), func() string { return "orphan" })
		}
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	st := a.Stats()
	if st.Identities != 0 || st.OpenKeys != 0 {
		t.Errorf("after Flush: %d identities, %d open keys; want none", st.Identities, st.OpenKeys)
	}
	if st.PeakKeys > 50 {
		t.Errorf("PeakKeys = %d, want at most MaxKeys 50", st.PeakKeys)
	}
	// Clients of open aggregates, the server and orphans since the last
	// flush.
	if peakIdents > 2*50+1+50 {
		t.Errorf("peak identities = %d, want bounded by the open keys", peakIdents)
	}
	if len(a.idents) > 2*50+1+50 {
		t.Errorf("identity table grew to %d entries", len(a.idents))
	}
	var recs uint64
	for _, e := range c.out {
		recs += e.Records
		if !strings.HasPrefix(e.Client, "client-") {
			t.Fatalf("aggregate with client %q: an identity was reused while still referenced", e.Client)
		}
	}
	if recs != 100_000 {
		t.Errorf("emitted %d records, want 100000", recs)
	}
}

// TestAddSteadyStateAllocs checks that folding into open aggregates does not
// allocate.
func TestAddSteadyStateAllocs(t *testing.T) {
	a, err := New(Options{Window: time.Minute}, func(*Aggregate, string, string) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{"a", "b", "c", "d"}
	var start int64
	step := func() {
		for i, k := range keys {
			c := a.Intern(k, func() string { return k })
			s := a.Intern(keys[(i+1)%len(keys)], func() string { return k })
			if err := a.Add(&Flow{Client: c, Server: s, ServerPort: 443, Start: start, End: start + 1, Uploaded: 10}); err != nil {
				t.Fatal(err)
			}
		}
		start++ // crosses windows, so flushes are part of the steady state
	}
	for range 1000 {
		step()
	}
	if n := testing.AllocsPerRun(1000, step); n != 0 {
		t.Errorf("Add allocates %v times per step, want 0", n)
	}
}

func BenchmarkAdd(b *testing.B) {
	a, err := New(Options{Window: time.Minute}, func(*Aggregate, string, string) error { return nil })
	if err != nil {
		b.Fatal(err)
	}
	keys := make([]string, 64)
	for i := range keys {
		keys[i] = fmt.Sprintf("identity-%d", i)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		k := keys[i%len(keys)]
		c := a.Intern(k, func() string { return k })
		s := a.Intern(keys[(i/len(keys))%len(keys)], func() string { return k })
		if err := a.Add(&Flow{Client: c, Server: s, ServerPort: 443, Start: int64(i / 1000), End: int64(i/1000 + 1), Uploaded: 10}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "flows/s")
}

// TestRandomFlowsConserved adds random flows, with many keys, late flows and
// early flushes, and checks that the aggregates emitted add up, key by key,
// to the flows added: whatever the aggregator remembers about recent keys
// must never send a flow to another key's aggregate.
func TestRandomFlowsConserved(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, maxKeys := range []int{7, 50, 100_000} {
		var c collector
		a, err := New(Options{Window: 60 * time.Second, Lateness: 30 * time.Second, MaxKeys: maxKeys}, c.emit)
		if err != nil {
			t.Fatal(err)
		}
		type key struct {
			window         int64
			client, server string
			port           uint16
		}
		want := map[key][2]uint64{} // records, bytes up
		now := int64(1_700_000_000)
		for range 20_000 {
			now += int64(rng.IntN(3))
			f := in{
				client: fmt.Sprintf("c%d", rng.IntN(12)),
				server: fmt.Sprintf("s%d", rng.IntN(5)),
				port:   uint16(rng.IntN(4)),
				start:  now - int64(rng.IntN(120)),
				up:     uint64(rng.IntN(1000)),
			}
			f.end = f.start + 5
			add(t, a, f)
			k := key{a.WindowStart(f.start), f.client, f.server, f.port}
			w := want[k]
			want[k] = [2]uint64{w[0] + 1, w[1] + f.up}
		}
		if err := a.Flush(); err != nil {
			t.Fatal(err)
		}
		got := map[key][2]uint64{}
		for _, e := range c.out {
			k := key{e.Window, e.Client, e.Server, e.ServerPort}
			g := got[k]
			got[k] = [2]uint64{g[0] + e.Records, g[1] + e.Up}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("max keys %d: %d keys emitted, %d added, or their sums differ", maxKeys, len(got), len(want))
		}
	}
}

// TestWindowStart checks WindowStart, which remembers the last window it
// found, against the arithmetic, on times in and out of order, negative and
// at the ends of int64.
func TestWindowStart(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 3))
	for _, size := range []time.Duration{time.Second, 60 * time.Second, 7 * time.Second, 3600 * time.Second} {
		a, err := New(Options{Window: size}, func(*Aggregate, string, string) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		s := int64(size / time.Second)
		want := func(u int64) int64 {
			w := u / s * s
			if u%s != 0 && u < 0 {
				w -= s
			}
			return w
		}
		times := []int64{0, -1, 1, s - 1, s, -s, -s - 1, 1<<63 - 1, -1 << 63, 1<<63 - 1 - s, -1<<63 + s}
		u := int64(1_700_000_000)
		for range 2000 {
			switch rng.IntN(4) {
			case 0:
				times = append(times, int64(rng.Uint64()))
			default:
				u += int64(rng.IntN(int(2*s))) - s/2
				times = append(times, u)
			}
		}
		for _, u := range times {
			if got := a.WindowStart(u); got != want(u) {
				t.Fatalf("window %v: WindowStart(%d) = %d, want %d", size, u, got, want(u))
			}
		}
	}
}
