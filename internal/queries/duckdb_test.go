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
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/enrich"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/inventory"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/s3sink"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/synthetic"
)

// athenaDDL is the shipped table definition the views are built from.
const athenaDDL = "../enrich/athena/table.sql"

// duckType returns the DuckDB type of an Athena (Hive) column type.
func duckType(t string) (string, error) {
	t = strings.TrimSpace(t)
	switch strings.ToLower(t) {
	case "string":
		return "VARCHAR", nil
	case "bigint":
		return "BIGINT", nil
	case "int":
		return "INTEGER", nil
	case "boolean":
		return "BOOLEAN", nil
	case "timestamp":
		return "TIMESTAMP", nil
	}
	open := strings.IndexByte(t, '<')
	if open < 0 || !strings.HasSuffix(t, ">") {
		return "", fmt.Errorf("no DuckDB type for %q", t)
	}
	inner := t[open+1 : len(t)-1]
	switch strings.ToLower(strings.TrimSpace(t[:open])) {
	case "array":
		e, err := duckType(inner)
		return e + "[]", err
	case "map":
		kv := splitTop(inner, ',')
		if len(kv) != 2 {
			return "", fmt.Errorf("map type %q", t)
		}
		k, err := duckType(kv[0])
		if err != nil {
			return "", err
		}
		v, err := duckType(kv[1])
		return "MAP(" + k + ", " + v + ")", err
	case "struct":
		var fields []string
		for _, f := range splitTop(inner, ',') {
			name, typ, ok := strings.Cut(f, ":")
			if !ok {
				return "", fmt.Errorf("struct field %q", f)
			}
			dt, err := duckType(typ)
			if err != nil {
				return "", err
			}
			fields = append(fields, `"`+strings.Trim(strings.TrimSpace(name), "`")+`" `+dt)
		}
		return "STRUCT(" + strings.Join(fields, ", ") + ")", nil
	}
	return "", fmt.Errorf("no DuckDB type for %q", t)
}

// splitTop splits s at sep outside angle brackets.
func splitTop(s string, sep byte) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<':
			depth++
		case '>':
			depth--
		case sep:
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}

// ddlColumns returns the columns of the first table of the shipped
// definition, as DuckDB name and type pairs.
func ddlColumns(t *testing.T) [][2]string {
	t.Helper()
	ddl, err := os.ReadFile(athenaDDL)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)CREATE EXTERNAL TABLE IF NOT EXISTS vpcflow_connections \((.*?)\n\)\nPARTITIONED BY \(\x60dt\x60 string, \x60hour\x60 string\)`).FindSubmatch(ddl)
	if m == nil {
		t.Fatal("no vpcflow_connections definition partitioned by dt and hour")
	}
	var cols [][2]string
	for _, c := range splitTop(strings.Join(strings.Fields(string(m[1])), " "), ',') {
		name, typ, ok := strings.Cut(strings.TrimSpace(c), " ")
		if !ok {
			t.Fatalf("column %q", c)
		}
		dt, err := duckType(typ)
		if err != nil {
			t.Fatal(err)
		}
		cols = append(cols, [2]string{strings.Trim(name, "`"), dt})
	}
	return cols
}

