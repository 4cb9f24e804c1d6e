package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/contract"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventorystore"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventorysync"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/synthetic"
)

type seeded struct{ interfaces, resources int }

// seedInventory writes the synthetic estate into the inventory table as
// the inventory function records it (the local AWS cannot hold Lambda, RDS
// or load balancer interfaces), as of before the estate's first traffic,
// and uploads its ip-ranges.json for the handler.
func seedInventory(ctx context.Context, c *clients, pl *pipeline, set *synthetic.Set) (seeded, error) {
	var n seeded
	var described struct {
		NetworkInterfaces []ec2types.NetworkInterface
	}
	if err := json.Unmarshal(set.NetworkInterfaces, &described); err != nil {
		return n, fmt.Errorf("the synthetic network interfaces: %w", err)
	}
	var tagged struct {
		ResourceTagMappingList []struct {
			ResourceARN string
			Tags        []struct{ Key, Value string }
		}
	}
	if err := json.Unmarshal(set.Resources, &tagged); err != nil {
		return n, fmt.Errorf("the synthetic resources: %w", err)
	}
	now := set.Truth.Now
	at := time.Date(now.Year(), now.Month()-3, 1, 0, 0, 0, 0, time.UTC)
	store := inventorystore.New(c.dynamo, pl.table, inventorystore.Options{})
	for _, ni := range described.NetworkInterfaces {
		iface, attachment := inventorysync.FromEC2(ni, synthetic.Region)
		if _, err := store.PutInterface(ctx, iface, attachment, at); err != nil {
			return n, err
		}
		n.interfaces++
	}
	for _, r := range tagged.ResourceTagMappingList {
		tags := make(map[string]string, len(r.Tags))
		for _, t := range r.Tags {
			tags[t.Key] = t.Value
		}
		if _, err := store.PutTags(ctx, r.ResourceARN, tags, at, 0); err != nil {
			return n, err
		}
		n.resources++
	}

	bucket, key := pl.bucket, pl.ipRanges[len("s3://"+pl.bucket+"/"):]
	if _, err := c.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(set.IPRanges)}); err != nil {
		return n, fmt.Errorf("uploading ip-ranges.json: %w", err)
	}
	pl.env[contract.EnvIPRanges] = pl.ipRanges
	return n, nil
}
