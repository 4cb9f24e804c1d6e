package provider

import (
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/policysource"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/conns"
)

// providerData is what Configure hands to resources and data sources.
type providerData struct {
	client *conns.Client
	// docs remembers the documents read during one Terraform run, so many
	// flow logs sharing a role read it once.
	docs *policysource.Reader
	// defaultTags are the provider's default_tags, merged into the tags of
	// the resources that take them, as the AWS provider does.
	defaultTags map[string]string

	regionsMu sync.Mutex
	regions   map[string]*providerData
}

// inRegion returns the provider data of another region, for a resource whose
// `region` argument differs from the provider's; "" is the provider's own.
func (pd *providerData) inRegion(region string) *providerData {
	if region == "" || region == pd.client.Region() {
		return pd
	}
	pd.regionsMu.Lock()
	defer pd.regionsMu.Unlock()
	if other, ok := pd.regions[region]; ok {
		return other
	}
	if pd.regions == nil {
		pd.regions = map[string]*providerData{}
	}
	other := newProviderData(pd.client.WithRegion(region))
	other.defaultTags = pd.defaultTags
	pd.regions[region] = other
	return other
}

// tagDefaults returns the provider's default tags; none before Configure.
func (pd *providerData) tagDefaults() map[string]string {
	if pd == nil {
		return nil
	}
	return pd.defaultTags
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
