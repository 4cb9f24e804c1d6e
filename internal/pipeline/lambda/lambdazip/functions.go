package lambdazip

import (
	"fmt"
	"slices"
)

// A Function is one Lambda deployment package: a main package built into
// bootstrap, which serves the VPCFLOW_MODE values listed, and picks the
// handler among them by VPCFLOW_MODE as every bootstrap did before there
// was more than one. Modes that link the same clients share a package;
// modes that need others (EC2 for the inventory, the coverage scan for the
// watchdog) have their own, so that no function carries, fetches and
// initialises code it never runs.
type Function struct {
	// Name names the zips (NAME-ARCH.zip) and the release's files.
	Name string
	// Package is the main package, relative to the module root.
	Package string
	// Modes are the VPCFLOW_MODE values the bootstrap serves.
	Modes []string
	// MaxZipSize bounds the zip of either architecture: Lambda accepts 50
	// MB zipped, and a smaller package is fetched faster at a cold start.
	MaxZipSize int
}

// Functions are the deployment packages the provider embeds and the
// release publishes. A mode served by a handler of package handler (the
// modes that enrich records into rows) is one more entry in the
// enricher's Modes; vpcflow_enricher_function deploys the package of its
// mode.
var Functions = []Function{
	{Name: "enricher", Package: "./internal/cmd/lambda/enricher", Modes: []string{"cloudwatch-logs", "kinesis", "s3", "compact"}, MaxZipSize: 8 << 20},
	{Name: "inventory", Package: "./internal/cmd/lambda/inventory", Modes: []string{"inventory"}, MaxZipSize: 10 << 20},
	{Name: "watchdog", Package: "./internal/cmd/lambda/watchdog", Modes: []string{"watchdog"}, MaxZipSize: 10 << 20},
}

// ForMode returns the deployment package that serves a VPCFLOW_MODE value.
func ForMode(mode string) (Function, error) {
	for _, f := range Functions {
		if slices.Contains(f.Modes, mode) {
			return f, nil
		}
	}
	var modes []string
	for _, f := range Functions {
		modes = append(modes, f.Modes...)
	}
	return Function{}, fmt.Errorf("no deployment package serves VPCFLOW_MODE=%q (the packages serve %q)", mode, modes)
}

// FileName is the zip of the function for a Lambda architecture.
func (f Function) FileName(arch string) string { return FileName(f.Name, arch) }
