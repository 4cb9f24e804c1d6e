package provider

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/rolepolicy"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/conns"
)

var (
	_ resource.Resource                     = &deliveryRoleResource{}
	_ resource.ResourceWithConfigure        = &deliveryRoleResource{}
	_ resource.ResourceWithImportState      = &deliveryRoleResource{}
	_ resource.ResourceWithModifyPlan       = &deliveryRoleResource{}
	_ resource.ResourceWithConfigValidators = &deliveryRoleResource{}
)

const (
	roleNameMaxLength         = 64
	defaultMaxSessionDuration = 3600
)

var (
	roleNamePattern      = regexp.MustCompile(`^[\w+=,.@-]+$`)
	rolePathPattern      = regexp.MustCompile(`^(/|/[\x21-\x7E]+/)$`)
	managedPolicyPattern = regexp.MustCompile(`^arn:aws[a-z-]*:iam::(\d{12}|aws):policy/.+$`)
)

// deliveryRoleAPI is the part of IAM the delivery role resource uses.
type deliveryRoleAPI interface {
	CreateRole(context.Context, *iam.CreateRoleInput, ...func(*iam.Options)) (*iam.CreateRoleOutput, error)
	GetRole(context.Context, *iam.GetRoleInput, ...func(*iam.Options)) (*iam.GetRoleOutput, error)
	UpdateRole(context.Context, *iam.UpdateRoleInput, ...func(*iam.Options)) (*iam.UpdateRoleOutput, error)
	UpdateAssumeRolePolicy(context.Context, *iam.UpdateAssumeRolePolicyInput, ...func(*iam.Options)) (*iam.UpdateAssumeRolePolicyOutput, error)
	DeleteRole(context.Context, *iam.DeleteRoleInput, ...func(*iam.Options)) (*iam.DeleteRoleOutput, error)
	PutRolePolicy(context.Context, *iam.PutRolePolicyInput, ...func(*iam.Options)) (*iam.PutRolePolicyOutput, error)
	GetRolePolicy(context.Context, *iam.GetRolePolicyInput, ...func(*iam.Options)) (*iam.GetRolePolicyOutput, error)
	DeleteRolePolicy(context.Context, *iam.DeleteRolePolicyInput, ...func(*iam.Options)) (*iam.DeleteRolePolicyOutput, error)
	ListRolePolicies(context.Context, *iam.ListRolePoliciesInput, ...func(*iam.Options)) (*iam.ListRolePoliciesOutput, error)
	ListAttachedRolePolicies(context.Context, *iam.ListAttachedRolePoliciesInput, ...func(*iam.Options)) (*iam.ListAttachedRolePoliciesOutput, error)
	DetachRolePolicy(context.Context, *iam.DetachRolePolicyInput, ...func(*iam.Options)) (*iam.DetachRolePolicyOutput, error)
	PutRolePermissionsBoundary(context.Context, *iam.PutRolePermissionsBoundaryInput, ...func(*iam.Options)) (*iam.PutRolePermissionsBoundaryOutput, error)
	DeleteRolePermissionsBoundary(context.Context, *iam.DeleteRolePermissionsBoundaryInput, ...func(*iam.Options)) (*iam.DeleteRolePermissionsBoundaryOutput, error)
	roleTaggingAPI
	ListRoleTags(context.Context, *iam.ListRoleTagsInput, ...func(*iam.Options)) (*iam.ListRoleTagsOutput, error)
}

func newDeliveryRoleResource() resource.Resource {
	return &deliveryRoleResource{resourceBase: resourceBase{typeName: "delivery_role"}}
}

type deliveryRoleResource struct{ resourceBase }

func (r *deliveryRoleResource) iam() deliveryRoleAPI { return r.data.client.IAM() }

type deliveryRoleModel struct {
	ID                  types.String `tfsdk:"id"`
	Name                types.String `tfsdk:"name"`
	NamePrefix          types.String `tfsdk:"name_prefix"`
	Path                types.String `tfsdk:"path"`
	Description         types.String `tfsdk:"description"`
	LogGroupARNs        types.List   `tfsdk:"log_group_arns"`
	AllowCreateLogGroup types.Bool   `tfsdk:"allow_create_log_group"`
	SourceAccount       types.String `tfsdk:"source_account"`
	SourceRegions       types.Set    `tfsdk:"source_regions"`
	PermissionsBoundary types.String `tfsdk:"permissions_boundary"`
	MaxSessionDuration  types.Int64  `tfsdk:"max_session_duration"`
	Tags                types.Map    `tfsdk:"tags"`
	TagsAll             types.Map    `tfsdk:"tags_all"`
	ARN                 types.String `tfsdk:"arn"`
	UniqueID            types.String `tfsdk:"unique_id"`
	TrustPolicy         types.String `tfsdk:"trust_policy"`
	Policy              types.String `tfsdk:"policy"`
}

