package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/health"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/conns"
)

// ModifyPlan runs the delivery check when a flow log is created or its
// delivery changes (which replaces it): the role, bucket and key policies
// are read from AWS, once per run for all flow logs sharing them, and
// evaluated with the provider's policy engine. For a flow log AWS reports
// as failing, it explains the failure with the current documents.
func (r *flowLogResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	plan, ok := modelOf[flowLogModel](ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	var state *flowLogModel
	if !req.State.Raw.IsNull() {
		state = &flowLogModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	r.planComputed(ctx, req, &plan, state, resp)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)

	mode := r.data.client.Settings.Validation
	if mode == conns.ValidationOff {
		return
	}
	pd := r.data.inRegion(stringOrEmpty(plan.Region))

	spec, roleAttr, unknown, diags := plan.deliverySpec(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	stage := flowLogCheckAtPlan
	if state != nil && !flowLogDeliveryChanged(&plan, state) {
		if state.DeliverLogsStatus.ValueString() != health.StatusFailed {
			return
		}
		stage = flowLogCheckFailing
	}
	if len(unknown) > 0 {
		resp.Diagnostics.AddAttributeWarning(unknown[0], "Flow log delivery check moved to apply",
			fmt.Sprintf("%s is known only after apply (it is created in the same run), so the delivery check runs during apply, "+
				"before the flow log is created: if delivery would fail, the apply fails and no flow log is created.", unknown[0]))
		return
	}
	spec.Existing = stage == flowLogCheckFailing
	findings, groupMissing, err := checkFlowLogDeliveryAtPlan(ctx, pd, spec, stage == flowLogCheckAtPlan)
	if err != nil {
		resp.Diagnostics.AddWarning("Flow log delivery not checked",
			fmt.Sprintf("Reading the documents the delivery check needs failed, so this plan cannot tell whether delivery will work: %s\n\n"+
				"Let the identity running Terraform read the role and destination (iam:GetRole, iam:ListRolePolicies, iam:GetRolePolicy, "+
				"iam:ListAttachedRolePolicies, iam:GetPolicy, iam:GetPolicyVersion, s3:GetBucketPolicy, s3:GetEncryptionConfiguration, "+
				"logs:DescribeLogGroups, kms:GetKeyPolicy), or set the provider's validation = \"off\".", err))
		return
	}
	if stage == flowLogCheckAtPlan && flowLogHasFinding(findings, "ROLE_NOT_FOUND") {
		// A role whose ARN is known at plan time may be created in this same
		// run (vpcflow_delivery_role with a name): check it during apply.
		resp.Diagnostics.AddAttributeWarning(roleAttr, "Flow log delivery check moved to apply",
			fmt.Sprintf("The role %s does not exist yet. If it is created in this run, the delivery check runs during apply, "+
				"before the flow log is created; if it still does not exist then, the apply fails and no flow log is created.", spec.RoleARN))
		return
	}
	if groupMissing != nil {
		resp.Diagnostics.AddAttributeWarning(path.Root("log_destination"), "Flow log delivery check of the log group moved to apply", findingText(*groupMissing))
	}
	reportFlowLogFindings(&resp.Diagnostics, findings, mode, roleAttr, stage)
}

// planComputed plans the attributes the provider computes from its own
// configuration: region (the provider's unless set; a change replaces the
// flow log) and tags_all (default_tags with tags over them).
func (r *flowLogResource) planComputed(ctx context.Context, req resource.ModifyPlanRequest, plan, state *flowLogModel, resp *resource.ModifyPlanResponse) {
	var configRegion types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("region"), &configRegion)...)
	if configRegion.IsNull() {
		plan.Region = types.StringValue(r.data.client.Region())
	}
	if state != nil && !state.Region.IsNull() && !plan.Region.IsUnknown() && state.Region.ValueString() != plan.Region.ValueString() {
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("region"))
	}
	tagsAll, diags := planTagsAll(ctx, r.data.defaultTags, plan.Tags)
	resp.Diagnostics.Append(diags...)
	plan.TagsAll = tagsAll
}

