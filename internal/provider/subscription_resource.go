package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
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
	_ resource.Resource                   = &subscriptionResource{}
	_ resource.ResourceWithConfigure      = &subscriptionResource{}
	_ resource.ResourceWithImportState    = &subscriptionResource{}
	_ resource.ResourceWithModifyPlan     = &subscriptionResource{}
	_ resource.ResourceWithValidateConfig = &subscriptionResource{}
)

// maxSubscriptionFilters is how many subscription filters CloudWatch Logs
// allows on one log group; the quota cannot be raised (CloudWatch Logs
// User Guide, "CloudWatch Logs quotas").
const maxSubscriptionFilters = 2

// Kinds of subscription destination, as destination_type reports them.
const (
	subscriptionLambda      = "lambda"
	subscriptionKinesis     = "kinesis"
	subscriptionFirehose    = "firehose"
	subscriptionDestination = "logs-destination"
)

var (
	subscriptionDistributions = []string{string(logstypes.DistributionByLogStream), string(logstypes.DistributionRandom)}
	subscriptionTargetPattern = regexp.MustCompile(`^arn:aws[a-z-]*:(lambda:[a-z0-9-]+:\d{12}:function:[a-zA-Z0-9_-]+|kinesis:[a-z0-9-]+:\d{12}:stream/[a-zA-Z0-9_.-]+|firehose:[a-z0-9-]+:\d{12}:deliverystream/[a-zA-Z0-9_.-]+|logs:[a-z0-9-]+:\d{12}:destination:[^:*]+)$`)
	filterNamePattern         = regexp.MustCompile(`^[^:*]+$`)
)

// subscriptionAPI is the part of CloudWatch Logs the subscription resource uses.
type subscriptionAPI interface {
	PutSubscriptionFilter(context.Context, *cloudwatchlogs.PutSubscriptionFilterInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutSubscriptionFilterOutput, error)
	DescribeSubscriptionFilters(context.Context, *cloudwatchlogs.DescribeSubscriptionFiltersInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeSubscriptionFiltersOutput, error)
	DeleteSubscriptionFilter(context.Context, *cloudwatchlogs.DeleteSubscriptionFilterInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DeleteSubscriptionFilterOutput, error)
}

func newSubscriptionResource() resource.Resource {
	return &subscriptionResource{resourceBase: resourceBase{typeName: "subscription"}}
}

type subscriptionResource struct{ resourceBase }

func (r *subscriptionResource) logs() subscriptionAPI { return r.data.client.Logs() }

func (r *subscriptionResource) lambda() lambdaPermissionAPI { return r.data.client.Lambda() }

type subscriptionModel struct {
	ID                          types.String `tfsdk:"id"`
	LogGroupName                types.String `tfsdk:"log_group_name"`
	Name                        types.String `tfsdk:"name"`
	DestinationARN              types.String `tfsdk:"destination_arn"`
	RoleARN                     types.String `tfsdk:"role_arn"`
	FilterPattern               types.String `tfsdk:"filter_pattern"`
	Distribution                types.String `tfsdk:"distribution"`
	DestinationType             types.String `tfsdk:"destination_type"`
	LogGroupARN                 types.String `tfsdk:"log_group_arn"`
	LambdaPermissionStatementID types.String `tfsdk:"lambda_permission_statement_id"`
}

