// Package queries holds the named SQL queries over the enriched connection
// tables that internal/pipeline/enrich/athena defines. Each query is a .sql file of
// this package, embedded as written, in the SQL that Athena (Trino) and
// DuckDB share, so that the text shipped to Athena is the text the tests
// run in DuckDB over the same files.
//
// # Parameters
//
// A query names its parameters as {{name}}, each where an expression goes
// in the SQL text, never inside a comment, a string literal or a quoted
// identifier (Get refuses a query that has one there; the comments name a
// parameter as <name>). Render replaces them, and nothing else, with SQL
// that no value can escape from:
//
//	{{table}}  the table: a name such as vpcflow_connections, or "db"."table"
//	           with each part in double quotes; in DuckDB a view over the
//	           files. Anything else is refused.
//	{{now}}    the moment the periods end at: current_timestamp, or
//	           TIMESTAMP 'YYYY-MM-DD HH:MM:SS[.fraction]' (see Timestamp).
//	           Anything else is refused.
//	{{app}}    an app tag value, any UTF-8 text: rendered by
//	           sqlstring.Literal as a string expression, such as 'web',
//	           'O''Brien' or concat('x', chr(10), 'y'), which both engines
//	           read back as the value (see package sqlstring for the rules;
//	           text that is not UTF-8 is refused).
//
// The provider's vpcflow_connection_queries resource saves them as Athena
// named queries, rendered by NamedQuery: {{app}} through sqlstring.Literal,
// which the provider function provider::vpcflow::sql_string is too.
//
// # Dialect
//
// The common subset avoids what the two engines do differently: a map is
// read with map['key'] only after contains(map_keys(map), 'key') (Athena
// fails on a missing key, DuckDB's element_at returns a list), conditions
// are CASE WHEN (DuckDB's IF takes three arguments only), dates are
// compared as CAST(CAST(ts AS DATE) AS VARCHAR) against the dt partition,
// and Arns[1] is read only where the writer never leaves an empty list
// (rows leave out empty lists, which read as NULL). String literals are
// standard ones (” for a quote; no E'...' or U&'...'), and comments do not
// nest, so that the two engines and Get split the text alike.
package queries

import (
	"embed"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/queries/sqlstring"
)

//go:embed *.sql
var files embed.FS

// Query is one named query.
type Query struct {
	// Name is the file name without .sql.
	Name string
	// Description is the query's leading comment, one line; it names the
	// parameters as <name>.
	Description string
	// SQL is the text as shipped, with its {{parameters}}.
	SQL string
	// Params are the parameters it takes, in order of first use.
	Params []string
}

// Names of the queries.
const (
	CrossAZShare      = "cross_az_share"
	AppPeers          = "app_peers"
	LBBypass          = "lb_bypass"
	LambdaRDSDirect   = "lambda_rds_direct"
	DestinationGrowth = "destination_growth"
)

var paramPattern = regexp.MustCompile(`\{\{([a-z_]+)\}\}`)

// renderers render the value of each parameter Render accepts.
var renderers = map[string]func(string) (string, error){
	"table": tableName,
	"now":   moment,
	"app":   sqlstring.Literal,
}

// All returns every query, by name.
func All() []Query {
	entries, err := files.ReadDir(".")
	if err != nil {
		panic(err) // the embedded files are there
	}
	var qs []Query
	for _, e := range entries {
		q, err := Get(strings.TrimSuffix(e.Name(), ".sql"))
		if err != nil {
			panic(err)
		}
		qs = append(qs, q)
	}
	return qs
}

// Get returns a query by name.
func Get(name string) (Query, error) {
	b, err := files.ReadFile(name + ".sql")
	if err != nil {
		return Query{}, fmt.Errorf("no query %q", name)
	}
	return parse(name, string(b))
}

