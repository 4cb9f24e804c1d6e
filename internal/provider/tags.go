package provider

import (
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
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

// tagger changes the tags of one resource with its service's two calls.
type tagger struct {
	untag func(ctx context.Context, keys []string) error
	tag   func(ctx context.Context, tags map[string]string) error
}

// tagError is a failed tagging call: op is "untagging" or "tagging".
type tagError struct {
	op  string
	err error
}

func (e *tagError) Error() string { return e.op + ": " + e.err.Error() }
func (e *tagError) Unwrap() error { return e.err }

// apply moves the resource's tags from one set to another: it untags the
// removed keys, then tags the added and changed ones, and calls nothing
// for what stays. A failure is a *tagError.
func (t tagger) apply(ctx context.Context, from, to map[string]string) error {
	upsert, remove := diffTags(from, to)
	if len(remove) > 0 {
		if err := t.untag(ctx, remove); err != nil {
			return &tagError{op: "untagging", err: err}
		}
	}
	if len(upsert) > 0 {
		if err := t.tag(ctx, upsert); err != nil {
			return &tagError{op: "tagging", err: err}
		}
	}
	return nil
}

// updateTags is the Update step of every taggable resource: from the prior
// tags (tags_all, or tags where the provider's default tags do not apply)
// to the planned ones, nothing when they are equal. A failed call is the
// diagnostic "untagging WHAT" or "tagging WHAT", e.g. WHAT = "Kinesis
// Stream (name)", with the AWS error as detail.
func updateTags(ctx context.Context, prior, planned types.Map, what string, t tagger, diags *diag.Diagnostics) {
	if planned.Equal(prior) {
		return
	}
	oldTags, d := tagsFromModel(ctx, prior)
	diags.Append(d...)
	newTags, d := tagsFromModel(ctx, planned)
	diags.Append(d...)
	if diags.HasError() {
		return
	}
	var te *tagError
	if err := t.apply(ctx, oldTags, newTags); errors.As(err, &te) {
		diags.AddError(te.op+" "+what, te.err.Error())
	} else if err != nil {
		diags.AddError("tagging "+what, err.Error())
	}
}

// tagsAllDescription documents tags_all on every resource that has it.
const tagsAllDescription = "Every tag of the resource: the provider's `default_tags` merged with `tags` (a key in `tags` wins), " +
	"as the AWS provider's `tags_all`."

// tagsAllAttribute is the schema of tags_all, the same on every resource with tags.
func tagsAllAttribute() schema.MapAttribute {
	return schema.MapAttribute{MarkdownDescription: tagsAllDescription, Computed: true, ElementType: types.StringType}
}

// tagsAttribute is the schema of tags on a resource whose tags are changed
// in place; description says what is tagged.
func tagsAttribute(description string) schema.MapAttribute {
	return schema.MapAttribute{MarkdownDescription: description, Optional: true, ElementType: types.StringType}
}

// tagsEmptyIsUnsetAttribute is tagsAttribute for a resource that moves over
// from the AWS provider, where `tags = {}` and no tags are the same.
func tagsEmptyIsUnsetAttribute(description string) schema.MapAttribute {
	return schema.MapAttribute{
		MarkdownDescription: description,
		Optional:            true,
		Computed:            true,
		ElementType:         types.StringType,
		PlanModifiers:       []planmodifier.Map{emptyIsUnset{}},
	}
}

// planTagsAllOf plans tags_all of a resource from its planned tags and the
// provider's default tags. Resources call it deferred from ModifyPlan, so
// it sees the plan as the rest of ModifyPlan left it.
func planTagsAllOf(ctx context.Context, pd *providerData, resp *resource.ModifyPlanResponse) {
	if resp.Plan.Raw.IsNull() || pd == nil || resp.Diagnostics.HasError() {
		return
	}
	var tags types.Map
	resp.Diagnostics.Append(resp.Plan.GetAttribute(ctx, path.Root("tags"), &tags)...)
	if resp.Diagnostics.HasError() {
		return
	}
	all, diags := planTagsAll(ctx, pd.defaultTags, tags)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("tags_all"), all)...)
}

