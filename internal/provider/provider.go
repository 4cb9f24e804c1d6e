// Package provider implements the vpcflow Terraform provider.
package provider

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/conns"
)

var (
	_ provider.Provider              = &vpcflowProvider{}
	_ provider.ProviderWithFunctions = &vpcflowProvider{}
)

// New returns a constructor of the provider for the given version.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &vpcflowProvider{version: version}
	}
}

type vpcflowProvider struct {
	version string
	// configured, when set, receives the provider data after Configure (tests).
	configured func(*providerData)
}

type providerModel struct {
	Region      types.String      `tfsdk:"region"`
	Profile     types.String      `tfsdk:"profile"`
	EndpointURL types.String      `tfsdk:"endpoint_url"`
	MaxRetries  types.Int64       `tfsdk:"max_retries"`
	Validation  types.String      `tfsdk:"validation"`
	AssumeRole  *assumeRoleModel  `tfsdk:"assume_role"`
	DefaultTags *defaultTagsModel `tfsdk:"default_tags"`
}

type defaultTagsModel struct {
	Tags types.Map `tfsdk:"tags"`
}

type assumeRoleModel struct {
	RoleARN     types.String `tfsdk:"role_arn"`
	ExternalID  types.String `tfsdk:"external_id"`
	SessionName types.String `tfsdk:"session_name"`
}

func (p *vpcflowProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "vpcflow"
	resp.Version = p.version
}

func (p *vpcflowProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The vpcflow provider creates AWS VPC Flow Logs that cannot fail silently: " +
			"it evaluates delivery roles, bucket policies and key policies with its own IAM policy engine at plan time, " +
			"and reports delivery health after apply. Credentials and region come from the usual AWS sources " +
			"(environment, shared config and credentials files, `profile`, `assume_role`).",
		Attributes: map[string]schema.Attribute{
			"region": schema.StringAttribute{
				MarkdownDescription: "AWS region. Defaults to the SDK's resolution: `AWS_REGION`, `AWS_DEFAULT_REGION`, then the profile's region.",
				Optional:            true,
			},
			"profile": schema.StringAttribute{
				MarkdownDescription: "Named profile of the shared AWS config and credentials files. Defaults to `AWS_PROFILE`, then `default`.",
				Optional:            true,
			},
			"endpoint_url": schema.StringAttribute{
				MarkdownDescription: "One endpoint URL for every AWS service, for a local AWS such as `http://127.0.0.1:5000`. " +
					"`AWS_ENDPOINT_URL` and the per-service `AWS_ENDPOINT_URL_<SERVICE>` variables are honoured as the AWS SDK does. " +
					"With a custom endpoint, S3 uses path-style addressing.",
				Optional: true,
				Validators: []validator.String{
					stringvalidator.RegexMatches(endpointPattern, "must be an http:// or https:// URL"),
				},
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: "Maximum number of retries of a throttled or failed AWS call. Defaults to the SDK's standard retryer (2 retries).",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(0, 25)},
			},
			"validation": schema.StringAttribute{
				MarkdownDescription: "What a failing plan-time delivery check does: " + quotedList(conns.ValidationModes) +
					". `error` (the default) fails the plan, `warn` turns findings into warnings, `off` skips the checks.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.OneOf(conns.ValidationModes...)},
			},
		},
		Blocks: map[string]schema.Block{
			"default_tags": schema.SingleNestedBlock{
				MarkdownDescription: "Tags given to every resource that has `tags`, as the AWS provider's `default_tags`: " +
					"a resource's own `tags` win on the same key, and its `tags_all` holds the merged set.",
				Attributes: map[string]schema.Attribute{
					"tags": schema.MapAttribute{
						MarkdownDescription: "Tags to add to the resources.",
						Optional:            true,
						ElementType:         types.StringType,
					},
				},
			},
			"assume_role": schema.SingleNestedBlock{
				MarkdownDescription: "Role to assume before any AWS call, e.g. a central account reading a member account.",
				Attributes: map[string]schema.Attribute{
					"role_arn": schema.StringAttribute{
						MarkdownDescription: "ARN of the role to assume.",
						Optional:            true,
					},
					"external_id": schema.StringAttribute{
						MarkdownDescription: "External ID the role's trust policy requires (`sts:ExternalId`).",
						Optional:            true,
						Sensitive:           true,
					},
					"session_name": schema.StringAttribute{
						MarkdownDescription: "Session name recorded in CloudTrail. Defaults to an SDK-generated name.",
						Optional:            true,
					},
				},
			},
		},
	}
}

func (p *vpcflowProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	for name, v := range map[string]types.String{"region": cfg.Region, "profile": cfg.Profile, "endpoint_url": cfg.EndpointURL} {
		if v.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root(name), "Unknown provider setting",
				fmt.Sprintf("The provider's %s depends on a value known only after apply. Set it to a known value.", name))
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}

	settings := conns.Settings{
		Region:      cfg.Region.ValueString(),
		Profile:     cfg.Profile.ValueString(),
		EndpointURL: cfg.EndpointURL.ValueString(),
		MaxRetries:  int(cfg.MaxRetries.ValueInt64()),
		Validation:  cfg.Validation.ValueString(),
	}
	if cfg.AssumeRole != nil && cfg.AssumeRole.RoleARN.ValueString() != "" {
		settings.AssumeRole = &conns.AssumeRole{
			RoleARN:     cfg.AssumeRole.RoleARN.ValueString(),
			ExternalID:  cfg.AssumeRole.ExternalID.ValueString(),
			SessionName: cfg.AssumeRole.SessionName.ValueString(),
		}
	}
	client, err := conns.New(ctx, settings)
	if err != nil {
		resp.Diagnostics.AddError("configuring the vpcflow provider", err.Error())
		return
	}
	tflog.Debug(ctx, "configured vpcflow provider", map[string]any{"region": client.Region(), "validation": client.Settings.Validation})

	data := newProviderData(client)
	if cfg.DefaultTags != nil {
		if cfg.DefaultTags.Tags.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root("default_tags").AtName("tags"), "Unknown provider setting",
				"The provider's default_tags depend on a value known only after apply. Set them to known values.")
			return
		}
		tags, diags := tagsFromModel(ctx, cfg.DefaultTags.Tags)
		resp.Diagnostics.Append(diags...)
		data.defaultTags = tags
	}
	if p.configured != nil {
		p.configured(data)
	}
	resp.DataSourceData = data
	resp.ResourceData = data
}

func (p *vpcflowProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{newFlowLogResource, newLogGroupResource, newDeliveryRoleResource, newEnricherFunctionResource, newInventoryTableResource, newKinesisStreamResource, newEventSourceMappingResource, newLogDestinationResource, newSubscriptionResource, newInventoryRulesResource, newSourceAccountRoleResource, newComplianceResource, newWatchdogResource, newFlowLogQueueResource, newCompactionScheduleResource,
		newConnectionsTableResource, newConnectionQueriesResource}
}

func (p *vpcflowProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		newDeliveryCheckDataSource,
		newCoverageDataSource,
		newEndpointPolicyDataSource,
	}
}

func (p *vpcflowProvider) Functions(_ context.Context) []func() function.Function {
	return []func() function.Function{
		newCheckTrustPolicyFunction,
		newSQLStringFunction,
	}
}

// quotedList renders allowed values for a description, from the same slice a validator uses.
func quotedList(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = "`" + v + "`"
	}
	return strings.Join(quoted, ", ")
}

// quotedInts renders allowed numbers for a description, from the validator's slice.
func quotedInts(values []int64) string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = strconv.FormatInt(v, 10)
	}
	return quotedList(s)
}
