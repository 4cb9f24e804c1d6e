package queries

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// copyTokens is how many consecutive tokens of a query's SQL text (about a
// line of SQL: words and punctuation, comments left out) a file must hold
// to count as a copy of that query.
const copyTokens = 24

// tokenPattern splits text into words and single punctuation characters;
// white space separates them and is dropped.
var tokenPattern = regexp.MustCompile(`[A-Za-z0-9_]+|[^\sA-Za-z0-9_]`)

// escapes undoes the escapes a query would carry inside a quoted string of
// HCL or JSON, so that such a copy reads as the text it holds. An escaped
// line break becomes a space, so that line numbers stay those of the file.
var escapes = strings.NewReplacer(`\\`, `\`, `\"`, `"`, `\n`, " ", `\r`, " ", `\t`, " ",
	`\u003c`, "<", `\u003e`, ">", `\u0026`, "&")

// token is a word, lower-cased, or a punctuation character, with its line.
type token struct {
	text string
	line int
}

// tokens splits text into tokens, lines counted from 1.
func tokens(text string) []token {
	var out []token
	line := 1
	last := 0
	for _, m := range tokenPattern.FindAllStringIndex(text, -1) {
		line += strings.Count(text[last:m[0]], "\n")
		last = m[0]
		out = append(out, token{strings.ToLower(text[m[0]:m[1]]), line})
	}
	return out
}

func joined(ts []token) string {
	words := make([]string, len(ts))
	for i, t := range ts {
		words[i] = t.text
	}
	return strings.Join(words, " ")
}

// copyIndex maps every run of copyTokens consecutive tokens of a query's
// SQL text to the query's name. The runs leave out comments, which say
// what a query answers rather than how, and do not cross a {{parameter}},
// which a copy renders one way or another.
func copyIndex(t *testing.T) map[string]string {
	t.Helper()
	index := map[string]string{}
	for _, q := range All() {
		spans, err := lex(q.SQL)
		if err != nil {
			t.Fatalf("%s.sql: %v", q.Name, err)
		}
		runs := 0
		var segment []token
		flush := func() {
			for i := 0; i+copyTokens <= len(segment); i++ {
				index[joined(segment[i:i+copyTokens])] = q.Name
				runs++
			}
			segment = nil
		}
		for _, s := range spans {
			switch s.kind {
			case lineComment, blockComment:
				continue
			case code:
				parts := paramPattern.Split(s.text, -1)
				for i, part := range parts {
					if i > 0 {
						flush()
					}
					segment = append(segment, tokens(part)...)
				}
			default:
				segment = append(segment, tokens(s.text)...)
			}
		}
		flush()
		if runs == 0 {
			t.Fatalf("%s.sql has no %d tokens between its parameters: a copy of it would go unnoticed; lower copyTokens", q.Name, copyTokens)
		}
	}
	return index
}

// copiedQuery returns the name of the query text holds a copy of, and the
// line where the copy starts, or "".
func copiedQuery(index map[string]string, text string) (string, int) {
	ts := tokens(escapes.Replace(text))
	for i := 0; i+copyTokens <= len(ts); i++ {
		if name, ok := index[joined(ts[i:i+copyTokens])]; ok {
			return name, ts[i].line
		}
	}
	return "", 0
}

// TestNoCopiesInModulesOrExamples keeps the named queries in one place: the
// modules and examples get them from the provider (vpcflow_connection_queries,
// whose queries attribute holds each query's SQL and Athena named query ID),
// so a copy of a query's text, or a .sql file, under modules/ or examples/
// would drift from the query the provider ships and the DuckDB tests check.
func TestNoCopiesInModulesOrExamples(t *testing.T) {
	index := copyIndex(t)
	root := filepath.Join("..", "..", "..")
	files := 0
	for _, dir := range []string{"modules", "examples"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if d.Name() == ".terraform" { // what terraform get installs, not ours
					return filepath.SkipDir
				}
				return nil
			}
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			if strings.EqualFold(filepath.Ext(path), ".sql") {
				t.Errorf("%s: a .sql file; the named queries are internal/pipeline/queries/*.sql only, and a module or example gets them from vpcflow_connection_queries (its queries attribute), not from a copy", rel)
				return nil
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			files++
			if name, line := copiedQuery(index, string(b)); name != "" {
				t.Errorf("%s:%d: holds a copy of internal/pipeline/queries/%s.sql; a copy drifts from the query the provider ships and the tests check: "+
					"take the query from vpcflow_connection_queries (queries[%q].sql, or .id for the Athena named query) instead", rel, line, name, name)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if files == 0 {
		t.Fatal("no file under modules/ or examples/: the test looked in the wrong place")
	}
}

// TestCopiedQueryFindsCopies checks the detector itself: each query, as a
// module would copy it (an HCL heredoc with its parameters as
// interpolations, a JSON or HCL string, one line in capitals), is found,
// and the queries' names, descriptions and short SQL are not.
func TestCopiedQueryFindsCopies(t *testing.T) {
	index := copyIndex(t)
	params := strings.NewReplacer("{{table}}", `"${var.database}"."${var.table}"`, "{{now}}", "current_timestamp", "{{app}}", "${provider::vpcflow::sql_string(var.app)}")
	for _, q := range All() {
		rendered := params.Replace(q.SQL)
		quoted, err := json.Marshal(rendered)
		if err != nil {
			t.Fatal(err)
		}
		copies := map[string]string{
			"heredoc": "locals {\n  queries = {\n    " + q.Name + " = <<-SQL\n      " + strings.ReplaceAll(rendered, "\n", "\n      ") + "\n    SQL\n  }\n}\n",
			"string":  fmt.Sprintf("output %q {\n  value = %s\n}\n", q.Name, quoted),
			"upper":   strings.ToUpper(strings.Join(strings.Fields(rendered), " ")),
		}
		for how, text := range copies {
			if name, _ := copiedQuery(index, text); name != q.Name {
				t.Errorf("%s, copied as %s: found %q, want %q in\n%s", q.Name, how, name, q.Name, text)
			}
		}
		if name, _ := copiedQuery(index, q.Name+": "+q.Description); name != "" {
			t.Errorf("%s: its name and description read as a copy of %s", q.Name, name)
		}
	}
	short := `SELECT count(*) FROM vpcflow_connections WHERE client.tags['app'] = 'web' AND action = 'ACCEPT'`
	if name, _ := copiedQuery(index, short); name != "" {
		t.Errorf("a short query of its own reads as a copy of %s", name)
	}
}