// planTagsAll is tags_all for planned tags: the provider's default tags with
// the resource's tags over them; null when there are none.
func planTagsAll(ctx context.Context, defaults map[string]string, tags types.Map) (types.Map, diag.Diagnostics) {
	if tags.IsUnknown() {
		return types.MapUnknown(types.StringType), nil
	}
	own, diags := tagsFromModel(ctx, tags)
	all := mergeTags(defaults, own)
	if len(all) == 0 {
		return types.MapNull(types.StringType), diags
	}
	v, d := types.MapValueFrom(ctx, types.StringType, all)
	diags.Append(d...)
	return v, diags
}

// mergeTags returns defaults overlaid with own.
func mergeTags(defaults, own map[string]string) map[string]string {
	all := make(map[string]string, len(defaults)+len(own))
	maps.Copy(all, defaults)
	maps.Copy(all, own)
	return all
}

// setReadTags sets a model's tags and tags_all from the tags AWS reports,
// with readTags and the provider's default tags.
func (pd *providerData) setReadTags(ctx context.Context, got map[string]string, tags, tagsAll *types.Map, diags *diag.Diagnostics) {
	var d diag.Diagnostics
	*tags, *tagsAll, d = readTags(ctx, got, pd.tagDefaults(), *tags)
	diags.Append(d...)
}

// readTags splits the tags AWS reports into the resource's own tags and
// tags_all: a tag that is one of the provider's default tags, with the same
// value, is left out of tags unless the prior tags hold it too (the AWS
// provider's rule, so a default tag never shows as a change of tags).
func readTags(ctx context.Context, got, defaults map[string]string, prior types.Map) (tags, tagsAll types.Map, diags diag.Diagnostics) {
	priorTags, d := tagsFromModel(ctx, prior)
	diags.Append(d...)
	own := map[string]string{}
	for k, v := range got {
		if dv, isDefault := defaults[k]; isDefault && dv == v {
			if _, configured := priorTags[k]; !configured {
				continue
			}
		}
		own[k] = v
	}
	tags, d = tagsToModel(ctx, own, prior)
	diags.Append(d...)
	tagsAll = types.MapNull(types.StringType)
	if len(got) > 0 {
		tagsAll, d = types.MapValueFrom(ctx, types.StringType, got)
		diags.Append(d...)
	}
	return tags, tagsAll, diags
}

// emptyIsUnset plans an Optional+Computed attribute the configuration leaves
// out: the prior value when it is the empty value ("" or {}), which the AWS
// provider treats as unset, otherwise null. So `iam_role_arn = ""` or
// `tags = {}` written or left out after an import is no change, and leaving
// out an attribute that had a value still removes it.
type emptyIsUnset struct{}

func (emptyIsUnset) Description(context.Context) string {
	return "An empty value and no value are the same."
}

func (m emptyIsUnset) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (emptyIsUnset) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if !req.ConfigValue.IsNull() {
		return
	}
	if !req.StateValue.IsNull() && !req.StateValue.IsUnknown() && req.StateValue.ValueString() == "" {
		resp.PlanValue = req.StateValue
		return
	}
	resp.PlanValue = types.StringNull()
}

func (emptyIsUnset) PlanModifyMap(_ context.Context, req planmodifier.MapRequest, resp *planmodifier.MapResponse) {
	if !req.ConfigValue.IsNull() {
		return
	}
	if !req.StateValue.IsNull() && !req.StateValue.IsUnknown() && len(req.StateValue.Elements()) == 0 {
		resp.PlanValue = req.StateValue
		return
	}
	resp.PlanValue = types.MapNull(types.StringType)
}

// stringOrEmpty reads an optional string where "" means unset, as in the AWS provider.
func stringOrEmpty(v types.String) string {
	if v.IsNull() || v.IsUnknown() {
		return ""
	}
	return v.ValueString()
}
