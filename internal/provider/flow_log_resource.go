package provider

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
)

var (
	_ resource.Resource                     = &flowLogResource{}
	_ resource.ResourceWithConfigure        = &flowLogResource{}
	_ resource.ResourceWithImportState      = &flowLogResource{}
	_ resource.ResourceWithConfigValidators = &flowLogResource{}
	_ resource.ResourceWithValidateConfig   = &flowLogResource{}
	_ resource.ResourceWithModifyPlan       = &flowLogResource{}
	_ resource.ResourceWithMoveState        = &flowLogResource{}
)

// Allowed values, shared by validators and descriptions.
var (
	flowLogTrafficTypes         = []string{string(ec2types.TrafficTypeAccept), string(ec2types.TrafficTypeReject), string(ec2types.TrafficTypeAll)}
	flowLogFileFormats          = []string{string(ec2types.DestinationFileFormatPlainText), string(ec2types.DestinationFileFormatParquet)}
	flowLogAggregationIntervals = []int64{60, 600}
)

const (
	flowLogDefaultAggregationInterval = 600
	flowLogTGWAggregationInterval     = 60
)

// flowLogTarget is one of the resources a flow log can watch.
type flowLogTarget struct {
	attr         string
	resourceType ec2types.FlowLogsResourceType
	idPrefix     string
	transitGW    bool
	noun         string
}

// flowLogTargets is ordered so the longest ID prefix matches first.
var flowLogTargets = []flowLogTarget{
	{"transit_gateway_attachment_id", ec2types.FlowLogsResourceTypeTransitGatewayAttachment, "tgw-attach-", true, "transit gateway attachment"},
	{"transit_gateway_id", ec2types.FlowLogsResourceTypeTransitGateway, "tgw-", true, "transit gateway"},
	{"vpc_id", ec2types.FlowLogsResourceTypeVpc, "vpc-", false, "VPC"},
	{"subnet_id", ec2types.FlowLogsResourceTypeSubnet, "subnet-", false, "subnet"},
	{"eni_id", ec2types.FlowLogsResourceTypeNetworkInterface, "eni-", false, "network interface"},
}

func newFlowLogResource() resource.Resource {
	return &flowLogResource{resourceBase: resourceBase{typeName: "flow_log"}, propagationTimeout: iamPropagationTimeout}
}

type flowLogResource struct {
	resourceBase
	// ec2, when set, is used instead of the provider's EC2 client in the
	// provider's region (tests count its calls).
	ec2 flowLogsAPI
	// propagationTimeout bounds the retries of errors that may be IAM
	// propagation; tests shorten it.
	propagationTimeout time.Duration
}

type flowLogModel struct {
	ID                         types.String `tfsdk:"id"`
	ARN                        types.String `tfsdk:"arn"`
	VPCID                      types.String `tfsdk:"vpc_id"`
	SubnetID                   types.String `tfsdk:"subnet_id"`
	ENIID                      types.String `tfsdk:"eni_id"`
	TransitGatewayID           types.String `tfsdk:"transit_gateway_id"`
	TransitGatewayAttachmentID types.String `tfsdk:"transit_gateway_attachment_id"`
	TrafficType                types.String `tfsdk:"traffic_type"`
	LogDestinationType         types.String `tfsdk:"log_destination_type"`
	LogDestination             types.String `tfsdk:"log_destination"`
	IAMRoleARN                 types.String `tfsdk:"iam_role_arn"`
	DeliverCrossAccountRole    types.String `tfsdk:"deliver_cross_account_role"`
	DestinationOptions         types.Object `tfsdk:"destination_options"`
	MaxAggregationInterval     types.Int64  `tfsdk:"max_aggregation_interval"`
	LogFormat                  types.String `tfsdk:"log_format"`
	Tags                       types.Map    `tfsdk:"tags"`
	TagsAll                    types.Map    `tfsdk:"tags_all"`
	Region                     types.String `tfsdk:"region"`
	LogGroupName               types.String `tfsdk:"log_group_name"`
	DeliverLogsStatus          types.String `tfsdk:"deliver_logs_status"`
	DeliverLogsError           types.String `tfsdk:"deliver_logs_error"`
	DeliverLogsRootCause       types.String `tfsdk:"deliver_logs_root_cause"`
}

