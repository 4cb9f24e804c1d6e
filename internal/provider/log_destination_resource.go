package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/pipelinepolicy"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/conns"
)

var (
	_ resource.Resource                     = &logDestinationResource{}
	_ resource.ResourceWithConfigure        = &logDestinationResource{}
	_ resource.ResourceWithImportState      = &logDestinationResource{}
	_ resource.ResourceWithModifyPlan       = &logDestinationResource{}
	_ resource.ResourceWithConfigValidators = &logDestinationResource{}
)

var (
	destinationNamePattern = regexp.MustCompile(`^[^:*]+$`)
	logsTargetPattern      = regexp.MustCompile(`^arn:aws[a-z-]*:(kinesis:[a-z0-9-]+:\d{12}:stream/|firehose:[a-z0-9-]+:\d{12}:deliverystream/)[a-zA-Z0-9_.-]+$`)
)

// logDestinationAPI is the part of CloudWatch Logs the destination resource uses.
type logDestinationAPI interface {
	PutDestination(context.Context, *cloudwatchlogs.PutDestinationInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutDestinationOutput, error)
	PutDestinationPolicy(context.Context, *cloudwatchlogs.PutDestinationPolicyInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutDestinationPolicyOutput, error)
	DescribeDestinations(context.Context, *cloudwatchlogs.DescribeDestinationsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeDestinationsOutput, error)
	DeleteDestination(context.Context, *cloudwatchlogs.DeleteDestinationInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DeleteDestinationOutput, error)
	logsTaggingAPI
	ListTagsForResource(context.Context, *cloudwatchlogs.ListTagsForResourceInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.ListTagsForResourceOutput, error)
}

func newLogDestinationResource() resource.Resource {
	return &logDestinationResource{resourceBase: resourceBase{typeName: "log_destination"}}
}

type logDestinationResource struct{ resourceBase }

func (r *logDestinationResource) logs() logDestinationAPI { return r.data.client.Logs() }

type logDestinationModel struct {
	ID               types.String `tfsdk:"id"`
	Name             types.String `tfsdk:"name"`
	TargetARN        types.String `tfsdk:"target_arn"`
	RoleARN          types.String `tfsdk:"role_arn"`
	SourceAccountIDs types.Set    `tfsdk:"source_account_ids"`
	OrganizationID   types.String `tfsdk:"organization_id"`
	Tags             types.Map    `tfsdk:"tags"`
	TagsAll          types.Map    `tfsdk:"tags_all"`
	ARN              types.String `tfsdk:"arn"`
	AccessPolicy     types.String `tfsdk:"access_policy"`
}

