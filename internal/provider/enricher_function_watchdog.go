package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/coveragescan"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/watchdog"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/pipelinepolicy"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/contract"
)

// The watchdog's environment (mode watchdog), named by the package that reads it.
const (
	envWatchdogTargets      = watchdog.EnvTargets
	envWatchdogStateBucket  = watchdog.EnvStateBucket
	envWatchdogStatePrefix  = watchdog.EnvStatePrefix
	envWatchdogNamespace    = watchdog.EnvNamespace
	envWatchdogEventBus     = watchdog.EnvEventBus
	envWatchdogTrafficType  = watchdog.EnvTrafficType
	envWatchdogExcludeVPCs  = watchdog.EnvExcludeVPCs
	defaultWatchdogPrefix   = "vpcflow-watchdog/"
	watchdogHandlerModeName = contract.ModeWatchdog
)

// enricherWatchdogEnv maps each variable of mode watchdog to its attribute.
var enricherWatchdogEnv = []struct{ env, attribute string }{
	{envWatchdogTargets, "scan_targets"},
	{envWatchdogStateBucket, "state_bucket"},
	{envWatchdogStatePrefix, "state_prefix"},
	{envWatchdogNamespace, "metric_namespace"},
	{envWatchdogEventBus, "event_bus_name"},
	{envWatchdogTrafficType, "traffic_type"},
	{envWatchdogExcludeVPCs, "exclude_vpc_ids"},
}

var (
	metricNamespacePattern = regexp.MustCompile(`^[0-9A-Za-z._/#: -]*[0-9A-Za-z._/#:-][0-9A-Za-z._/#: -]*$`)
	watchdogBusPattern     = regexp.MustCompile(`^([A-Za-z0-9._/-]{1,256}|arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus/[A-Za-z0-9._/-]{1,256})$`)
	vpcIDPattern           = regexp.MustCompile(`^vpc-[0-9a-f]{8,17}$`)
	accountIDPattern       = regexp.MustCompile(`^\d{12}$`)
	regionNamePattern      = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)
	externalIDPattern      = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
)

// watchdogTargetModel is one element of scan_targets.
type watchdogTargetModel struct {
	AccountID  types.String `tfsdk:"account_id"`
	Region     types.String `tfsdk:"region"`
	RoleARN    types.String `tfsdk:"role_arn"`
	ExternalID types.String `tfsdk:"external_id"`
}

var watchdogTargetAttrTypes = map[string]attr.Type{
	"account_id": types.StringType, "region": types.StringType, "role_arn": types.StringType, "external_id": types.StringType,
}

// watchdogTargetJSON is a target as the watchdog reads it (watchdog.Target), without empty fields.
type watchdogTargetJSON struct {
	AccountID  string `json:"account_id,omitempty"`
	Region     string `json:"region,omitempty"`
	RoleARN    string `json:"role_arn,omitempty"`
	ExternalID string `json:"external_id,omitempty"`
}

const watchdogOnly = "Only in `mode = \"watchdog\"`, refused in the other modes. Changed in place."

