package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/acctest"
)

func TestMain(m *testing.M) { acctest.Main(m) }

// testAccProtoV6ProviderFactories serve the provider in-process; it finds
// the package's moto through AWS_ENDPOINT_URL.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"vpcflow": providerserver.NewProtocol6WithError(New("test")()),
}

// configuredProviderFactories also hand back the provider's data after
// Configure, so a test can count the AWS calls a plan made.
func configuredProviderFactories(got **providerData) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"vpcflow": providerserver.NewProtocol6WithError(&vpcflowProvider{version: "test", configured: func(pd *providerData) { *got = pd }}),
	}
}