func (r *logDestinationResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A CloudWatch Logs destination in the central account, so flow log groups of other accounts can subscribe (`vpcflow_subscription` with this `arn`) " +
			"and their records reach one Kinesis or Firehose stream. The resource writes the destination's access policy itself: `" + pipelinepolicy.DestinationAction + "` " +
			"on this destination only, for the listed accounts or for the accounts of one organization (`aws:PrincipalOrgID`).\n\n" +
			"The plan reads `role_arn` and fails if CloudWatch Logs could not assume it (its trust policy must allow `" + pipelinepolicy.LogsService + "`) " +
			"or could not put records into `target_arn`: the destination would be accepted and every record dropped.",
		Attributes: map[string]schema.Attribute{
			"id": computedStable("Name of the destination."),
			"name": schema.StringAttribute{
				MarkdownDescription: "Name of the destination, up to 512 characters without `:` or `*`. Changing it replaces the destination, and subscriptions in other accounts must be pointed at the new ARN.",
				Required:            true,
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, 512),
					stringvalidator.RegexMatches(destinationNamePattern, "may not contain : or *"),
				},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"target_arn": schema.StringAttribute{
				MarkdownDescription: "Kinesis data stream or Firehose delivery stream the records go to, in this account and region (`vpcflow_kinesis_stream.arn`). Changed in place.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.RegexMatches(logsTargetPattern, "must be a Kinesis data stream or Firehose delivery stream ARN")},
			},
			"role_arn": schema.StringAttribute{
				MarkdownDescription: "Role CloudWatch Logs assumes to put records into `target_arn`: its trust policy must allow `" + pipelinepolicy.LogsService + "` and " +
					"its permissions `kinesis:PutRecord` (or `firehose:PutRecord`) on the target. Checked at plan time. Changed in place.",
				Required:   true,
				Validators: []validator.String{stringvalidator.RegexMatches(roleARNPattern, "must be an IAM role ARN")},
			},
			"source_account_ids": schema.SetAttribute{
				MarkdownDescription: "Accounts whose log groups may subscribe. Exactly one of `source_account_ids` and `organization_id` is required. Changed in place.",
				Optional:            true,
				ElementType:         types.StringType,
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringvalidator.RegexMatches(accountPattern, "must be a 12-digit account ID")),
				},
			},
			"organization_id": schema.StringAttribute{
				MarkdownDescription: "AWS Organizations id (`o-…`): any account of the organization may subscribe, so new accounts need no change here. " +
					"Exactly one of `source_account_ids` and `organization_id` is required. Changed in place.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.RegexMatches(pipelinepolicy.OrganizationPattern(), "must be an organization id such as o-a1b2c3d4e5")},
			},
			"tags":     tagsAttribute("Tags of the destination, merged over the provider's `default_tags` (the merged set is `tags_all`). Changed in place (`TagResource`, `UntagResource`)."),
			"tags_all": tagsAllAttribute(),
			"arn":      computedStable("ARN of the destination, for `vpcflow_subscription.destination_arn` in the source accounts. Known at plan time."),
			"access_policy": schema.StringAttribute{
				MarkdownDescription: "Access policy (JSON) the provider wrote. A policy changed outside Terraform shows here and is put back by the next apply.",
				Computed:            true,
			},
		},
	}
}

func (r *logDestinationResource) ConfigValidators(_ context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("source_account_ids"), path.MatchRoot("organization_id")),
	}
}

func (r *logDestinationResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	defer planTagsAllOf(ctx, r.data, resp)
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	plan, ok := modelOf[logDestinationModel](ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	if valueKnown(plan.Name) {
		a, err := r.destinationARN(ctx, plan.Name.ValueString())
		if err != nil {
			resp.Diagnostics.AddError("reading the provider's account", err.Error())
			return
		}
		plan.ID, plan.ARN = plan.Name, types.StringValue(a)
	}
	plan.AccessPolicy = types.StringUnknown()
	if access, ok := r.access(ctx, plan, &resp.Diagnostics); ok {
		doc, err := pipelinepolicy.DestinationPolicyDocument(access)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("source_account_ids"), "rendering the access policy", err.Error())
			return
		}
		plan.AccessPolicy = types.StringValue(doc)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)

	if r.data.client.Settings.Validation == conns.ValidationOff || !valueKnown(plan.RoleARN) || !valueKnown(plan.TargetARN) {
		return
	}
	role, ok := logDestinationRole(plan.RoleARN.ValueString(), plan.TargetARN.ValueString())
	if !ok {
		return
	}
	findings, found, err := checkExistingRole(ctx, r.data.docs, role)
	switch {
	case err != nil:
		resp.Diagnostics.AddAttributeWarning(path.Root("role_arn"), "Destination role not checked", err.Error())
	case !found:
		resp.Diagnostics.AddAttributeWarning(path.Root("role_arn"), "Destination role checked during apply",
			fmt.Sprintf("Role %s does not exist yet (it is created in this run), so it is checked during apply, before the destination is created.", role.RoleARN))
	default:
		reportRoleFindings(&resp.Diagnostics, r.data.client.Settings.Validation, path.Root("role_arn"), "CloudWatch Logs could not deliver through the destination", findings)
	}
}