type flowLogDestinationOptionsModel struct {
	FileFormat               types.String `tfsdk:"file_format"`
	HiveCompatiblePartitions types.Bool   `tfsdk:"hive_compatible_partitions"`
	PerHourPartition         types.Bool   `tfsdk:"per_hour_partition"`
}

var flowLogDestinationOptionsAttrTypes = map[string]attr.Type{
	"file_format":                types.StringType,
	"hive_compatible_partitions": types.BoolType,
	"per_hour_partition":         types.BoolType,
}

// target returns the target attribute that is set (possibly unknown).
func (m *flowLogModel) target() (flowLogTarget, types.String, bool) {
	for _, t := range flowLogTargets {
		if v := m.targetAttr(t.attr); !v.IsNull() {
			return t, v, true
		}
	}
	return flowLogTarget{}, types.StringNull(), false
}

func (m *flowLogModel) targetAttr(name string) types.String {
	switch name {
	case "vpc_id":
		return m.VPCID
	case "subnet_id":
		return m.SubnetID
	case "eni_id":
		return m.ENIID
	case "transit_gateway_id":
		return m.TransitGatewayID
	case "transit_gateway_attachment_id":
		return m.TransitGatewayAttachmentID
	}
	return types.StringNull()
}

func (m *flowLogModel) setTarget(name string, v types.String) {
	switch name {
	case "vpc_id":
		m.VPCID = v
	case "subnet_id":
		m.SubnetID = v
	case "eni_id":
		m.ENIID = v
	case "transit_gateway_id":
		m.TransitGatewayID = v
	case "transit_gateway_attachment_id":
		m.TransitGatewayAttachmentID = v
	}
}

// destinationType returns log_destination_type with its default applied.
func (m *flowLogModel) destinationType() string {
	if m.LogDestinationType.IsNull() || m.LogDestinationType.IsUnknown() {
		return delivery.DestinationCloudWatchLogs
	}
	return m.LogDestinationType.ValueString()
}

func (m *flowLogModel) destinationOptions(ctx context.Context) (*flowLogDestinationOptionsModel, diag.Diagnostics) {
	if m.DestinationOptions.IsNull() || m.DestinationOptions.IsUnknown() {
		return nil, nil
	}
	var o flowLogDestinationOptionsModel
	diags := m.DestinationOptions.As(ctx, &o, basetypes.ObjectAsOptions{})
	return &o, diags
}

