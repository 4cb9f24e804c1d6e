package provider

import (
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
)

func TestMain(m *testing.M) { acctest.Main(m) }

// testAccProtoV6ProviderFactories serve the provider in-process; it finds
// the package's moto through AWS_ENDPOINT_URL.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"vpcflow": providerserver.NewProtocol6WithError(New("test")()),
}

// configuredProviders records the data of every provider instance a test
// configured (Terraform configures one per plan, apply and refresh), so a
// test can count the AWS calls each made.
type configuredProviders struct {
	mu        sync.Mutex
	instances []*providerData
}

// factories serve providers that record themselves after Configure.
func (c *configuredProviders) factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"vpcflow": func() (tfprotov6.ProviderServer, error) {
			p := &vpcflowProvider{version: "test", configured: func(pd *providerData) {
				c.mu.Lock()
				defer c.mu.Unlock()
				c.instances = append(c.instances, pd)
			}}
			return providerserver.NewProtocol6WithError(p)()
		},
	}
}

// maxCount is the most calls of the operation any one provider instance made.
func (c *configuredProviders) maxCount(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	most := 0
	for _, pd := range c.instances {
		most = max(most, pd.client.Calls.Count(op))
	}
	return most
}

// total is the number of AWS calls all instances made.
func (c *configuredProviders) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, pd := range c.instances {
		n += pd.client.Calls.Total()
	}
	return n
}