// enricherWatchdogAttributes are the attributes of mode watchdog.
func enricherWatchdogAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"metric_namespace": schema.StringAttribute{
			MarkdownDescription: "CloudWatch namespace of the watchdog's metrics (`" + envWatchdogNamespace + "`); `" + watchdog.DefaultNamespace + "` when null. " +
				"The role may `cloudwatch:PutMetricData` in this namespace only (`cloudwatch:namespace`). " + watchdogOnly,
			Optional: true,
			Validators: []validator.String{
				stringvalidator.LengthBetween(1, 255),
				stringvalidator.RegexMatches(metricNamespacePattern, "may contain only letters, digits, spaces and . - _ / # :"),
			},
		},
		"event_bus_name": schema.StringAttribute{
			MarkdownDescription: "Event bus of the watchdog's events, a name in this account and region or an ARN (`" + envWatchdogEventBus + "`); `" +
				watchdog.DefaultEventBus + "` when null. The role may `events:PutEvents` on this bus only. " + watchdogOnly,
			Optional:   true,
			Validators: []validator.String{stringvalidator.RegexMatches(watchdogBusPattern, "must be an event bus name or ARN")},
		},
		"state_bucket": schema.StringAttribute{
			MarkdownDescription: "S3 bucket of the watchdog's state, one small JSON object per account and region under `state_prefix` (`" + envWatchdogStateBucket + "`). " +
				"Without it every run announces every failing flow log again. The role may `s3:GetObject` and `s3:PutObject` under the prefix and `s3:ListBucket` on the bucket " +
				"(without which S3 answers a first run's missing object with 403, not 404, and the watchdog fails). " + watchdogOnly,
			Optional:   true,
			Validators: []validator.String{stringvalidator.RegexMatches(bucketNamePattern, "must be an S3 bucket name")},
		},
		"state_prefix": schema.StringAttribute{
			MarkdownDescription: "Key prefix of the state objects (`" + envWatchdogStatePrefix + "`); `" + defaultWatchdogPrefix + "` when null. Needs `state_bucket`. " + watchdogOnly,
			Optional:            true,
			Validators:          []validator.String{stringvalidator.LengthBetween(1, 512)},
		},
		"scan_targets": schema.ListNestedAttribute{
			MarkdownDescription: "Accounts and regions the watchdog scans (`" + envWatchdogTargets + "`, as JSON). When null it scans the function's own account and region. " +
				"A target with `role_arn` is scanned through that role (the execution role may `sts:AssumeRole` it, and the role must allow the scan: " +
				"`ec2:DescribeVpcs`, `ec2:DescribeFlowLogs`, `logs:DescribeLogGroups`, `s3:ListAllMyBuckets`); one without is scanned with the execution role, " +
				"which is then allowed those calls, in its region. " + watchdogOnly,
			Optional: true,
			Validators: []validator.List{
				listvalidator.SizeAtLeast(1),
			},
			NestedObject: schema.NestedAttributeObject{
				Attributes: map[string]schema.Attribute{
					"account_id": schema.StringAttribute{
						MarkdownDescription: "The target's account. Defaults to the account of `role_arn`, or the function's own; a target without `role_arn` must be the function's own account.",
						Optional:            true,
						Validators:          []validator.String{stringvalidator.RegexMatches(accountIDPattern, "must be a 12-digit account ID")},
					},
					"region": schema.StringAttribute{
						MarkdownDescription: "The region scanned. Defaults to the function's.",
						Optional:            true,
						Validators:          []validator.String{stringvalidator.RegexMatches(regionNamePattern, "must be a region name such as us-east-1")},
					},
					"role_arn": schema.StringAttribute{
						MarkdownDescription: "Role the watchdog assumes to scan the target, in another account.",
						Optional:            true,
						Validators:          []validator.String{stringvalidator.RegexMatches(roleARNPattern, "must be an IAM role ARN")},
					},
					"external_id": schema.StringAttribute{
						MarkdownDescription: "External ID sent when assuming `role_arn` (`sts:ExternalId`), which the role's trust policy should require. Sensitive: hidden in the plan.",
						Optional:            true,
						Sensitive:           true,
						Validators: []validator.String{
							stringvalidator.LengthBetween(2, 1224),
							stringvalidator.RegexMatches(externalIDPattern, "may contain only letters, digits and _+=,.@:/-"),
						},
					},
				},
			},
		},
		"traffic_type": schema.StringAttribute{
			MarkdownDescription: "Traffic a VPC's flow logs must capture to count as covered: " + quotedList(coveragescan.TrafficTypes) + " (`" + envWatchdogTrafficType + "`); `" +
				coveragescan.TrafficAll + "` when null. " + watchdogOnly,
			Optional:   true,
			Validators: []validator.String{stringvalidator.OneOf(coveragescan.TrafficTypes...)},
		},
		"exclude_vpc_ids": schema.SetAttribute{
			MarkdownDescription: "VPCs left out of the coverage count (`" + envWatchdogExcludeVPCs + "`). " + watchdogOnly,
			Optional:            true,
			ElementType:         types.StringType,
			Validators: []validator.Set{
				setvalidator.SizeAtLeast(1),
				setvalidator.ValueStringsAre(stringvalidator.RegexMatches(vpcIDPattern, "must be a VPC ID")),
			},
		},
	}
}

// watchdogValues are the attributes of mode watchdog.
func (m enricherFunctionModel) watchdogValues() map[string]attr.Value {
	return map[string]attr.Value{
		"metric_namespace": m.MetricNamespace, "event_bus_name": m.EventBusName, "state_bucket": m.StateBucket, "state_prefix": m.StatePrefix,
		"scan_targets": m.ScanTargets, "traffic_type": m.TrafficType, "exclude_vpc_ids": m.ExcludeVPCIDs,
	}
}

