package artifact

import (
	"archive/zip"
	"bytes"
	"errors"
	"testing"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/lambda/lambdazip"
)

// TestEmbeddedZips checks each embedded package, when the provider was
// built with them: one executable bootstrap, no larger than its package
// may be, and the package of every mode it serves.
func TestEmbeddedZips(t *testing.T) {
	for _, f := range lambdazip.Functions {
		for arch := range lambdazip.Arches {
			b, err := Zip(f, arch)
			if errors.Is(err, ErrNotEmbedded) {
				t.Skip("built without the artifact step (go generate ./internal/pipeline/lambda/artifact)")
			}
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d bytes", f.FileName(arch), len(b))
			if len(b) > f.MaxZipSize {
				t.Errorf("%s is %d bytes, more than %d", f.FileName(arch), len(b), f.MaxZipSize)
			}
			r, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			if len(r.File) != 1 || r.File[0].Name != "bootstrap" || r.File[0].Mode().Perm() != 0o755 {
				t.Errorf("%s: want one executable bootstrap, have %d entries", f.FileName(arch), len(r.File))
			}
			for _, mode := range f.Modes {
				m, err := ZipForMode(mode, arch)
				if err != nil || !bytes.Equal(m, b) {
					t.Errorf("mode %s on %s: not the package of %s (%v)", mode, arch, f.Name, err)
				}
			}
		}
	}
	if _, err := ZipForMode("no-such-mode", "arm64"); err == nil {
		t.Error("a mode no package serves has a package")
	}
	if _, err := Zip(lambdazip.Functions[0], "sparc"); err == nil {
		t.Error("an unknown architecture has a package")
	}
}
