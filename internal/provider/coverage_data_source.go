package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/coveragescan"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/conns"
)

var (
	_ datasource.DataSource              = &coverageDataSource{}
	_ datasource.DataSourceWithConfigure = &coverageDataSource{}
)

func newCoverageDataSource() datasource.DataSource {
	return &coverageDataSource{dataSourceBase: dataSourceBase{typeName: "coverage"}}
}

type coverageDataSource struct{ dataSourceBase }

type coverageModel struct {
	TrafficType         types.String           `tfsdk:"traffic_type"`
	ExcludeVPCIDs       types.List             `tfsdk:"exclude_vpc_ids"`
	CheckDelivery       types.Bool             `tfsdk:"check_delivery"`
	FailOn              types.List             `tfsdk:"fail_on"`
	Accounts            []coverageAccountModel `tfsdk:"accounts"`
	Region              types.String           `tfsdk:"region"`
	Compliant           types.Bool             `tfsdk:"compliant"`
	Summary             types.String           `tfsdk:"summary"`
	VPCCount            types.Int64            `tfsdk:"vpc_count"`
	FlowLogCount        types.Int64            `tfsdk:"flow_log_count"`
	FailingFlowLogCount types.Int64            `tfsdk:"failing_flow_log_count"`
	VPCsWithoutFlowLogs types.List             `tfsdk:"vpcs_without_flow_logs"`
	FailingFlowLogs     types.List             `tfsdk:"failing_flow_logs"`
	FlowLogs            types.List             `tfsdk:"flow_logs"`
	VPCs                types.List             `tfsdk:"vpcs"`
}

type coverageAccountModel struct {
	AccountID  types.String `tfsdk:"account_id"`
	RoleARN    types.String `tfsdk:"role_arn"`
	ExternalID types.String `tfsdk:"external_id"`
}

// coverageVPCAttrTypes is the object type of one VPC of vpcs.
var coverageVPCAttrTypes = map[string]attr.Type{
	"account_id":   types.StringType,
	"region":       types.StringType,
	"vpc_id":       types.StringType,
	"name":         types.StringType,
	"is_default":   types.BoolType,
	"covered":      types.BoolType,
	"reason":       types.StringType,
	"flow_log_ids": types.ListType{ElemType: types.StringType},
}

// coverageFlowLogAttrTypes is the object type of one flow log of flow_logs and failing_flow_logs.
var coverageFlowLogAttrTypes = map[string]attr.Type{
	"account_id":                 types.StringType,
	"region":                     types.StringType,
	"flow_log_id":                types.StringType,
	"resource_id":                types.StringType,
	"resource_type":              types.StringType,
	"traffic_type":               types.StringType,
	"log_destination_type":       types.StringType,
	"log_destination":            types.StringType,
	"iam_role_arn":               types.StringType,
	"deliver_cross_account_role": types.StringType,
	"deliver_logs_status":        types.StringType,
	"deliver_logs_error":         types.StringType,
	"destination_exists":         types.BoolType,
	"valid":                      types.BoolType,
	"root_cause":                 types.StringType,
	"findings":                   types.ListType{ElemType: types.ObjectType{AttrTypes: findingAttrTypes}},
}

