//go:build cgo

package localsql

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/enrich/athena"
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