func (r *subscriptionResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A CloudWatch Logs subscription filter that sends a flow log group's records to the enricher: directly to a Lambda function " +
			"(`vpcflow_enricher_function`), through a Kinesis data stream (`vpcflow_kinesis_stream`) or Firehose delivery stream with a role, " +
			"or to a CloudWatch Logs destination of another account (`vpcflow_log_destination`).\n\n" +
			"* For a function, the resource also adds the statement to the function's policy that lets `" + pipelinepolicy.LogsService + "` invoke it " +
			"for this log group only (`SourceArn`) and this account (`SourceAccount`); a statement removed outside Terraform is added again by the next apply.\n" +
			"* For a stream, the plan reads `role_arn` and fails if CloudWatch Logs could not assume it for this log group or put records into the stream.\n" +
			fmt.Sprintf("* CloudWatch Logs allows %d subscription filters per log group, a quota that cannot be raised: ", maxSubscriptionFilters) +
			"the plan reads the group's filters and fails if there is no room for this one, naming the filters there.",
		Attributes: map[string]schema.Attribute{
			"id": computedStable("`LOG_GROUP_NAME|NAME`, the import ID."),
			"log_group_name": schema.StringAttribute{
				MarkdownDescription: "Log group the flow logs deliver to (`vpcflow_log_group.name`). Changing it replaces the subscription.",
				Required:            true,
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, 512),
					stringvalidator.RegexMatches(logGroupNamePattern, "may contain only letters, digits and _ - / . #"),
				},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Name of the subscription filter, unique within the log group, up to 512 characters without `:` or `*`. Defaults to `vpcflow-enricher`. Changing it replaces the subscription.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString("vpcflow-enricher"),
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, 512),
					stringvalidator.RegexMatches(filterNamePattern, "may not contain : or *"),
				},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"destination_arn": schema.StringAttribute{
				MarkdownDescription: "Where the records go: a Lambda function ARN (unqualified), a Kinesis data stream or Firehose delivery stream ARN of this account, " +
					"or a CloudWatch Logs destination ARN (`arn:aws:logs:REGION:ACCOUNT:destination:NAME`) of another account. Changed in place.",
				Required:   true,
				Validators: []validator.String{stringvalidator.RegexMatches(subscriptionTargetPattern, "must be the ARN of a Lambda function, Kinesis data stream, Firehose delivery stream or CloudWatch Logs destination")},
			},
			"role_arn": schema.StringAttribute{
				MarkdownDescription: "Role CloudWatch Logs assumes to put records into a Kinesis or Firehose stream; required for those, refused for a function " +
					"(which is allowed through its policy) and a destination (which has its own role). Its trust policy must allow `" + pipelinepolicy.LogsService + "`. " +
					"Checked at plan time. Changed in place.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.RegexMatches(roleARNPattern, "must be an IAM role ARN")},
			},
			"filter_pattern": schema.StringAttribute{
				MarkdownDescription: "CloudWatch Logs filter pattern of the records to send. Defaults to `\"\"`, every record: the enricher aggregates all traffic. Changed in place.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{stringvalidator.LengthAtMost(1024)},
			},
			"distribution": schema.StringAttribute{
				MarkdownDescription: "How records are spread over a Kinesis stream's shards: " + quotedList(subscriptionDistributions) + ". " +
					"Defaults to `ByLogStream`, which keeps each interface's records in order. Only a Kinesis destination accepts `Random`. Changed in place.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(string(logstypes.DistributionByLogStream)),
				Validators: []validator.String{stringvalidator.OneOf(subscriptionDistributions...)},
			},
			"destination_type": schema.StringAttribute{
				MarkdownDescription: "Kind of destination: `" + subscriptionLambda + "`, `" + subscriptionKinesis + "`, `" + subscriptionFirehose + "` or `" + subscriptionDestination + "`.",
				Computed:            true,
			},
			"log_group_arn": schema.StringAttribute{
				MarkdownDescription: "ARN of the log group, without `:*`.",
				Computed:            true,
			},
			"lambda_permission_statement_id": schema.StringAttribute{
				MarkdownDescription: "Statement id of the permission in the function's policy that lets CloudWatch Logs invoke it for this log group; null for other destinations.",
				Computed:            true,
			},
		},
	}
}

// subscriptionKind tells the kind of destination from its ARN.
func subscriptionKind(arn string) string {
	a, err := pipelinepolicy.ParseARN(arn)
	if err != nil {
		return ""
	}
	switch a.Service {
	case "lambda":
		return subscriptionLambda
	case "kinesis":
		return subscriptionKinesis
	case "firehose":
		return subscriptionFirehose
	case "logs":
		return subscriptionDestination
	}
	return ""
}