// logDestinationRole is what CloudWatch Logs does with a destination role.
// Which account and log group a delivery comes from is the sender's, not
// known here, so the trust conditions on them are assumed to hold and only
// the principal and the permissions are decided.
func logDestinationRole(roleARN, targetARN string) (delivery.ServiceRole, bool) {
	target, err := pipelinepolicy.ParseLogsTarget(targetARN)
	if err != nil {
		return delivery.ServiceRole{}, false
	}
	return delivery.ServiceRole{
		RoleARN:      roleARN,
		Service:      pipelinepolicy.LogsService,
		Caller:       "CloudWatch Logs",
		TrustUnknown: []string{"aws:SourceAccount", "aws:SourceArn"},
		Needs:        pipelinepolicy.LogsRoleNeeds(target),
		Target:       target.Kind,
		Outcome:      "subscription filters on the destination are accepted and their records dropped",
	}, true
}

// access converts the model to the policy inputs; ok is false while any is unknown.
func (r *logDestinationResource) access(ctx context.Context, m logDestinationModel, diags *diag.Diagnostics) (pipelinepolicy.DestinationAccess, bool) {
	if !valueKnown(m.ARN) || m.OrganizationID.IsUnknown() || m.SourceAccountIDs.IsUnknown() {
		return pipelinepolicy.DestinationAccess{}, false
	}
	a := pipelinepolicy.DestinationAccess{DestinationARN: m.ARN.ValueString(), OrganizationID: m.OrganizationID.ValueString()}
	if !m.SourceAccountIDs.IsNull() {
		var known bool
		if a.Accounts, known = knownStrings(ctx, m.SourceAccountIDs, diags); !known {
			return pipelinepolicy.DestinationAccess{}, false
		}
	}
	return a, true
}

func (r *logDestinationResource) destinationARN(ctx context.Context, name string) (string, error) {
	account, err := r.data.client.AccountID(ctx)
	if err != nil {
		return "", err
	}
	return r.data.regionalARNOf(ctx, "logs", account, "destination:"+name), nil
}

// checkBeforeApply checks the role once more, now that a role made in the
// same run exists, reading it afresh for the IAM propagation time.
func (r *logDestinationResource) checkBeforeApply(ctx context.Context, m logDestinationModel, diags *diag.Diagnostics) {
	if r.data.client.Settings.Validation == conns.ValidationOff {
		return
	}
	role, ok := logDestinationRole(m.RoleARN.ValueString(), m.TargetARN.ValueString())
	if !ok {
		return
	}
	findings, err := checkRoleWhenVisible(ctx, r.data, role)
	if err != nil {
		diags.AddAttributeWarning(path.Root("role_arn"), "Destination role not checked", err.Error())
		return
	}
	reportRoleFindings(diags, r.data.client.Settings.Validation, path.Root("role_arn"), "CloudWatch Logs could not deliver through the destination", findings)
}

// checkRoleWhenVisible runs checkExistingRole, reading afresh while the
// role is not visible yet, for the IAM propagation time. A role that never
// appears is a ROLE_NOT_FOUND finding.
func checkRoleWhenVisible(ctx context.Context, data *providerData, role delivery.ServiceRole) ([]delivery.Finding, error) {
	var findings []delivery.Finding
	err := retryIAMPropagation(ctx, iamPropagationTimeout, func() error {
		var found bool
		var err error
		findings, found, err = checkExistingRole(ctx, newProviderData(data.client).docs, role)
		if err == nil && !found {
			return errRoleNotVisible
		}
		return err
	}, func(err error) bool { return errors.Is(err, errRoleNotVisible) })
	if errors.Is(err, errRoleNotVisible) {
		return []delivery.Finding{{
			Code: "ROLE_NOT_FOUND", Severity: delivery.SeverityError, Attribute: delivery.AttrRoleARN,
			Message: fmt.Sprintf("IAM role %s does not exist, so %s cannot assume it.", role.RoleARN, role.Caller),
			Fix:     "Create the role first or correct the ARN.",
		}}, nil
	}
	return findings, err
}

