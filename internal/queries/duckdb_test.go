//go:build cgo

// The DuckDB tests need cgo (the DuckDB binding links the DuckDB library);
// the queries package itself does not, so that the provider and the Lambda
// function build without it.

package queries

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/enrich"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/inventory"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/localsql"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/s3sink"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/synthetic"
)

// enrichSet enriches the set's flow logs into files under dir, as the
// handlers store them in S3: PREFIX/dt=.../hour=.../NAME, one prefix per
// format.
func enrichSet(t *testing.T, set *synthetic.Set, dir string) {
	t.Helper()
	inv := inventory.New()
	for _, load := range []func() error{
		func() error { return inv.LoadNetworkInterfaces(bytes.NewReader(set.NetworkInterfaces), time.Time{}) },
		func() error { return inv.LoadTags(bytes.NewReader(set.Resources)) },
		func() error { return inv.LoadIPRanges(bytes.NewReader(set.IPRanges)) },
	} {
		if err := load(); err != nil {
			t.Fatal(err)
		}
	}
	for _, format := range s3sink.Formats {
		sink, err := s3sink.New(s3sink.Dir(dir), "synthetic", string(format), format)
		if err != nil {
			t.Fatal(err)
		}
		for i, fl := range set.FlowLogs {
			b := sink.NewBatch()
			e, err := enrich.New(inv, b, enrich.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := e.ReadLines(bytes.NewReader(fl.File())); err != nil {
				t.Fatal(err)
			}
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			if st := e.Stats(); st.Rejected != 0 || st.Read != len(fl.Lines) {
				t.Fatalf("%s: %+v", fl.LogGroup, st)
			}
			if _, err := sink.Commit(context.Background(), b, s3sink.LogsName(synthetic.Account, fl.LogGroup, nil, "all", fmt.Sprint(i+1))); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// openDuckDB returns a DuckDB with the two tables of the shipped definition
// as views over the files: vpcflow_connections over the gzip NDJSON and
// vpcflow_connections_parquet over the Parquet.
func openDuckDB(t *testing.T, dir string) *sql.DB {
	t.Helper()
	db, err := localsql.Open(localsql.Files{
		NDJSON:  filepath.Join(dir, "ndjson", "**", "*.json.gz"),
		Parquet: filepath.Join(dir, "parquet", "**", "*.parquet"),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// run renders a query, checks that the text is the shipped one with its
// parameters replaced and nothing else, runs it and returns its rows as
// strings.
func run(t *testing.T, db *sql.DB, name string, params map[string]string) [][]string {
	t.Helper()
	q, err := Get(name)
	if err != nil {
		t.Fatal(err)
	}
	text, err := q.Render(params)
	if err != nil {
		t.Fatal(err)
	}
	shipped, err := os.ReadFile(name + ".sql")
	if err != nil {
		t.Fatal(err)
	}
	plain := string(shipped)
	for k, v := range params {
		plain = strings.ReplaceAll(plain, "{{"+k+"}}", v)
	}
	if text != plain {
		t.Fatalf("the text run is not the shipped %s.sql with its parameters", name)
	}
	_, rows, err := localsql.Query(db, text)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return rows
}

// TestQueriesOnSyntheticSet runs every named query in DuckDB over the
// enriched synthetic traffic, in both formats, and compares the answers
// with the generator's ground truth.
func TestQueriesOnSyntheticSet(t *testing.T) {
	set := synthetic.Generate(synthetic.Options{Seed: 1})
	dir := t.TempDir()
	enrichSet(t, set, dir)
	db := openDuckDB(t, dir)
	truth := set.Truth

	for _, table := range []string{localsql.NDJSONTable, localsql.ParquetTable} {
		params := Params(table, truth)
		t.Run(table, func(t *testing.T) {
			for _, q := range All() {
				t.Run(q.Name, func(t *testing.T) {
					if err := Compare(q.Name, truth, run(t, db, q.Name, params)); err != nil {
						t.Error(err)
					}
				})
			}
		})
	}
}
