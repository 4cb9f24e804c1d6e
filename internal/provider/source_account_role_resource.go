package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/pipelinepolicy"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/conns"
)

var (
	_ resource.Resource                = &sourceAccountRoleResource{}
	_ resource.ResourceWithConfigure   = &sourceAccountRoleResource{}
	_ resource.ResourceWithImportState = &sourceAccountRoleResource{}
	_ resource.ResourceWithModifyPlan  = &sourceAccountRoleResource{}
)

func newSourceAccountRoleResource() resource.Resource {
	return &sourceAccountRoleResource{resourceBase: resourceBase{typeName: "source_account_role"}}
}

type sourceAccountRoleResource struct{ resourceBase }

func (r *sourceAccountRoleResource) iam() deliveryRoleAPI { return r.data.client.IAM() }

type sourceAccountRoleModel struct {
	ID                   types.String `tfsdk:"id"`
	Name                 types.String `tfsdk:"name"`
	Path                 types.String `tfsdk:"path"`
	Description          types.String `tfsdk:"description"`
	TrustedPrincipalARNs types.Set    `tfsdk:"trusted_principal_arns"`
	ExternalID           types.String `tfsdk:"external_id"`
	MaxSessionDuration   types.Int64  `tfsdk:"max_session_duration"`
	PermissionsBoundary  types.String `tfsdk:"permissions_boundary"`
	Tags                 types.Map    `tfsdk:"tags"`
	TagsAll              types.Map    `tfsdk:"tags_all"`
	ARN                  types.String `tfsdk:"arn"`
	UniqueID             types.String `tfsdk:"unique_id"`
	TrustPolicy          types.String `tfsdk:"trust_policy"`
	Policy               types.String `tfsdk:"policy"`
}

func (r *sourceAccountRoleResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The read-only role the central account's inventory function assumes in a source account, to describe its network interfaces and read its tags " +
			"(the scheduled sync, and events that need a description). Create it in each source account, with a provider configured for that account.\n\n" +
			"* The **trust policy** lets only `trusted_principal_arns` call `sts:AssumeRole`, and only with `external_id` (`sts:ExternalId`).\n" +
			"* The one inline policy, `" + pipelinepolicy.SourceRolePolicyName + "`, allows `" + strings.Join(pipelinepolicy.DescribeNetworkActions, "`, `") +
			"` and nothing else; these actions do not support resource-level permissions, so the resource is `*`.\n\n" +
			"With a `permissions_boundary`, the plan reads it and fails if it denies any of these actions.",
		Attributes: map[string]schema.Attribute{
			"id": computedStable("Name of the role."),
			"name": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Name of the role: up to %d letters, digits and `+=,.@_-`. Changing it replaces the role.", roleNameMaxLength),
				Required:            true,
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, roleNameMaxLength),
					stringvalidator.RegexMatches(roleNamePattern, "may contain only letters, digits and +=,.@_-"),
				},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"path": schema.StringAttribute{
				MarkdownDescription: "IAM path of the role: begins and ends with `/`. Defaults to `/`. Changing it replaces the role.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString("/"),
				Validators:          []validator.String{stringvalidator.RegexMatches(rolePathPattern, "must begin and end with / and contain only printable ASCII characters")},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "Description of the role, up to 1000 characters. Changed in place.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 1000)},
			},
			"trusted_principal_arns": schema.SetAttribute{
				MarkdownDescription: "Who in the central account may assume the role: the inventory function's execution role (`vpcflow_enricher_function.role_arn`), " +
					"or `arn:aws:iam::ACCOUNT:root` to leave the choice to the central account's IAM policies. Changed in place.",
				Required:    true,
				ElementType: types.StringType,
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringvalidator.RegexMatches(pipelinepolicy.PrincipalARNPattern(), "must be a role ARN or arn:aws:iam::ACCOUNT:root")),
				},
			},
			"external_id": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Secret the central account passes to `sts:AssumeRole`, which the trust policy requires (`sts:ExternalId`): %d to %d letters, digits and `+=,.@:/-`. "+
					"Give the inventory sync the same value. Sensitive; it is also in `trust_policy`, which is sensitive too. Changed in place.",
					pipelinepolicy.ExternalIDMinLength, pipelinepolicy.ExternalIDMaxLength),
				Required:  true,
				Sensitive: true,
				Validators: []validator.String{
					stringvalidator.LengthBetween(pipelinepolicy.ExternalIDMinLength, pipelinepolicy.ExternalIDMaxLength),
					stringvalidator.RegexMatches(pipelinepolicy.ExternalIDPattern(), "may contain only letters, digits and +=,.@:/-"),
				},
			},
			"max_session_duration": schema.Int64Attribute{
				MarkdownDescription: "Maximum session length in seconds, 3600 to 43200. Defaults to `3600`. Changed in place.",
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(defaultMaxSessionDuration),
				Validators:          []validator.Int64{int64validator.Between(3600, 43200)},
			},
			"permissions_boundary": schema.StringAttribute{
				MarkdownDescription: "ARN of a managed policy that bounds the role. The plan reads it and fails, on this attribute, if it denies any of the read actions. Changed in place.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.RegexMatches(managedPolicyPattern, "must be a managed policy ARN (arn:aws:iam::ACCOUNT:policy/NAME)")},
			},
			"tags":      tagsAttribute("Tags of the role, merged over the provider's `default_tags` (the merged set is `tags_all`). Changed in place."),
			"tags_all":  tagsAllAttribute(),
			"arn":       computedStable("ARN of the role, for `vpcflow_enricher_function.source_account_role_arns` in the central account. Known at plan time."),
			"unique_id": computedStable("Stable unique ID IAM gives the role (`AROA…`)."),
			"trust_policy": schema.StringAttribute{
				MarkdownDescription: "Trust policy (JSON) the provider wrote; it holds the external ID, so it is sensitive. A trust policy changed outside Terraform is put back by the next apply.",
				Computed:            true,
				Sensitive:           true,
			},
			"policy": schema.StringAttribute{
				MarkdownDescription: "Inline policy `" + pipelinepolicy.SourceRolePolicyName + "` (JSON) the provider wrote. A policy changed outside Terraform is put back by the next apply.",
				Computed:            true,
			},
		},
	}
}

