package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/conns"
)

var (
	_ datasource.DataSource              = &endpointPolicyDataSource{}
	_ datasource.DataSourceWithConfigure = &endpointPolicyDataSource{}
)

func newEndpointPolicyDataSource() datasource.DataSource {
	return &endpointPolicyDataSource{dataSourceBase: dataSourceBase{typeName: "endpoint_policy"}}
}

type endpointPolicyDataSource struct{ dataSourceBase }

type endpointPolicyModel struct {
	Service                types.String `tfsdk:"service"`
	AccountID              types.String `tfsdk:"account_id"`
	Region                 types.String `tfsdk:"region"`
	AdditionalResourceARNs types.List   `tfsdk:"additional_resource_arns"`
	Policy                 types.String `tfsdk:"policy"`
	WriterRoleARN          types.String `tfsdk:"writer_role_arn"`
	WriterResourceARNs     types.List   `tfsdk:"writer_resource_arns"`
	JSON                   types.String `tfsdk:"json"`
	ServiceName            types.String `tfsdk:"service_name"`
	WritesAllowed          types.Bool   `tfsdk:"writes_allowed"`
	Findings               types.List   `tfsdk:"findings"`
}

func (d *endpointPolicyDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Writes the policy of a VPC interface endpoint for CloudWatch Logs (`logs`) or EventBridge (`events`) that lets requests " +
			"through only for the account's own log groups or event buses in the region, and checks with the provider's policy engine that the " +
			"policy still lets the pipeline's own writes through: the enricher's `logs:CreateLogStream` and `logs:PutLogEvents` to the groups it " +
			"writes, the watchdog's `events:PutEvents` to the default bus. An endpoint policy refuses such writes with `AccessDeniedException` " +
			"although the writer's role allows them, so the pipeline stops without anything in Terraform noticing.\n\n" +
			"Credentials with another account's keys cannot reach that account's log groups or buses through the endpoint (a guard against " +
			"exfiltration from the VPC). Calls the service authorizes on `*` rather than on a log group or bus are refused too. " +
			"Set `policy` to check an endpoint policy written elsewhere instead.",
		Attributes: map[string]schema.Attribute{
			"service": schema.StringAttribute{
				MarkdownDescription: "Service of the endpoint: " + quotedList(delivery.EndpointServices) + ".",
				Required:            true,
				Validators:          []validator.String{stringvalidator.OneOf(delivery.EndpointServices...)},
			},
			"account_id": schema.StringAttribute{
				MarkdownDescription: "Account whose log groups or buses the policy allows. Defaults to the account of the provider's credentials (one `sts:GetCallerIdentity`).",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.RegexMatches(accountPattern, "must be a 12-digit account ID")},
			},
			"region": schema.StringAttribute{
				MarkdownDescription: "Region of the endpoint and of the log groups or buses. Defaults to the provider's region.",
				Optional:            true,
			},
			"additional_resource_arns": schema.ListAttribute{
				MarkdownDescription: "Further ARNs of the service the policy allows, in a statement of their own (`AdditionalResources`), " +
					"such as a central account's event bus the watchdog sends to. A log group is given as `arn:…:log-group:NAME:*` to cover its streams.",
				Optional:    true,
				ElementType: types.StringType,
			},
			"policy": schema.StringAttribute{
				MarkdownDescription: "An endpoint policy (JSON) written elsewhere, to check instead of writing one; `json` then returns it unchanged.",
				Optional:            true,
			},
			"writer_role_arn": schema.StringAttribute{
				MarkdownDescription: "Role whose sessions write through the endpoint: the enricher's execution role. Left out, a role of `account_id` is assumed, which a policy naming principals by role does not cover.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.RegexMatches(roleARNPattern, "must be an IAM role ARN")},
			},
			"writer_resource_arns": schema.ListAttribute{
				MarkdownDescription: "What the writer writes to through the endpoint: log group ARNs for `logs` (it creates streams in them and puts events), " +
					"event bus ARNs for `events` (it puts events). For `events` it defaults to the account's `default` bus, where the watchdog sends " +
					"\"Flow Log Delivery Failed\"; for `logs` nothing is checked unless given.",
				Optional:    true,
				ElementType: types.StringType,
			},
			"json": schema.StringAttribute{
				MarkdownDescription: "The endpoint policy, for `aws_vpc_endpoint.policy`.",
				Computed:            true,
			},
			"service_name": schema.StringAttribute{
				MarkdownDescription: "The endpoint service, `com.amazonaws.REGION.SERVICE`, for `aws_vpc_endpoint.service_name`.",
				Computed:            true,
			},
			"writes_allowed": schema.BoolAttribute{
				MarkdownDescription: "`true` when the policy lets every write of `writer_resource_arns` through.",
				Computed:            true,
			},
			"findings": schema.ListAttribute{
				MarkdownDescription: "Each write the policy would refuse (`ENDPOINT_POLICY_BLOCKS_WRITE`, `ENDPOINT_POLICY_DENIES_WRITE`, warnings), " +
					"with the statement that came closest and the statement to add; `POLICY_` errors for a `policy` IAM would reject. " +
					"Each is also reported as a warning (or error) of the plan.",
				Computed:    true,
				ElementType: types.ObjectType{AttrTypes: findingAttrTypes},
			},
		},
	}
}

