package queries

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/synthetic"
)

func TestAll(t *testing.T) {
	want := map[string][]string{
		CrossAZShare:      {"now", "table"},
		AppPeers:          {"app", "now", "table"},
		LBBypass:          {"now", "table"},
		LambdaRDSDirect:   {"now", "table"},
		DestinationGrowth: {"now", "table"},
	}
	all := All()
	if len(all) != len(want) {
		t.Fatalf("%d queries, want %d", len(all), len(want))
	}
	for _, q := range all {
		t.Run(q.Name, func(t *testing.T) {
			params, ok := want[q.Name]
			if !ok {
				t.Fatalf("unexpected query %s", q.Name)
			}
			got := slices.Clone(q.Params)
			slices.Sort(got)
			if !slices.Equal(got, params) {
				t.Errorf("params %v, want %v", got, params)
			}
			if q.Description == "" || strings.Contains(q.Description, "--") {
				t.Errorf("description %q", q.Description)
			}
			disk, err := os.ReadFile(q.Name + ".sql")
			if err != nil {
				t.Fatal(err)
			}
			if string(disk) != q.SQL {
				t.Error("embedded text differs from the file")
			}
		})
	}
}

func TestRender(t *testing.T) {
	q, err := Get(AppPeers)
	if err != nil {
		t.Fatal(err)
	}
	now := Timestamp(time.Date(2024, 6, 10, 0, 0, 0, 0, time.FixedZone("x", 3600)))
	if now != "TIMESTAMP '2024-06-09 23:00:00'" {
		t.Errorf("Timestamp = %s", now)
	}
	tests := []struct {
		name    string
		params  map[string]string
		want    []string
		wantErr string
	}{
		{name: "all given", params: map[string]string{"table": "t", "now": now, "app": "web"},
			want: []string{"FROM t\n", "client_app = 'web'\n", "peer <> 'web'\n", now + " - INTERVAL '21' DAY"}},
		{name: "quote in app", params: map[string]string{"table": "t", "now": now, "app": "o'neil"},
			want: []string{"client_app = 'o''neil'\n"}},
		{name: "line break in app", params: map[string]string{"table": "t", "now": now, "app": "x\nCREATE TABLE pwned AS --"},
			want: []string{"client_app = concat('x', chr(10), 'CREATE TABLE pwned AS --')\n"}},
		{name: "placeholder in app", params: map[string]string{"table": "t", "now": now, "app": "{{table}}"},
			want: []string{"client_app = '{{table}}'\n"}},
		{name: "comments keep their text", params: map[string]string{"table": "t", "now": now, "app": "web"},
			want: []string{"-- The applications (app tag) that the application <app> talked to"}},
		{name: "qualified table", params: map[string]string{"table": `"my db"."t""x"`, "now": "current_timestamp", "app": ""},
			want: []string{`FROM "my db"."t""x"` + "\n", "client_app = ''\n", `"window" < current_timestamp`}},
		{name: "fraction of a second", params: map[string]string{"table": "db.t", "now": "TIMESTAMP '2024-06-10 00:00:00.123'", "app": "a"},
			want: []string{"TIMESTAMP '2024-06-10 00:00:00.123' - INTERVAL"}},
		{name: "missing", params: map[string]string{"table": "t", "now": now}, wantErr: "{{app}} not given"},
		{name: "app not UTF-8", params: map[string]string{"table": "t", "now": now, "app": "a\xffb"},
			wantErr: "parameter {{app}}: the value is not valid UTF-8: byte 1 is 0xff"},
		{name: "table with a statement", params: map[string]string{"table": "t; DROP TABLE x", "now": now, "app": "a"},
			wantErr: `parameter {{table}}: "t; DROP TABLE x" is not a table name`},
		{name: "table with a comment", params: map[string]string{"table": "t --", "now": now, "app": "a"},
			wantErr: "is not a table name"},
		{name: "table with an open quote", params: map[string]string{"table": `"t`, "now": now, "app": "a"},
			wantErr: "is not a table name"},
		{name: "table with a lone quote inside quotes", params: map[string]string{"table": `"a"b"`, "now": now, "app": "a"},
			wantErr: "is not a table name"},
		{name: "table with a line break in quotes", params: map[string]string{"table": "\"a\nb\"", "now": now, "app": "a"},
			wantErr: "is not a table name"},
		{name: "now as another expression", params: map[string]string{"table": "t", "now": "(SELECT 1)", "app": "a"},
			wantErr: `parameter {{now}}: "(SELECT 1)" is not a moment`},
		{name: "now with a statement in the literal", params: map[string]string{"table": "t", "now": "TIMESTAMP '2024-06-10 00:00:00'; DROP TABLE x; --'", "app": "a"},
			wantErr: "is not a moment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sql, err := q.Render(tt.params)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.params["app"] != "{{table}}" && strings.Contains(sql, "{{") {
				t.Errorf("parameters left in %s", sql)
			}
			for _, w := range tt.want {
				if !strings.Contains(sql, w) {
					t.Errorf("no %q in\n%s", w, sql)
				}
			}
		})
	}
	if _, err := Get("nope"); err == nil {
		t.Error("Get of an unknown query succeeded")
	}
}