// trust converts the model to the trust inputs; ok is false while any is unknown.
func (m sourceAccountRoleModel) trust(ctx context.Context, diags *diag.Diagnostics) (pipelinepolicy.SourceRole, bool) {
	if !valueKnown(m.ExternalID) || !valueKnown(m.TrustedPrincipalARNs) {
		return pipelinepolicy.SourceRole{}, false
	}
	principals, known := knownStrings(ctx, m.TrustedPrincipalARNs, diags)
	if !known {
		return pipelinepolicy.SourceRole{}, false
	}
	return pipelinepolicy.SourceRole{ExternalID: m.ExternalID.ValueString(), TrustedPrincipalARNs: principals}, true
}

// renderTrust sets trust_policy from the trusted principals and the
// external ID, for Create and Update when the plan could not render it.
func (m *sourceAccountRoleModel) renderTrust(ctx context.Context, diags *diag.Diagnostics) bool {
	trust, _ := m.trust(ctx, diags)
	doc, err := pipelinepolicy.SourceRoleTrustDocument(trust)
	if err != nil {
		diags.AddAttributeError(path.Root("trusted_principal_arns"), "rendering the trust policy", err.Error())
		return false
	}
	m.TrustPolicy = types.StringValue(doc)
	return true
}

func (r *sourceAccountRoleResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	defer planTagsAllOf(ctx, r.data, resp)
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	plan, ok := modelOf[sourceAccountRoleModel](ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	if !req.State.Raw.IsNull() {
		var state sourceAccountRoleModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if !plan.Name.Equal(state.Name) || !plan.Path.Equal(state.Path) {
			plan.UniqueID = types.StringUnknown()
		}
	}
	if valueKnown(plan.Name) && valueKnown(plan.Path) {
		account, ok := r.data.accountID(ctx, &resp.Diagnostics)
		if !ok {
			return
		}
		plan.ID = plan.Name
		plan.ARN = types.StringValue(iamRoleARN(r.data.callerPartition(ctx), account, plan.Path.ValueString(), plan.Name.ValueString()))
	}
	plan.TrustPolicy = types.StringUnknown()
	if trust, ok := plan.trust(ctx, &resp.Diagnostics); ok {
		doc, err := pipelinepolicy.SourceRoleTrustDocument(trust)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("trusted_principal_arns"), "rendering the trust policy", err.Error())
			return
		}
		plan.TrustPolicy = types.StringValue(doc)
	}
	doc, err := pipelinepolicy.SourceRolePermissionsDocument()
	if err != nil {
		resp.Diagnostics.AddError("rendering the permission policy", err.Error())
		return
	}
	plan.Policy = types.StringValue(doc)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)

	if r.data.client.Settings.Validation == conns.ValidationOff || !valueKnown(plan.PermissionsBoundary) {
		return
	}
	boundary, ok := r.data.permissionsBoundary(ctx, plan.PermissionsBoundary.ValueString(), "role", &resp.Diagnostics)
	if !ok {
		return
	}
	findings := delivery.CheckServiceRole(delivery.ServiceRole{
		RoleARN:     plan.ARN.ValueString(),
		Caller:      "the central inventory function",
		Permissions: []delivery.NamedPolicy{{Name: "inline policy " + pipelinepolicy.SourceRolePolicyName, Document: doc}},
		Boundary:    boundary,
		Needs:       pipelinepolicy.SourceRoleNeeds(),
		Outcome:     "the inventory of this account stays empty and its flow records are not attributed",
	})
	reportRoleFindings(&resp.Diagnostics, r.data.client.Settings.Validation, path.Root("permissions_boundary"), "Permissions boundary blocks the inventory", findings)
}