func (r *deliveryRoleResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "An IAM role that VPC Flow Logs assumes to deliver to the named CloudWatch Logs log groups, correct by construction: " +
			"the provider writes both documents, so the role passes the delivery check that `vpcflow_delivery_check` and `vpcflow_flow_log` run.\n\n" +
			"* The **trust policy** lets `" + rolepolicy.Service + "` call `sts:AssumeRole` only for flow logs of `source_account` in `source_regions` " +
			"(`aws:SourceAccount` and `ArnLike aws:SourceArn arn:aws:ec2:REGION:ACCOUNT:vpc-flow-log/*`), which guards against the confused deputy problem.\n" +
			"* The one inline policy, `" + rolepolicy.PolicyName + "`, grants `" + strings.Join(rolepolicy.DeliverActions, "`, `") + "` on each group and its streams " +
			"(`log-group:NAME:*`), `logs:DescribeLogGroups` on `log-group:*` of each account and region (CloudWatch Logs authorizes that list action against " +
			"the account's groups, not one group), and `logs:CreateLogGroup` only with `allow_create_log_group`.\n\n" +
			"With a `permissions_boundary`, the plan reads the boundary and fails if it would deny any of these permissions. " +
			"After creation the provider waits until IAM returns the role, since a flow log created at once may otherwise not see it yet.",
		Attributes: map[string]schema.Attribute{
			"id": computedStable("Name of the role."),
			"name": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Name of the role: up to %d letters, digits and `+=,.@_-`. Exactly one of `name` and `name_prefix` is required. Changing it replaces the role.", roleNameMaxLength),
				Optional:            true,
				Computed:            true,
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, roleNameMaxLength),
					stringvalidator.RegexMatches(roleNamePattern, "may contain only letters, digits and +=,.@_-"),
				},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace(), stringplanmodifier.UseStateForUnknown()},
			},
			"name_prefix": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Creates a unique name beginning with this prefix (%d characters are added, so at most %d). Exactly one of `name` and `name_prefix` is required. Changing it replaces the role.",
					uniqueSuffixLength, roleNameMaxLength-uniqueSuffixLength),
				Optional: true,
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, roleNameMaxLength-uniqueSuffixLength),
					stringvalidator.RegexMatches(roleNamePattern, "may contain only letters, digits and +=,.@_-"),
				},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"path": schema.StringAttribute{
				MarkdownDescription: "IAM path of the role, e.g. `/vpcflow/`: begins and ends with `/`. Defaults to `/`. Changing it replaces the role.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString("/"),
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, 512),
					stringvalidator.RegexMatches(rolePathPattern, "must begin and end with / and contain only printable ASCII characters"),
				},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "Description of the role, up to 1000 characters. Changed in place.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 1000)},
			},
			"log_group_arns": schema.ListAttribute{
				MarkdownDescription: "Log groups the flow logs deliver to, as ARNs with or without the trailing `:*` " +
					"(`vpcflow_log_group.arn` or `aws_cloudwatch_log_group.arn`). Names cannot contain wildcards: the role is for these groups only. " +
					"Each group must be in `source_account`, since CloudWatch Logs accepts a delivery role only from the group's own account. " +
					"Changing the list rewrites the inline policy in place. After import the ARNs are read back without `:*`.",
				Required:    true,
				ElementType: types.StringType,
				Validators: []validator.List{
					listvalidator.SizeAtLeast(1),
					listvalidator.ValueStringsAre(stringvalidator.RegexMatches(rolepolicy.LogGroupARNPattern(),
						"must be a log group ARN (arn:aws:logs:REGION:ACCOUNT:log-group:NAME, optionally with :*) without wildcards")),
				},
			},
			"allow_create_log_group": schema.BoolAttribute{
				MarkdownDescription: "Also grant `logs:CreateLogGroup` on the named groups, so VPC Flow Logs creates a group that does not exist (for instance after it was deleted). " +
					"Defaults to `false`: the group is managed in Terraform, and a deleted group surfaces as a delivery error instead of coming back without its retention and key.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"source_account": schema.StringAttribute{
				MarkdownDescription: "Account whose flow logs may assume the role (`aws:SourceAccount` in the trust policy). Defaults to the provider's account. " +
					"A flow log can only use a delivery role of its own account, so any other value fails the plan: setting it pins the role to an account, " +
					"and a run with another account's credentials stops before creating anything.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{stringvalidator.RegexMatches(accountPattern, "must be a 12-digit account ID")},
			},
			"source_regions": schema.SetAttribute{
				MarkdownDescription: "Regions whose flow logs may assume the role (the region part of `aws:SourceArn`); `*` allows any region. " +
					"Defaults to the provider's region. The plan fails when a log group is in a region left out, since a flow log delivers only to a group of its own region.",
				Optional:    true,
				Computed:    true,
				ElementType: types.StringType,
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringvalidator.RegexMatches(rolepolicy.RegionPattern(), "must be a region name such as us-east-1, or *")),
				},
			},
			"permissions_boundary": schema.StringAttribute{
				MarkdownDescription: "ARN of a managed policy that bounds the role's permissions. The plan reads it and fails (on this attribute, with the statement at fault) " +
					"if it denies any permission delivery needs; the provider's `validation` setting turns that into a warning or off. Changed in place.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.RegexMatches(managedPolicyPattern, "must be a managed policy ARN (arn:aws:iam::ACCOUNT:policy/NAME)")},
			},
			"max_session_duration": schema.Int64Attribute{
				MarkdownDescription: "Maximum session length in seconds, 3600 to 43200. Defaults to `3600`; VPC Flow Logs renews its sessions itself. Changed in place.",
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(defaultMaxSessionDuration),
				Validators:          []validator.Int64{int64validator.Between(3600, 43200)},
			},
			"tags":      tagsAttribute("Tags of the role, merged over the provider's `default_tags` (the merged set is `tags_all`). Changed in place (`TagRole`, `UntagRole`)."),
			"tags_all":  tagsAllAttribute(),
			"arn":       computedStable("ARN of the role, for the flow log's `iam_role_arn`. Known at plan time when `name` is set."),
			"unique_id": computedStable("Stable unique ID IAM gives the role (`AROA…`)."),
			"trust_policy": schema.StringAttribute{
				MarkdownDescription: "Trust policy (JSON) the provider wrote. A trust policy changed outside Terraform shows here and is put back by the next apply.",
				Computed:            true,
			},
			"policy": schema.StringAttribute{
				MarkdownDescription: "Inline permission policy `" + rolepolicy.PolicyName + "` (JSON) the provider wrote. A policy changed outside Terraform shows here and is put back by the next apply.",
				Computed:            true,
			},
		},
	}
}