func (d *coverageDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	flowLogAttributes := map[string]schema.Attribute{
		"account_id":                 schema.StringAttribute{MarkdownDescription: "Account that owns the flow log.", Computed: true},
		"region":                     schema.StringAttribute{MarkdownDescription: "Region of the flow log.", Computed: true},
		"flow_log_id":                schema.StringAttribute{MarkdownDescription: "ID of the flow log (`fl-…`).", Computed: true},
		"resource_id":                schema.StringAttribute{MarkdownDescription: "VPC, subnet, network interface or transit gateway the flow log watches.", Computed: true},
		"resource_type":              schema.StringAttribute{MarkdownDescription: "`VPC`, `Subnet`, `NetworkInterface`, `TransitGateway` or `TransitGatewayAttachment`.", Computed: true},
		"traffic_type":               schema.StringAttribute{MarkdownDescription: "Traffic the flow log records: `ALL`, `ACCEPT` or `REJECT`; empty for transit gateways, which record all.", Computed: true},
		"log_destination_type":       schema.StringAttribute{MarkdownDescription: "Destination type: " + quotedList(destinationTypes) + ".", Computed: true},
		"log_destination":            schema.StringAttribute{MarkdownDescription: "ARN of the destination; for a CloudWatch Logs flow log created with only a group name, the group's ARN.", Computed: true},
		"iam_role_arn":               schema.StringAttribute{MarkdownDescription: "Role VPC Flow Logs assumes to publish to CloudWatch Logs (`DeliverLogsPermissionArn`).", Computed: true},
		"deliver_cross_account_role": schema.StringAttribute{MarkdownDescription: "Role for a Firehose stream in another account.", Computed: true},
		"deliver_logs_status":        schema.StringAttribute{MarkdownDescription: "Delivery status AWS reports: `SUCCESS` or `FAILED`. AWS raises no alarm when it turns `FAILED`.", Computed: true},
		"deliver_logs_error":         schema.StringAttribute{MarkdownDescription: "AWS's terse reason for a `FAILED` status, such as `Access error`.", Computed: true},
		"destination_exists": schema.BoolAttribute{
			MarkdownDescription: "Whether the log group or bucket still exists; null when it was not looked up (a Firehose stream, or a destination in another account or region).",
			Computed:            true,
		},
		"valid": schema.BoolAttribute{MarkdownDescription: "`true` when no finding is an error: the flow log delivers, as far as AWS and the checker can tell.", Computed: true},
		"root_cause": schema.StringAttribute{
			MarkdownDescription: "The first error finding's message and fix: why the flow log delivers nothing, or will not. Null for a valid flow log.",
			Computed:            true,
		},
		"findings": schema.ListAttribute{
			MarkdownDescription: "What the scan found, errors first, each with `code`, `severity`, `message`, `fix` and `attribute`. " +
				"A `FAILED` status gets the code of its root cause (`DELIVERY_ACCESS_ERROR`, `ROLE_NOT_ASSUMABLE`, …); a deleted destination `DESTINATION_NOT_FOUND`; " +
				"a flow log recording less traffic than `traffic_type` asks `TRAFFIC_TYPE_PARTIAL` (warning); with `check_delivery`, the delivery checker's " +
				"`TRUST_`, `PERMISSION_`, `ROLE_`, `DESTINATION_`, `GUARDRAIL_` (the organisation's SCPs and RCPs, or a warning when they cannot be read) " +
				"and `POLICY_` findings on the role and destination as they are now; a role or " +
				"destination that could not be read `CHECK_INCOMPLETE`.",
			Computed:    true,
			ElementType: types.ObjectType{AttrTypes: findingAttrTypes},
		},
	}
	flowLogObject := schema.NestedAttributeObject{Attributes: flowLogAttributes}

	resp.Schema = schema.Schema{
		MarkdownDescription: "Scans the provider's region for flow logs that fail silently, for use in `check` blocks and monitoring. " +
			"It finds every VPC without a flow log (the CIS AWS Foundations control \"VPC flow logging is enabled in all VPCs\"), " +
			"every flow log AWS reports as `FAILED` with its root cause, flow logs that record only part of the traffic, destinations " +
			"deleted after the flow log was created, and (with `check_delivery`) what the delivery checker finds in each flow log's role, " +
			"bucket policy and key policy as they are now — a role edited after apply breaks delivery without AWS reporting it for a while.\n\n" +
			"The scan lists VPCs, flow logs and log groups with paginated calls whose number does not grow with the number of flow logs, " +
			"and reads each role, bucket and key once however many flow logs share it. It covers VPCs the account owns; VPCs shared with it " +
			"are covered by their owner's flow logs. Other regions: use a provider alias per region.",
		Attributes: map[string]schema.Attribute{
			"traffic_type": schema.StringAttribute{
				MarkdownDescription: "Traffic a VPC's flow logs must record for the VPC to count as covered: " + quotedList(coveragescan.TrafficTypes) +
					". Defaults to `ALL`; an `ACCEPT` and a `REJECT` flow log on the same VPC together record `ALL`. AWS Config's `VPC_FLOW_LOGS_ENABLED` rule takes the same values as `trafficType`.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.OneOf(coveragescan.TrafficTypes...)},
			},
			"exclude_vpc_ids": schema.ListAttribute{
				MarkdownDescription: "VPCs left out of the coverage count, such as unused default VPCs. Their flow logs are still checked.",
				Optional:            true,
				ElementType:         types.StringType,
			},
			"check_delivery": schema.BoolAttribute{
				MarkdownDescription: "Whether to run the delivery checker on every flow log's current role and destination (reads IAM, S3 bucket policies and KMS key policies). Defaults to `true`.",
				Optional:            true,
			},
			"fail_on": schema.ListAttribute{
				MarkdownDescription: "What fails the plan instead of only being reported: " + quotedList(coverageFailOn) + ". " +
					"`FAILING`: a flow log delivers nothing, or will not (AWS reports `FAILED`, its destination is gone, or the checker finds an error in its role or destination as they are now). " +
					"`UNCOVERED`: a VPC (less `exclude_vpc_ids`) has no flow log recording `traffic_type`. " +
					"The error lists the flow logs and VPCs with their root causes. Left out, nothing fails; use `compliant` in a `check` block for warnings. " +
					"`fail_on = [\"FAILING\"]` in any configuration that runs regularly is the shortest way to make existing flow logs unable to fail silently.",
				Optional:    true,
				ElementType: types.StringType,
				Validators:  []validator.List{listvalidator.ValueStringsAre(stringvalidator.OneOf(coverageFailOn...))},
			},
			"accounts": schema.ListNestedAttribute{
				MarkdownDescription: "Accounts to scan, each through a role it trusts. Left out, the provider's own account is scanned. " +
					"List the provider's own account without `role_arn` to include it.",
				Optional: true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"account_id": schema.StringAttribute{
						MarkdownDescription: "The account's 12-digit ID; the scan fails if the credentials turn out to belong to another account.",
						Required:            true,
						Validators:          []validator.String{stringvalidator.RegexMatches(accountPattern, "must be a 12-digit account ID")},
					},
					"role_arn": schema.StringAttribute{
						MarkdownDescription: "Role in the account to assume with the provider's credentials; left out, the provider's credentials are used. " +
							"It needs `ec2:DescribeVpcs`, `ec2:DescribeFlowLogs`, `logs:DescribeLogGroups`, `s3:ListAllMyBuckets` and, for `check_delivery`, " +
							"the IAM, S3 and KMS reads of `vpcflow_delivery_check`.",
						Optional:   true,
						Validators: []validator.String{stringvalidator.RegexMatches(roleARNPattern, "must be an IAM role ARN")},
					},
					"external_id": schema.StringAttribute{
						MarkdownDescription: "External ID the role's trust policy requires (`sts:ExternalId`).",
						Optional:            true,
						Sensitive:           true,
					},
				}},
			},
			"region": schema.StringAttribute{MarkdownDescription: "Region scanned: the provider's.", Computed: true},
			"compliant": schema.BoolAttribute{
				MarkdownDescription: "`true` when every VPC (less `exclude_vpc_ids`) has a flow log recording `traffic_type` and no flow log has an error finding. The value to assert in a `check` block.",
				Computed:            true,
			},
			"summary": schema.StringAttribute{
				MarkdownDescription: "One paragraph for a `check` block's `error_message`: what is uncovered and what fails, with IDs and codes.",
				Computed:            true,
			},
			"vpc_count":              schema.Int64Attribute{MarkdownDescription: "Number of VPCs counted (less `exclude_vpc_ids`).", Computed: true},
			"flow_log_count":         schema.Int64Attribute{MarkdownDescription: "Number of flow logs, of VPCs, subnets, interfaces and transit gateways.", Computed: true},
			"failing_flow_log_count": schema.Int64Attribute{MarkdownDescription: "Number of flow logs in `failing_flow_logs`.", Computed: true},
			"vpcs_without_flow_logs": schema.ListAttribute{
				MarkdownDescription: "IDs of the VPCs without a flow log recording `traffic_type`, sorted. A subnet's or interface's flow log does not cover its VPC.",
				Computed:            true,
				ElementType:         types.StringType,
			},
			"failing_flow_logs": schema.ListNestedAttribute{
				MarkdownDescription: "The flow logs of `flow_logs` that deliver nothing, or will not: AWS reports `FAILED`, the destination is gone, or the checker found an error.",
				Computed:            true,
				NestedObject:        flowLogObject,
			},
			"flow_logs": schema.ListNestedAttribute{
				MarkdownDescription: "Every flow log, sorted by account and ID, with its findings.",
				Computed:            true,
				NestedObject:        flowLogObject,
			},
			"vpcs": schema.ListNestedAttribute{
				MarkdownDescription: "Every VPC counted, sorted by account and ID, with whether it is covered.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"account_id":   schema.StringAttribute{MarkdownDescription: "Account that owns the VPC.", Computed: true},
					"region":       schema.StringAttribute{MarkdownDescription: "Region of the VPC.", Computed: true},
					"vpc_id":       schema.StringAttribute{MarkdownDescription: "ID of the VPC.", Computed: true},
					"name":         schema.StringAttribute{MarkdownDescription: "The VPC's `Name` tag; empty without one.", Computed: true},
					"is_default":   schema.BoolAttribute{MarkdownDescription: "Whether it is the region's default VPC.", Computed: true},
					"covered":      schema.BoolAttribute{MarkdownDescription: "Whether the VPC's own flow logs record `traffic_type`.", Computed: true},
					"reason":       schema.StringAttribute{MarkdownDescription: "Why an uncovered VPC is not covered; empty when covered.", Computed: true},
					"flow_log_ids": schema.ListAttribute{MarkdownDescription: "The VPC's own flow logs.", Computed: true, ElementType: types.StringType},
				}},
			},
		},
	}
}