func (r *subscriptionResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m subscriptionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !valueKnown(m.DestinationARN) || m.RoleARN.IsUnknown() {
		return
	}
	kind := subscriptionKind(m.DestinationARN.ValueString())
	switch {
	case (kind == subscriptionKinesis || kind == subscriptionFirehose) && m.RoleARN.IsNull():
		resp.Diagnostics.AddAttributeError(path.Root("role_arn"), "Stream destination without a role",
			fmt.Sprintf("CloudWatch Logs puts records into a %s stream with a role it assumes. Set role_arn to a role whose trust policy allows %s and whose permissions allow %s on the stream.",
				kind, pipelinepolicy.LogsService, kind+":PutRecord"))
	case kind == subscriptionLambda && !m.RoleARN.IsNull():
		resp.Diagnostics.AddAttributeError(path.Root("role_arn"), "Role for a function destination",
			"CloudWatch Logs invokes a function through the function's policy, which this resource writes; CloudWatch Logs rejects a role for a function. Remove role_arn.")
	case kind == subscriptionDestination && !m.RoleARN.IsNull():
		resp.Diagnostics.AddAttributeError(path.Root("role_arn"), "Role for a CloudWatch Logs destination",
			"A destination delivers with the role of its own account (vpcflow_log_destination.role_arn). Remove role_arn.")
	}
	if kind != "" && kind != subscriptionKinesis && m.Distribution.ValueString() == string(logstypes.DistributionRandom) {
		resp.Diagnostics.AddAttributeError(path.Root("distribution"), "Random distribution without a Kinesis stream",
			fmt.Sprintf(`distribution = "Random" spreads records over a Kinesis stream's shards, but the destination is a %s. Remove distribution.`, kind))
	}
}

func (r *subscriptionResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	plan, ok := modelOf[subscriptionModel](ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	var state *subscriptionModel
	if !req.State.Raw.IsNull() {
		state = &subscriptionModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	r.planComputed(ctx, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)

	if valueKnown(plan.LogGroupName) && valueKnown(plan.Name) {
		r.checkFilterQuota(ctx, plan, state, &resp.Diagnostics)
	}
	if r.data.client.Settings.Validation == conns.ValidationOff || !valueKnown(plan.RoleARN) || !valueKnown(plan.DestinationARN) || !valueKnown(plan.LogGroupARN) {
		return
	}
	role, ok := subscriptionRole(plan)
	if !ok {
		return
	}
	findings, found, err := checkExistingRole(ctx, r.data.docs, role)
	switch {
	case err != nil:
		resp.Diagnostics.AddAttributeWarning(path.Root("role_arn"), "Subscription role not checked", err.Error())
	case !found:
		resp.Diagnostics.AddAttributeWarning(path.Root("role_arn"), "Subscription role checked during apply",
			fmt.Sprintf("Role %s does not exist yet (it is created in this run), so it is checked during apply, before the subscription filter is put.", role.RoleARN))
	default:
		reportRoleFindings(&resp.Diagnostics, r.data.client.Settings.Validation, path.Root("role_arn"), "CloudWatch Logs could not deliver to the stream", findings)
	}
}

// planComputed fills the attributes that follow from the configuration.
func (r *subscriptionResource) planComputed(ctx context.Context, m *subscriptionModel, diags *diag.Diagnostics) {
	m.ID, m.LogGroupARN = types.StringUnknown(), types.StringUnknown()
	if valueKnown(m.LogGroupName) {
		account, ok := r.data.accountID(ctx, diags)
		if !ok {
			return
		}
		m.LogGroupARN = types.StringValue(r.data.regionalARNOf(ctx, "logs", account, "log-group:"+m.LogGroupName.ValueString()))
		if valueKnown(m.Name) {
			m.ID = types.StringValue(m.LogGroupName.ValueString() + "|" + m.Name.ValueString())
		}
	}
	m.DestinationType, m.LambdaPermissionStatementID = types.StringUnknown(), types.StringUnknown()
	if valueKnown(m.DestinationARN) {
		kind := subscriptionKind(m.DestinationARN.ValueString())
		m.DestinationType = types.StringValue(kind)
		m.LambdaPermissionStatementID = types.StringNull()
		if kind == subscriptionLambda && valueKnown(m.LogGroupName) && valueKnown(m.Name) {
			m.LambdaPermissionStatementID = types.StringValue(subscriptionStatementID(m.LogGroupName.ValueString(), m.Name.ValueString()))
		}
	}
}

// subscriptionStatementID names the function policy statement of one
// subscription filter: the same filter always gets the same id.
func subscriptionStatementID(logGroup, filter string) string {
	return lambdaStatementID("vpcflow-logs-", logGroup+"|"+filter)
}

// checkFilterQuota fails the plan when the log group has no room for
// another subscription filter. The filter being replaced (same group, name
// changed) leaves before this one is put, so it does not count; a group
// that does not exist yet has no filters.
func (r *subscriptionResource) checkFilterQuota(ctx context.Context, plan subscriptionModel, state *subscriptionModel, diags *diag.Diagnostics) {
	group := plan.LogGroupName.ValueString()
	if state != nil && state.LogGroupName.Equal(plan.LogGroupName) && state.Name.Equal(plan.Name) {
		return // this filter exists already and is updated in place
	}
	filters, err := describeSubscriptionFilters(ctx, r.logs(), group)
	if isAWSNotFound(err) {
		return
	}
	if err != nil {
		diags.AddAttributeWarning(path.Root("log_group_name"), "Subscription filter quota not checked",
			fmt.Sprintf("Reading the subscription filters of %s failed, so this plan cannot tell whether there is room for another (logs:DescribeSubscriptionFilters): %s", group, err))
		return
	}
	var others []string
	for _, f := range filters {
		name := aws.ToString(f.FilterName)
		if name == plan.Name.ValueString() || (state != nil && state.LogGroupName.Equal(plan.LogGroupName) && name == state.Name.ValueString()) {
			continue
		}
		others = append(others, fmt.Sprintf("%q → %s", name, aws.ToString(f.DestinationArn)))
	}
	if len(others) >= maxSubscriptionFilters {
		diags.AddAttributeError(path.Root("log_group_name"), "Log group has no room for another subscription filter",
			fmt.Sprintf("Log group %s has %d subscription filters already (%s), and CloudWatch Logs allows %d per log group, a quota that cannot be raised: "+
				"PutSubscriptionFilter would fail with LimitExceededException.\n\n"+
				"Fix: remove one of those filters, or let one destination serve both consumers (for example a Kinesis stream that several consumers read, with vpcflow_event_source_mapping for the enricher).",
				group, len(others), strings.Join(others, ", "), maxSubscriptionFilters))
	}
}

func describeSubscriptionFilters(ctx context.Context, api subscriptionAPI, group string) ([]logstypes.SubscriptionFilter, error) {
	var out []logstypes.SubscriptionFilter
	pager := cloudwatchlogs.NewDescribeSubscriptionFiltersPaginator(api, &cloudwatchlogs.DescribeSubscriptionFiltersInput{LogGroupName: aws.String(group)})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, page.SubscriptionFilters...)
	}
	return out, nil
}