func (r *deliveryRoleResource) ConfigValidators(_ context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("name"), path.MatchRoot("name_prefix")),
	}
}

func (r *deliveryRoleResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	defer planTagsAllOf(ctx, r.data, resp)
	plan, config, state, ok := planInputs[deliveryRoleModel](ctx, r.data, req, &resp.Diagnostics)
	if !ok {
		return
	}

	// Defaults that come from the provider, resolved now so the documents are
	// known at plan time.
	account, ok := r.data.accountID(ctx, &resp.Diagnostics)
	if !ok {
		return
	}
	if config.SourceAccount.IsNull() {
		plan.SourceAccount = types.StringValue(account)
	}
	if config.SourceRegions.IsNull() {
		plan.SourceRegions, _ = types.SetValueFrom(ctx, types.StringType, []string{r.data.client.Region()})
	}

	// Replacement gives a new role: a new name_prefix a new name, and any
	// replacement a new unique ID.
	if state != nil {
		if config.Name.IsNull() && !plan.NamePrefix.Equal(state.NamePrefix) {
			plan.Name = types.StringUnknown()
		}
		if !plan.Name.Equal(state.Name) || !plan.Path.Equal(state.Path) || !plan.NamePrefix.Equal(state.NamePrefix) {
			plan.UniqueID = types.StringUnknown()
		}
	}
	if valueKnown(plan.Name) && valueKnown(plan.Path) {
		plan.ID = plan.Name
		plan.ARN = types.StringValue(iamRoleARN(r.data.callerPartition(ctx), account, plan.Path.ValueString(), plan.Name.ValueString()))
	} else {
		plan.ID = types.StringUnknown()
		plan.ARN = types.StringUnknown()
	}

	trust, trustOK := r.trustFromModel(ctx, plan, &resp.Diagnostics)
	perms, permsOK := permissionsFromModel(ctx, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.TrustPolicy = types.StringUnknown()
	if trustOK {
		doc, err := rolepolicy.TrustDocument(trust)
		if err != nil {
			resp.Diagnostics.AddError("rendering the trust policy", err.Error())
			return
		}
		plan.TrustPolicy = types.StringValue(doc)
	}
	plan.Policy = types.StringUnknown()
	if permsOK {
		doc, err := rolepolicy.PermissionsDocument(perms)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("log_group_arns"), "rendering the permission policy", err.Error())
			return
		}
		plan.Policy = types.StringValue(doc)
	}

	if r.data.client.Settings.Validation != conns.ValidationOff && trustOK && permsOK {
		r.check(ctx, plan, trust, perms, &resp.Diagnostics)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// check fails the plan when flow logs could not deliver through the role:
// the role would be in another account than the flow logs, a log group is in
// another account or in a region the trust policy leaves out, or the
// permissions boundary denies what delivery needs. The first three are
// configuration mistakes reported with this resource's fix; then the role's
// documents (with the boundary) go through the delivery checker.
func (r *deliveryRoleResource) check(ctx context.Context, plan deliveryRoleModel, trust rolepolicy.Trust, perms rolepolicy.Permissions, diags *diag.Diagnostics) {
	warn := r.data.client.Settings.Validation == conns.ValidationWarn
	report := func(p path.Path, summary string, f delivery.Finding) {
		if warn || f.Severity != delivery.SeverityError {
			diags.AddAttributeWarning(p, summary, findingText(f))
			return
		}
		diags.AddAttributeError(p, summary, findingText(f))
	}

	roleAccount, err := r.data.client.AccountID(ctx)
	if err != nil {
		diags.AddError("reading the provider's account", err.Error())
		return
	}
	if trust.Account != roleAccount {
		// iam:PassRole does not cross accounts: CreateFlowLogs takes only a
		// role of the flow log's own account.
		report(path.Root("source_account"), "Delivery role in another account than its flow logs", delivery.Finding{
			Code: "ROLE_ACCOUNT_MISMATCH", Severity: delivery.SeverityError, Attribute: "source_account",
			Message: fmt.Sprintf("The role is created in account %s (the provider's credentials), but source_account is %s. A flow log can only use a delivery role of its own account, "+
				"so no flow log could use this role.", roleAccount, trust.Account),
			Fix: fmt.Sprintf("Run with credentials of account %s, or set source_account = %q (or leave it out).", trust.Account, roleAccount),
		})
		return
	}

	var groups []rolepolicy.LogGroup
	for _, s := range perms.LogGroupARNs {
		g, err := rolepolicy.ParseLogGroupARN(s)
		if err != nil {
			continue // the attribute validator reports it
		}
		ok := true
		if g.Account != trust.Account {
			ok = false
			report(path.Root("log_group_arns"), "Log group in another account", delivery.Finding{
				Code: "DESTINATION_ACCOUNT_MISMATCH", Severity: delivery.SeverityError, Attribute: "log_group_arns",
				Message: fmt.Sprintf("Log group %s is in account %s, but the role and its flow logs are in %s. CloudWatch Logs does not accept PutLogEvents from a role of another account, "+
					"so VPC Flow Logs would accept the flow log and then fail every delivery with \"Access error\".", g.ARN(), g.Account, trust.Account),
				Fix: fmt.Sprintf("Deliver to a log group of account %s, or use a Firehose delivery stream for cross-account delivery.", trust.Account),
			})
		}
		if !slices.Contains(trust.Regions, "*") && !slices.Contains(trust.Regions, g.Region) {
			ok = false
			report(path.Root("source_regions"), "Log group outside the trusted regions", delivery.Finding{
				Code: "TRUST_SOURCE_REGION_MISSING", Severity: delivery.SeverityError, Attribute: "source_regions",
				Message: fmt.Sprintf("Log group %s is in %s, and a flow log delivers only to a log group of its own region, but the trust policy lets only flow logs of %s assume the role "+
					"(aws:SourceArn). VPC Flow Logs would accept the flow log and then fail every delivery with \"Access error\".", g.ARN(), g.Region, strings.Join(trust.Regions, ", ")),
				Fix: fmt.Sprintf("Add %q to source_regions.", g.Region),
			})
		}
		if ok {
			groups = append(groups, g)
		}
	}

	var boundary *delivery.NamedPolicy
	boundaryPath := path.Root("permissions_boundary")
	if valueKnown(plan.PermissionsBoundary) {
		boundaryARN := plan.PermissionsBoundary.ValueString()
		p, err := r.data.docs.ManagedPolicy(ctx, boundaryARN)
		if isNotFound(err) {
			report(boundaryPath, "Permissions boundary not found", delivery.Finding{
				Code: "ROLE_BOUNDARY_NOT_FOUND", Severity: delivery.SeverityError, Attribute: "permissions_boundary",
				Message: fmt.Sprintf("Managed policy %s does not exist, so IAM cannot set it as the role's permissions boundary.", boundaryARN),
				Fix:     "Create the policy first or correct permissions_boundary.",
			})
			return
		}
		if err != nil {
			diags.AddAttributeError(boundaryPath, "reading the permissions boundary", err.Error())
			return
		}
		boundary = &delivery.NamedPolicy{Name: boundaryARN, Document: p.Document}
	}

	checkedRoleARN := plan.ARN.ValueString()
	if !valueKnown(plan.ARN) {
		checkedRoleARN = iamRoleARN(r.data.callerPartition(ctx), roleAccount, plan.Path.ValueString(), plan.NamePrefix.ValueString()+strings.Repeat("0", uniqueSuffixLength))
	}
	seen := map[string]bool{}
	for _, g := range groups {
		findings := delivery.Check(delivery.Input{
			DestinationType:     delivery.DestinationCloudWatchLogs,
			DestinationARN:      g.ARN(),
			FlowLogAccount:      trust.Account,
			FlowLogRegion:       g.Region,
			RoleARN:             checkedRoleARN,
			TrustPolicy:         &delivery.NamedPolicy{Name: "trust_policy", Document: plan.TrustPolicy.ValueString()},
			PermissionPolicies:  []delivery.NamedPolicy{{Name: "inline policy " + rolepolicy.PolicyName, Document: plan.Policy.ValueString()}},
			PermissionsBoundary: boundary,
			LogGroupMayNotExist: perms.AllowCreateLogGroup,
		})
		for _, f := range findings {
			key := f.Code + "\x00" + f.Message
			if seen[key] {
				continue
			}
			seen[key] = true
			tflog.Debug(ctx, "delivery role check finding", map[string]any{"code": f.Code, "severity": f.Severity, "log_group": g.ARN()})
			if f.Attribute == delivery.AttrPermissionsBoundary {
				report(boundaryPath, "Permissions boundary blocks flow log delivery", f)
				continue
			}
			// The documents are rendered to pass the checker (a test in
			// rolepolicy holds them to it), so this is a gap between the two.
			report(path.Root("log_group_arns"), "Delivery role would not work", f)
		}
	}
}

// trustFromModel returns the trust inputs, ok false while any is unknown.
func (r *deliveryRoleResource) trustFromModel(ctx context.Context, m deliveryRoleModel, diags *diag.Diagnostics) (rolepolicy.Trust, bool) {
	if !valueKnown(m.SourceAccount) || m.SourceRegions.IsUnknown() || m.SourceRegions.IsNull() {
		return rolepolicy.Trust{}, false
	}
	regions, known := knownStrings(ctx, m.SourceRegions, diags)
	partition, err := r.data.partition(ctx)
	if err != nil {
		addAccountError(diags, err)
		return rolepolicy.Trust{}, false
	}
	if !known {
		return rolepolicy.Trust{}, false
	}
	slices.Sort(regions)
	return rolepolicy.Trust{Partition: partition, Account: m.SourceAccount.ValueString(), Regions: regions}, true
}

// permissionsFromModel returns the policy inputs, ok false while any is unknown.
func permissionsFromModel(ctx context.Context, m deliveryRoleModel, diags *diag.Diagnostics) (rolepolicy.Permissions, bool) {
	if m.LogGroupARNs.IsUnknown() || m.LogGroupARNs.IsNull() || m.AllowCreateLogGroup.IsUnknown() {
		return rolepolicy.Permissions{}, false
	}
	arns, known := knownStrings(ctx, m.LogGroupARNs, diags)
	if !known {
		return rolepolicy.Permissions{}, false
	}
	return rolepolicy.Permissions{AllowCreateLogGroup: m.AllowCreateLogGroup.ValueBool(), LogGroupARNs: arns}, true
}

func (r *deliveryRoleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan, ok := modelOf[deliveryRoleModel](ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	name := plan.Name.ValueString()
	if !valueKnown(plan.Name) || name == "" {
		name = plan.NamePrefix.ValueString() + uniqueSuffix()
	}
	if !valueKnown(plan.TrustPolicy) || !valueKnown(plan.Policy) {
		// Inputs unknown at plan time are known now.
		trust, _ := r.trustFromModel(ctx, plan, &resp.Diagnostics)
		perms, _ := permissionsFromModel(ctx, plan, &resp.Diagnostics)
		trustDoc, err := rolepolicy.TrustDocument(trust)
		if err != nil {
			resp.Diagnostics.AddError("rendering the trust policy", err.Error())
			return
		}
		permsDoc, err := rolepolicy.PermissionsDocument(perms)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("log_group_arns"), "rendering the permission policy", err.Error())
			return
		}
		plan.TrustPolicy, plan.Policy = types.StringValue(trustDoc), types.StringValue(permsDoc)
	}
	tags, diags := tagsFromModel(ctx, plan.TagsAll)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	in := &iam.CreateRoleInput{
		RoleName:                 aws.String(name),
		Path:                     plan.Path.ValueStringPointer(),
		AssumeRolePolicyDocument: plan.TrustPolicy.ValueStringPointer(),
		Description:              plan.Description.ValueStringPointer(),
		MaxSessionDuration:       aws.Int32(int32(plan.MaxSessionDuration.ValueInt64())),
		PermissionsBoundary:      plan.PermissionsBoundary.ValueStringPointer(),
		Tags:                     iamTags(tags),
	}
	out, err := r.iam().CreateRole(ctx, in)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("creating IAM Role (%s)", name), err.Error())
		return
	}
	tflog.Info(ctx, "created IAM role for flow log delivery", map[string]any{"name": name, "arn": aws.ToString(out.Role.Arn)})

	// Track the role from here, so a failure below leaves it tainted in the
	// state rather than orphaned in AWS.
	plan.Name, plan.ID = types.StringValue(name), types.StringValue(name)
	plan.ARN = types.StringValue(aws.ToString(out.Role.Arn))
	plan.UniqueID = types.StringValue(aws.ToString(out.Role.RoleId))
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)

	if err := settleDeliveryRole(ctx, r.iam(), propagationRetry{}, name, plan.Policy.ValueString()); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("creating IAM Role (%s)", name), err.Error())
		return
	}
	r.data.docs.Forget() // a flow log checked later in this run reads the new role

	readBack(ctx, &plan, r.readInto, &resp.State, &resp.Diagnostics, fmt.Sprintf("reading IAM Role (%s)", name), "the role was created but cannot be read back")
}

