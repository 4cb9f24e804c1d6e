// Package queries holds the named SQL queries over the enriched connection
// tables that internal/enrich/athena defines. Each query is a .sql file of
// this package, embedded as written, in the SQL that Athena (Trino) and
// DuckDB share, so that the text shipped to Athena is the text the tests
// run in DuckDB over the same files.
//
// # Parameters
//
// A query names its parameters as {{name}}; Render replaces them and
// nothing else:
//
//	{{table}}  the table: vpcflow_connections, a qualified "db"."table", or
//	           in DuckDB a view over the files (inserted as given)
//	{{now}}    a timestamp expression the periods end at, such as
//	           TIMESTAMP '2024-06-10 00:00:00' (see Timestamp) or
//	           current_timestamp (inserted as given)
//	{{app}}    an app tag value (quoted by the query; Render doubles single
//	           quotes)
//
// # Dialect
//
// The common subset avoids what the two engines do differently: a map is
// read with map['key'] only after contains(map_keys(map), 'key') (Athena
// fails on a missing key, DuckDB's element_at returns a list), conditions
// are CASE WHEN (DuckDB's IF takes three arguments only), dates are
// compared as CAST(CAST(ts AS DATE) AS VARCHAR) against the dt partition,
// and Arns[1] is read only where the writer never leaves an empty list
// (rows leave out empty lists, which read as NULL).
package queries

import (
	"embed"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

//go:embed *.sql
var files embed.FS

// Query is one named query.
type Query struct {
	// Name is the file name without .sql.
	Name string
	// Description is the query's leading comment, one line.
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

// known are the parameters Render accepts.
var known = []string{"table", "now", "app"}

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
	q := Query{Name: name, SQL: string(b)}
	var desc []string
	for _, line := range strings.Split(q.SQL, "\n") {
		text, ok := strings.CutPrefix(line, "--")
		if !ok {
			break
		}
		desc = append(desc, strings.TrimSpace(text))
	}
	q.Description = strings.Join(desc, " ")
	for _, m := range paramPattern.FindAllStringSubmatch(q.SQL, -1) {
		if !slices.Contains(q.Params, m[1]) {
			q.Params = append(q.Params, m[1])
		}
	}
	return q, nil
}

// Render returns the query's SQL with its parameters replaced. Every
// parameter the query uses must be given.
func (q Query) Render(params map[string]string) (string, error) {
	for _, p := range q.Params {
		if !slices.Contains(known, p) {
			return "", fmt.Errorf("query %s: unknown parameter {{%s}}", q.Name, p)
		}
		if _, ok := params[p]; !ok {
			return "", fmt.Errorf("query %s: parameter {{%s}} not given", q.Name, p)
		}
	}
	return paramPattern.ReplaceAllStringFunc(q.SQL, func(m string) string {
		name := m[2 : len(m)-2]
		v := params[name]
		if name == "app" {
			v = strings.ReplaceAll(v, "'", "''")
		}
		return v
	}), nil
}

// Timestamp returns the SQL literal of a moment in UTC, for {{now}}.
func Timestamp(t time.Time) string {
	return "TIMESTAMP '" + t.UTC().Format("2006-01-02 15:04:05") + "'"
}