// watchdogKnown reports whether every attribute of mode watchdog is known.
func (m enricherFunctionModel) watchdogKnown(ctx context.Context) bool {
	for _, v := range m.watchdogValues() {
		if v.IsUnknown() {
			return false
		}
	}
	targets, d := m.watchdogTargets(ctx)
	if d.HasError() {
		return false
	}
	for _, t := range targets {
		for _, v := range []types.String{t.AccountID, t.Region, t.RoleARN, t.ExternalID} {
			if v.IsUnknown() {
				return false
			}
		}
	}
	if !m.ExcludeVPCIDs.IsNull() {
		for _, v := range m.ExcludeVPCIDs.Elements() {
			if v.IsUnknown() {
				return false
			}
		}
	}
	return true
}

func (m enricherFunctionModel) watchdogTargets(ctx context.Context) ([]watchdogTargetModel, diag.Diagnostics) {
	var targets []watchdogTargetModel
	if m.ScanTargets.IsNull() || m.ScanTargets.IsUnknown() {
		return nil, nil
	}
	d := m.ScanTargets.ElementsAs(ctx, &targets, false)
	return targets, d
}

// watchdogEnvironment is the watchdog's part of the environment.
func (m enricherFunctionModel) watchdogEnvironment(ctx context.Context) (map[string]string, diag.Diagnostics) {
	env := map[string]string{}
	set := func(k string, v types.String) {
		if s := v.ValueString(); s != "" {
			env[k] = s
		}
	}
	set(envWatchdogNamespace, m.MetricNamespace)
	set(envWatchdogEventBus, m.EventBusName)
	set(envWatchdogStateBucket, m.StateBucket)
	set(envWatchdogStatePrefix, m.StatePrefix)
	set(envWatchdogTrafficType, m.TrafficType)
	var diags diag.Diagnostics
	if !m.ExcludeVPCIDs.IsNull() && !m.ExcludeVPCIDs.IsUnknown() {
		var ids []string
		diags.Append(m.ExcludeVPCIDs.ElementsAs(ctx, &ids, false)...)
		slices.Sort(ids)
		if len(ids) > 0 {
			env[envWatchdogExcludeVPCs] = strings.Join(ids, ",")
		}
	}
	targets, d := m.watchdogTargets(ctx)
	diags.Append(d...)
	if len(targets) > 0 {
		list := make([]watchdogTargetJSON, 0, len(targets))
		for _, t := range targets {
			list = append(list, watchdogTargetJSON{AccountID: t.AccountID.ValueString(), Region: t.Region.ValueString(),
				RoleARN: t.RoleARN.ValueString(), ExternalID: t.ExternalID.ValueString()})
		}
		b, err := json.Marshal(list)
		if err != nil {
			diags.AddAttributeError(path.Root("scan_targets"), "encoding scan_targets", err.Error())
		}
		env[envWatchdogTargets] = string(b)
	}
	return env, diags
}

// watchdogPolicy is what the watchdog the environment configures does,
// as the watchdog reads it at a cold start.
func (m enricherFunctionModel) watchdogPolicy(ctx context.Context, partition, account, region string) (pipelinepolicy.Watchdog, diag.Diagnostics) {
	env, diags := m.watchdogEnvironment(ctx)
	cfg, err := watchdog.ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		diags.AddAttributeError(path.Root("mode"), "Watchdog misconfigured", fmt.Sprintf("The watchdog would fail at every cold start: %s", err))
		return pipelinepolicy.Watchdog{}, diags
	}
	return cfg.Deployment(partition, account, region).Policy(), diags
}

// readWatchdogEnvironment takes the watchdog's variables out of env into m.
func (m *enricherFunctionModel) readWatchdogEnvironment(ctx context.Context, env map[string]string, diags *diag.Diagnostics) {
	take := func(k string) types.String {
		v, ok := env[k]
		if !ok || v == "" {
			return types.StringNull()
		}
		delete(env, k)
		return types.StringValue(v)
	}
	m.MetricNamespace = take(envWatchdogNamespace)
	m.EventBusName = take(envWatchdogEventBus)
	m.StateBucket = take(envWatchdogStateBucket)
	m.StatePrefix = take(envWatchdogStatePrefix)
	m.TrafficType = take(envWatchdogTrafficType)
	m.ExcludeVPCIDs = types.SetNull(types.StringType)
	if s := take(envWatchdogExcludeVPCs); !s.IsNull() {
		var ids []string
		for _, id := range strings.Split(s.ValueString(), ",") {
			if id = strings.TrimSpace(id); id != "" {
				ids = append(ids, id)
			}
		}
		v, d := types.SetValueFrom(ctx, types.StringType, ids)
		diags.Append(d...)
		m.ExcludeVPCIDs = v
	}
	m.ScanTargets = types.ListNull(types.ObjectType{AttrTypes: watchdogTargetAttrTypes})
	if s, ok := env[envWatchdogTargets]; ok {
		var list []watchdogTargetJSON
		if err := json.Unmarshal([]byte(s), &list); err != nil || len(list) == 0 {
			// Not the provider's: left in environment, where the plan shows it.
			return
		}
		delete(env, envWatchdogTargets)
		str := func(s string) types.String {
			if s == "" {
				return types.StringNull()
			}
			return types.StringValue(s)
		}
		targets := make([]watchdogTargetModel, 0, len(list))
		for _, t := range list {
			targets = append(targets, watchdogTargetModel{AccountID: str(t.AccountID), Region: str(t.Region), RoleARN: str(t.RoleARN), ExternalID: str(t.ExternalID)})
		}
		v, d := types.ListValueFrom(ctx, types.ObjectType{AttrTypes: watchdogTargetAttrTypes}, targets)
		diags.Append(d...)
		m.ScanTargets = v
	}
}