// settleDeliveryRole waits until IAM returns a role created moments ago (so a
// flow log created right after this resource finds it), then puts its inline
// policy. Both steps retry only "not found", for a bounded time.
func settleDeliveryRole(ctx context.Context, api deliveryRoleAPI, retry propagationRetry, name, policy string) error {
	err := retry.do(ctx, iamPropagationTimeout, func() error {
		_, err := api.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
		return err
	}, isIAMNoSuchEntity)
	if err != nil {
		return fmt.Errorf("waiting for the role to be visible: %w", err)
	}
	err = retry.do(ctx, iamPropagationTimeout, func() error {
		_, err := api.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(rolepolicy.PolicyName), PolicyDocument: aws.String(policy)})
		return err
	}, isIAMNoSuchEntity)
	if err != nil {
		return fmt.Errorf("putting inline policy %s: %w", rolepolicy.PolicyName, err)
	}
	return nil
}

func (r *deliveryRoleResource) putPolicy(ctx context.Context, name, doc string) error {
	_, err := r.iam().PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(rolepolicy.PolicyName), PolicyDocument: aws.String(doc)})
	return err
}

func (r *deliveryRoleResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readResource(ctx, req, resp, r.readInto, func(m *deliveryRoleModel) (string, string) {
		return "IAM Role not found", goneDetail("IAM role " + m.ID.ValueString())
	})
}

