// Command lambda-artifact builds the enricher's reproducible Lambda zips into
// internal/artifact/dist, where the provider embeds them.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/lambdazip"
)

func main() {
	out := flag.String("out", "internal/artifact/dist", "directory for the zips")
	module := flag.String("module", ".", "module root")
	flag.Parse()
	arches := make([]string, 0, len(lambdazip.Arches))
	for arch := range lambdazip.Arches {
		arches = append(arches, arch)
	}
	sort.Strings(arches)
	for _, arch := range arches {
		zip, err := lambdazip.Build(context.Background(), *module, lambdazip.EnricherPackage, lambdazip.Arches[arch])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		path := filepath.Join(*out, lambdazip.FileName(arch))
		if err := os.WriteFile(path, zip, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("%s  %s  %d bytes\n", lambdazip.SHA256Hex(zip), path, len(zip))
	}
}