// TestPlaceholdersOfShippedQueries checks that no placeholder of a
// shipped query sits in a comment or inside a literal or quoted identifier,
// and that no copy of the queries is shipped beside them: the enrichment
// module saves these texts through vpcflow_connection_queries.
func TestPlaceholdersOfShippedQueries(t *testing.T) {
	module := filepath.Join("..", "..", "..", "modules", "enrichment")
	copies, err := filepath.Glob(filepath.Join(module, "*", "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	more, err := filepath.Glob(filepath.Join(module, "*", "*", "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if copies = append(copies, more...); len(copies) > 0 {
		t.Errorf("SQL files in the enrichment module: %v; the module takes the queries from vpcflow_connection_queries, which embeds this package's", copies)
	}
	ours, err := filepath.Glob("*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if len(ours) == 0 {
		t.Fatal("no queries here")
	}
	for _, name := range ours {
		t.Run(name, func(t *testing.T) {
			text, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			found, err := Placeholders(string(text))
			if err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(string(text), "{{"); n != len(found) || n == 0 {
				t.Errorf("%d placeholders found of %d {{ in the text", len(found), n)
			}
			spans, err := lex(string(text))
			if err != nil {
				t.Fatal(err)
			}
			var kinds []spanKind
			for _, s := range spans {
				if s.kind != code && strings.Contains(s.text, "{{") {
					t.Errorf("{{ in a %s: %q", s.kind, s.text)
				}
				if !slices.Contains(kinds, s.kind) {
					kinds = append(kinds, s.kind)
				}
			}
			// The check has something to look at: comments and literals.
			if !slices.Contains(kinds, lineComment) || !slices.Contains(kinds, stringLiteral) {
				t.Errorf("kinds of text found: %v, want comments and literals among them", kinds)
			}
		})
	}
}

func TestPlaceholders(t *testing.T) {
	tests := []struct {
		name, sql string
		want      []Placeholder
		wantErr   string
	}{
		{name: "code", sql: "SELECT * FROM {{table}}\nWHERE a = {{app}} AND b <> {{app}}",
			want: []Placeholder{{"table", 1}, {"app", 2}, {"app", 2}}},
		{name: "quotes and comments without placeholders", sql: "-- it's\nSELECT 'a''b', \"c\"\"d\" /* e' */ FROM {{table}}",
			want: []Placeholder{{"table", 2}}},
		{name: "in parentheses", sql: "SELECT f({{app}}), ({{now}})", want: []Placeholder{{"app", 1}, {"now", 1}}},
		{name: "line comment", sql: "-- about {{app}}\nSELECT 1", wantErr: "line 1: {{app}} is inside a -- comment"},
		{name: "comment after code", sql: "SELECT 1 -- {{now}}", wantErr: "{{now}} is inside a -- comment"},
		{name: "block comment", sql: "SELECT 1 /* x\n{{app}} */", wantErr: "line 2: {{app}} is inside a /* comment */"},
		{name: "literal", sql: "SELECT '{{app}}'", wantErr: "{{app}} is inside a string literal"},
		{name: "literal after doubled quote", sql: "SELECT 'it''s {{app}}'", wantErr: "is inside a string literal"},
		{name: "quoted identifier", sql: `SELECT "{{app}}"`, wantErr: "is inside a quoted identifier"},
		{name: "glued to a word", sql: "SELECT x{{app}}", wantErr: "touches the text beside it"},
		{name: "glued to a quote", sql: "SELECT {{app}}'x'", wantErr: "touches the text beside it"},
		{name: "glued to a dot", sql: "SELECT * FROM db.{{table}}", wantErr: "touches the text beside it"},
		{name: "unterminated literal", sql: "SELECT 'abc", wantErr: "string literal is not closed"},
		{name: "unterminated identifier", sql: `SELECT "abc`, wantErr: "quoted identifier is not closed"},
		{name: "unterminated comment", sql: "SELECT 1 /* abc", wantErr: "comment is not closed"},
		{name: "nested comment", sql: "SELECT 1 /* a /* b */ {{app}} */", wantErr: "nested comment"},
		{name: "escape literal", sql: `SELECT E'\'' , {{app}}`, wantErr: "E'...' or U&'...'"},
		{name: "unicode literal", sql: `SELECT U&'\0041'`, wantErr: "E'...' or U&'...'"},
		{name: "word ending in e", sql: "SELECT CASE WHEN a THEN 'x' ELSE'y' END, {{app}}", want: []Placeholder{{"app", 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Placeholders(tt.sql)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	// Get refuses such a query.
	if _, err := parse("bad", "-- for {{app}}\nSELECT 1"); err == nil || !strings.Contains(err.Error(), "query bad: line 1") {
		t.Errorf("parse of a placeholder in a comment: %v", err)
	}
}

func TestCompare(t *testing.T) {
	truth := synthetic.Truth{
		App:      "reporting",
		Peers:    []synthetic.AppBytes{{App: "api", Bytes: 10}, {App: "worker", Bytes: 5}},
		LBBypass: []synthetic.Bypass{{Client: "b", Server: "c", Port: 9000}, {Client: "a", Server: "c", Port: 9000}},
	}
	if err := Compare(AppPeers, truth, [][]string{{"api", "10"}, {"worker", "5"}}); err != nil {
		t.Error(err)
	}
	// Order is part of the peers' answer, not of the bypasses'; extra
	// columns are not compared.
	if err := Compare(AppPeers, truth, [][]string{{"worker", "5"}, {"api", "10"}}); err == nil || !strings.Contains(err.Error(), "ground truth") {
		t.Errorf("peers out of order: %v", err)
	}
	if err := Compare(LBBypass, truth, [][]string{{"b", "c", "9000", "77"}, {"a", "c", "9000", "1"}}); err != nil {
		t.Error(err)
	}
	if err := Compare(LBBypass, truth, [][]string{{"a", "c", "9000"}}); err == nil {
		t.Error("a missing bypass: no error")
	}
	if err := Compare(LambdaRDSDirect, truth, nil); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("an empty truth: %v", err)
	}
	if _, err := Expected("nope", truth); err == nil {
		t.Error("an unknown query: no error")
	}
}

func TestNamedQuery(t *testing.T) {
	q, err := Get(AppPeers)
	if err != nil {
		t.Fatal(err)
	}
	app := "o'neil"
	sql, err := q.NamedQuery("vpcflow_connections", &app)
	if err != nil {
		t.Fatal(err)
	}
	want, err := q.Render(map[string]string{"table": "vpcflow_connections", "now": "current_timestamp", "app": app})
	if err != nil {
		t.Fatal(err)
	}
	if sql != want {
		t.Errorf("NamedQuery with an app differs from Render:\n%s\nwant\n%s", sql, want)
	}
	kept, err := q.NamedQuery("vpcflow_connections", nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(kept, "{{app}}") != strings.Count(q.SQL, "{{app}}") || strings.Contains(kept, "{{table}}") || strings.Contains(kept, "{{now}}") {
		t.Errorf("NamedQuery without an app:\n%s", kept)
	}
	// What stays is the parameter, which Render then replaces.
	again, err := parse(q.Name, kept)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := again.Render(map[string]string{"app": app}); err != nil || got != want {
		t.Errorf("rendering the kept {{app}}: %v\n%s", err, got)
	}
	if _, err := q.NamedQuery("t; DROP TABLE x", &app); err == nil {
		t.Error("NamedQuery took a table that is not a name")
	}
}