// readInto refreshes m from IAM; it returns false when the role does not
// exist. Documents equivalent to what the inputs render keep their rendered
// text; documents the provider wrote are read back into the inputs (after
// import or an out-of-band change); anything else is kept verbatim so the
// plan shows it and the next apply writes the rendered document back.
func (r *deliveryRoleResource) readInto(ctx context.Context, m *deliveryRoleModel, diags *diag.Diagnostics) bool {
	name := idOrName(m.ID, m.Name)
	out, err := r.iam().GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if isAWSNotFound(err) {
		return false
	}
	if err != nil {
		diags.AddError(fmt.Sprintf("reading IAM Role (%s)", name), err.Error())
		return false
	}
	role := out.Role
	m.ID, m.Name = types.StringValue(name), types.StringValue(aws.ToString(role.RoleName))
	m.ARN = types.StringValue(aws.ToString(role.Arn))
	m.UniqueID = types.StringValue(aws.ToString(role.RoleId))
	m.Path = types.StringValue(aws.ToString(role.Path))
	m.Description = types.StringNull()
	if d := aws.ToString(role.Description); d != "" {
		m.Description = types.StringValue(d)
	}
	m.MaxSessionDuration = types.Int64Value(defaultMaxSessionDuration)
	if role.MaxSessionDuration != nil {
		m.MaxSessionDuration = types.Int64Value(int64(*role.MaxSessionDuration))
	}
	m.PermissionsBoundary = types.StringNull()
	if b := role.PermissionsBoundary; b != nil && aws.ToString(b.PermissionsBoundaryArn) != "" {
		m.PermissionsBoundary = types.StringValue(aws.ToString(b.PermissionsBoundaryArn))
	}
	if m.AllowCreateLogGroup.IsNull() || m.AllowCreateLogGroup.IsUnknown() {
		m.AllowCreateLogGroup = types.BoolValue(false)
	}

	trustDoc, err := decodePolicyDocument(aws.ToString(role.AssumeRolePolicyDocument))
	if err != nil {
		diags.AddError(fmt.Sprintf("reading trust policy of IAM Role (%s)", name), err.Error())
		return false
	}
	if t, ok := rolepolicy.ParseTrust(trustDoc); ok {
		if !valueKnown(m.SourceAccount) || m.SourceAccount.ValueString() != t.Account {
			m.SourceAccount = types.StringValue(t.Account)
		}
		current, _ := r.trustFromModel(ctx, *m, diags)
		if !slices.Equal(rolepolicy.NormalizeRegions(current.Regions), rolepolicy.NormalizeRegions(t.Regions)) {
			m.SourceRegions, _ = types.SetValueFrom(ctx, types.StringType, t.Regions)
		}
	}
	m.TrustPolicy = types.StringValue(trustDoc)
	if t, ok := r.trustFromModel(ctx, *m, diags); ok {
		if rendered, err := rolepolicy.TrustDocument(t); err == nil && rolepolicy.Equivalent(rendered, trustDoc) {
			m.TrustPolicy = types.StringValue(rendered)
		}
	}

	policyDoc := ""
	p, err := r.iam().GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(rolepolicy.PolicyName)})
	switch {
	case isAWSNotFound(err):
		// Deleted out of band: an empty policy plans the rendered one back.
	case err != nil:
		diags.AddError(fmt.Sprintf("reading inline policy %s of IAM Role (%s)", rolepolicy.PolicyName, name), err.Error())
		return false
	default:
		policyDoc, err = decodePolicyDocument(aws.ToString(p.PolicyDocument))
		if err != nil {
			diags.AddError(fmt.Sprintf("reading inline policy %s of IAM Role (%s)", rolepolicy.PolicyName, name), err.Error())
			return false
		}
	}
	if parsed, ok := rolepolicy.ParsePermissions(policyDoc); ok {
		current, _ := permissionsFromModel(ctx, *m, diags)
		if m.LogGroupARNs.IsNull() || m.LogGroupARNs.IsUnknown() || !rolepolicy.SameLogGroups(current.LogGroupARNs, parsed.LogGroupARNs) {
			m.LogGroupARNs, _ = types.ListValueFrom(ctx, types.StringType, parsed.LogGroupARNs)
		}
		m.AllowCreateLogGroup = types.BoolValue(parsed.AllowCreateLogGroup)
	}
	m.Policy = types.StringValue(policyDoc)
	if perms, ok := permissionsFromModel(ctx, *m, diags); ok {
		if rendered, err := rolepolicy.PermissionsDocument(perms); err == nil && rolepolicy.Equivalent(rendered, policyDoc) {
			m.Policy = types.StringValue(rendered)
		}
	}

	tags, err := listRoleTags(ctx, r.iam(), name)
	if err != nil {
		diags.AddError(fmt.Sprintf("listing tags of IAM Role (%s)", name), err.Error())
		return false
	}
	r.data.setReadTags(ctx, tags, &m.Tags, &m.TagsAll, diags)
	return true
}