// checkFlowLogDeliveryAtPlan is checkFlowLogDelivery for a plan. A log group
// that does not exist at plan time is usually created in the same run
// (vpcflow_log_group, aws_cloudwatch_log_group, terraform-aws-vpc's module),
// so the plan does not require logs:CreateLogGroup of the role. When the role
// would need it were the group still missing at apply, groupMissing explains
// that; Create checks again with the group as it is then.
func checkFlowLogDeliveryAtPlan(ctx context.Context, pd *providerData, spec deliverySpec, deferGroup bool) (findings []delivery.Finding, groupMissing *delivery.Finding, err error) {
	in, pre, err := pd.deliveryInput(ctx, spec)
	if err != nil {
		return nil, nil, err
	}
	if !deferGroup || !in.LogGroupMayNotExist {
		findings = append(pre, delivery.Check(in)...)
		sortFindings(findings)
		return findings, nil, nil
	}
	withCreate := delivery.Check(in)
	in.LogGroupMayNotExist = false
	findings = append(pre, delivery.Check(in)...)
	sortFindings(findings)
	if delivery.Valid(findings) && !delivery.Valid(withCreate) {
		groupMissing = &delivery.Finding{
			Code: "LOG_GROUP_NOT_FOUND", Severity: delivery.SeverityWarning, Attribute: "destination_arn",
			Message: fmt.Sprintf("Log group %s does not exist yet. If it is created in this run (vpcflow_log_group, aws_cloudwatch_log_group), delivery works as checked. "+
				"If it still does not exist when the flow log is created, VPC Flow Logs creates it with the delivery role, which does not allow logs:CreateLogGroup on it, "+
				"so nothing is delivered (DeliverLogsStatus=FAILED, \"Access error\"). The check runs again during apply, before the flow log is created.",
				logGroupName(spec.DestinationARN)),
			Fix: "Create the log group in the same configuration (vpcflow_log_group), or allow logs:CreateLogGroup on it (vpcflow_delivery_role's allow_create_log_group).",
		}
	}
	return findings, groupMissing, nil
}

// checkBeforeCreate runs the delivery check in Create, where every value is
// known. In error mode an error finding stops the create. It reports
// whether the check found delivery broken, in which case a CreateFlowLogs
// error is the problem already explained, not IAM propagation.
func (r *flowLogResource) checkBeforeCreate(ctx context.Context, plan *flowLogModel, diags *diag.Diagnostics) (broken bool) {
	if r.data == nil || r.data.client.Settings.Validation == conns.ValidationOff {
		return false
	}
	spec, roleAttr, _, d := plan.deliverySpec(ctx)
	diags.Append(d...)
	if diags.HasError() {
		return false
	}
	findings, err := r.checkForCreate(ctx, r.data.inRegion(stringOrEmpty(plan.Region)), spec)
	if err != nil {
		diags.AddWarning("Flow log delivery not checked",
			fmt.Sprintf("Reading the documents the delivery check needs failed: %s. The flow log is created unchecked.", err))
		return false
	}
	reportFlowLogFindings(diags, findings, r.data.client.Settings.Validation, roleAttr, flowLogCheckAtApply)
	return !delivery.Valid(findings)
}

// checkForCreate runs the check; a role that is not found yet is read again
// within the IAM propagation bounds, since a role created in this apply may
// not be visible at once.
func (r *flowLogResource) checkForCreate(ctx context.Context, pd *providerData, spec deliverySpec) ([]delivery.Finding, error) {
	regional := pd
	var findings []delivery.Finding
	err := retryIAMPropagation(ctx, r.propagationTimeout, func() error {
		var err error
		findings, err = checkFlowLogDelivery(ctx, pd, spec)
		if err == nil && flowLogHasFinding(findings, "ROLE_NOT_FOUND") {
			// The shared reader remembers "not found"; read afresh next time.
			pd = newProviderData(regional.client)
			return errRoleNotVisible
		}
		return err
	}, func(err error) bool { return errors.Is(err, errRoleNotVisible) })
	if errors.Is(err, errRoleNotVisible) {
		return findings, nil // still not found: the finding explains it
	}
	return findings, err
}

var errRoleNotVisible = errors.New("delivery role not found")

func flowLogHasFinding(findings []delivery.Finding, code string) bool {
	for _, f := range findings {
		if f.Code == code {
			return true
		}
	}
	return false
}

// checkFlowLogDelivery completes a spec from AWS and checks it, errors first.
func checkFlowLogDelivery(ctx context.Context, pd *providerData, spec deliverySpec) ([]delivery.Finding, error) {
	in, findings, err := pd.deliveryInput(ctx, spec)
	if err != nil {
		return nil, err
	}
	findings = append(findings, delivery.Check(in)...)
	sortFindings(findings)
	return findings, nil
}

