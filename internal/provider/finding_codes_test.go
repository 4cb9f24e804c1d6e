package provider

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/findingdoc"
)

// TestFindingCodesDocumented fails when the provider reports a finding code
// of its own that the finding code reference does not list.
func TestFindingCodesDocumented(t *testing.T) {
	documented := map[string]bool{}
	for _, e := range findingdoc.All() {
		documented[e.Code] = true
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	literal := regexp.MustCompile(`Code:\s+"([A-Z][A-Z_]+)"`)
	found := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
			found++
			if !documented[m[1]] {
				t.Errorf("%s reports %s, which internal/flowlogs/findingdoc does not document", f, m[1])
			}
		}
	}
	if found == 0 {
		t.Fatal("no Code: literals found; the scan is broken")
	}
}