func (r *flowLogResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	target := func(noun string) schema.StringAttribute {
		return schema.StringAttribute{
			MarkdownDescription: "ID of the " + noun + " to log. Exactly one of `vpc_id`, `subnet_id`, `eni_id`, `transit_gateway_id` and `transit_gateway_attachment_id` is set.",
			Optional:            true,
			PlanModifiers:       replace,
		}
	}
	computed := func(description string) schema.StringAttribute {
		return computedStable(description)
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A VPC Flow Log that cannot fail silently. The arguments are those of the AWS provider's `aws_flow_log`, so moving over is a rename.\n\n" +
			"At plan time the provider checks that delivery will work: it reads the delivery role (trust policy, inline and attached policies, " +
			"permissions boundary), the bucket policy and the destination's KMS key policy, evaluates them with its own IAM policy engine, " +
			"and fails the plan with the statement at fault and the fix (the provider's `validation` setting turns this into warnings or off). " +
			"When the role or destination is created in the same apply, the check runs during apply, before the flow log is created.\n\n" +
			"After apply, `deliver_logs_status`, `deliver_logs_error` and `deliver_logs_root_cause` report AWS's view of delivery on every refresh. " +
			"A flow log whose delivery fails adds a warning to every plan, and the status change is recorded in state, so " +
			"`terraform plan -refresh-only -detailed-exitcode` exits with 2 when a flow log started failing.",
		Attributes: map[string]schema.Attribute{
			"id": computed("ID of the flow log (`fl-…`)."),
			"arn": computed("ARN of the flow log (`arn:aws:ec2:REGION:ACCOUNT:vpc-flow-log/fl-…`), the `aws:SourceArn` " +
				"the delivery service presents to a role's trust policy."),
			"vpc_id":                        target("VPC"),
			"subnet_id":                     target("subnet"),
			"eni_id":                        target("network interface"),
			"transit_gateway_id":            target("transit gateway"),
			"transit_gateway_attachment_id": target("transit gateway attachment"),
			"traffic_type": schema.StringAttribute{
				MarkdownDescription: "Traffic to log: " + quotedList(flowLogTrafficTypes) + ". Required for VPCs, subnets and network interfaces; " +
					"not supported for transit gateways and their attachments, which always log all traffic.",
				Optional:      true,
				PlanModifiers: replace,
				Validators:    []validator.String{stringvalidator.OneOf(flowLogTrafficTypes...)},
			},
			"log_destination_type": schema.StringAttribute{
				MarkdownDescription: "Where records go: " + quotedList(destinationTypes) + ". Defaults to `" + delivery.DestinationCloudWatchLogs + "`. " +
					"CloudWatch Logs needs `iam_role_arn`; S3 uses the bucket policy and takes no role; Firehose takes a role only across accounts.",
				Optional:      true,
				Computed:      true,
				Default:       stringdefault.StaticString(delivery.DestinationCloudWatchLogs),
				PlanModifiers: replace,
				Validators:    []validator.String{stringvalidator.OneOf(destinationTypes...)},
			},
			"log_destination": schema.StringAttribute{
				MarkdownDescription: "ARN of the destination: a log group (`arn:aws:logs:REGION:ACCOUNT:log-group:NAME`; a trailing `:*` is accepted), " +
					"a bucket with an optional prefix (`arn:aws:s3:::BUCKET/PREFIX`) or a Firehose delivery stream " +
					"(`arn:aws:firehose:REGION:ACCOUNT:deliverystream/NAME`), matching `log_destination_type`. Required. " +
					"A log group ARN with and without `:*` is the same destination: adding or removing the suffix (or importing a flow log " +
					"whose configuration has it) updates the state in place and never replaces the flow log.",
				Optional:      true, // required, checked in ValidateConfig so that log_group_name gets its own answer
				PlanModifiers: []planmodifier.String{requiresReplaceUnlessSameDestination{}},
				Validators:    []validator.String{stringvalidator.RegexMatches(arnPattern, "must be an ARN")},
			},
			"iam_role_arn": schema.StringAttribute{
				MarkdownDescription: "Role VPC Flow Logs assumes to publish to CloudWatch Logs (required for `cloud-watch-logs`, not allowed for `s3`), " +
					"or the role in this account that the log delivery service assumes for a Firehose delivery stream in another account. " +
					"For CloudWatch Logs its trust policy must allow `vpc-flow-logs.amazonaws.com`, for cross-account Firehose `delivery.logs.amazonaws.com`; " +
					"the identity running Terraform needs `iam:PassRole` on it. Checked at plan time. " +
					"An empty string is the same as leaving it out, as in the AWS provider (`iam_role_arn = \"\"` is what terraform-aws-vpc passes for S3).",
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.String{emptyIsUnset{}, requiresReplaceUnlessEmpty{}},
				Validators:    []validator.String{emptyOr(roleARNPattern, "must be an IAM role ARN")},
			},
			"deliver_cross_account_role": schema.StringAttribute{
				MarkdownDescription: "Role in the delivery stream's account that `iam_role_arn` assumes to publish to a Firehose delivery stream in another account " +
					"(`kinesis-data-firehose` only; needs `iam_role_arn` too). AWS's guide names it `AWSLogDeliveryFirehoseCrossAccountRole`. " +
					"The provider's credentials belong to the flow log's account, so this role is not read: the plan checks that `iam_role_arn` " +
					"may assume it, and its own trust and Firehose permissions are the destination account's to check. An empty string is the same as leaving it out.",
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.String{emptyIsUnset{}, requiresReplaceUnlessEmpty{}},
				Validators:    []validator.String{emptyOr(roleARNPattern, "must be an IAM role ARN")},
			},
			"log_group_name": schema.StringAttribute{
				MarkdownDescription: "Not supported: pass the log group's ARN as `log_destination` (for example `log_destination = aws_cloudwatch_log_group.this.arn`). " +
					"The AWS provider deprecated `log_group_name` in v3 and removed it in v6; it is accepted here only to answer with that fix instead of a generic error.",
				Optional:           true,
				DeprecationMessage: "log_group_name is not supported: set log_destination to the log group's ARN.",
			},
			"region": schema.StringAttribute{
				MarkdownDescription: "Region of the flow log, as the AWS provider v6's per-resource `region`. Defaults to the provider's region. " +
					"Changing it replaces the flow log. The log group, bucket or stream must be in this region too (S3 excepted).",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{stringvalidator.RegexMatches(regionPattern, "must be an AWS region such as us-east-1")},
			},
			"max_aggregation_interval": schema.Int64Attribute{
				MarkdownDescription: "Longest time, in seconds, a flow is aggregated into one record: " + quotedInts(flowLogAggregationIntervals) +
					". Defaults to `" + strconv.Itoa(flowLogDefaultAggregationInterval) + "`. Transit gateway flow logs require `" + strconv.Itoa(flowLogTGWAggregationInterval) + "`.",
				Optional:      true,
				Computed:      true,
				Default:       int64default.StaticInt64(flowLogDefaultAggregationInterval),
				PlanModifiers: []planmodifier.Int64{int64planmodifier.RequiresReplace()},
				Validators:    []validator.Int64{int64validator.OneOf(flowLogAggregationIntervals...)},
			},
			"log_format": schema.StringAttribute{
				MarkdownDescription: "Fields of each record, as `${field}` references separated by spaces, e.g. `${version} ${srcaddr} ${dstaddr} ${action}`. " +
					"Checked field by field at plan time against the fields of versions 2 to 8 and the transit gateway fields: " +
					"a misspelt field is reported with its position and the closest field name, and transit gateway fields are " +
					"accepted only on transit gateway flow logs (and VPC-only fields only on the others). " +
					"Defaults to AWS's default format (the 14 version 2 fields; every transit gateway field for a transit gateway).",
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown(), stringplanmodifier.RequiresReplace()},
			},
			"tags": tagsEmptyIsUnsetAttribute("Tags of the flow log, merged over the provider's `default_tags`. The only argument AWS changes in place. " +
				"`tags = {}` and no `tags` are the same."),
			"tags_all": tagsAllAttribute(),
			"deliver_logs_status": computed("Delivery status AWS reports (`SUCCESS` or `FAILED`), read on every refresh. " +
				"A change to `FAILED` is recorded in state and adds a warning to the plan."),
			"deliver_logs_error":      computed("AWS's delivery error message when delivery fails (`Access error`, `Rate limited`, `Unknown error`), else null."),
			"deliver_logs_root_cause": computed("What AWS's delivery error means for this flow log and how to fix it, when delivery fails; else null."),
		},
		Blocks: map[string]schema.Block{
			"destination_options": schema.SingleNestedBlock{
				MarkdownDescription: "Options of an S3 destination (`s3` only).",
				PlanModifiers:       []planmodifier.Object{requiresReplaceUnlessDefaultOptions{}},
				Attributes: map[string]schema.Attribute{
					"file_format": schema.StringAttribute{
						MarkdownDescription: "Format of the files: " + quotedList(flowLogFileFormats) + ". Defaults to `plain-text`.",
						Optional:            true,
						Computed:            true,
						Default:             stringdefault.StaticString(string(ec2types.DestinationFileFormatPlainText)),
						Validators:          []validator.String{stringvalidator.OneOf(flowLogFileFormats...)},
					},
					"hive_compatible_partitions": schema.BoolAttribute{
						MarkdownDescription: "Whether keys use Hive-compatible prefixes (`AWSLogs/aws-account-id=ACCOUNT/…`), which changes the key the bucket policy must allow. Defaults to `false`.",
						Optional:            true,
						Computed:            true,
						Default:             booldefault.StaticBool(false),
					},
					"per_hour_partition": schema.BoolAttribute{
						MarkdownDescription: "Whether files are partitioned per hour rather than per day. Defaults to `false`.",
						Optional:            true,
						Computed:            true,
						Default:             booldefault.StaticBool(false),
					},
				},
			},
		},
	}
}

