package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestProviderLinksNoPipeline keeps the provider binary free of what only
// the Lambda functions run: their handlers read the Parquet library and
// aws-lambda-go, which the provider needs neither of (it shares names with
// them through package contract).
func TestProviderLinksNoPipeline(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps .: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, banned := range []string{"github.com/parquet-go/", "github.com/aws/aws-lambda-go/"} {
			if strings.HasPrefix(pkg, banned) {
				t.Errorf("the provider links %s; move what it needs from that package's importer into package contract", pkg)
			}
		}
	}
}