// isLogsRolePropagation matches CloudWatch Logs refusing a role or
// permission it cannot use yet: it tests delivery when a destination or
// subscription filter is put, and a role or function policy changed moments
// ago may not be visible to it.
func isLogsRolePropagation(err error) bool {
	return isErrorMessage(err, "InvalidParameterException", "test message") ||
		isErrorMessage(err, "InvalidParameterException", "permission") ||
		isErrorMessage(err, "InvalidParameterException", "assume")
}

func (r *logDestinationResource) put(ctx context.Context, m logDestinationModel, tags map[string]string) error {
	in := &cloudwatchlogs.PutDestinationInput{
		DestinationName: m.Name.ValueStringPointer(),
		TargetArn:       m.TargetARN.ValueStringPointer(),
		RoleArn:         m.RoleARN.ValueStringPointer(),
	}
	if len(tags) > 0 {
		in.Tags = tags
	}
	return retryIAMPropagation(ctx, iamPropagationTimeout, func() error {
		_, err := r.logs().PutDestination(ctx, in)
		return err
	}, isLogsRolePropagation)
}

func (r *logDestinationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan, ok := modelOf[logDestinationModel](ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	name := plan.Name.ValueString()
	// PutDestination overwrites a destination of the same name.
	if _, err := findLogDestination(ctx, r.logs(), name); err == nil {
		resp.Diagnostics.AddAttributeError(path.Root("name"), fmt.Sprintf("creating CloudWatch Logs Destination (%s)", name),
			fmt.Sprintf("Destination %s exists already. To manage it with this resource, import it: terraform import <address> %s", name, name))
		return
	} else if !isNotFound(err) {
		resp.Diagnostics.AddError(fmt.Sprintf("creating CloudWatch Logs Destination (%s)", name), err.Error())
		return
	}
	r.checkBeforeApply(ctx, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	tags, d := tagsFromModel(ctx, plan.TagsAll)
	resp.Diagnostics.Append(d...)
	access, _ := r.access(ctx, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	doc, err := pipelinepolicy.DestinationPolicyDocument(access)
	if err != nil {
		resp.Diagnostics.AddError("rendering the access policy", err.Error())
		return
	}
	plan.AccessPolicy = types.StringValue(doc)

	if err := r.put(ctx, plan, tags); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("creating CloudWatch Logs Destination (%s)", name), err.Error())
		return
	}
	tflog.Info(ctx, "created CloudWatch Logs destination", map[string]any{"destination": name})
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)

	if _, err := r.logs().PutDestinationPolicy(ctx, &cloudwatchlogs.PutDestinationPolicyInput{DestinationName: aws.String(name), AccessPolicy: aws.String(doc)}); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("putting the access policy of CloudWatch Logs Destination (%s)", name), err.Error())
		return
	}
	readBack(ctx, &plan, r.readInto, &resp.State, &resp.Diagnostics, fmt.Sprintf("reading CloudWatch Logs Destination (%s)", name), "the destination was created but cannot be read back")
}

func (r *logDestinationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readResource(ctx, req, resp, r.readInto, func(m *logDestinationModel) (string, string) {
		return "CloudWatch Logs Destination not found", goneDetail("Destination " + m.ID.ValueString())
	})
}

// findLogDestination returns the destination with exactly this name, or a not-found error.
func findLogDestination(ctx context.Context, api logDestinationAPI, name string) (*logstypes.Destination, error) {
	pager := cloudwatchlogs.NewDescribeDestinationsPaginator(api, &cloudwatchlogs.DescribeDestinationsInput{DestinationNamePrefix: aws.String(name)})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for i := range page.Destinations {
			if aws.ToString(page.Destinations[i].DestinationName) == name {
				return &page.Destinations[i], nil
			}
		}
	}
	return nil, &notFoundError{Kind: "CloudWatch Logs destination", ID: name}
}

