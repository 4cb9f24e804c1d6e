//go:build cgo

package localsql

import (
	"bytes"
	"compress/gzip"
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/enrich/athena"
)

func TestDuckType(t *testing.T) {
	for in, want := range map[string]string{
		"string":             "VARCHAR",
		"bigint":             "BIGINT",
		"array<string>":      "VARCHAR[]",
		"map<string,string>": "MAP(VARCHAR, VARCHAR)",
		"struct<Addr:string,`Port`:int,Tags:map<string,string>>": `STRUCT("Addr" VARCHAR, "Port" INTEGER, "Tags" MAP(VARCHAR, VARCHAR))`,
	} {
		got, err := DuckType(in)
		if err != nil || got != want {
			t.Errorf("DuckType(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"decimal(10,2)", "map<string>", "struct<a>"} {
		if _, err := DuckType(bad); err == nil {
			t.Errorf("DuckType(%q): no error", bad)
		}
	}
}

func TestColumns(t *testing.T) {
	cols, err := Columns(athena.TableSQL)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, c := range cols {
		names[c.Name] = true
	}
	for _, want := range []string{"Protocol", "Uploaded", "Downloaded", "Client", "Server"} {
		if !names[want] {
			t.Errorf("no column %s in %v", want, cols)
		}
	}
	if _, err := Columns("CREATE TABLE other (a int)"); err == nil || !strings.Contains(err.Error(), NDJSONTable) {
		t.Errorf("a definition without the table: %v", err)
	}
}

func TestOpenNoFiles(t *testing.T) {
	glob := filepath.Join(t.TempDir(), "**", "*.json.gz")
	if db, err := Open(Files{NDJSON: glob}); err == nil {
		_ = db.Close()
		t.Fatal("a view over no files: no error")
	} else if !strings.Contains(err.Error(), glob) {
		t.Errorf("the error does not name the files: %v", err)
	}
}

// TestOpenOddPath opens a view over files whose path holds a quote, a line
// break and "--": the glob goes into the view's SQL as a string, and must
// stay one.
func TestOpenOddPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "it's\n-- x /* y", "dt=2024-06-10", "hour=07")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	if _, err := w.Write([]byte(`{"Action": "ACCEPT"}` + "\n")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rows.json.gz"), gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := Open(Files{NDJSON: filepath.Join(filepath.Dir(filepath.Dir(dir)), "**", "*.json.gz")})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	_, rows, err := Query(db, "SELECT action, dt, hour FROM "+NDJSONTable)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || strings.Join(rows[0], " ") != "ACCEPT 2024-06-10 07" {
		t.Errorf("rows %v, want [[ACCEPT 2024-06-10 07]]", rows)
	}

	if _, err := Open(Files{Parquet: "/tmp/\xff/*.parquet"}); err == nil || !strings.Contains(err.Error(), "not valid UTF-8") {
		t.Errorf("a glob that is not UTF-8: %v", err)
	}
}

func TestCatalog(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	defer func() { _ = db.Close() }()
	if _, err := db.Exec("CREATE TABLE base AS SELECT 1 AS x"); err != nil {
		t.Fatal(err)
	}
	before, err := Catalog(db)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(before, func(l string) bool { return strings.HasPrefix(l, "table memory.main.base ") }) {
		t.Fatalf("the table is not listed: %q", before)
	}
	for _, tt := range []struct {
		stmt    string
		changes bool
	}{
		{"SELECT * FROM base", false},
		{"SELECT 1; SELECT 2", false},
		{"CREATE TEMP TABLE t AS SELECT 1", true},
		{"CREATE VIEW v AS SELECT 1", true},
		{"CREATE SCHEMA s", true},
		{"CREATE SEQUENCE q", true},
		{"CREATE MACRO m(a) AS a + 1", true},
		{"CREATE TYPE e AS ENUM ('a')", true},
		{"SET default_order = 'DESC'", true},
		{"INSERT INTO base SELECT range FROM range(100000)", true},
		{"ATTACH ':memory:' AS other", true},
	} {
		if _, err := db.Exec(tt.stmt); err != nil {
			t.Fatalf("%s: %v", tt.stmt, err)
		}
		after, err := Catalog(db)
		if err != nil {
			t.Fatal(err)
		}
		if changed := !slices.Equal(before, after); changed != tt.changes {
			t.Errorf("%s: the catalog changed %v, want %v", tt.stmt, changed, tt.changes)
		}
		before = after
	}
}
