package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
)

var (
	_ datasource.DataSource              = &deliveryCheckDataSource{}
	_ datasource.DataSourceWithConfigure = &deliveryCheckDataSource{}
)

// destinationTypes are the flow log destination types, as EC2 names them.
var destinationTypes = []string{delivery.DestinationCloudWatchLogs, delivery.DestinationS3, delivery.DestinationFirehose}

func newDeliveryCheckDataSource() datasource.DataSource {
	return &deliveryCheckDataSource{dataSourceBase: dataSourceBase{typeName: "delivery_check"}}
}

type deliveryCheckDataSource struct{ dataSourceBase }

type deliveryCheckModel struct {
	DestinationType          types.String `tfsdk:"destination_type"`
	DestinationARN           types.String `tfsdk:"destination_arn"`
	FlowLogAccount           types.String `tfsdk:"flow_log_account"`
	FlowLogRegion            types.String `tfsdk:"flow_log_region"`
	RoleARN                  types.String `tfsdk:"role_arn"`
	TrustPolicy              types.String `tfsdk:"trust_policy"`
	PermissionPolicies       types.List   `tfsdk:"permission_policies"`
	PermissionsBoundary      types.String `tfsdk:"permissions_boundary"`
	BucketPolicy             types.String `tfsdk:"bucket_policy"`
	KMSKeyARN                types.String `tfsdk:"kms_key_arn"`
	KMSKeyPolicy             types.String `tfsdk:"kms_key_policy"`
	HiveCompatiblePartitions types.Bool   `tfsdk:"hive_compatible_partitions"`
	ServiceControlPolicies   types.List   `tfsdk:"service_control_policies"`
	ResourceControlPolicies  types.List   `tfsdk:"resource_control_policies"`
	Valid                    types.Bool   `tfsdk:"valid"`
	Findings                 types.List   `tfsdk:"findings"`
}

// findingAttrTypes is the object type of one finding in Terraform.
var findingAttrTypes = map[string]attr.Type{
	"code":      types.StringType,
	"severity":  types.StringType,
	"message":   types.StringType,
	"fix":       types.StringType,
	"attribute": types.StringType,
}

func (d *deliveryCheckDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	readFromAWS := " Left out, it is read from AWS; given (even empty), it is used as is."
	resp.Schema = schema.Schema{
		MarkdownDescription: "Checks whether VPC Flow Logs can deliver to a destination with the given role and policies, " +
			"using the provider's own IAM policy engine, and explains every problem with the statement at fault and the fix. " +
			"AWS itself accepts a broken role and then delivers nothing (`DeliverLogsStatus=FAILED`, \"Access error\") without an alert.\n\n" +
			"Every document can be given inline; a document left out is read from AWS (the role's trust policy, inline and attached policies " +
			"and permissions boundary, the bucket policy and encryption, the log group's key and the key policy). " +
			"With every document inline the check makes no AWS call and needs no credentials.",
		Attributes: map[string]schema.Attribute{
			"destination_type": schema.StringAttribute{
				MarkdownDescription: "Flow log destination type: " + quotedList(destinationTypes) + ".",
				Required:            true,
				Validators:          []validator.String{stringvalidator.OneOf(destinationTypes...)},
			},
			"destination_arn": schema.StringAttribute{
				MarkdownDescription: "ARN of the destination: a log group (`arn:aws:logs:REGION:ACCOUNT:log-group:NAME`), a bucket with an optional prefix (`arn:aws:s3:::BUCKET/PREFIX`) or a Firehose delivery stream.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.RegexMatches(arnPattern, "must be an ARN")},
			},
			"flow_log_account": schema.StringAttribute{
				MarkdownDescription: "Account that owns the flow log. Defaults to the account of `role_arn`, else of `destination_arn`, else of the provider's credentials.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.RegexMatches(accountPattern, "must be a 12-digit account ID")},
			},
			"flow_log_region": schema.StringAttribute{
				MarkdownDescription: "Region of the flow log. Defaults to the provider's region.",
				Optional:            true,
			},
			"role_arn": schema.StringAttribute{
				MarkdownDescription: "Delivery role: `iam_role_arn` for a CloudWatch Logs destination, `deliver_cross_account_role` for a cross-account Firehose destination. S3 and same-account Firehose destinations use no role.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.RegexMatches(roleARNPattern, "must be an IAM role ARN")},
			},
			"trust_policy": schema.StringAttribute{
				MarkdownDescription: "Trust policy (JSON) of the delivery role." + readFromAWS,
				Optional:            true,
			},
			"permission_policies": schema.ListAttribute{
				MarkdownDescription: "Identity policies (JSON) of the delivery role, inline and attached." + readFromAWS,
				Optional:            true,
				ElementType:         types.StringType,
			},
			"permissions_boundary": schema.StringAttribute{
				MarkdownDescription: "Permissions boundary (JSON) of the delivery role; an empty string means none." + readFromAWS,
				Optional:            true,
			},
			"bucket_policy": schema.StringAttribute{
				MarkdownDescription: "Policy (JSON) of the destination bucket; an empty string means the bucket has none." + readFromAWS +
					" When the policy read from AWS has no statement for `delivery.logs.amazonaws.com`, the check also evaluates whether the identity " +
					"running Terraform may `s3:GetBucketPolicy` and `s3:PutBucketPolicy` on the bucket, as AWS needs to add the statement when it creates a flow log.",
				Optional: true,
			},
			"kms_key_arn": schema.StringAttribute{
				MarkdownDescription: "Key that encrypts the destination (log group key or bucket SSE-KMS key); an empty string means unencrypted." + readFromAWS,
				Optional:            true,
			},
			"kms_key_policy": schema.StringAttribute{
				MarkdownDescription: "Policy (JSON) of the key that encrypts the destination." + readFromAWS,
				Optional:            true,
			},
			"hive_compatible_partitions": schema.BoolAttribute{
				MarkdownDescription: "Whether an S3 destination uses Hive-compatible prefixes (`AWSLogs/aws-account-id=ACCOUNT/…`), which changes the key the bucket policy must allow. Defaults to `false`.",
				Optional:            true,
			},
			"service_control_policies": schema.ListAttribute{
				MarkdownDescription: "Service control policies (JSON) that apply to the flow log account, one list per level of the organisation from the root " +
					"down to the account (`[[root policies], [OU policies]..., [account policies]]`): every level must allow each call the delivery role makes, " +
					"and a Deny at any level blocks it. `[]` means the account is in no organisation. Left out, they are read from AWS Organizations " +
					"(`ListParents`, `ListPoliciesForTarget`, `DescribePolicy`, which only the management account or a delegated administrator may call); " +
					"when they cannot be read, the check says so with a `GUARDRAIL_NOT_READ` warning. A check given every other document inline makes no AWS call and checks only the organisation policies given here.",
				Optional:    true,
				ElementType: types.ListType{ElemType: types.StringType},
			},
			"resource_control_policies": schema.ListAttribute{
				MarkdownDescription: "Resource control policies (JSON) that apply to the destination's account, one list per level from the root down to the account; " +
					"their Deny statements block the log delivery service's writes to an S3 bucket and VPC Flow Logs' `sts:AssumeRole` of the role " +
					"(`RCPFullAWSAccess` allows everything else). An S3 bucket is taken to be in the flow log account. `[]` means none. " +
					"Left out, they are read from AWS Organizations like `service_control_policies`.",
				Optional:    true,
				ElementType: types.ListType{ElemType: types.StringType},
			},
			"valid": schema.BoolAttribute{
				MarkdownDescription: "`true` when no finding has severity `error`: delivery will work.",
				Computed:            true,
			},
			"findings": schema.ListAttribute{
				MarkdownDescription: "What the check found, errors first. Each has a stable `code` (families `TRUST_`, `PERMISSION_`, `DESTINATION_`, `ROLE_`, `GUARDRAIL_`, `POLICY_`), " +
					"a `severity` (`error` or `warning`), a `message` naming the statement and key at fault and why AWS will fail, a `fix`, " +
					"and the input `attribute` it concerns.",
				Computed:    true,
				ElementType: types.ObjectType{AttrTypes: findingAttrTypes},
			},
		},
	}
}

