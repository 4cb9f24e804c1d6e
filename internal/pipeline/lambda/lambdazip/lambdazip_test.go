package lambdazip

import (
	"archive/zip"
	"bytes"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/lambdaemu"
)

// TestBuildIsReproducible builds the enricher's arm64 zip twice, from two
// copies of the module at different paths, each with its own GOPATH, one
// with an empty build cache and one with the machine's, and expects the
// same bytes. The module cache is the machine's, so the test needs no
// network. The cold build compiles every dependency of the enricher for
// linux/arm64: give the test several minutes on a busy machine (make test
// allows 20). The other packages are built by the same code from the same
// kind of main package; one cold build stands for them, and
// internal/pipeline/lambda/artifact's tests check every embedded zip's size.
func TestBuildIsReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the enricher twice, once with an empty build cache")
	}
	ctx := context.Background()
	if deadline, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-10*time.Second))
		defer cancel()
	}
	root := moduleRoot(t)
	enricher := Functions[0]
	modCache := goEnv(t, "GOMODCACHE")
	builds := []struct{ checkout, cache string }{
		{"a/src", ""}, // an empty cache in the temporary directory
		{"b/some/deeper/checkout", goEnv(t, "GOCACHE")},
	}
	var sums []string
	var size int
	for _, b := range builds {
		base := t.TempDir()
		dir := filepath.Join(base, b.checkout)
		copyModuleSource(t, root, dir)
		cache := b.cache
		if cache == "" {
			cache = filepath.Join(base, "gocache")
		}
		zipBytes, err := Build(ctx, dir, enricher.Package, "arm64",
			"GOPATH="+filepath.Join(base, "gopath"),
			"GOCACHE="+cache,
			"GOMODCACHE="+modCache,
			"GOPROXY=off",
			"GOTOOLCHAIN=local",
		)
		if err != nil {
			t.Fatal(err)
		}
		sums = append(sums, SHA256Hex(zipBytes))
		size = len(zipBytes)
		t.Logf("%s: sha256 %s, %d bytes", b.checkout, SHA256Hex(zipBytes), len(zipBytes))
	}
	if sums[0] != sums[1] {
		t.Errorf("two builds of the same source differ:\n  %s\n  %s", sums[0], sums[1])
	}
	if size > enricher.MaxZipSize {
		t.Errorf("zip is %d bytes, more than %d", size, enricher.MaxZipSize)
	}
}