func listRoleTags(ctx context.Context, api deliveryRoleAPI, name string) (map[string]string, error) {
	tags := map[string]string{}
	pager := iam.NewListRoleTagsPaginator(api, &iam.ListRoleTagsInput{RoleName: aws.String(name)})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, t := range page.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	return tags, nil
}

func (r *deliveryRoleResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, state, ok := planAndState[deliveryRoleModel](ctx, req, &resp.Diagnostics)
	if !ok {
		return
	}
	name := state.ID.ValueString()

	if !plan.Description.Equal(state.Description) || !plan.MaxSessionDuration.Equal(state.MaxSessionDuration) {
		// UpdateRole is sent with both fields: an absent Description would
		// leave the old one in place rather than clear it.
		_, err := r.iam().UpdateRole(ctx, &iam.UpdateRoleInput{
			RoleName:           aws.String(name),
			Description:        aws.String(plan.Description.ValueString()),
			MaxSessionDuration: aws.Int32(int32(plan.MaxSessionDuration.ValueInt64())),
		})
		if err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("updating IAM Role (%s)", name), err.Error())
			return
		}
	}
	if !plan.TrustPolicy.Equal(state.TrustPolicy) {
		_, err := r.iam().UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(name), PolicyDocument: plan.TrustPolicy.ValueStringPointer()})
		if err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("updating trust policy of IAM Role (%s)", name), err.Error())
			return
		}
	}
	if !plan.Policy.Equal(state.Policy) {
		if err := r.putPolicy(ctx, name, plan.Policy.ValueString()); err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("putting inline policy %s on IAM Role (%s)", rolepolicy.PolicyName, name), err.Error())
			return
		}
	}
	if !plan.PermissionsBoundary.Equal(state.PermissionsBoundary) {
		var err error
		if plan.PermissionsBoundary.IsNull() {
			_, err = r.iam().DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String(name)})
		} else {
			_, err = r.iam().PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String(name), PermissionsBoundary: plan.PermissionsBoundary.ValueStringPointer()})
		}
		if err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("updating permissions boundary of IAM Role (%s)", name), err.Error())
			return
		}
	}
	updateTags(ctx, state.TagsAll, plan.TagsAll, fmt.Sprintf("IAM Role (%s)", name), roleTagger(r.iam(), name), &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	r.data.docs.Forget()

	plan.ID, plan.Name, plan.UniqueID = state.ID, state.Name, state.UniqueID
	readBack(ctx, &plan, r.readInto, &resp.State, &resp.Diagnostics, fmt.Sprintf("reading IAM Role (%s)", name), "the role disappeared during the update")
}

