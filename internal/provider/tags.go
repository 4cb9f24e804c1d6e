package provider

import (
	"context"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// tagsFromModel converts a tags map attribute; null or unknown is no tags.
func tagsFromModel(ctx context.Context, m types.Map) (map[string]string, diag.Diagnostics) {
	out := map[string]string{}
	if m.IsNull() || m.IsUnknown() {
		return out, nil
	}
	diags := m.ElementsAs(ctx, &out, false)
	return out, diags
}

// tagsToModel converts tags read from AWS. No tags is null, unless the prior
// value was an empty map (tags = {}), which is kept so the plan holds.
func tagsToModel(ctx context.Context, tags map[string]string, prior types.Map) (types.Map, diag.Diagnostics) {
	if len(tags) == 0 {
		if !prior.IsNull() && !prior.IsUnknown() && len(prior.Elements()) == 0 {
			return prior, nil
		}
		return types.MapNull(types.StringType), nil
	}
	return types.MapValueFrom(ctx, types.StringType, tags)
}

// diffTags returns the tags to set and the keys to remove to go from old to new.
func diffTags(oldTags, newTags map[string]string) (upsert map[string]string, remove []string) {
	upsert = map[string]string{}
	for k, v := range newTags {
		if ov, ok := oldTags[k]; !ok || ov != v {
			upsert[k] = v
		}
	}
	for k := range oldTags {
		if _, ok := newTags[k]; !ok {
			remove = append(remove, k)
		}
	}
	slices.Sort(remove)
	return upsert, remove
}
