//go:build cgo

package report

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/queries"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/localsql"
)

// answerRows prints an answer as localsql prints the query's rows.
func answerRows(a *Answers, name string) [][]string {
	s := func(v any) string { return fmt.Sprint(v) }
	var rows [][]string
	switch name {
	case QueryCrossAZShare:
		c := a.CrossAZ
		share := "<nil>"
		if c.Known {
			share = strconv.FormatFloat(c.Share, 'g', -1, 64)
		}
		rows = [][]string{{s(c.CrossAZBytes), s(c.KnownAZBytes), s(c.TotalBytes), share}}
	case QueryAppPeers:
		for _, p := range a.AppPeers {
			rows = append(rows, []string{p.App, s(p.Bytes)})
		}
	case QueryLBBypass:
		for _, b := range a.LBBypass {
			rows = append(rows, []string{b.Client, b.Server, s(b.Port), s(b.Bytes)})
		}
	case QueryLambdaRDSDirect:
		for _, d := range a.LambdaRDSDirect {
			rows = append(rows, []string{d.Function, d.DB, s(d.Bytes), s(d.Records)})
		}
	case QueryDestinationGrowth:
		for _, g := range a.DestinationGrowth {
			rows = append(rows, []string{g.Destination, s(g.Previous), s(g.Current), s(g.Growth)})
		}
	}
	return rows
}

// TestAnswersMatchDuckDB reads the estate's rows from a folder as the page
// does and checks each answer against the named query run by DuckDB on the
// same files, every column and in order, and against the ground truth.
func TestAnswersMatchDuckDB(t *testing.T) {
	_, truth := estateRows(t)
	for _, tc := range []struct {
		format, table string
		files         func(dir string) localsql.Files
	}{
		{FormatJSON, localsql.NDJSONTable, func(dir string) localsql.Files {
			return localsql.Files{NDJSON: filepath.Join(dir, "dt=*", "hour=*", "*.json.gz")}
		}},
		{FormatParquet, localsql.ParquetTable, func(dir string) localsql.Files {
			return localsql.Files{Parquet: filepath.Join(dir, "dt=*", "hour=*", "*.parquet")}
		}},
	} {
		t.Run(tc.format, func(t *testing.T) {
			store := estateStore(t, tc.format)
			b := NewBuilder(Options{Now: truth.Now, App: truth.App, From: QueriesStart(truth.Now)})
			if _, err := Scan(t.Context(), store, Selection{Start: QueriesStart(truth.Now), End: truth.Now, Format: tc.format}, func(r *connrows.Row) error {
				b.Add(r)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			answers := b.Model().Answers
			db, err := localsql.Open(tc.files(string(store)))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			for _, q := range queries.All() {
				text, err := q.Render(queries.Params(tc.table, truth))
				if err != nil {
					t.Fatal(err)
				}
				_, want, err := localsql.Query(db, text)
				if err != nil {
					t.Fatalf("%s: %v", q.Name, err)
				}
				got := answerRows(answers, q.Name)
				if !slices.EqualFunc(got, want, slices.Equal[[]string]) {
					t.Errorf("%s: the page answers\n%q\nDuckDB answers\n%q", q.Name, got, want)
				}
				if err := queries.Compare(q.Name, truth, got); err != nil {
					t.Errorf("the page's answer: %v", err)
				}
				t.Logf("%s: %d rows", q.Name, len(got))
			}
		})
	}
}