// subscriptionRole is what CloudWatch Logs does with the role of a stream
// subscription: assume it for this log group, and put records.
func subscriptionRole(m subscriptionModel) (delivery.ServiceRole, bool) {
	target, err := pipelinepolicy.ParseLogsTarget(m.DestinationARN.ValueString())
	if err != nil || m.RoleARN.ValueString() == "" {
		return delivery.ServiceRole{}, false
	}
	return delivery.ServiceRole{
		RoleARN:      m.RoleARN.ValueString(),
		Service:      pipelinepolicy.LogsService,
		Caller:       "CloudWatch Logs",
		TrustContext: pipelinepolicy.LogsTrustContext(m.LogGroupARN.ValueString()),
		Needs:        pipelinepolicy.LogsRoleNeeds(target),
		Target:       target.Kind,
		Outcome:      "the subscription filter is accepted and the flow log records are dropped",
	}, true
}

func (r *subscriptionResource) permission(ctx context.Context, m subscriptionModel) (lambdaPermission, error) {
	account, err := r.data.client.AccountID(ctx)
	if err != nil {
		return lambdaPermission{}, err
	}
	return lambdaPermission{
		Function:      m.DestinationARN.ValueString(),
		StatementID:   subscriptionStatementID(m.LogGroupName.ValueString(), m.Name.ValueString()),
		Principal:     pipelinepolicy.LogsService,
		SourceARN:     m.LogGroupARN.ValueString() + ":*",
		SourceAccount: account,
	}, nil
}