func (r *deliveryRoleResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteRoleResource(ctx, r.data, req, resp)
}

// deleteRoleResource is the Delete of the resources that manage one IAM
// role, named by their id (vpcflow_delivery_role, vpcflow_source_account_role).
func deleteRoleResource(ctx context.Context, data *providerData, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var id types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := id.ValueString()
	if err := deleteDeliveryRole(ctx, data.client.IAM(), name); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("deleting IAM Role (%s)", name), err.Error())
		return
	}
	data.docs.Forget()
}

// deleteDeliveryRole deletes the role's inline policies, detaches its managed ones
// (IAM refuses to delete a role that has any) and deletes the role. A role
// already gone is not an error.
func deleteDeliveryRole(ctx context.Context, api deliveryRoleAPI, name string) error {
	var inline []string
	pager := iam.NewListRolePoliciesPaginator(api, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if isAWSNotFound(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("listing inline policies: %w", err)
		}
		inline = append(inline, page.PolicyNames...)
	}
	for _, p := range inline {
		_, err := api.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(p)})
		if err != nil && !isAWSNotFound(err) {
			return fmt.Errorf("deleting inline policy %s: %w", p, err)
		}
	}

	var attached []iamtypes.AttachedPolicy
	apager := iam.NewListAttachedRolePoliciesPaginator(api, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	for apager.HasMorePages() {
		page, err := apager.NextPage(ctx)
		if isAWSNotFound(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("listing attached policies: %w", err)
		}
		attached = append(attached, page.AttachedPolicies...)
	}
	for _, p := range attached {
		_, err := api.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(name), PolicyArn: p.PolicyArn})
		if err != nil && !isAWSNotFound(err) {
			return fmt.Errorf("detaching policy %s: %w", aws.ToString(p.PolicyArn), err)
		}
	}

	// DeleteConflict about policies right after they went is IAM catching
	// up; one about an instance profile is not, and fails at once.
	err := retryIAMPropagation(ctx, iamPropagationTimeout, func() error {
		_, err := api.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)})
		return err
	}, isPolicyDeleteConflict)
	if err != nil && !isAWSNotFound(err) {
		return err
	}
	return nil
}

