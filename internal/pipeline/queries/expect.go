package queries

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/synthetic"
)

// Params returns the parameters the queries take on a synthetic set's
// rows in a table.
func Params(table string, truth synthetic.Truth) map[string]string {
	return map[string]string{"table": table, "now": Timestamp(truth.Now), "app": truth.App}
}

// Expected returns what a query must answer on a synthetic set's rows:
// the leading columns of its rows (the others, such as byte counts of
// lists, are not in the ground truth), in order when the query's order is
// part of the answer and sorted otherwise (see Compare).
func Expected(name string, truth synthetic.Truth) ([][]string, error) {
	var want [][]string
	switch name {
	case CrossAZShare:
		c := truth.CrossAZ
		share := float64(c.CrossAZBytes) / float64(c.KnownAZBytes)
		want = [][]string{{fmt.Sprint(c.CrossAZBytes), fmt.Sprint(c.KnownAZBytes), fmt.Sprint(c.TotalBytes), fmt.Sprint(roundTo(share, 6))}}
	case AppPeers:
		for _, p := range truth.Peers {
			want = append(want, []string{p.App, fmt.Sprint(p.Bytes)})
		}
	case LBBypass:
		for _, b := range truth.LBBypass {
			want = append(want, []string{b.Client, b.Server, fmt.Sprint(b.Port)})
		}
	case LambdaRDSDirect:
		for _, d := range truth.DirectRDS {
			want = append(want, []string{d.Function, d.DB})
		}
	case DestinationGrowth:
		for _, g := range truth.Growth {
			want = append(want, []string{g.Destination, fmt.Sprint(g.Previous), fmt.Sprint(g.Current), fmt.Sprint(g.Growth)})
		}
	default:
		return nil, fmt.Errorf("no query %q", name)
	}
	if !ordered(name) {
		sortRows(want)
	}
	return want, nil
}

// ordered reports whether a query's row order is part of its answer.
func ordered(name string) bool { return name != LBBypass && name != LambdaRDSDirect }

// Compare checks a query's rows, as localsql prints them, against
// Expected; the error shows both.
func Compare(name string, truth synthetic.Truth, got [][]string) error {
	want, err := Expected(name, truth)
	if err != nil {
		return err
	}
	if len(want) == 0 {
		return fmt.Errorf("%s: the ground truth is empty: the comparison would prove nothing", name)
	}
	n := len(want[0])
	lead := make([][]string, len(got))
	for i, r := range got {
		lead[i] = r[:min(n, len(r))]
	}
	if !ordered(name) {
		sortRows(lead)
	}
	if !slices.EqualFunc(lead, want, slices.Equal[[]string]) {
		return fmt.Errorf("%s answered\n%s\nthe ground truth is\n%s", name, rowsText(lead), rowsText(want))
	}
	return nil
}

func sortRows(rows [][]string) {
	slices.SortFunc(rows, func(a, b []string) int { return strings.Compare(strings.Join(a, "\x00"), strings.Join(b, "\x00")) })
}

func rowsText(rows [][]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString("  " + strings.Join(r, " | ") + "\n")
	}
	return b.String()
}

func roundTo(x float64, digits int) float64 {
	p := 1.0
	for range digits {
		p *= 10
	}
	return float64(int64(x*p+0.5)) / p
}
