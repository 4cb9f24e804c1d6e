package enrich

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
)

// hiveType returns the Athena column type of a Row field's Go type.
func hiveType(t *testing.T, typ reflect.Type) string {
	switch {
	case typ == reflect.TypeFor[time.Time]():
		return "timestamp"
	case typ.Kind() == reflect.String:
		return "string"
	case typ.Kind() == reflect.Int64:
		return "bigint"
	case typ.Kind() == reflect.Int32:
		return "int"
	case typ.Kind() == reflect.Bool:
		return "boolean"
	case typ.Kind() == reflect.Slice:
		return "array<" + hiveType(t, typ.Elem()) + ">"
	case typ.Kind() == reflect.Map:
		return "map<" + hiveType(t, typ.Key()) + "," + hiveType(t, typ.Elem()) + ">"
	case typ.Kind() == reflect.Pointer:
		return hiveType(t, typ.Elem())
	case typ.Kind() == reflect.Struct:
		var fields []string
		for _, c := range hiveColumns(t, typ) {
			fields = append(fields, c[0]+":"+c[1])
		}
		return "struct<" + strings.Join(fields, ",") + ">"
	}
	t.Fatalf("no Athena type for %v", typ)
	return ""
}

// hiveColumns returns the name and type of each JSON field of a struct.
func hiveColumns(t *testing.T, typ reflect.Type) [][2]string {
	var cols [][2]string
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		pq, _, _ := strings.Cut(f.Tag.Get("parquet"), ",")
		if pq != name {
			t.Errorf("%s.%s: JSON key %q and Parquet column %q differ", typ.Name(), f.Name, name, pq)
		}
		cols = append(cols, [2]string{strings.ToLower(name), hiveType(t, f.Type)})
	}
	return cols
}

// TestAthenaTable checks that both table definitions declare exactly the
// columns connrows.Row writes, with matching types.
func TestAthenaTable(t *testing.T) {
	ddl, err := os.ReadFile("athena/table.sql")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, c := range hiveColumns(t, reflect.TypeFor[connrows.Row]()) {
		want = append(want, c[0]+" "+c[1])
	}
	tables := regexp.MustCompile(`(?s)CREATE EXTERNAL TABLE IF NOT EXISTS (\w+) \((.*?)\n\)\nPARTITIONED BY`).FindAllSubmatch(ddl, -1)
	if len(tables) != 2 {
		t.Fatalf("found %d table definitions, want 2", len(tables))
	}
	for _, m := range tables {
		t.Run(string(m[1]), func(t *testing.T) {
			got := splitColumns(normalizeDDL(string(m[2])))
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("columns:\n%s\nwant (from output.Row):\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// normalizeDDL lower-cases a column list and drops quotes and spaces.
func normalizeDDL(s string) string {
	s = strings.ToLower(strings.ReplaceAll(s, "`", ""))
	s = regexp.MustCompile(`\s+`).ReplaceAllString(s, " ")
	s = regexp.MustCompile(` ?([<>,:]) ?`).ReplaceAllString(s, "$1")
	return strings.TrimSpace(s)
}

// splitColumns splits a normalized column list at its top-level commas,
// keeping a space between name and type.
func splitColumns(s string) []string {
	var cols []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '<':
			depth++
		case '>':
			depth--
		case ',':
			if depth == 0 {
				cols = append(cols, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	return append(cols, strings.TrimSpace(s[start:]))
}