// parse reads a query's text: its description and its parameters, which
// must stand alone in the SQL text (see Placeholders).
func parse(name, text string) (Query, error) {
	q := Query{Name: name, SQL: text}
	var desc []string
	for _, line := range strings.Split(q.SQL, "\n") {
		text, ok := strings.CutPrefix(line, "--")
		if !ok {
			break
		}
		desc = append(desc, strings.TrimSpace(text))
	}
	q.Description = strings.Join(desc, " ")
	found, err := Placeholders(q.SQL)
	if err != nil {
		return Query{}, fmt.Errorf("query %s: %w", name, err)
	}
	for _, p := range found {
		if !slices.Contains(q.Params, p.Name) {
			q.Params = append(q.Params, p.Name)
		}
	}
	return q, nil
}

// Render returns the query's SQL with its parameters replaced by their
// values, rendered as the package documentation says. Every parameter the
// query uses must be given; the others are ignored.
func (q Query) Render(params map[string]string) (string, error) {
	for _, p := range q.Params {
		if _, ok := params[p]; !ok {
			if _, known := renderers[p]; known {
				return "", fmt.Errorf("query %s: parameter {{%s}} not given", q.Name, p)
			}
		}
	}
	return q.RenderGiven(params)
}

// RenderGiven is Render for the parameters given: the others stay in the
// text as {{name}}, to be replaced before the query runs.
func (q Query) RenderGiven(params map[string]string) (string, error) {
	rendered := map[string]string{}
	for _, p := range q.Params {
		render, ok := renderers[p]
		if !ok {
			return "", fmt.Errorf("query %s: unknown parameter {{%s}}", q.Name, p)
		}
		v, ok := params[p]
		if !ok {
			rendered[p] = "{{" + p + "}}"
			continue
		}
		r, err := render(v)
		if err != nil {
			return "", fmt.Errorf("query %s: parameter {{%s}}: %w", q.Name, p, err)
		}
		rendered[p] = r
	}
	spans, err := lex(q.SQL)
	if err != nil {
		return "", fmt.Errorf("query %s: %w", q.Name, err)
	}
	var b strings.Builder
	for _, s := range spans {
		if s.kind != code {
			b.WriteString(s.text)
			continue
		}
		b.WriteString(paramPattern.ReplaceAllStringFunc(s.text, func(m string) string { return rendered[m[2:len(m)-2]] }))
	}
	return b.String(), nil
}

// NamedQuery returns the text of the query as an Athena named query holds
// it: over table (a name in the named query's database), ending at
// current_timestamp, and about app when the query takes one and app is not
// nil; otherwise {{app}} stays, to be replaced with a SQL string before the
// query runs.
func (q Query) NamedQuery(table string, app *string) (string, error) {
	params := map[string]string{"table": table, "now": "current_timestamp"}
	if app != nil {
		params["app"] = *app
	}
	return q.RenderGiven(params)
}

// Timestamp returns the SQL literal of a moment in UTC, for {{now}}.
func Timestamp(t time.Time) string {
	return "TIMESTAMP '" + t.UTC().Format("2006-01-02 15:04:05") + "'"
}

var (
	identifier    = `(?:[A-Za-z_][A-Za-z0-9_]*|"(?:[^"\x00-\x1f\x7f]|"")+")`
	tablePattern  = regexp.MustCompile(`^` + identifier + `(?:\.` + identifier + `){0,2}$`)
	momentPattern = regexp.MustCompile(`^(?:current_timestamp|TIMESTAMP '\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,9})?')$`)
)

// tableName checks a {{table}} value: a name, optionally qualified, each
// part plain or in double quotes.
func tableName(v string) (string, error) {
	if !tablePattern.MatchString(v) {
		return "", fmt.Errorf("%q is not a table name: want NAME (letters, digits and _) or a qualified name such as \"db\".\"table\" (each part plain, or in double quotes with \"\" for a quote)", v)
	}
	return v, nil
}

// moment checks a {{now}} value.
func moment(v string) (string, error) {
	if !momentPattern.MatchString(v) {
		return "", fmt.Errorf("%q is not a moment: want current_timestamp or TIMESTAMP 'YYYY-MM-DD HH:MM:SS' (see Timestamp)", v)
	}
	return v, nil
}
