package athena

import (
	"flag"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/s3sink"
)

var update = flag.Bool("update", false, "rewrite table.sql from the table definitions")

// tableSQLHeader is the comment at the head of table.sql.
const tableSQLHeader = `-- Athena tables over the enriched connections the vpcflow enricher writes.
-- Generated from connrows.Row by the tests of internal/pipeline/enrich/athena
-- (go test ./internal/pipeline/enrich/athena -update); vpcflow_connections_table
-- creates the same table in the Glue Data Catalog.
--
-- Replace BUCKET and PREFIX. Rows are stored under Hive-style partitions of
-- their window's start (UTC): s3://BUCKET/PREFIX/dt=YYYY-MM-DD/hour=HH/.
-- Partition projection finds them without MSCK REPAIR TABLE or crawlers;
-- move the start of projection.dt.range to the first day you have.
--
-- A table reads one file format, because its SerDe is fixed, so there is one
-- definition per format with the same columns: vpcflow_connections for
-- gzip NDJSON (*.json.gz) and vpcflow_connections_parquet for Parquet. Keep
-- each format under its own PREFIX. Queries are the same for both tables.
--
-- Column names are the PascalCase keys of the rows; Athena folds them to
-- lower case and both SerDes match keys case-insensitively. End and Window
-- are reserved words: quote them in queries ("end", "window").
-- Timestamps in NDJSON are RFC 3339 in UTC with whole seconds
-- (2014-12-14T04:06:50Z), hence timestamp.formats; Parquet stores them as
-- TIMESTAMP(MILLIS, UTC). internal/pipeline/enrich/SCHEMA.md describes every column.
`

// shippedSQL renders table.sql from the definitions.
func shippedSQL(t *testing.T) string {
	t.Helper()
	var parts []string
	for _, tt := range []struct{ name, format string }{
		{DefaultTableName, FormatNDJSON},
		{DefaultTableName + "_parquet", FormatParquet},
	} {
		table, err := Define(tt.name, tt.format, "s3://BUCKET/PREFIX/", DefaultProjectionStart)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, table.DDL())
	}
	return tableSQLHeader + "\n" + strings.Join(parts, "\n\n") + "\n"
}

// TestTableSQL checks that table.sql, which the local SQL engine of the
// tests reads and the enrichment module's users run by hand, is the DDL of
// the table that vpcflow_connections_table writes into the catalog.
func TestTableSQL(t *testing.T) {
	want := shippedSQL(t)
	if *update {
		if err := os.WriteFile("table.sql", []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if TableSQL != want {
		got, _ := os.ReadFile("table.sql")
		if string(got) == want {
			return // rewritten just now; the embedded copy is the old one
		}
		t.Errorf("table.sql differs from the definitions; run go test ./internal/pipeline/enrich/athena -update\n--- got\n%s\n--- want\n%s", got, want)
	}
}

func TestDefine(t *testing.T) {
	tests := []struct {
		name, table, format, location, start, wantErr string
	}{
		{name: "ndjson", table: "t", format: FormatNDJSON, location: "s3://bucket/connections/", start: "2024-01-01"},
		{name: "parquet at the bucket root", table: "t", format: FormatParquet, location: "s3://bucket/", start: "2024-01-01"},
		{name: "unknown format", table: "t", format: "json", location: "s3://bucket/", start: "2024-01-01", wantErr: `format "json"`},
		{name: "prefix without slash", table: "t", format: FormatNDJSON, location: "s3://bucket/connections", start: "2024-01-01", wantErr: "location"},
		{name: "bucket only", table: "t", format: FormatNDJSON, location: "s3://bucket", start: "2024-01-01", wantErr: "location"},
		{name: "bad start", table: "t", format: FormatNDJSON, location: "s3://bucket/", start: "2024-13-01", wantErr: "projection start"},
		{name: "hyphen in name", table: "my-table", format: FormatNDJSON, location: "s3://bucket/", start: "2024-01-01", wantErr: "table name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			table, err := Define(tt.table, tt.format, tt.location, tt.start)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if FormatOf(table.SerDe) != tt.format {
				t.Errorf("FormatOf(%s) = %q", table.SerDe, FormatOf(table.SerDe))
			}
			if got := ProjectionStart(table.Parameters["projection.dt.range"]); got != tt.start {
				t.Errorf("ProjectionStart = %q", got)
			}
			if got := table.Parameters["storage.location.template"]; got != tt.location+"dt=${dt}/hour=${hour}/" {
				t.Errorf("storage.location.template = %q", got)
			}
		})
	}
}

// TestSchemaVersion checks that the digest follows the columns.
func TestSchemaVersion(t *testing.T) {
	cols := Columns()
	v := SchemaVersion(cols)
	if len(v) != 16 || v != SchemaVersion(Columns()) {
		t.Fatalf("SchemaVersion = %q", v)
	}
	changed := append([]Column(nil), cols...)
	changed[len(changed)-1].Type = "string"
	if SchemaVersion(changed) == v {
		t.Error("a changed column type keeps the version")
	}
	if SchemaVersion(cols[:len(cols)-1]) == v {
		t.Error("a dropped column keeps the version")
	}
}

// TestFormatsAreTheEnrichers checks that a table's formats are named as the
// enricher's output_format names them.
func TestFormatsAreTheEnrichers(t *testing.T) {
	var enricher []string
	for _, f := range s3sink.Formats {
		enricher = append(enricher, string(f))
	}
	if !slices.Equal(Formats, enricher) {
		t.Errorf("formats %v, the enricher's %v", Formats, enricher)
	}
}
