// Command terraform-provider-vpcflow serves the vpcflow Terraform provider.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider"
)

// version is set at link time by the release build.
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "start the provider with support for debuggers such as delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/vpcflow/vpcflow",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}
