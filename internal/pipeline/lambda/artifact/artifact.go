// Package artifact holds the enricher's Lambda zips embedded in the provider,
// one per deployment package of internal/pipeline/lambda/lambdazip and architecture, so the
// provider's version is the Lambda's version.
package artifact

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/lambda/lambdazip"
)

//go:generate go run ../../../cmd/lambda-artifact -module ../../../.. -out dist

//go:embed all:dist
var dist embed.FS

// ErrNotEmbedded says the provider was built without running the artifact step.
var ErrNotEmbedded = errors.New("this provider binary was built without the enricher Lambda artifact; " +
	"build it with `make build` (which runs `go generate ./internal/pipeline/lambda/artifact` first) or use a released provider")

// ZipForMode returns the deployment package that serves a VPCFLOW_MODE
// value, for a Lambda architecture ("arm64" or "x86_64").
func ZipForMode(mode, arch string) ([]byte, error) {
	f, err := lambdazip.ForMode(mode)
	if err != nil {
		return nil, err
	}
	return Zip(f, arch)
}

// Zip returns a function's deployment package for a Lambda architecture.
func Zip(f lambdazip.Function, arch string) ([]byte, error) {
	if _, ok := lambdazip.Arches[arch]; !ok {
		return nil, fmt.Errorf("unknown Lambda architecture %q (want arm64 or x86_64)", arch)
	}
	b, err := dist.ReadFile("dist/" + f.FileName(arch))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotEmbedded
	}
	return b, err
}

// SourceCodeHash is the base64 SHA-256 of the zip, as Lambda reports CodeSha256.
func SourceCodeHash(zip []byte) string {
	sum := sha256.Sum256(zip)
	return base64.StdEncoding.EncodeToString(sum[:])
}
