// Package lambdazip builds the enricher's Lambda deployment packages
// reproducibly: the same source and Go toolchain give a byte-identical zip on
// any machine, whatever the checkout path, GOPATH or build cache. Functions
// lists the packages and the modes each serves.
package lambdazip

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// epoch is the fixed modification time of every zip entry (the zip format's
// earliest date), so the archive does not depend on when it was built.
var epoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// Arches maps Lambda architectures to Go architectures.
var Arches = map[string]string{"arm64": "arm64", "x86_64": "amd64"}

// Build cross-compiles the package in moduleDir for linux/goarch as Lambda's
// provided.al2023 runtime expects (a static binary named bootstrap) and
// returns the zip. Paths, VCS state and build IDs are kept out of the binary.
// env is added to the build's environment (tests vary GOPATH and GOCACHE).
func Build(ctx context.Context, moduleDir, pkg, goarch string, env ...string) ([]byte, error) {
	tmp, err := os.MkdirTemp("", "vpcflow-lambda-*")
	if err != nil {
		return nil, err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	bin := filepath.Join(tmp, "bootstrap")
	cmd := exec.CommandContext(ctx, "go", "build",
		"-trimpath", "-buildvcs=false", "-tags", "lambda.norpc",
		"-ldflags", "-s -w -buildid=",
		"-o", bin, pkg)
	cmd.Dir = moduleDir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch, "GOFLAGS=-mod=readonly")
	cmd.Env = append(cmd.Env, env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("building %s for linux/%s: %w\n%s", pkg, goarch, err, stderr.String())
	}
	f, err := os.Open(bin)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	return Zip("bootstrap", f)
}

// Zip writes one executable entry with a fixed time and mode.
func Zip(name string, content io.Reader) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	// The best compression rather than archive/zip's level 5: the zip is
	// made once and fetched at every cold start.
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	h := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: epoch}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(w, content); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// SHA256Hex returns the hex SHA-256 of b.
func SHA256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// FileName is the file name of a function's zip for a Lambda architecture.
func FileName(name, arch string) string { return name + "-" + arch + ".zip" }
