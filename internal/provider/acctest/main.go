package acctest

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// AccEnv is the variable that turns acceptance tests on: the one
// terraform-plugin-testing's resource.Test reads. `make test` sets it.
const AccEnv = "TF_ACC"

// SkipReason is why a test that needs moto or Terraform did not run.
const SkipReason = "acceptance test (needs moto or Terraform): set " + AccEnv + "=1; `make test` does"

// Current is the moto server of the running test package, set by Main and
// MainMoto when acceptance tests run.
var Current *Moto

// Enabled reports whether acceptance tests run: TF_ACC is set to anything
// but the empty string, as terraform-plugin-testing decides.
func Enabled() bool { return os.Getenv(AccEnv) != "" }

// PreCheck skips t unless acceptance tests run. A test that needs the
// package's moto (or Terraform) without going through resource.Test, which
// skips by itself, calls it first; AWSConfig calls it too.
func PreCheck(t testing.TB) {
	t.Helper()
	if !Enabled() {
		t.Skip(SkipReason)
	}
}

// Main is the TestMain of a package with Terraform acceptance tests. With
// TF_ACC set it requires terraform, starts moto, runs the tests and stops
// moto; a missing tool fails the package with the line that installs it.
// Without TF_ACC it only runs the tests: the unit tests pass and the
// acceptance tests skip.
func Main(m *testing.M) {
	if !Enabled() {
		os.Exit(m.Run())
	}
	if err := RequireTerraform(); err != nil {
		fmt.Fprintln(os.Stderr, "FAIL: "+err.Error())
		os.Exit(1)
	}
	MainMoto(m)
}

// MainMoto is the TestMain of a package whose integration tests need only
// moto; like Main, it starts nothing without TF_ACC.
func MainMoto(m *testing.M) {
	if !Enabled() {
		os.Exit(m.Run())
	}
	moto, err := StartMoto()
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL: "+err.Error())
		os.Exit(1)
	}
	Current = moto
	if err := UseMoto(moto); err != nil {
		moto.Stop()
		fmt.Fprintln(os.Stderr, "FAIL: "+err.Error())
		os.Exit(1)
	}
	code := m.Run()
	moto.Stop()
	os.Exit(code)
}

// AWSConfig returns an SDK configuration pointing at the package's moto, for
// test fixtures created outside Terraform. It skips t unless acceptance
// tests run (PreCheck), so a test whose first need of AWS is AWSConfig needs
// no other guard.
func AWSConfig(t testing.TB) aws.Config {
	t.Helper()
	PreCheck(t)
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion(Region))
	if err != nil {
		t.Fatalf("loading AWS configuration for moto: %v", err)
	}
	return cfg
}
