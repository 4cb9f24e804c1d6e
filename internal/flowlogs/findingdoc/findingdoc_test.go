package findingdoc

import (
	"os"
	"strings"
	"testing"
)

const page = "../../../templates/guides/finding-codes.md.tmpl"

// TestPageIsFresh fails when the checked-in page differs from what the code
// lists give: run go generate ./internal/flowlogs/findingdoc, then make docs.
func TestPageIsFresh(t *testing.T) {
	got, err := os.ReadFile(page)
	if err != nil {
		t.Fatalf("%v: run go generate ./internal/flowlogs/findingdoc", err)
	}
	if string(got) != Markdown() {
		t.Errorf("%s is stale: run go generate ./internal/flowlogs/findingdoc, then make docs", page)
	}
}

func TestEveryEntryIsDocumented(t *testing.T) {
	entries := All()
	if len(entries) < 70 {
		t.Errorf("%d codes; the checkers report more than 70", len(entries))
	}
	for _, e := range entries {
		if e.Meaning == "" || e.AWS == "" || e.Fix == "" || e.Severity == "" || e.Source == "" {
			t.Errorf("%s is not fully documented: %+v", e.Code, e)
		}
		if strings.Contains(e.Meaning+e.AWS+e.Fix, "{{") {
			t.Errorf("%s has {{, which tfplugindocs reads as a template action", e.Code)
		}
	}
}
