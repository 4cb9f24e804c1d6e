package provider

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/conns"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/policysource"
)

// providerData is what Configure hands to resources and data sources.
type providerData struct {
	client *conns.Client
	// docs remembers the documents read during one Terraform run, so many
	// flow logs sharing a role read it once.
	docs *policysource.Reader
}

func newProviderData(c *conns.Client) *providerData {
	return &providerData{
		client: c,
		docs: &policysource.Reader{IAM: c.IAM(), S3: c.S3(), KMS: c.KMS(), Logs: c.Logs(),
			Organizations: organizations.NewFromConfig(c.Config)},
	}
}

// providerDataFrom converts the framework's ProviderData, nil before Configure.
func providerDataFrom(data any) (*providerData, error) {
	if data == nil {
		return nil, nil
	}
	pd, ok := data.(*providerData)
	if !ok {
		return nil, fmt.Errorf("expected *providerData, got %T; please report this issue to the provider developers", data)
	}
	return pd, nil
}
