package acctest

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// Current is the moto server of the running test package, set by Main and MainMoto.
var Current *Moto

// Main is the TestMain of a package with Terraform acceptance tests: it
// requires terraform, starts moto, runs the tests and stops moto. A missing
// tool fails the package with the line that installs it.
func Main(m *testing.M) {
	if err := RequireTerraform(); err != nil {
		fmt.Fprintln(os.Stderr, "FAIL: "+err.Error())
		os.Exit(1)
	}
	MainMoto(m)
}

// MainMoto is the TestMain of a package whose integration tests need only moto.
func MainMoto(m *testing.M) {
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
// test fixtures created outside Terraform.
func AWSConfig(t testing.TB) aws.Config {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion(Region))
	if err != nil {
		t.Fatalf("loading AWS configuration for moto: %v", err)
	}
	return cfg
}