// role is the role the model describes, as serviceRole writes it.
func (m sourceAccountRoleModel) role(ctx context.Context, diags *diag.Diagnostics) serviceRole {
	tags, d := tagsFromModel(ctx, m.TagsAll)
	diags.Append(d...)
	return serviceRole{
		Name: m.Name.ValueString(), Path: m.Path.ValueString(), Description: m.Description.ValueString(),
		Trust: m.TrustPolicy.ValueString(), PolicyName: pipelinepolicy.SourceRolePolicyName, Policy: m.Policy.ValueString(),
		Boundary: m.PermissionsBoundary.ValueString(), MaxSessionDuration: int32(m.MaxSessionDuration.ValueInt64()), Tags: tags,
	}
}

func (r *sourceAccountRoleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan, ok := modelOf[sourceAccountRoleModel](ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	if !plan.renderTrust(ctx, &resp.Diagnostics) {
		return
	}
	want := plan.role(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	role, err := createServiceRole(ctx, r.iam(), propagationRetry{}, want)
	if role != nil {
		// Track the role from here, so a failure below leaves it tainted in
		// the state rather than orphaned in AWS.
		plan.ID, plan.ARN, plan.UniqueID = plan.Name, types.StringValue(aws.ToString(role.Arn)), types.StringValue(aws.ToString(role.RoleId))
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("creating IAM Role (%s)", want.Name), err.Error())
		return
	}
	tflog.Info(ctx, "created source account role", map[string]any{"role": want.Name})
	readBack(ctx, &plan, r.readInto, &resp.State, &resp.Diagnostics, fmt.Sprintf("reading IAM Role (%s)", want.Name), "the role was created but cannot be read back")
}

func (r *sourceAccountRoleResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readResource(ctx, req, resp, r.readInto, func(m *sourceAccountRoleModel) (string, string) {
		return "IAM Role not found", goneDetail("IAM role " + m.ID.ValueString())
	})
}

// readInto refreshes m from IAM; it returns false when the role does not
// exist. Documents the provider wrote are read back into the inputs (after
// an import); others are kept verbatim, so the plan puts the rendered ones back.
func (r *sourceAccountRoleResource) readInto(ctx context.Context, m *sourceAccountRoleModel, diags *diag.Diagnostics) bool {
	name := idOrName(m.ID, m.Name)
	role, err := findServiceRole(ctx, r.iam(), name, pipelinepolicy.SourceRolePolicyName)
	if !readFound(err, diags, "IAM Role", name) {
		return false
	}
	m.ID, m.Name = types.StringValue(name), types.StringValue(name)
	m.Path = types.StringValue(aws.ToString(role.Role.Path))
	m.ARN = types.StringValue(aws.ToString(role.Role.Arn))
	m.UniqueID = types.StringValue(aws.ToString(role.Role.RoleId))
	m.Description = flowLogNullIfEmpty(aws.ToString(role.Role.Description))
	m.MaxSessionDuration = types.Int64Value(int64(max(aws.ToInt32(role.Role.MaxSessionDuration), defaultMaxSessionDuration)))
	m.PermissionsBoundary = flowLogNullIfEmpty(role.boundary())

	m.TrustPolicy = types.StringValue(role.Trust)
	if t, ok := pipelinepolicy.ParseSourceRoleTrust(role.Trust); ok {
		current, known := m.trust(ctx, diags)
		if !known || current.ExternalID != t.ExternalID || !slices.Equal(sortedCopy(current.TrustedPrincipalARNs), t.TrustedPrincipalARNs) {
			m.ExternalID = types.StringValue(t.ExternalID)
			var d diag.Diagnostics
			m.TrustedPrincipalARNs, d = types.SetValueFrom(ctx, types.StringType, t.TrustedPrincipalARNs)
			diags.Append(d...)
		}
		if rendered, err := pipelinepolicy.SourceRoleTrustDocument(t); err == nil {
			m.TrustPolicy = types.StringValue(rendered)
		}
	}
	m.Policy = types.StringValue(role.Policy)
	if rendered, err := pipelinepolicy.SourceRolePermissionsDocument(); err == nil && pipelinepolicy.Equivalent(rendered, role.Policy) {
		m.Policy = types.StringValue(rendered)
	}
	r.data.setReadTags(ctx, role.Tags, &m.Tags, &m.TagsAll, diags)
	return true
}

func (r *sourceAccountRoleResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, state, ok := planAndState[sourceAccountRoleModel](ctx, req, &resp.Diagnostics)
	if !ok {
		return
	}
	name := state.ID.ValueString()
	if !valueKnown(plan.TrustPolicy) && !plan.renderTrust(ctx, &resp.Diagnostics) {
		return
	}
	have, want := state.role(ctx, &resp.Diagnostics), plan.role(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := updateServiceRole(ctx, r.iam(), have, want); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("updating IAM Role (%s)", name), err.Error())
		return
	}
	r.data.docs.Forget()
	plan.ID = state.ID
	readBack(ctx, &plan, r.readInto, &resp.State, &resp.Diagnostics, fmt.Sprintf("reading IAM Role (%s)", name), "the role disappeared during the update")
}

func (r *sourceAccountRoleResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteRoleResource(ctx, r.data, req, resp)
}

func (r *sourceAccountRoleResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importAs(ctx, resp, map[string]string{"id": req.ID, "name": req.ID})
}