func (r *flowLogResource) ConfigValidators(_ context.Context) []resource.ConfigValidator {
	targets := make([]path.Expression, 0, len(flowLogTargets))
	for _, t := range flowLogTargets {
		targets = append(targets, path.MatchRoot(t.attr))
	}
	return []resource.ConfigValidator{resourcevalidator.ExactlyOneOf(targets...)}
}

// in returns the provider data and EC2 API of the flow log's region.
func (r *flowLogResource) in(region types.String) (*providerData, flowLogsAPI) {
	pd := r.data.inRegion(stringOrEmpty(region))
	if pd == r.data && r.ec2 != nil {
		return pd, r.ec2
	}
	return pd, pd.client.EC2()
}

func (r *flowLogResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan, ok := modelOf[flowLogModel](ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	target, targetID, _ := plan.target()
	pd, api := r.in(plan.Region)

	// The same check as at plan time: it ran then unless a value was
	// unknown, and the role or destination may have changed since.
	explained := r.checkBeforeCreate(ctx, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	input, diags := r.createInput(ctx, pd, &plan, target)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	retryFor := r.propagationTimeout
	if explained {
		retryFor = 0 // the check named the problem; retrying would only delay the same error
	}
	id, err := createFlowLog(ctx, api, input, plan.destinationType(), retryFor)
	if err != nil {
		resp.Diagnostics.AddError("creating Flow Log", fmt.Sprintf("creating Flow Log (%s): %s", targetID.ValueString(), err))
		return
	}
	tflog.Info(ctx, "created flow log", map[string]any{"flow_log_id": id, "resource_id": targetID.ValueString()})

	fl, err := waitFlowLogVisible(ctx, api, id)
	if err != nil {
		// The flow log exists: keep its ID so the next plan reads or replaces it.
		plan.ID = types.StringValue(id)
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), plan.ID)...)
		resp.Diagnostics.AddError("reading Flow Log", fmt.Sprintf("reading Flow Log (%s) after creating it: %s", id, err))
		return
	}
	resp.Diagnostics.Append(r.flatten(ctx, pd, fl, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	warnIfFlowLogFailing(&plan, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *flowLogResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	state, ok := modelOf[flowLogModel](ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	pd, api := r.in(state.Region)
	fl, err := findFlowLogByID(ctx, api, state.ID.ValueString())
	if isNotFound(err) {
		removeFromState(ctx, resp, "Flow Log not found",
			fmt.Sprintf("Flow Log (%s) no longer exists; it was deleted outside Terraform and is removed from state, so the next apply creates it again.", state.ID.ValueString()))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("reading Flow Log", fmt.Sprintf("reading Flow Log (%s): %s", state.ID.ValueString(), err))
		return
	}
	resp.Diagnostics.Append(r.flatten(ctx, pd, fl, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	warnIfFlowLogFailing(&state, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *flowLogResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, state, ok := planAndState[flowLogModel](ctx, req, &resp.Diagnostics)
	if !ok {
		return
	}
	// Everything but tags requires replacement, so an update changes tags
	// only (other in-place changes are spellings: "" for null, a log group
	// ARN with or without ":*", which need no call).
	oldTags, diags := tagsFromModel(ctx, state.TagsAll)
	resp.Diagnostics.Append(diags...)
	newTags, diags := tagsFromModel(ctx, plan.TagsAll)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	_, api := r.in(state.Region)
	if err := updateFlowLogTags(ctx, api, state.ID.ValueString(), oldTags, newTags); err != nil {
		resp.Diagnostics.AddError("updating Flow Log", fmt.Sprintf("updating tags of Flow Log (%s): %s", state.ID.ValueString(), err))
		return
	}
	// Health is read on refresh; carry it over rather than report a change
	// the plan did not announce.
	plan.DeliverLogsStatus = state.DeliverLogsStatus
	plan.DeliverLogsError = state.DeliverLogsError
	plan.DeliverLogsRootCause = state.DeliverLogsRootCause
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *flowLogResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	state, ok := modelOf[flowLogModel](ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	_, api := r.in(state.Region)
	err := deleteFlowLog(ctx, api, state.ID.ValueString())
	if isNotFound(err) {
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("deleting Flow Log", fmt.Sprintf("deleting Flow Log (%s): %s", state.ID.ValueString(), err))
	}
}

// ImportState takes a flow log ID, or ID@REGION for a flow log of another
// region than the provider's (the AWS provider v6's form).
//
// The imported state holds iam_role_arn = "" and tags = {} until AWS reports
// values: an empty value and no value are the same to these attributes, so a
// configuration that writes `iam_role_arn = ""` or `tags = {}` (as
// terraform-aws-vpc does) plans no change after the import.
func (r *flowLogResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id, region, _ := strings.Cut(req.ID, "@")
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	if region != "" {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("region"), region)...)
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("iam_role_arn"), "")...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("tags"), map[string]string{})...)
	// AWS holds destination options for every S3 flow log, and
	// terraform-aws-vpc writes the block for every S3 flow log: start from the
	// defaults, which the read replaces with AWS's values (and drops for other
	// destinations).
	defaults, diags := types.ObjectValue(flowLogDestinationOptionsAttrTypes, map[string]attr.Value{
		"file_format":                types.StringValue(string(ec2types.DestinationFileFormatPlainText)),
		"hive_compatible_partitions": types.BoolValue(false),
		"per_hour_partition":         types.BoolValue(false),
	})
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("destination_options"), defaults)...)
}

// createInput builds the CreateFlowLogs request of a plan.
func (r *flowLogResource) createInput(ctx context.Context, pd *providerData, plan *flowLogModel, target flowLogTarget) (*ec2.CreateFlowLogsInput, diag.Diagnostics) {
	var diags diag.Diagnostics
	_, targetID, _ := plan.target()
	in := &ec2.CreateFlowLogsInput{
		ClientToken:            aws.String(uuid.NewString()),
		ResourceIds:            []string{targetID.ValueString()},
		ResourceType:           target.resourceType,
		LogDestinationType:     ec2types.LogDestinationType(plan.destinationType()),
		MaxAggregationInterval: aws.Int32(int32(plan.MaxAggregationInterval.ValueInt64())),
	}
	if !target.transitGW {
		in.TrafficType = ec2types.TrafficType(plan.TrafficType.ValueString())
	}
	destination := plan.LogDestination.ValueString()
	if plan.destinationType() == delivery.DestinationCloudWatchLogs {
		destination = strings.TrimSuffix(destination, ":*")
		// The API takes a log group by name or by ARN. By name where the
		// two are the same (the provider's own account and region): moto
		// checks that a group named so exists, and reports every flow log
		// created with an ARN as FAILED.
		if account, err := pd.client.AccountID(ctx); err == nil && arnAccount(destination) == account && arnRegion(destination) == pd.client.Region() {
			in.LogGroupName = aws.String(logGroupName(destination))
			destination = ""
		}
	}
	if destination != "" {
		in.LogDestination = aws.String(destination)
	}
	if v := plan.IAMRoleARN.ValueString(); v != "" {
		in.DeliverLogsPermissionArn = aws.String(v)
	}
	if v := plan.DeliverCrossAccountRole.ValueString(); v != "" {
		in.DeliverCrossAccountRole = aws.String(v)
	}
	if !plan.LogFormat.IsNull() && !plan.LogFormat.IsUnknown() {
		in.LogFormat = aws.String(plan.LogFormat.ValueString())
	}
	opts, d := plan.destinationOptions(ctx)
	diags.Append(d...)
	if opts != nil {
		in.DestinationOptions = &ec2types.DestinationOptionsRequest{
			FileFormat:               ec2types.DestinationFileFormat(opts.FileFormat.ValueString()),
			HiveCompatiblePartitions: aws.Bool(opts.HiveCompatiblePartitions.ValueBool()),
			PerHourPartition:         aws.Bool(opts.PerHourPartition.ValueBool()),
		}
	}
	tags, d := tagsFromModel(ctx, plan.TagsAll)
	diags.Append(d...)
	if len(tags) > 0 {
		in.TagSpecifications = []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeVpcFlowLog, Tags: flowLogEC2Tags(tags)}}
	}
	return in, diags
}