// validateWatchdogConfig refuses the attributes of mode watchdog in the
// other modes, and in mode watchdog those it does not use.
func validateWatchdogConfig(ctx context.Context, m enricherFunctionModel, mode string, diags *diag.Diagnostics) {
	if mode != pipelinepolicy.ModeWatchdog {
		for _, e := range enricherWatchdogEnv {
			if v := m.watchdogValues()[e.attribute]; !v.IsNull() {
				diags.AddAttributeError(path.Root(e.attribute), "Watchdog attribute outside watchdog mode",
					fmt.Sprintf(`%s configures the watchdog (%s), but mode is %q, whose function never reads it. Set mode = "watchdog" or remove %s.`,
						e.attribute, e.env, mode, e.attribute))
			}
		}
		return
	}
	refuse := func(attribute string, v attr.Value, why string) {
		if !v.IsNull() {
			diags.AddAttributeError(path.Root(attribute), "Attribute not used in watchdog mode",
				fmt.Sprintf(`The watchdog %s, so %s would configure nothing. Remove it, or set another mode.`, why, attribute))
		}
	}
	refuse("inventory_table_arn", m.InventoryTableARN, "reads no inventory table and its role gets no DynamoDB access")
	refuse("output_bucket", m.OutputBucket, "writes no enriched connections (its state goes to state_bucket)")
	refuse("output_prefix", m.OutputPrefix, "writes no enriched connections (its state keys start with state_prefix)")
	refuse("window", m.Window, "aggregates no connections")
	if !m.StatePrefix.IsNull() && m.StateBucket.IsNull() {
		diags.AddAttributeError(path.Root("state_prefix"), "State prefix without a state bucket",
			"state_prefix names where the watchdog keeps its state in state_bucket, which is not set. Set state_bucket, or remove state_prefix.")
	}
	if ns := m.MetricNamespace.ValueString(); strings.HasPrefix(ns, "AWS/") {
		diags.AddAttributeError(path.Root("metric_namespace"), "Namespace reserved by AWS",
			fmt.Sprintf("CloudWatch refuses metrics in %q: namespaces beginning with AWS/ are AWS's own.", ns))
	}
	targets, d := m.watchdogTargets(ctx)
	diags.Append(d...)
	for i, t := range targets {
		if len(targets) > 1 && t.AccountID.IsNull() && t.RoleARN.IsNull() {
			diags.AddAttributeError(path.Root("scan_targets").AtListIndex(i), "Target without account or role",
				"With more than one target, each names account_id or role_arn, so the metrics and events of each say which account they are about.")
		}
		if !t.ExternalID.IsNull() && t.RoleARN.IsNull() {
			diags.AddAttributeError(path.Root("scan_targets").AtListIndex(i).AtName("external_id"), "External ID without a role",
				"external_id is sent when assuming role_arn, which this target does not set.")
		}
	}
}

// checkWatchdogTargets refuses a target without a role in another
// account: the function's own credentials would scan its own account and
// publish it under the other account's number.
func checkWatchdogTargets(ctx context.Context, m enricherFunctionModel, account string, diags *diag.Diagnostics) {
	targets, d := m.watchdogTargets(ctx)
	diags.Append(d...)
	for i, t := range targets {
		if !valueKnown(t.AccountID) || !t.RoleARN.IsNull() || t.AccountID.ValueString() == account {
			continue
		}
		diags.AddAttributeError(path.Root("scan_targets").AtListIndex(i).AtName("account_id"), "Other account without a role",
			fmt.Sprintf("A target without role_arn is scanned with the function's own credentials, in account %s, so the watchdog would report that account as %s. "+
				"Set role_arn to a role in %s that the function may assume, or set account_id to %s.", account, t.AccountID.ValueString(), t.AccountID.ValueString(), account))
	}
}
