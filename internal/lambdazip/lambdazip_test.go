package lambdazip

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// maxZipSize guards the deployment package against growth: Lambda accepts
// 50 MB zipped, and a small package is fetched faster on a cold start. The
// aim is 10 MB; the inventory mode links the whole EC2 client (about 13 MB).
const maxZipSize = 16 << 20

// TestBuildIsReproducible builds the arm64 zip twice, from two copies of the
// module at different paths, each with its own GOPATH, one with an empty
// build cache and one with the machine's, and expects the same bytes. The
// module cache is the machine's, so the test needs no network. The cold
// build compiles every dependency for linux/arm64: give the test several
// minutes on a busy machine (make test allows 20).
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
		zipBytes, err := Build(ctx, dir, EnricherPackage, "arm64",
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
	if size > maxZipSize {
		t.Errorf("zip is %d bytes, more than %d", size, maxZipSize)
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

// TestEnricherStartToReady runs the enricher, built for the machine's
// architecture as the Lambda one is, and checks that it starts and prints
// its usage first. The time from exec to that line, the part of a cold
// start the binary controls, is logged, not asserted: on a shared machine a
// wall-clock bound fails for reasons that are not the binary's.
// BenchmarkEnricherStartToReady measures it.
func TestEnricherStartToReady(t *testing.T) {
	bin, zipSize := buildEnricherBinary(t)
	const runs = 5
	times := make([]time.Duration, 0, runs)
	for range runs {
		times = append(times, startToFirstLine(t, bin, "help"))
	}
	slices.Sort(times)
	t.Logf("start to ready (exec to usage printed), %d runs: median %s, min %s, max %s; linux/%s zip %d bytes",
		runs, times[runs/2], times[0], times[runs-1], runtime.GOARCH, zipSize)
}

// BenchmarkEnricherStartToReady measures the enricher's start, exec to its
// first line of output, in ns/op.
func BenchmarkEnricherStartToReady(b *testing.B) {
	bin, _ := buildEnricherBinary(b)
	var total time.Duration
	for b.Loop() {
		total += startToFirstLine(b, bin, "help")
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "start-ms/op")
}

// buildEnricherBinary builds the enricher for the machine's architecture
// and returns the path of its bootstrap and the size of its zip.
func buildEnricherBinary(tb testing.TB) (string, int) {
	tb.Helper()
	if runtime.GOOS != "linux" {
		tb.Skip("the Lambda binary is built for Linux")
	}
	zipBytes, err := Build(context.Background(), moduleRoot(tb), EnricherPackage, runtime.GOARCH)
	if err != nil {
		tb.Fatal(err)
	}
	bin := filepath.Join(tb.TempDir(), "bootstrap")
	if err := os.WriteFile(bin, unzipBootstrap(tb, zipBytes), 0o755); err != nil {
		tb.Fatal(err)
	}
	return bin, len(zipBytes)
}

// startToFirstLine runs bin and returns the time from exec to its first
// line of output.
func startToFirstLine(t testing.TB, bin string, args ...string) time.Duration {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = []string{"PATH=/usr/bin:/bin"} // outside Lambda: no AWS_LAMBDA_RUNTIME_API
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	elapsed := time.Since(start)
	if err != nil || !strings.HasPrefix(line, "Usage") {
		t.Fatalf("first line %q, %v; want the usage", line, err)
	}
	_, _ = io.Copy(io.Discard, out)
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	return elapsed
}

func unzipBootstrap(t testing.TB, b []byte) []byte {
	t.Helper()
	r, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := r.Open("bootstrap")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	content, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return content
}

func moduleRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
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
