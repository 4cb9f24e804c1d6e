package report

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/queries"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/report/reporttest"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/synthetic"
)

var estate struct {
	once  sync.Once
	rows  []connrows.Row
	truth synthetic.Truth
	err   error
}

// estateRows are the rows of the demo's synthetic estate, one hour of
// traffic a day.
func estateRows(t testing.TB) ([]connrows.Row, synthetic.Truth) {
	t.Helper()
	estate.once.Do(func() {
		estate.rows, estate.truth, estate.err = reporttest.Rows(synthetic.Options{Seed: 3, HoursPerDay: 1})
	})
	if estate.err != nil {
		t.Fatal(estate.err)
	}
	return estate.rows, estate.truth
}

// estateStore writes the estate's rows in a folder laid out as the
// enricher's S3 prefix.
func estateStore(t testing.TB, format string) Dir {
	t.Helper()
	rows, _ := estateRows(t)
	dir := t.TempDir()
	if _, err := reporttest.WriteStore(dir, rows, format, 500); err != nil {
		t.Fatal(err)
	}
	return Dir(dir)
}

// direct builds the model of the rows of a range without any store.
func direct(rows []connrows.Row, opts Options, start, end time.Time) Model {
	b := NewBuilder(opts)
	for i := range rows {
		if w := rows[i].Window; !w.Before(start) && w.Before(end) {
			b.Add(&rows[i])
		}
	}
	return b.Model()
}

func TestQueryNames(t *testing.T) {
	for _, name := range []string{QueryCrossAZShare, QueryAppPeers, QueryLBBypass, QueryLambdaRDSDirect, QueryDestinationGrowth} {
		if _, err := queries.Get(name); err != nil {
			t.Error(err)
		}
	}
	if n := len(queries.All()); n != 5 {
		t.Errorf("%d named queries; the page answers 5: add the new one to Answers", n)
	}
}