func (d *endpointPolicyDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m endpointPolicyModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	account, region := m.AccountID.ValueString(), m.Region.ValueString()
	if region == "" && d.data != nil {
		region = d.data.client.Region()
	}
	if region == "" {
		resp.Diagnostics.AddAttributeError(path.Root("region"), "Region needed", "Set region, or the provider's region.")
		return
	}
	if account == "" {
		if d.data == nil {
			resp.Diagnostics.AddAttributeError(path.Root("account_id"), "Account needed", "Set account_id, or configure the provider's credentials.")
			return
		}
		var err error
		if account, err = d.data.client.AccountID(ctx); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("account_id"), "reading the account of the provider's credentials", err.Error())
			return
		}
	}
	var extra, writes []string
	if !m.AdditionalResourceARNs.IsNull() {
		resp.Diagnostics.Append(m.AdditionalResourceARNs.ElementsAs(ctx, &extra, false)...)
	}
	if !m.WriterResourceARNs.IsNull() {
		resp.Diagnostics.Append(m.WriterResourceARNs.ElementsAs(ctx, &writes, false)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}

	service := m.Service.ValueString()
	doc := m.Policy.ValueString()
	if m.Policy.IsNull() {
		var err error
		doc, err = delivery.RenderEndpointPolicy(delivery.EndpointPolicySpec{
			Service: service, Partition: conns.PartitionOf(region), Region: region, Account: account, AdditionalResources: extra,
		})
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("additional_resource_arns"), "writing the endpoint policy", err.Error())
			return
		}
	}
	findings := delivery.CheckEndpointPolicy(delivery.EndpointWrites{
		Service: service, Policy: delivery.NamedPolicy{Name: "the endpoint policy", Document: doc},
		RoleARN: m.WriterRoleARN.ValueString(), Account: account, Region: region, Partition: conns.PartitionOf(region),
		Resources: writes, Writer: "the pipeline",
	})
	for _, f := range findings {
		p := path.Root("writer_resource_arns")
		if !m.Policy.IsNull() {
			p = path.Root("policy")
		}
		if f.Severity == delivery.SeverityError {
			resp.Diagnostics.AddAttributeError(p, "Endpoint policy invalid: "+f.Code, findingText(f))
			continue
		}
		resp.Diagnostics.AddAttributeWarning(p, "Endpoint policy blocks the pipeline's writes: "+f.Code, findingText(f))
	}
	if resp.Diagnostics.HasError() {
		return
	}
	list, diags := findingsValue(findings)
	resp.Diagnostics.Append(diags...)
	m.Findings = list
	m.WritesAllowed = types.BoolValue(len(findings) == 0)
	m.JSON = types.StringValue(doc)
	m.ServiceName = types.StringValue(fmt.Sprintf("com.amazonaws.%s.%s", region, service))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