// flatten sets m from what AWS reports, keeping m's spelling of values AWS
// normalises (a log group ARN with ":*", spacing of log_format) and m's
// values of arguments AWS does not echo.
func (r *flowLogResource) flatten(ctx context.Context, pd *providerData, fl *ec2types.FlowLog, m *flowLogModel) diag.Diagnostics {
	var diags diag.Diagnostics
	id := aws.ToString(fl.FlowLogId)
	m.ID = types.StringValue(id)
	m.Region = types.StringValue(pd.client.Region())
	m.LogGroupName = types.StringNull()
	account, err := pd.client.AccountID(ctx)
	if err != nil {
		diags.AddError("reading Flow Log", fmt.Sprintf("reading Flow Log (%s): the flow log's ARN needs the account: %s", id, err))
		return diags
	}
	m.ARN = types.StringValue(pd.regionalARNOf(ctx, "ec2", account, "vpc-flow-log/"+id))

	resourceID := aws.ToString(fl.ResourceId)
	var target flowLogTarget
	for _, t := range flowLogTargets {
		if strings.HasPrefix(resourceID, t.idPrefix) {
			target = t
			break
		}
	}
	if target.attr != "" {
		for _, t := range flowLogTargets {
			m.setTarget(t.attr, types.StringNull())
		}
		m.setTarget(target.attr, types.StringValue(resourceID))
	}
	if target.transitGW {
		m.TrafficType = types.StringNull()
	} else if fl.TrafficType != "" {
		m.TrafficType = types.StringValue(string(fl.TrafficType))
	}

	destinationType := string(fl.LogDestinationType)
	if destinationType == "" {
		destinationType = delivery.DestinationCloudWatchLogs
	}
	m.LogDestinationType = types.StringValue(destinationType)
	destination := aws.ToString(fl.LogDestination)
	if destination == "" && aws.ToString(fl.LogGroupName) != "" {
		// A flow log created with a log group name reports no ARN (moto; AWS
		// reports both): the group is in the flow log's account and region.
		destination = pd.regionalARNOf(ctx, "logs", account, "log-group:"+aws.ToString(fl.LogGroupName))
	}
	if destination != "" && !sameFlowLogDestination(m.LogDestination.ValueString(), destination) {
		m.LogDestination = types.StringValue(destination)
	}
	m.IAMRoleARN = flowLogStringOr(aws.ToString(fl.DeliverLogsPermissionArn), m.IAMRoleARN)
	m.DeliverCrossAccountRole = flowLogStringOr(aws.ToString(fl.DeliverCrossAccountRole), m.DeliverCrossAccountRole)
	if fl.MaxAggregationInterval != nil {
		m.MaxAggregationInterval = types.Int64Value(int64(aws.ToInt32(fl.MaxAggregationInterval)))
	} else if m.MaxAggregationInterval.IsNull() || m.MaxAggregationInterval.IsUnknown() {
		m.MaxAggregationInterval = types.Int64Value(flowLogDefaultAggregationInterval)
	}
	if format := aws.ToString(fl.LogFormat); format != "" && !sameLogFormat(m.LogFormat, format) {
		m.LogFormat = types.StringValue(format)
	} else if m.LogFormat.IsUnknown() {
		m.LogFormat = types.StringNull()
	}
	diags.Append(flattenDestinationOptions(fl.DestinationOptions, m)...)
	if destinationType != delivery.DestinationS3 {
		m.DestinationOptions = types.ObjectNull(flowLogDestinationOptionsAttrTypes)
	}

	tags := map[string]string{}
	for _, t := range fl.Tags {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	own, all, d := readTags(ctx, tags, pd.defaultTags, m.Tags)
	diags.Append(d...)
	m.Tags, m.TagsAll = own, all

	setFlowLogHealth(m, aws.ToString(fl.DeliverLogsStatus), aws.ToString(fl.DeliverLogsErrorMessage), destinationType)
	return diags
}

func flattenDestinationOptions(o *ec2types.DestinationOptionsResponse, m *flowLogModel) diag.Diagnostics {
	if o == nil {
		// AWS (and moto) leave it out for destinations other than S3.
		if m.DestinationOptions.IsUnknown() {
			m.DestinationOptions = types.ObjectNull(flowLogDestinationOptionsAttrTypes)
		}
		return nil
	}
	got := map[string]attr.Value{
		"file_format":                types.StringValue(string(o.FileFormat)),
		"hive_compatible_partitions": types.BoolValue(aws.ToBool(o.HiveCompatiblePartitions)),
		"per_hour_partition":         types.BoolValue(aws.ToBool(o.PerHourPartition)),
	}
	if o.FileFormat == "" {
		got["file_format"] = types.StringValue(string(ec2types.DestinationFileFormatPlainText))
	}
	isDefault := got["file_format"].Equal(types.StringValue(string(ec2types.DestinationFileFormatPlainText))) &&
		!aws.ToBool(o.HiveCompatiblePartitions) && !aws.ToBool(o.PerHourPartition)
	// AWS reports the defaults of an S3 flow log created without the block;
	// a configuration that leaves it out must not see a change.
	if isDefault && m.DestinationOptions.IsNull() {
		return nil
	}
	v, diags := types.ObjectValue(flowLogDestinationOptionsAttrTypes, got)
	m.DestinationOptions = v
	return diags
}

// sameFlowLogDestination compares destination ARNs, reading a log group ARN with
// and without its trailing ":*" as the same.
func sameFlowLogDestination(a, b string) bool {
	return strings.TrimSuffix(a, ":*") == strings.TrimSuffix(b, ":*")
}

func flowLogStringOr(v string, prior types.String) types.String {
	if v != "" {
		return types.StringValue(v)
	}
	if prior.IsUnknown() {
		return types.StringNull()
	}
	return prior
}

func flowLogEC2Tags(tags map[string]string) []ec2types.Tag {
	out := make([]ec2types.Tag, 0, len(tags))
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, ec2types.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}