// put checks a stream role once more, adds the function permission when
// the destination is a function, and puts the filter. CloudWatch Logs tests
// the destination when the filter is put, so a role or permission made
// moments ago is retried for the IAM propagation time.
func (r *subscriptionResource) put(ctx context.Context, m subscriptionModel, addPermission bool, diags *diag.Diagnostics) {
	group, name := m.LogGroupName.ValueString(), m.Name.ValueString()
	if role, ok := subscriptionRole(m); ok && r.data.client.Settings.Validation != conns.ValidationOff {
		findings, err := checkRoleWhenVisible(ctx, r.data, role)
		if err != nil {
			diags.AddAttributeWarning(path.Root("role_arn"), "Subscription role not checked", err.Error())
		} else if reportRoleFindings(diags, r.data.client.Settings.Validation, path.Root("role_arn"), "CloudWatch Logs could not deliver to the stream", findings) {
			return
		}
	}
	if addPermission {
		p, err := r.permission(ctx, m)
		if err == nil {
			err = addLambdaPermission(ctx, r.lambda(), p)
		}
		if err != nil {
			diags.AddAttributeError(path.Root("destination_arn"), fmt.Sprintf("allowing CloudWatch Logs to invoke Lambda Function (%s)", m.DestinationARN.ValueString()), err.Error())
			return
		}
	}
	in := &cloudwatchlogs.PutSubscriptionFilterInput{
		LogGroupName:   aws.String(group),
		FilterName:     aws.String(name),
		FilterPattern:  aws.String(m.FilterPattern.ValueString()),
		DestinationArn: m.DestinationARN.ValueStringPointer(),
		RoleArn:        m.RoleARN.ValueStringPointer(),
	}
	if m.DestinationType.ValueString() == subscriptionKinesis {
		in.Distribution = logstypes.Distribution(m.Distribution.ValueString())
	}
	err := retryIAMPropagation(ctx, iamPropagationTimeout, func() error {
		_, err := r.logs().PutSubscriptionFilter(ctx, in)
		return err
	}, isLogsRolePropagation)
	if err != nil {
		diags.AddError(fmt.Sprintf("putting CloudWatch Logs Subscription Filter (%s|%s)", group, name), err.Error())
		if addPermission {
			// Nothing invokes the function for this group: take the permission back.
			if rerr := removeLambdaPermission(ctx, r.lambda(), m.DestinationARN.ValueString(), subscriptionStatementID(group, name)); rerr != nil {
				diags.AddWarning("Function permission left in place", rerr.Error())
			}
		}
	}
}

