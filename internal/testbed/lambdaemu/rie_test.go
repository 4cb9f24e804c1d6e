package lambdaemu

import (
	"os"
	"regexp"
	"testing"
)

// TestRIEVersionPinned keeps the emulator's version here in step with the
// one the GNUmakefile installs.
func TestRIEVersionPinned(t *testing.T) {
	b, err := os.ReadFile("../../../GNUmakefile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^RIE_VERSION\s*:=\s*(\S+)`).FindSubmatch(b)
	if m == nil || string(m[1]) != RIEVersion {
		t.Fatalf("GNUmakefile pins %q, lambdaemu.RIEVersion is %q", m, RIEVersion)
	}
}