func (d *deliveryCheckDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m deliveryCheckModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}

	spec := deliverySpec{
		DestinationType:     m.DestinationType.ValueString(),
		DestinationARN:      m.DestinationARN.ValueString(),
		Account:             m.FlowLogAccount.ValueString(),
		Region:              m.FlowLogRegion.ValueString(),
		RoleARN:             m.RoleARN.ValueString(),
		TrustPolicy:         m.TrustPolicy.ValueStringPointer(),
		PermissionsBoundary: m.PermissionsBoundary.ValueStringPointer(),
		BucketPolicy:        m.BucketPolicy.ValueStringPointer(),
		KMSKeyARN:           m.KMSKeyARN.ValueStringPointer(),
		KMSKeyPolicy:        m.KMSKeyPolicy.ValueStringPointer(),
		Hive:                m.HiveCompatiblePartitions.ValueBool(),
	}
	if !m.PermissionPolicies.IsNull() {
		spec.PermissionPolicies = []string{}
		resp.Diagnostics.Append(m.PermissionPolicies.ElementsAs(ctx, &spec.PermissionPolicies, false)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}

	resp.Diagnostics.Append(orgPoliciesFromConfig(ctx, m.ServiceControlPolicies, &spec.SCPs)...)
	resp.Diagnostics.Append(orgPoliciesFromConfig(ctx, m.ResourceControlPolicies, &spec.RCPs)...)
	if resp.Diagnostics.HasError() {
		return
	}

	in, findings, err := d.data.deliveryInput(ctx, spec)
	if err != nil {
		resp.Diagnostics.AddError("reading the documents of a delivery check", err.Error())
		return
	}
	findings = append(findings, delivery.Check(in)...)
	sortFindings(findings)

	list, diags := findingsValue(findings)
	resp.Diagnostics.Append(diags...)
	m.Findings = list
	m.Valid = types.BoolValue(delivery.Valid(findings))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// orgPoliciesFromConfig reads a list of lists of policy documents; a null list leaves *dst nil (read from AWS).
func orgPoliciesFromConfig(ctx context.Context, l types.List, dst **[][]string) diag.Diagnostics {
	if l.IsNull() || l.IsUnknown() {
		return nil
	}
	levels := [][]string{}
	diags := l.ElementsAs(ctx, &levels, false)
	*dst = &levels
	return diags
}
