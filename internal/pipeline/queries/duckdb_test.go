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
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/enrich"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/queries/sqlstring"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/s3sink"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/localsql"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/synthetic"
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
		r, err := renderers[k](v)
		if err != nil {
			t.Fatal(err)
		}
		plain = strings.ReplaceAll(plain, "{{"+k+"}}", r)
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

// adversarial are values a parameter must hold as text and nothing else:
// quotes, backslashes, comment openers and closers, line breaks of every
// kind, NUL and other control and format characters, placeholders, and
// long values (over the 254 arguments of Trino's concat).
var adversarial = []string{
	"x\nCREATE TABLE pwned AS --",
	"'; DROP TABLE x; --",
	"'; CREATE TABLE pwned AS SELECT 1; --",
	"' OR '1'='1",
	`\'`,
	`\`,
	`\'; CREATE TABLE pwned AS SELECT 1; --`,
	"*/",
	"/*",
	"*/ CREATE TABLE pwned AS SELECT 1; /*",
	"--",
	"--\n; CREATE TABLE pwned AS SELECT 1; --",
	"x\rCREATE TABLE pwned AS --",
	"x\r\nCREATE TABLE pwned AS --",
	"x\u2028CREATE TABLE pwned AS --",
	"x\u2029CREATE TABLE pwned AS --",
	"x\u0085CREATE TABLE pwned AS --",
	"x\vy\fz",
	"a\x00b",
	"\x00",
	"\x00'; CREATE TABLE pwned AS SELECT 1; --",
	"\t",
	"\x1b[31mred\x1b[0m",
	"\x7f",
	"\u202eevil\u202c",
	"\ufeffbom",
	"zero\u200bwidth",
	"''",
	"'",
	`"`,
	`"; CREATE TABLE pwned AS SELECT 1; --`,
	"{{app}}",
	"{{table}}",
	"{{now}}",
	"$1",
	"?",
	":app",
	"%s",
	"E'\\''",
	"U&'\\0041'",
	"été 東京 🚀",
	"\U0010ffff\uffff",
	"",
	" ",
	strings.Repeat("A'\n", 3400) + "x", // 10 KB, 6801 pieces
	strings.Repeat("x", 10<<10),
	strings.Repeat("'", 10<<10),
	strings.Repeat("\x00", 300),
}

// TestAdversarialParameters runs every shipped query with each adversarial
// value in each of its parameters, in DuckDB. A value of {{app}}, the one
// string parameter, must run and be compared as itself: app_peers finds
// the rows whose app tag is exactly that value, with the ground truth's
// answer. A value of {{table}} or {{now}} must be refused by Render, or
// run as a name without effect. No run may create or change anything (the
// catalog is the same before and after each), and a first run of a naive
// rendering shows that the catalog check sees a statement that does.
func TestAdversarialParameters(t *testing.T) {
	set := synthetic.Generate(synthetic.Options{Seed: 1})
	dir := t.TempDir()
	enrichSet(t, set, dir+"/ndjson-only")
	db, err := localsql.Open(localsql.Files{NDJSON: filepath.Join(dir, "ndjson-only", "ndjson", "**", "*.json.gz")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	truth := set.Truth

	// One table per value: the rows about truth.App, with that app tag
	// replaced by the value, given to DuckDB as a bound parameter (not
	// through SQL text).
	app := "'" + truth.App + "'"
	if _, err := db.Exec(fmt.Sprintf(`CREATE TABLE about_app AS SELECT * FROM %s AS c
		WHERE c.client.tags['app'] = %[2]s OR c.server.tags['app'] = %[2]s`, localsql.NDJSONTable, app)); err != nil {
		t.Fatal(err)
	}
	retag := func(end string) string {
		return fmt.Sprintf(`CASE WHEN c.%[1]s.tags['app'] = %[2]s THEN struct_update(c.%[1]s, tags := map_concat(c.%[1]s.tags, map(['app'], [v.value]))) ELSE c.%[1]s END AS %[1]s`, end, app)
	}
	for i, v := range adversarial {
		stmt := fmt.Sprintf(`CREATE TABLE adversarial_%d AS WITH v AS (SELECT CAST(? AS VARCHAR) AS value)
			SELECT c.* REPLACE (%s, %s) FROM about_app AS c, v`, i, retag("client"), retag("server"))
		if _, err := db.Exec(stmt, v); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	catalog := func() []string {
		t.Helper()
		c, err := localsql.Catalog(db)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	before := catalog()
	unchanged := func(t *testing.T, what string) {
		t.Helper()
		if after := catalog(); !slices.Equal(before, after) {
			t.Fatalf("%s changed the catalog:\nbefore %q\nafter  %q", what, before, after)
		}
	}

	peers, err := Get(AppPeers)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the catalog check sees an injection", func(t *testing.T) {
		text, err := peers.Render(Params(localsql.NDJSONTable, truth))
		if err != nil {
			t.Fatal(err)
		}
		// The rendering this package had: the value in a comment, its
		// quotes doubled.
		naive := "-- about " + strings.ReplaceAll("x\nCREATE TABLE pwned AS --", "'", "''") + "\n" + text
		if _, _, err := localsql.Query(db, naive); err != nil {
			t.Fatal(err)
		}
		if after := catalog(); slices.Equal(before, after) || !slices.ContainsFunc(after, func(l string) bool { return strings.Contains(l, ".pwned ") }) {
			t.Fatalf("the catalog check did not see the table the naive rendering created: %q", after)
		}
		if _, err := db.Exec("DROP TABLE pwned"); err != nil {
			t.Fatal(err)
		}
		unchanged(t, "dropping the table")
	})

	for i, v := range adversarial {
		label := fmt.Sprintf("%d %.24q", i, v)
		t.Run("value "+label, func(t *testing.T) {
			lit, err := sqlstring.Literal(v)
			if err != nil {
				t.Fatal(err)
			}
			// The expression reads back as the value, through the driver.
			var back string
			var equal bool
			if err := db.QueryRow("SELECT "+lit+", "+lit+" = ?", v).Scan(&back, &equal); err != nil {
				t.Fatal(err)
			}
			if back != v || !equal {
				t.Fatalf("%.80s reads back as %.80q (equal: %v), want %.80q", lit, back, equal, v)
			}
			table := fmt.Sprintf("adversarial_%d", i)
			for _, q := range All() {
				for _, p := range q.Params {
					params := Params(table, truth)
					params[p] = v
					text, err := q.Render(params)
					if p != "app" {
						if err == nil {
							// A value that is a table name runs as one.
							_, _, _ = localsql.Query(db, text)
							unchanged(t, q.Name+" with {{"+p+"}}")
						}
						continue
					}
					if err != nil {
						t.Fatalf("%s: %v", q.Name, err)
					}
					_, rows, err := localsql.Query(db, text)
					if err != nil {
						t.Fatalf("%s: %v", q.Name, err)
					}
					unchanged(t, q.Name)
					if err := Compare(q.Name, truth, rows); err != nil {
						t.Errorf("the rows tagged app=%.40q: %v", v, err)
					}
					// The old value is gone from the table: the answer
					// above is about the rows tagged with this value.
					params[p] = truth.App
					text, err = q.Render(params)
					if err != nil {
						t.Fatal(err)
					}
					if _, rows, err := localsql.Query(db, text); err != nil || len(rows) != 0 {
						t.Errorf("%s about %q on the retagged rows: %v, %v; want no rows", q.Name, truth.App, rows, err)
					}
				}
			}
		})
	}
}