// deliverySpec returns what the checker needs of a planned flow log, the
// attribute the delivery role comes from, and the paths of the values not
// known until apply.
func (m *flowLogModel) deliverySpec(ctx context.Context) (deliverySpec, path.Path, []path.Path, diag.Diagnostics) {
	var unknown []path.Path
	if m.LogDestinationType.IsUnknown() {
		unknown = append(unknown, path.Root("log_destination_type"))
	}
	if m.LogDestination.IsUnknown() {
		unknown = append(unknown, path.Root("log_destination"))
	}
	kind := m.destinationType()
	// S3 and same-account Firehose delivery use no role. Across accounts,
	// iam_role_arn is the role of the flow log's account that the log
	// delivery service assumes; deliver_cross_account_role, in the stream's
	// account, cannot be read with the provider's credentials and is only
	// the target of that role's sts:AssumeRole.
	roleAttr, role := path.Root("iam_role_arn"), types.StringNull()
	switch kind {
	case delivery.DestinationCloudWatchLogs:
		role = m.IAMRoleARN
	case delivery.DestinationFirehose:
		if stringOrEmpty(m.DeliverCrossAccountRole) != "" || m.DeliverCrossAccountRole.IsUnknown() {
			role = m.IAMRoleARN
		}
	}
	if role.IsUnknown() {
		unknown = append(unknown, roleAttr)
	}
	if m.DeliverCrossAccountRole.IsUnknown() && kind == delivery.DestinationFirehose {
		unknown = append(unknown, path.Root("deliver_cross_account_role"))
	}
	if m.DestinationOptions.IsUnknown() {
		unknown = append(unknown, path.Root("destination_options"))
	}
	spec := deliverySpec{
		DestinationType:  kind,
		DestinationARN:   strings.TrimSuffix(m.LogDestination.ValueString(), ":*"),
		RoleARN:          stringOrEmpty(role),
		CrossAccountRole: stringOrEmpty(m.DeliverCrossAccountRole),
	}
	opts, diags := m.destinationOptions(ctx)
	if opts != nil {
		if opts.HiveCompatiblePartitions.IsUnknown() {
			unknown = append(unknown, path.Root("destination_options").AtName("hive_compatible_partitions"))
		}
		spec.Hive = opts.HiveCompatiblePartitions.ValueBool()
	}
	return spec, roleAttr, unknown, diags
}

// flowLogDeliveryChanged reports whether the plan changes what the delivery
// check looks at.
func flowLogDeliveryChanged(plan, state *flowLogModel) bool {
	return !plan.LogDestinationType.Equal(state.LogDestinationType) ||
		!sameFlowLogDestination(plan.LogDestination.ValueString(), state.LogDestination.ValueString()) || plan.LogDestination.IsUnknown() ||
		stringOrEmpty(plan.IAMRoleARN) != stringOrEmpty(state.IAMRoleARN) || plan.IAMRoleARN.IsUnknown() ||
		stringOrEmpty(plan.DeliverCrossAccountRole) != stringOrEmpty(state.DeliverCrossAccountRole) || plan.DeliverCrossAccountRole.IsUnknown() ||
		!plan.DestinationOptions.Equal(state.DestinationOptions) ||
		(!state.Region.IsNull() && !plan.Region.Equal(state.Region))
}

type flowLogCheckStage int

const (
	flowLogCheckAtPlan  flowLogCheckStage = iota // creating or replacing: errors fail the plan
	flowLogCheckAtApply                          // in Create: errors stop the create
	flowLogCheckFailing                          // AWS reports the flow log failing: explain, never block
)

// reportFlowLogFindings turns findings into diagnostics on the attribute
// each is about, and reports whether one of them is an error.
func reportFlowLogFindings(diags *diag.Diagnostics, findings []delivery.Finding, mode string, roleAttr path.Path, stage flowLogCheckStage) (blocking bool) {
	for _, f := range findings {
		p := flowLogFindingPath(f, roleAttr)
		isError := f.Severity == delivery.SeverityError
		var summary string
		switch {
		case stage == flowLogCheckFailing:
			summary = "Flow log delivery is failing: " + f.Code
		case !isError:
			if stage == flowLogCheckAtApply {
				continue // shown by the plan
			}
			summary = "Flow log delivery may fail: " + f.Code
		case mode == conns.ValidationError:
			summary = "Flow log delivery will fail: " + f.Code
		case stage == flowLogCheckAtApply:
			summary = "Flow log created although delivery will fail: " + f.Code
		default:
			summary = "Flow log delivery will fail: " + f.Code
		}
		if isError && stage != flowLogCheckFailing && mode == conns.ValidationError {
			diags.AddAttributeError(p, summary, findingText(f))
			blocking = true
			continue
		}
		diags.AddAttributeWarning(p, summary, findingText(f))
	}
	return blocking
}

// flowLogFindingPath maps the checker's input attribute to the resource's.
func flowLogFindingPath(f delivery.Finding, roleAttr path.Path) path.Path {
	switch f.Attribute {
	case "trust_policy", "permission_policies", "permissions_boundary", "role_arn", delivery.AttrServiceControlPolicies:
		return roleAttr
	case "bucket_policy", "kms_key_policy", "destination_arn", "flow_log_account":
		return path.Root("log_destination")
	case "destination_type":
		return path.Root("log_destination_type")
	}
	return path.Root("log_destination")
}