// readInto refreshes m from CloudWatch Logs; it returns false when the destination does not exist.
func (r *logDestinationResource) readInto(ctx context.Context, m *logDestinationModel, diags *diag.Diagnostics) bool {
	name := idOrName(m.ID, m.Name)
	dest, err := findLogDestination(ctx, r.logs(), name)
	if !readFound(err, diags, "CloudWatch Logs Destination", name) {
		return false
	}
	m.ID, m.Name = types.StringValue(name), types.StringValue(name)
	m.ARN = types.StringValue(aws.ToString(dest.Arn))
	m.TargetARN = types.StringValue(aws.ToString(dest.TargetArn))
	m.RoleARN = types.StringValue(aws.ToString(dest.RoleArn))

	doc := aws.ToString(dest.AccessPolicy)
	m.AccessPolicy = types.StringValue(doc)
	if access, ok := pipelinepolicy.ParseDestinationPolicy(doc); ok {
		// A policy the provider wrote: read back who may subscribe, keeping
		// the configured form of what did not change.
		current, _ := r.access(ctx, *m, diags)
		if access.OrganizationID != current.OrganizationID || !slices.Equal(sortedCopy(access.Accounts), sortedCopy(current.Accounts)) {
			m.OrganizationID = flowLogNullIfEmpty(access.OrganizationID)
			m.SourceAccountIDs = types.SetNull(types.StringType)
			if len(access.Accounts) > 0 {
				var d diag.Diagnostics
				m.SourceAccountIDs, d = types.SetValueFrom(ctx, types.StringType, access.Accounts)
				diags.Append(d...)
			}
		}
		if rendered, err := pipelinepolicy.DestinationPolicyDocument(access); err == nil {
			m.AccessPolicy = types.StringValue(rendered)
		}
	}

	out, err := r.logs().ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: dest.Arn})
	if err != nil {
		diags.AddError(fmt.Sprintf("listing tags of CloudWatch Logs Destination (%s)", name), err.Error())
		return false
	}
	r.data.setReadTags(ctx, out.Tags, &m.Tags, &m.TagsAll, diags)
	return true
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

func (r *logDestinationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, state, ok := planAndState[logDestinationModel](ctx, req, &resp.Diagnostics)
	if !ok {
		return
	}
	name := state.Name.ValueString()
	if !plan.RoleARN.Equal(state.RoleARN) || !plan.TargetARN.Equal(state.TargetARN) {
		r.checkBeforeApply(ctx, plan, &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
		if err := r.put(ctx, plan, nil); err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("updating CloudWatch Logs Destination (%s)", name), err.Error())
			return
		}
	}
	if !plan.AccessPolicy.Equal(state.AccessPolicy) {
		access, _ := r.access(ctx, plan, &resp.Diagnostics)
		doc, err := pipelinepolicy.DestinationPolicyDocument(access)
		if err != nil {
			resp.Diagnostics.AddError("rendering the access policy", err.Error())
			return
		}
		if _, err := r.logs().PutDestinationPolicy(ctx, &cloudwatchlogs.PutDestinationPolicyInput{DestinationName: aws.String(name), AccessPolicy: aws.String(doc)}); err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("putting the access policy of CloudWatch Logs Destination (%s)", name), err.Error())
			return
		}
	}
	updateTags(ctx, state.TagsAll, plan.TagsAll, fmt.Sprintf("CloudWatch Logs Destination (%s)", name), logsTagger(r.logs(), state.ARN.ValueString()), &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.ID = state.ID
	readBack(ctx, &plan, r.readInto, &resp.State, &resp.Diagnostics, fmt.Sprintf("reading CloudWatch Logs Destination (%s)", name), "the destination disappeared during the update")
}

func (r *logDestinationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	state, ok := modelOf[logDestinationModel](ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	name := state.Name.ValueString()
	_, err := r.logs().DeleteDestination(ctx, &cloudwatchlogs.DeleteDestinationInput{DestinationName: aws.String(name)})
	if err != nil && !isAWSNotFound(err) {
		resp.Diagnostics.AddError(fmt.Sprintf("deleting CloudWatch Logs Destination (%s)", name), err.Error())
	}
}

func (r *logDestinationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importAs(ctx, resp, map[string]string{"id": req.ID, "name": req.ID})
}
