//go:build cgo

package answers

import (
	"errors"
	"strings"
	"testing"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/queries"
)

func TestWrap(t *testing.T) {
	got := wrap("one two three four five", 9)
	if strings.Join(got, "|") != "one two|three|four five" {
		t.Errorf("wrap: %q", got)
	}
	if firstSentence("First. Then a note. More.") != "First." {
		t.Error("firstSentence")
	}
	if got := shorten("arn:aws:lambda:us-east-1:123456789012:function:orders-fn"); got != "lambda:function:orders-fn" {
		t.Errorf("shorten: %q", got)
	}
}

func TestPrint(t *testing.T) {
	q, err := queries.Get(queries.AppPeers)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	a := Answer{Query: q, Columns: []string{"app", "bytes"}, Rows: [][]string{{"api", "10"}},
		Params: map[string]string{"app": "reporting", "now": "TIMESTAMP '2024-06-10 00:00:00'"}, Err: errors.New("differs")}
	if err := a.print(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"app_peers (1 row, DIFFERS from the ground truth)", "application reporting", "2024-06-10 00:00:00,", "api  ", "differs"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("no %q in\n%s", want, b.String())
		}
	}
	if Mismatches([]Answer{a, {}}) != 1 {
		t.Error("Mismatches")
	}
}