func (r *subscriptionResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan, ok := modelOf[subscriptionModel](ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	r.planComputed(ctx, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	// PutSubscriptionFilter overwrites a filter of the same name.
	group, name := plan.LogGroupName.ValueString(), plan.Name.ValueString()
	if _, err := findSubscriptionFilter(ctx, r.logs(), group, name); err == nil {
		resp.Diagnostics.AddAttributeError(path.Root("name"), fmt.Sprintf("creating CloudWatch Logs Subscription Filter (%s|%s)", group, name),
			fmt.Sprintf("Log group %s has a subscription filter named %s already. Give this one another name, or import it: terraform import <address> '%s|%s'", group, name, group, name))
		return
	} else if !isNotFound(err) {
		resp.Diagnostics.AddError(fmt.Sprintf("creating CloudWatch Logs Subscription Filter (%s|%s)", group, name), err.Error())
		return
	}
	r.put(ctx, plan, plan.DestinationType.ValueString() == subscriptionLambda, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Info(ctx, "created subscription filter", map[string]any{"log_group": plan.LogGroupName.ValueString(), "filter": plan.Name.ValueString(), "destination": plan.DestinationARN.ValueString()})
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	readBack(ctx, &plan, r.readInto, &resp.State, &resp.Diagnostics, fmt.Sprintf("reading CloudWatch Logs Subscription Filter (%s)", plan.ID.ValueString()), "the filter was put but cannot be read back")
}

func (r *subscriptionResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readResource(ctx, req, resp, r.readInto, func(m *subscriptionModel) (string, string) {
		return "CloudWatch Logs Subscription Filter not found", goneDetail("Subscription filter " + m.ID.ValueString())
	})
}

// findSubscriptionFilter returns the filter of the group with exactly this name, or a not-found error.
func findSubscriptionFilter(ctx context.Context, api subscriptionAPI, group, name string) (*logstypes.SubscriptionFilter, error) {
	filters, err := describeSubscriptionFilters(ctx, api, group)
	if err != nil {
		return nil, asNotFound(err, "CloudWatch Logs log group", group)
	}
	for i := range filters {
		if aws.ToString(filters[i].FilterName) == name {
			return &filters[i], nil
		}
	}
	return nil, &notFoundError{Kind: "CloudWatch Logs subscription filter", ID: group + "|" + name}
}

// readInto refreshes m from CloudWatch Logs and, for a function, the
// function's policy; it returns false when the filter does not exist. A
// missing permission shows as a change the next apply makes.
func (r *subscriptionResource) readInto(ctx context.Context, m *subscriptionModel, diags *diag.Diagnostics) bool {
	group, name, ok := strings.Cut(m.ID.ValueString(), "|")
	if !ok {
		diags.AddError("reading CloudWatch Logs Subscription Filter", fmt.Sprintf("ID %q is not LOG_GROUP_NAME|NAME", m.ID.ValueString()))
		return false
	}
	f, err := findSubscriptionFilter(ctx, r.logs(), group, name)
	if !readFound(err, diags, "CloudWatch Logs Subscription Filter", m.ID.ValueString()) {
		return false
	}
	m.LogGroupName, m.Name = types.StringValue(group), types.StringValue(name)
	m.DestinationARN = types.StringValue(aws.ToString(f.DestinationArn))
	m.RoleARN = flowLogNullIfEmpty(aws.ToString(f.RoleArn))
	m.FilterPattern = types.StringValue(aws.ToString(f.FilterPattern))
	m.Distribution = types.StringValue(string(logstypes.DistributionByLogStream))
	if f.Distribution != "" {
		m.Distribution = types.StringValue(string(f.Distribution))
	}
	r.planComputed(ctx, m, diags)
	if m.DestinationType.ValueString() != subscriptionLambda {
		return true
	}
	p, err := r.permission(ctx, *m)
	if err != nil {
		diags.AddError("reading the provider's account", err.Error())
		return false
	}
	has, err := hasLambdaPermission(ctx, r.lambda(), p)
	if err != nil {
		diags.AddError(fmt.Sprintf("reading the policy of Lambda Function (%s)", p.Function), err.Error())
		return false
	}
	if !has {
		m.LambdaPermissionStatementID = types.StringNull()
	}
	return true
}

func (r *subscriptionResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, state, ok := planAndState[subscriptionModel](ctx, req, &resp.Diagnostics)
	if !ok {
		return
	}
	r.planComputed(ctx, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	toFunction := plan.DestinationType.ValueString() == subscriptionLambda
	addPermission := toFunction && (!plan.DestinationARN.Equal(state.DestinationARN) || state.LambdaPermissionStatementID.IsNull())
	r.put(ctx, plan, addPermission, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	// The filter no longer sends to the old function: take its permission away.
	if state.DestinationType.ValueString() == subscriptionLambda && !plan.DestinationARN.Equal(state.DestinationARN) {
		if err := removeLambdaPermission(ctx, r.lambda(), state.DestinationARN.ValueString(), subscriptionStatementID(state.LogGroupName.ValueString(), state.Name.ValueString())); err != nil {
			resp.Diagnostics.AddWarning("Old function permission left in place", err.Error())
		}
	}
	readBack(ctx, &plan, r.readInto, &resp.State, &resp.Diagnostics, fmt.Sprintf("reading CloudWatch Logs Subscription Filter (%s)", plan.ID.ValueString()), "the filter disappeared during the update")
}

func (r *subscriptionResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	state, ok := modelOf[subscriptionModel](ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	group, name := state.LogGroupName.ValueString(), state.Name.ValueString()
	_, err := r.logs().DeleteSubscriptionFilter(ctx, &cloudwatchlogs.DeleteSubscriptionFilterInput{LogGroupName: aws.String(group), FilterName: aws.String(name)})
	if err != nil && !isAWSNotFound(err) {
		resp.Diagnostics.AddError(fmt.Sprintf("deleting CloudWatch Logs Subscription Filter (%s|%s)", group, name), err.Error())
		return
	}
	if state.DestinationType.ValueString() == subscriptionLambda {
		if err := removeLambdaPermission(ctx, r.lambda(), state.DestinationARN.ValueString(), subscriptionStatementID(group, name)); err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("deleting CloudWatch Logs Subscription Filter (%s|%s)", group, name), err.Error())
		}
	}
}

func (r *subscriptionResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	group, name, ok := r.splitImportID(req.ID, "LOG_GROUP_NAME|NAME", &resp.Diagnostics)
	if !ok {
		return
	}
	importAs(ctx, resp, map[string]string{"id": req.ID, "log_group_name": group, "name": name})
}