// isPolicyDeleteConflict matches IAM's "Cannot delete entity, must delete
// policies first" and "must detach all policies first".
func isPolicyDeleteConflict(err error) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == "DeleteConflict" && strings.Contains(strings.ToLower(apiErr.ErrorMessage()), "policies first")
}

func (r *deliveryRoleResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importAs(ctx, resp, map[string]string{"id": req.ID, "name": req.ID})
}

// iamRoleARN is the ARN IAM gives a role: the path sits between "role" and the name.
func iamRoleARN(partition, account, rolePath, name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:role%s%s", partition, account, rolePath, name)
}

func iamTags(tags map[string]string) []iamtypes.Tag {
	if len(tags) == 0 {
		return nil
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]iamtypes.Tag, 0, len(keys))
	for _, k := range keys {
		out = append(out, iamtypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}

// decodePolicyDocument undoes the URL encoding IAM applies to documents it returns.
func decodePolicyDocument(doc string) (string, error) {
	if strings.HasPrefix(strings.TrimSpace(doc), "{") || doc == "" {
		return doc, nil
	}
	return url.QueryUnescape(doc)
}

// valueKnown reports whether a value is neither null nor unknown.
func valueKnown(v interface {
	IsNull() bool
	IsUnknown() bool
}) bool {
	return !v.IsNull() && !v.IsUnknown()
}