// enrichSet enriches the set's flow logs into files under dir, as the
// handlers store them in S3: PREFIX/dt=.../hour=.../NAME, one prefix per
// format.
func enrichSet(t *testing.T, set *synthetic.Set, dir string) {
	t.Helper()
	inv := inventory.New()
	for _, load := range []func() error{
		func() error { return inv.LoadNetworkInterfaces(bytes.NewReader(set.NetworkInterfaces), timeZero) },
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
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	// One connection: settings and views belong to it.
	db.SetMaxOpenConns(1)
	cols := ddlColumns(t)
	var spec, names []string
	for _, c := range cols {
		spec = append(spec, fmt.Sprintf(`"%s": '%s'`, c[0], strings.ReplaceAll(c[1], "'", "''")))
		names = append(names, fmt.Sprintf(`CAST("%s" AS %s) AS "%s"`, c[0], c[1], c[0]))
	}
	hive := `hive_partitioning = true, hive_types = {'dt': 'VARCHAR', 'hour': 'VARCHAR'}`
	stmts := []string{
		// Parquet timestamps are UTC instants; Athena reads them as UTC.
		`SET TimeZone = 'UTC'`,
		fmt.Sprintf(`CREATE VIEW vpcflow_connections AS SELECT * FROM read_json('%s', format = 'newline_delimited', %s, columns = {%s})`,
			filepath.Join(dir, "ndjson", "**", "*.json.gz"), hive, strings.Join(spec, ", ")),
		fmt.Sprintf(`CREATE VIEW vpcflow_connections_parquet AS SELECT %s, dt, hour FROM read_parquet('%s', %s)`,
			strings.Join(names, ", "), filepath.Join(dir, "parquet", "**", "*.parquet"), hive),
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%v\n%s", err, s)
		}
	}
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
	rows, err := db.Query(text)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(vals))
		for i, v := range vals {
			row[i] = fmt.Sprint(v)
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
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
	now := Timestamp(truth.Now)

	for _, table := range []string{"vpcflow_connections", "vpcflow_connections_parquet"} {
		params := map[string]string{"table": table, "now": now, "app": truth.App}
		t.Run(table, func(t *testing.T) {
			t.Run(CrossAZShare, func(t *testing.T) {
				got := run(t, db, CrossAZShare, params)
				c := truth.CrossAZ
				share := fmt.Sprint(roundTo(float64(c.CrossAZBytes)/float64(c.KnownAZBytes), 6))
				want := [][]string{{fmt.Sprint(c.CrossAZBytes), fmt.Sprint(c.KnownAZBytes), fmt.Sprint(c.TotalBytes), share}}
				check(t, got, want)
			})
			t.Run(AppPeers, func(t *testing.T) {
				var want [][]string
				for _, p := range truth.Peers {
					want = append(want, []string{p.App, fmt.Sprint(p.Bytes)})
				}
				check(t, run(t, db, AppPeers, params), want)
			})
			t.Run(LBBypass, func(t *testing.T) {
				var want [][]string
				for _, b := range truth.LBBypass {
					want = append(want, []string{b.Client, b.Server, fmt.Sprint(b.Port)})
				}
				got := run(t, db, LBBypass, params)
				check(t, firstColumns(got, 3), sorted(want))
			})
			t.Run(LambdaRDSDirect, func(t *testing.T) {
				var want [][]string
				for _, d := range truth.DirectRDS {
					want = append(want, []string{d.Function, d.DB})
				}
				check(t, firstColumns(run(t, db, LambdaRDSDirect, params), 2), sorted(want))
			})
			t.Run(DestinationGrowth, func(t *testing.T) {
				var want [][]string
				for _, g := range truth.Growth {
					want = append(want, []string{g.Destination, fmt.Sprint(g.Previous), fmt.Sprint(g.Current), fmt.Sprint(g.Growth)})
				}
				check(t, run(t, db, DestinationGrowth, params), want)
			})
		})
	}
}

func check(t *testing.T, got, want [][]string) {
	t.Helper()
	if len(want) == 0 {
		t.Fatal("the truth is empty: the test would prove nothing")
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%s\nwant\n%s", table(got), table(want))
	}
}

func table(rows [][]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString("  " + strings.Join(r, " | ") + "\n")
	}
	return b.String()
}

func firstColumns(rows [][]string, n int) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = r[:n]
	}
	return out
}

func sorted(rows [][]string) [][]string {
	sort.Slice(rows, func(i, j int) bool { return strings.Join(rows[i], "\x00") < strings.Join(rows[j], "\x00") })
	return rows
}

func roundTo(x float64, digits int) float64 {
	p := 1.0
	for range digits {
		p *= 10
	}
	return float64(int64(x*p+0.5)) / p
}

var timeZero = time.Time{}