// TestScanStore reads the estate's rows from a folder in both formats, over
// the whole range and over part of it, and gets the model of the same rows
// given directly.
func TestScanStore(t *testing.T) {
	rows, truth := estateRows(t)
	for _, format := range []string{FormatJSON, FormatParquet} {
		store := estateStore(t, format)
		for _, tc := range []struct {
			name       string
			start, end time.Time
		}{
			{"every query's period", QueriesStart(truth.Now), truth.Now},
			// Not on hours: the partitions at both ends are read in part.
			{"part of a week", truth.Now.Add(-100*time.Hour - 30*time.Minute), truth.Now.Add(-7*time.Hour - 20*time.Minute)},
		} {
			t.Run(format+"/"+tc.name, func(t *testing.T) {
				opts := Options{Now: tc.end, App: truth.App, From: tc.start}
				want := direct(rows, opts, tc.start, tc.end)
				var got Model
				b := NewBuilder(opts)
				st, err := Scan(t.Context(), store, Selection{Start: tc.start, End: tc.end, Format: format}, func(r *connrows.Row) error {
					b.Add(r)
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				got = b.Model()
				if !reflect.DeepEqual(got, want) {
					t.Errorf("the model of the rows scanned differs from the model of the rows:\n got %+v\nwant %+v", got.Answers, want.Answers)
				}
				days := 0
				for d := tc.start.Truncate(24 * time.Hour); d.Before(tc.end); d = d.Add(24 * time.Hour) {
					days++
				}
				if st.Listings != days || st.Kept != want.Rows || st.Kept == 0 || st.Rows < st.Kept {
					t.Errorf("stats %+v: want %d listings and %d rows kept", st, days, want.Rows)
				}
				t.Logf("%+v", st)
			})
		}
		// Without --format, by name; the decoys are skipped either way.
		st, err := Scan(t.Context(), store, Selection{Start: QueriesStart(truth.Now), End: truth.Now}, func(*connrows.Row) error { return nil })
		if err != nil || st.Kept != len(rows) || st.Skipped != 2 {
			t.Errorf("%s by name: %+v, %v; want %d rows and the 2 decoys of a partition skipped", format, st, err, len(rows))
		}
	}
}

// streamStore serves a Dir's objects as streams, as S3 does, so that
// Parquet goes through a temporary file.
type streamStore struct{ Dir }

func (s streamStore) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	f, err := s.Dir.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(f)
	_ = f.Close()
	return io.NopCloser(bytes.NewReader(b)), err
}

func TestScanStreams(t *testing.T) {
	rows, truth := estateRows(t)
	st, err := Scan(t.Context(), streamStore{estateStore(t, FormatParquet)}, Selection{Start: QueriesStart(truth.Now), End: truth.Now}, func(*connrows.Row) error { return nil })
	if err != nil || st.Kept != len(rows) {
		t.Errorf("%+v, %v", st, err)
	}
}

func TestScanRefuses(t *testing.T) {
	rows, truth := estateRows(t)
	dir := t.TempDir()
	if _, err := reporttest.WriteStore(dir, rows[:10], FormatJSON, 5); err != nil {
		t.Fatal(err)
	}
	if _, err := reporttest.WriteStore(dir, rows[:10], FormatParquet, 5); err != nil {
		t.Fatal(err)
	}
	all := Selection{Start: QueriesStart(truth.Now), End: truth.Now}
	nothing := func(*connrows.Row) error { return nil }
	if _, err := Scan(t.Context(), Dir(dir), all, nothing); err == nil || !strings.Contains(err.Error(), "holds both gzip NDJSON") || !strings.Contains(err.Error(), "--format json or --format parquet") {
		t.Errorf("both formats: %v", err)
	}
	all.Format = FormatJSON
	st, err := Scan(t.Context(), Dir(dir), all, nothing)
	// Parquet read as NDJSON fails, naming the object.
	if err == nil || !strings.Contains(err.Error(), ".parquet: line 1") {
		t.Errorf("--format json over Parquet objects: %+v, %v", st, err)
	}

	odd := t.TempDir()
	if err := os.MkdirAll(filepath.Join(odd, "dt=2024-06-09", "hour=05"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(odd, "dt=2024-06-09", "hour=05", "rows.bin"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Scan(t.Context(), Dir(odd), Selection{Start: truth.Now.AddDate(0, 0, -2), End: truth.Now}, nothing); err == nil || !strings.Contains(err.Error(), "rows.bin: not a row object by its name") {
		t.Errorf("unknown name: %v", err)
	}
	for _, sel := range []Selection{{}, {Start: truth.Now, End: truth.Now}, {Start: truth.Now, End: truth.Now.Add(time.Hour), Format: "csv"}} {
		if _, err := Scan(t.Context(), Dir(odd), sel, nothing); err == nil {
			t.Errorf("%+v: no error", sel)
		}
	}
}

func TestPartitionHour(t *testing.T) {
	for key, want := range map[string]string{
		"dt=2024-06-09/hour=05/a.json.gz":   "2024-06-09T05:00:00Z",
		"dt=2024-06-09/hour=5/b/a.parquet":  "2024-06-09T05:00:00Z",
		"dt=2024-06-09/hour=24/a.json.gz":   "",
		"dt=2024-06-09/a.json.gz":           "",
		"dt=2024-06-09/hour=05/":            "",
		"dt=June/hour=05/a.json.gz":         "",
		"date=2024-06-09/hour=05/a.json.gz": "",
	} {
		got, ok := partitionHour(key)
		if (want == "") != !ok || (ok && got.Format(time.RFC3339) != want) {
			t.Errorf("%s: %v %v, want %q", key, got, ok, want)
		}
	}
	for key, want := range map[string]bool{"dt=x/hour=1/_staging/a": true, "dt=x/hour=1/.a.tmp": true, "dt=x/hour=1/a_b.json.gz": false} {
		if hidden(key) != want {
			t.Errorf("hidden(%s) = %v", key, !want)
		}
	}
}

// TestWrite is the page of make demo and of enricher report.
func TestWrite(t *testing.T) {
	_, truth := estateRows(t)
	store := estateStore(t, FormatJSON)
	var buf bytes.Buffer
	st, err := Write(t.Context(), &buf, store, Request{Selection: Selection{Start: QueriesStart(truth.Now), End: truth.Now}, Title: "Estate", App: truth.App})
	if err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{"<title>Estate</title>", "Answers to the named queries", "Which applications did reporting talk to", ">lb_bypass<", `<svg class="map"`} {
		if !strings.Contains(page, want) {
			t.Errorf("no %q in the page", want)
		}
	}
	if strings.Contains(page, `class="partial"`) {
		i := strings.Index(page, `class="partial"`)
		t.Errorf("a note of partial periods, over every query's period: %s", page[i:i+300])
	}
	t.Logf("%+v, %d bytes of page", st, buf.Len())
}
