package provider

import (
	"context"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// What the drop-in replacement of hashicorp/aws's aws_flow_log and
// aws_cloudwatch_log_group needs beyond their arguments: the AWS provider's
// habits with empty strings, the per-resource region of v6, and plan
// modifiers that keep equal spellings from replacing a resource.

// regionPattern is the shape of an AWS region name.
var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)

// emptyOr validates a string that may be "" (unset, as in the AWS provider)
// or must otherwise match pattern.
func emptyOr(pattern *regexp.Regexp, message string) validator.String {
	return stringvalidator.Any(
		stringvalidator.LengthAtMost(0),
		stringvalidator.RegexMatches(pattern, message),
	)
}

// requiresReplaceUnlessEmpty replaces the resource when the value changes,
// except between null and "", which the AWS provider treats as the same.
type requiresReplaceUnlessEmpty struct{}

func (requiresReplaceUnlessEmpty) Description(context.Context) string {
	return "Changing the value replaces the resource; an empty string and no value are the same."
}

func (m requiresReplaceUnlessEmpty) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (requiresReplaceUnlessEmpty) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	if req.PlanValue.IsUnknown() {
		resp.RequiresReplace = true
		return
	}
	if stringOrEmpty(req.PlanValue) != stringOrEmpty(req.StateValue) {
		resp.RequiresReplace = true
	}
}

// requiresReplaceUnlessSameDestination replaces the flow log when its
// destination changes, but not when only a log group ARN's trailing ":*"
// does: AWS reports the ARN without it, and the AWS provider's Create strips it.
type requiresReplaceUnlessSameDestination struct{}

func (requiresReplaceUnlessSameDestination) Description(context.Context) string {
	return "Changing the destination replaces the flow log; a log group ARN with and without \":*\" is the same destination."
}

func (m requiresReplaceUnlessSameDestination) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (requiresReplaceUnlessSameDestination) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() || req.StateValue.IsNull() {
		return
	}
	if req.PlanValue.IsUnknown() || !sameFlowLogDestination(req.PlanValue.ValueString(), req.StateValue.ValueString()) {
		resp.RequiresReplace = true
	}
}

// requiresReplaceUnlessDefaultOptions replaces the flow log when its
// destination_options change, but not between no block and a block of the
// defaults: AWS reports the defaults for every S3 flow log, and
// terraform-aws-vpc writes the block for every S3 flow log.
type requiresReplaceUnlessDefaultOptions struct{}

func (requiresReplaceUnlessDefaultOptions) Description(context.Context) string {
	return "Changing the options replaces the flow log; no block and a block of the defaults are the same."
}

func (m requiresReplaceUnlessDefaultOptions) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (requiresReplaceUnlessDefaultOptions) PlanModifyObject(_ context.Context, req planmodifier.ObjectRequest, resp *planmodifier.ObjectResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() || req.PlanValue.Equal(req.StateValue) {
		return
	}
	if req.PlanValue.IsUnknown() || !defaultOptions(req.PlanValue) || !defaultOptions(req.StateValue) {
		resp.RequiresReplace = true
	}
}

// defaultOptions reports whether destination_options is absent or holds AWS's defaults.
func defaultOptions(v types.Object) bool {
	if v.IsNull() {
		return true
	}
	if v.IsUnknown() {
		return false
	}
	a := v.Attributes()
	return a["file_format"].Equal(types.StringValue("plain-text")) &&
		a["hive_compatible_partitions"].Equal(types.BoolValue(false)) &&
		a["per_hour_partition"].Equal(types.BoolValue(false))
}