// TestZipHasOneExecutableEntry checks the archive shape Lambda's
// provided.al2023 runtime runs: one file named bootstrap, executable, with a
// fixed time.
func TestZipHasOneExecutableEntry(t *testing.T) {
	t.Parallel()
	b, err := Zip("bootstrap", strings.NewReader("#!/bin/sh\n"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := Zip("bootstrap", strings.NewReader("#!/bin/sh\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, again) {
		t.Error("the same content zips to different bytes")
	}
	r, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.File) != 1 {
		t.Fatalf("%d entries, want 1", len(r.File))
	}
	f := r.File[0]
	if f.Name != "bootstrap" || f.Mode().Perm() != 0o755 || !f.Modified.Equal(epoch) {
		t.Errorf("entry %s mode %v modified %v, want bootstrap 0755 %v", f.Name, f.Mode().Perm(), f.Modified, epoch)
	}
}

// TestInitUnderEmulator runs each deployment package, built for the
// machine's architecture as the Lambda ones are, under the Lambda emulator
// in each of its modes, several cold starts each, and logs the init
// durations (the emulator's INIT REPORT: from the bootstrap's exec to its
// first request for an event, what Lambda reports as Init Duration) and
// the zip's size. The durations are logged, not asserted: on a shared
// machine a wall-clock bound fails for reasons that are not the binary's.
// BenchmarkInit measures them.
func TestInitUnderEmulator(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every package and starts each several times")
	}
	const runs = 5
	for _, f := range Functions {
		zipBytes := buildForHost(t, f)
		for _, mode := range f.Modes {
			inits := make([]time.Duration, 0, runs)
			for range runs {
				inits = append(inits, coldStart(t, zipBytes, mode))
			}
			slices.Sort(inits)
			t.Logf("%-9s %-15s init median %6.1f ms, min %6.1f ms, max %6.1f ms (%d cold starts); linux/%s zip %d bytes",
				f.Name, mode, ms(inits[runs/2]), ms(inits[0]), ms(inits[runs-1]), runs, runtime.GOARCH, len(zipBytes))
		}
	}
}

// BenchmarkInit measures the init of each mode's package under the Lambda
// emulator, in init-ms per cold start.
func BenchmarkInit(b *testing.B) {
	for _, f := range Functions {
		zipBytes := buildForHost(b, f)
		for _, mode := range f.Modes {
			b.Run(mode, func(b *testing.B) {
				var total time.Duration
				for b.Loop() {
					total += coldStart(b, zipBytes, mode)
				}
				b.ReportMetric(ms(total)/float64(b.N), "init-ms/op")
				b.ReportMetric(float64(len(zipBytes)), "zip-bytes")
			})
		}
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// buildForHost builds a function's zip for the machine's architecture.
func buildForHost(tb testing.TB, f Function) []byte {
	tb.Helper()
	if runtime.GOOS != "linux" {
		tb.Skip("the Lambda binary is built for Linux")
	}
	zipBytes, err := Build(context.Background(), moduleRoot(tb), f.Package, runtime.GOARCH)
	if err != nil {
		tb.Fatal(err)
	}
	return zipBytes
}

// initEnvs are the least environment each mode starts with, and the
// event it is invoked with: one that needs no AWS, so that the start is
// the binary's alone. AWS is out of reach (a closed port), and asked once.
var initEnvs = map[string]struct {
	env   map[string]string
	event string
}{
	"cloudwatch-logs": {map[string]string{"VPCFLOW_OUTPUT_BUCKET": "rows", "VPCFLOW_INVENTORY_TABLE": "inventory"}, `{"awslogs":{"data":""}}`},
	"kinesis":         {map[string]string{"VPCFLOW_OUTPUT_BUCKET": "rows", "VPCFLOW_INVENTORY_TABLE": "inventory"}, `{"Records":[]}`},
	"s3":              {map[string]string{"VPCFLOW_OUTPUT_BUCKET": "rows", "VPCFLOW_INVENTORY_TABLE": "inventory"}, `{"Records":[]}`},
	"compact":         {map[string]string{"VPCFLOW_OUTPUT_BUCKET": "rows"}, `{}`},
	"inventory":       {map[string]string{"VPCFLOW_INVENTORY_TABLE": "inventory"}, `{}`},
	"watchdog":        {map[string]string{}, `{}`},
}

// coldStart starts a package under the emulator in a mode, invokes it once
// and returns its init's duration.
func coldStart(tb testing.TB, zipBytes []byte, mode string) time.Duration {
	tb.Helper()
	cfg, ok := initEnvs[mode]
	if !ok {
		tb.Fatalf("no start environment for mode %q: add it to initEnvs", mode)
	}
	env := map[string]string{"VPCFLOW_MODE": mode, "AWS_MAX_ATTEMPTS": "1"}
	for k, v := range cfg.env {
		env[k] = v
	}
	ctx := context.Background()
	fn, err := lambdaemu.Start(ctx, lambdaemu.Config{Zip: zipBytes, Env: env, Timeout: 10 * time.Second, Endpoint: "http://127.0.0.1:1", Region: "eu-west-1"})
	if err != nil {
		tb.Fatal(err)
	}
	defer fn.Stop()
	res, err := fn.Invoke(ctx, []byte(cfg.event))
	if err != nil {
		tb.Fatal(err)
	}
	if res.Report.Init <= 0 {
		tb.Fatalf("mode %s: no init reported; the function's log:\n%s", mode, fn.Log())
	}
	return res.Report.Init
}

func moduleRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", "..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found from the package directory: %v", err)
	}
	return root
}

func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", name, err)
	}
	return strings.TrimSpace(string(out))
}

// copyModuleSource copies what building the module's packages reads: go.mod,
// go.sum, the main package at the root and everything under internal except
// tests, test data and the built artifacts.
func copyModuleSource(t *testing.T, root, dst string) {
	t.Helper()
	copyFile := func(rel string) {
		b, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			t.Fatal(err)
		}
		target := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(target, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"go.mod", "go.sum", "main.go"} {
		copyFile(name)
	}
	err := filepath.WalkDir(filepath.Join(root, "internal"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		switch {
		case d.IsDir() && (d.Name() == "testdata" || rel == filepath.Join("internal", "artifact", "dist")):
			return fs.SkipDir
		case d.IsDir(), !d.Type().IsRegular(), strings.HasSuffix(d.Name(), "_test.go"):
			return nil
		}
		copyFile(rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