func (d *coverageDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m coverageModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.data == nil {
		resp.Diagnostics.AddError("reading vpcflow_coverage", "The provider is not configured.")
		return
	}
	opts := coveragescan.Options{TrafficType: m.TrafficType.ValueString()}
	if !m.ExcludeVPCIDs.IsNull() {
		resp.Diagnostics.Append(m.ExcludeVPCIDs.ElementsAs(ctx, &opts.ExcludeVPCIDs, false)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	check := m.CheckDelivery.IsNull() || m.CheckDelivery.ValueBool()

	var reports []*coveragescan.Report
	for i, target := range d.targets(m) {
		rep, err := d.scan(ctx, target, opts, check)
		if err != nil {
			if len(m.Accounts) == 0 {
				resp.Diagnostics.AddError("scanning flow log coverage", err.Error())
			} else {
				resp.Diagnostics.AddAttributeError(path.Root("accounts").AtListIndex(i), "scanning flow log coverage", err.Error())
			}
			return
		}
		tflog.Debug(ctx, "flow log coverage scanned", map[string]any{
			"account": rep.Account, "region": rep.Region, "vpcs": rep.Counts.VPCs, "uncovered": rep.Counts.VPCsWithoutFlowLogs,
			"flow_logs": rep.Counts.FlowLogs, "failing": rep.Counts.FailingFlowLogs, "aws_calls": d.data.client.Calls.Total(),
		})
		reports = append(reports, rep)
	}
	resp.Diagnostics.Append(m.fill(reports, d.data.client.Region())...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(m.failOn(ctx)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// coverageTarget is one account to scan; role nil scans with the provider's credentials.
type coverageTarget struct {
	account string
	role    *conns.AssumeRole
}

func (d *coverageDataSource) targets(m coverageModel) []coverageTarget {
	if len(m.Accounts) == 0 {
		return []coverageTarget{{}}
	}
	out := make([]coverageTarget, 0, len(m.Accounts))
	for _, a := range m.Accounts {
		t := coverageTarget{account: a.AccountID.ValueString()}
		if a.RoleARN.ValueString() != "" {
			t.role = &conns.AssumeRole{RoleARN: a.RoleARN.ValueString(), ExternalID: a.ExternalID.ValueString(), SessionName: "vpcflow-coverage"}
		}
		out = append(out, t)
	}
	return out
}

// scan reads and evaluates one account in the provider's region.
func (d *coverageDataSource) scan(ctx context.Context, t coverageTarget, opts coveragescan.Options, check bool) (*coveragescan.Report, error) {
	pd := d.data
	if t.role != nil {
		pd = newProviderData(d.data.client.WithAssumedRole(*t.role))
	}
	account, err := pd.client.AccountID(ctx)
	if err != nil {
		if t.role != nil {
			return nil, fmt.Errorf("assuming %s for account %s: %w", t.role.RoleARN, t.account, err)
		}
		return nil, err
	}
	if t.account != "" && account != t.account {
		return nil, fmt.Errorf("the credentials for account %s belong to account %s; check account_id and role_arn", t.account, account)
	}
	region := pd.client.Region()
	inv, err := coveragescan.Read(ctx, coveragescan.Clients{EC2: pd.client.EC2(), Logs: pd.client.Logs(), S3: pd.client.S3()}, account, region)
	if err != nil {
		return nil, err
	}
	if check {
		opts.Check = pd.coverageChecker(account, region)
	}
	return coveragescan.Evaluate(ctx, inv, opts)
}

// coverageChecker runs the delivery checker on a flow log as it is now.
// The scan has listed the log groups, so the group's key comes from the
// listing rather than a lookup per flow log; roles, buckets and keys are
// read through the provider's memoised reader, once each.
func (pd *providerData) coverageChecker(account, region string) coveragescan.Checker {
	return func(ctx context.Context, fl coveragescan.FlowLog, dest coveragescan.Destination) ([]delivery.Finding, error) {
		spec := deliverySpec{
			DestinationType: fl.DestinationType,
			DestinationARN:  fl.DestinationARN,
			Account:         account,
			Region:          region,
			RoleARN:         fl.DeliveryRoleARN(),
			Hive:            fl.Hive,
			Existing:        true,
		}
		if fl.DestinationType == delivery.DestinationCloudWatchLogs && dest.Presence != coveragescan.PresenceUnknown {
			key := dest.KMSKeyARN
			spec.KMSKeyARN = &key
		}
		in, findings, err := pd.deliveryInput(ctx, spec)
		if err != nil {
			return nil, err
		}
		// A deleted log group comes back only if the role may create it.
		in.LogGroupMayNotExist = in.LogGroupMayNotExist || dest.Presence == coveragescan.PresenceMissing
		return append(findings, delivery.Check(in)...), nil
	}
}

// fill sets the computed attributes from the reports of every account.
func (m *coverageModel) fill(reports []*coveragescan.Report, region string) diag.Diagnostics {
	var diags diag.Diagnostics
	var vpcs, flowLogs, failing []attr.Value
	var uncovered []attr.Value
	var uncoveredIDs []string
	var failingText []string
	counts := coveragescan.Counts{}
	trafficType := coveragescan.TrafficAll
	for _, rep := range reports {
		trafficType = rep.TrafficType
		counts.VPCs += rep.Counts.VPCs
		counts.VPCsWithoutFlowLogs += rep.Counts.VPCsWithoutFlowLogs
		counts.FlowLogs += rep.Counts.FlowLogs
		counts.FailingFlowLogs += rep.Counts.FailingFlowLogs
		for _, v := range rep.VPCs {
			ids, d := types.ListValueFrom(context.Background(), types.StringType, nonNil(v.FlowLogIDs))
			diags.Append(d...)
			obj, d := types.ObjectValue(coverageVPCAttrTypes, map[string]attr.Value{
				"account_id": types.StringValue(rep.Account), "region": types.StringValue(rep.Region),
				"vpc_id": types.StringValue(v.ID), "name": types.StringValue(v.Name), "is_default": types.BoolValue(v.IsDefault),
				"covered": types.BoolValue(v.Covered), "reason": types.StringValue(v.Reason), "flow_log_ids": ids,
			})
			diags.Append(d...)
			vpcs = append(vpcs, obj)
			if !v.Covered {
				uncovered = append(uncovered, types.StringValue(v.ID))
				uncoveredIDs = append(uncoveredIDs, v.ID)
			}
		}
		for _, fl := range rep.FlowLogs {
			obj, d := coverageFlowLogValue(rep, fl)
			diags.Append(d...)
			flowLogs = append(flowLogs, obj)
			if fl.Failing() {
				failing = append(failing, obj)
				failingText = append(failingText, fmt.Sprintf("%s (%s): %s", fl.ID, fl.ResourceID, strings.Join(errorCodes(fl.Findings), ", ")))
			}
		}
	}
	flowLogType := types.ObjectType{AttrTypes: coverageFlowLogAttrTypes}
	var d diag.Diagnostics
	m.VPCs, d = types.ListValue(types.ObjectType{AttrTypes: coverageVPCAttrTypes}, vpcs)
	diags.Append(d...)
	m.FlowLogs, d = types.ListValue(flowLogType, flowLogs)
	diags.Append(d...)
	m.FailingFlowLogs, d = types.ListValue(flowLogType, failing)
	diags.Append(d...)
	m.VPCsWithoutFlowLogs, d = types.ListValue(types.StringType, uncovered)
	diags.Append(d...)

	m.Region = types.StringValue(region)
	m.VPCCount = types.Int64Value(int64(counts.VPCs))
	m.FlowLogCount = types.Int64Value(int64(counts.FlowLogs))
	m.FailingFlowLogCount = types.Int64Value(int64(counts.FailingFlowLogs))
	compliant := counts.VPCsWithoutFlowLogs == 0 && counts.FailingFlowLogs == 0
	m.Compliant = types.BoolValue(compliant)
	m.Summary = types.StringValue(coverageSummary(counts, trafficType, region, uncoveredIDs, failingText))
	return diags
}

func coverageFlowLogValue(rep *coveragescan.Report, fl coveragescan.FlowLogResult) (attr.Value, diag.Diagnostics) {
	var diags diag.Diagnostics
	findings, d := findingsValue(fl.Findings)
	diags.Append(d...)
	exists := types.BoolNull()
	switch fl.Destination.Presence {
	case coveragescan.PresenceExists:
		exists = types.BoolValue(true)
	case coveragescan.PresenceMissing:
		exists = types.BoolValue(false)
	}
	rootCause := types.StringNull()
	if rc := fl.RootCause(); rc != "" {
		rootCause = types.StringValue(rc)
	}
	obj, d := types.ObjectValue(coverageFlowLogAttrTypes, map[string]attr.Value{
		"account_id":                 types.StringValue(rep.Account),
		"region":                     types.StringValue(rep.Region),
		"flow_log_id":                types.StringValue(fl.ID),
		"resource_id":                types.StringValue(fl.ResourceID),
		"resource_type":              types.StringValue(fl.ResourceType()),
		"traffic_type":               types.StringValue(fl.TrafficType),
		"log_destination_type":       types.StringValue(fl.DestinationType),
		"log_destination":            types.StringValue(fl.DestinationARN),
		"iam_role_arn":               types.StringValue(fl.RoleARN),
		"deliver_cross_account_role": types.StringValue(fl.CrossAccountRole),
		"deliver_logs_status":        types.StringValue(fl.DeliverStatus),
		"deliver_logs_error":         types.StringValue(fl.DeliverError),
		"destination_exists":         exists,
		"valid":                      types.BoolValue(!fl.Failing()),
		"root_cause":                 rootCause,
		"findings":                   findings,
	})
	diags.Append(d...)
	return obj, diags
}

func errorCodes(fs []delivery.Finding) []string {
	var out []string
	for _, f := range fs {
		if f.Severity == delivery.SeverityError {
			out = append(out, f.Code)
		}
	}
	return out
}

// summaryListMax bounds the IDs a summary names.
const summaryListMax = 10

func coverageSummary(c coveragescan.Counts, trafficType, region string, uncovered, failing []string) string {
	if c.VPCsWithoutFlowLogs == 0 && c.FailingFlowLogs == 0 {
		return fmt.Sprintf("Compliant: all %d VPCs in %s have flow logs recording %s traffic, and none of the %d flow logs is failing.",
			c.VPCs, region, trafficType, c.FlowLogs)
	}
	var parts []string
	if c.VPCsWithoutFlowLogs > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d VPCs in %s have no flow log recording %s traffic: %s",
			c.VPCsWithoutFlowLogs, c.VPCs, region, trafficType, shortList(uncovered, ", ")))
	}
	if c.FailingFlowLogs > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d flow logs deliver nothing or will not: %s", c.FailingFlowLogs, c.FlowLogs, shortList(failing, "; ")))
	}
	return "Not compliant: " + strings.Join(parts, "; ") + ". See failing_flow_logs[*].root_cause for each cause and its fix."
}

func shortList(items []string, sep string) string {
	if len(items) <= summaryListMax {
		return strings.Join(items, sep)
	}
	return strings.Join(items[:summaryListMax], sep) + fmt.Sprintf(" and %d more", len(items)-summaryListMax)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// coverageFailOn are the values of fail_on.
var coverageFailOn = []string{"FAILING", "UNCOVERED"}

// failOn turns what fail_on names into errors, so the plan stops.
func (m *coverageModel) failOn(ctx context.Context) diag.Diagnostics {
	var diags diag.Diagnostics
	if m.FailOn.IsNull() || m.FailOn.IsUnknown() {
		return diags
	}
	var kinds []string
	diags.Append(m.FailOn.ElementsAs(ctx, &kinds, false)...)
	for _, kind := range kinds {
		switch {
		case kind == "FAILING" && m.FailingFlowLogCount.ValueInt64() > 0:
			diags.AddAttributeError(path.Root("fail_on"), fmt.Sprintf("%d flow log(s) deliver nothing", m.FailingFlowLogCount.ValueInt64()),
				m.Summary.ValueString()+"\n\nEach flow log's root_cause in failing_flow_logs says what to fix. (fail_on = \"FAILING\")")
		case kind == "UNCOVERED" && len(m.VPCsWithoutFlowLogs.Elements()) > 0:
			var ids []string
			diags.Append(m.VPCsWithoutFlowLogs.ElementsAs(ctx, &ids, false)...)
			diags.AddAttributeError(path.Root("fail_on"), fmt.Sprintf("%d VPC(s) have no flow log", len(ids)),
				fmt.Sprintf("VPCs without a flow log recording the required traffic: %s.\n\n%s\n\nAdd a vpcflow_flow_log for each, or list unused ones in exclude_vpc_ids. (fail_on = \"UNCOVERED\")",
					strings.Join(ids, ", "), m.Summary.ValueString()))
		}
	}
	return diags
}
