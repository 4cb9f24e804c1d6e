//go:build cgo

// Package answers asks the named queries of the demo's rows in DuckDB,
// compares each answer with the synthetic estate's ground truth and prints
// them as tables. It needs cgo (DuckDB), which package demo does not.
package answers

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/queries"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/localsql"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/synthetic"
)

// Answer is a named query's answer and how it compares with the truth.
type Answer struct {
	Query   queries.Query
	Columns []string
	Rows    [][]string
	Params  map[string]string
	Err     error // the difference from the ground truth
}

// Run runs every named query over the rows in dir (gzip NDJSON, else
// Parquet), compares each answer with the ground truth, prints them to w
// and returns them.
func Run(dir string, truth synthetic.Truth, w io.Writer) ([]Answer, error) {
	files := localsql.Files{}
	table := localsql.NDJSONTable
	if ok, _ := filepath.Glob(filepath.Join(dir, "*", "*", "*.json.gz")); len(ok) > 0 {
		files.NDJSON = filepath.Join(dir, "**", "*.json.gz")
	} else {
		files.Parquet = filepath.Join(dir, "**", "*.parquet")
		table = localsql.ParquetTable
	}
	db, err := localsql.Open(files)
	if err != nil {
		return nil, err
	}
	defer func() { _ = db.Close() }() // read only
	var out []Answer
	for _, q := range queries.All() {
		params := queries.Params(table, truth)
		text, err := q.Render(params)
		if err != nil {
			return nil, err
		}
		cols, rows, err := localsql.Query(db, text)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", q.Name, err)
		}
		a := Answer{Query: q, Columns: cols, Rows: rows, Params: params, Err: queries.Compare(q.Name, truth, rows)}
		if err := a.print(w); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// maxPrinted is how many rows of an answer are printed.
const maxPrinted = 8

// Mismatches counts the answers that differ from the ground truth.
func Mismatches(as []Answer) int {
	n := 0
	for _, a := range as {
		if a.Err != nil {
			n++
		}
	}
	return n
}

func (a Answer) print(out io.Writer) error {
	var w strings.Builder
	verdict := "matches the ground truth"
	if a.Err != nil {
		verdict = "DIFFERS from the ground truth"
	}
	rows := "rows"
	if len(a.Rows) == 1 {
		rows = "row"
	}
	_, _ = fmt.Fprintf(&w, "\n      %s (%d %s, %s)\n", a.Query.Name, len(a.Rows), rows, verdict)
	desc := firstSentence(a.Query.Description)
	for k, v := range a.Params {
		v = strings.TrimSuffix(strings.TrimPrefix(v, "TIMESTAMP '"), "'") // <now> as a date
		desc = strings.ReplaceAll(desc, "<"+k+">", v)
	}
	for _, l := range wrap(desc, 88) {
		_, _ = fmt.Fprintf(&w, "        %s\n", l)
	}
	tw := tabwriter.NewWriter(&w, 0, 0, 2, ' ', 0)
	_, _ = fmt.Fprintln(tw, "      "+strings.Join(a.Columns, "\t"))
	for i, r := range a.Rows {
		if i == maxPrinted {
			_, _ = fmt.Fprintf(tw, "      … %d more\n", len(a.Rows)-maxPrinted)
			break
		}
		cells := make([]string, len(r))
		for j, v := range r {
			cells[j] = shorten(v)
		}
		_, _ = fmt.Fprintln(tw, "      "+strings.Join(cells, "\t"))
	}
	_ = tw.Flush()
	if a.Err != nil {
		_, _ = fmt.Fprintln(&w, a.Err)
	}
	_, err := io.WriteString(out, w.String())
	return err
}

// shorten keeps long ARNs readable: the account and region are the
// estate's own.
func shorten(v string) string {
	v = strings.Replace(v, "arn:aws:", "", 1)
	v = strings.Replace(v, ":"+synthetic.Region+":"+synthetic.Account+":", ":", 1)
	if len(v) > 60 {
		v = v[:57] + "..."
	}
	return v
}

// firstSentence is what a query's description says before its notes.
func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}

// wrap breaks s into lines of at most width characters, at spaces.
func wrap(s string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
