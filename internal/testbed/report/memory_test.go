package report

import (
	"runtime"
	"testing"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
)

// repeated builds the model of the estate's rows given times times over,
// each copy with its own byte counts, and returns the builder.
func repeated(rows []connrows.Row, times int, opts Options) *Builder {
	b := NewBuilder(opts)
	var r connrows.Row
	for i := range times {
		for j := range rows {
			r = rows[j]
			r.Uploaded += int64(i)
			b.Add(&r)
		}
	}
	return b
}

func retained(f func() *Builder) (uint64, *Builder) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b := f()
	runtime.GC()
	runtime.ReadMemStats(&after)
	return after.HeapAlloc - min(after.HeapAlloc, before.HeapAlloc), b
}

// TestBuilderMemoryBounded feeds the estate's rows once and 40 times over:
// the builder keeps the same aggregates, and about the same heap, whatever
// the number of rows.
func TestBuilderMemoryBounded(t *testing.T) {
	rows, truth := estateRows(t)
	opts := Options{Now: truth.Now, App: truth.App}
	small, b1 := retained(func() *Builder { return repeated(rows, 1, opts) })
	large, b40 := retained(func() *Builder { return repeated(rows, 40, opts) })
	g1, g40 := b1.Groups(), b40.Groups()
	t.Logf("%d rows: %d aggregates, %d heap bytes; %d rows: %d aggregates, %d heap bytes", len(rows), g1, small, 40*len(rows), g40, large)
	if g1 != g40 || g1 == 0 {
		t.Errorf("%d aggregates for %d rows, %d for 40 times as many", g1, len(rows), g40)
	}
	if g1 >= len(rows) {
		t.Errorf("%d aggregates for %d rows: no fewer than the rows", g1, len(rows))
	}
	// Generous: the heap holds the same maps; only their growth history
	// and the runtime's own allocations differ.
	if large > 2*small+64<<10 {
		t.Errorf("the builder keeps %d heap bytes after %d rows, %d after %d", large, 40*len(rows), small, len(rows))
	}
	if m1, m40 := b1.Model(), b40.Model(); m40.Rows != 40*m1.Rows || len(m40.Apps) != len(m1.Apps) || len(m40.Answers.DestinationGrowth) != len(m1.Answers.DestinationGrowth) {
		t.Errorf("models of %d and %d rows", m1.Rows, m40.Rows)
	}
}

// BenchmarkScanNDJSON reads the estate's rows from gzip NDJSON files into
// a Builder with the answers, as enricher report does.
func BenchmarkScanNDJSON(b *testing.B) { benchmarkScan(b, FormatJSON) }

// BenchmarkScanParquet is BenchmarkScanNDJSON over Parquet files.
func BenchmarkScanParquet(b *testing.B) { benchmarkScan(b, FormatParquet) }

func benchmarkScan(b *testing.B, format string) {
	_, truth := estateRows(b)
	store := estateStore(b, format)
	sel := Selection{Start: QueriesStart(truth.Now), End: truth.Now, Format: format}
	rows := 0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		bd := NewBuilder(Options{Now: truth.Now, App: truth.App})
		st, err := Scan(b.Context(), store, sel, func(r *connrows.Row) error {
			bd.Add(r)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		rows += st.Kept
		_ = bd.Model()
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkBuilderAdd is the summary alone, without reading.
func BenchmarkBuilderAdd(b *testing.B) {
	rows, truth := estateRows(b)
	bd := NewBuilder(Options{Now: truth.Now, App: truth.App})
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		bd.Add(&rows[n%len(rows)])
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
}
