package provider

import (
	"context"
	"fmt"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	eventbridgetypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/conns"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/delivery"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipelinepolicy"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/watchdog"
)

var (
	_ resource.Resource                = &watchdogResource{}
	_ resource.ResourceWithConfigure   = &watchdogResource{}
	_ resource.ResourceWithImportState = &watchdogResource{}
	_ resource.ResourceWithModifyPlan  = &watchdogResource{}
)

// watchdogTargetID is the id of the schedule's target.
const watchdogTargetID = "vpcflow-watchdog"

// watchdogModeValue is the enricher's VPCFLOW_MODE of the watchdog.
const watchdogModeValue = "watchdog"

var (
	scheduleExpressionPattern = regexp.MustCompile(`^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$`)
	functionARNPattern        = regexp.MustCompile(`^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[a-zA-Z0-9_-]+$`)
)

// watchdogLambdaAPI is the part of Lambda the watchdog resource uses.
type watchdogLambdaAPI interface {
	lambdaPermissionAPI
	GetFunction(context.Context, *lambda.GetFunctionInput, ...func(*lambda.Options)) (*lambda.GetFunctionOutput, error)
}

func newWatchdogResource() resource.Resource { return &watchdogResource{} }

type watchdogResource struct {
	data   *providerData
	events inventoryRulesAPI
	lambda watchdogLambdaAPI
}

type watchdogModel struct {
	ID                          types.String `tfsdk:"id"`
	Name                        types.String `tfsdk:"name"`
	FunctionARN                 types.String `tfsdk:"function_arn"`
	ScheduleExpression          types.String `tfsdk:"schedule_expression"`
	Enabled                     types.Bool   `tfsdk:"enabled"`
	Tags                        types.Map    `tfsdk:"tags"`
	TagsAll                     types.Map    `tfsdk:"tags_all"`
	RuleARN                     types.String `tfsdk:"rule_arn"`
	LambdaPermissionStatementID types.String `tfsdk:"lambda_permission_statement_id"`
}

func (r *watchdogResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_watchdog"
}

func (r *watchdogResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Runs the enricher's watchdog on a schedule: an EventBridge scheduled rule on the default bus, its target, and the " +
			"statement in the function's policy that lets `" + pipelinepolicy.EventsService + "` invoke it for that rule only.\n\n" +
			"The function is the enricher with `VPCFLOW_MODE = \"" + watchdogModeValue + "\"`. Each run scans the accounts and regions of `" + watchdog.EnvTargets +
			"` like `vpcflow_coverage` (without the delivery checker), publishes the CloudWatch metrics `VPCsWithoutFlowLogs`, `FlowLogsFailingDelivery` " +
			"and others in namespace `" + watchdog.DefaultNamespace + "` with dimensions `Account` and `Region`, and sends one EventBridge event " +
			"(`source = \"" + watchdog.EventSource + "\"`, `detail-type = \"" + watchdog.DetailTypeFailed + "\"`) per flow log that was not failing at the " +
			"previous run, with its root cause and fix, and `\"" + watchdog.DetailTypeRecovered + "\"` when it delivers again. The previous run's failing " +
			"set is a JSON object per account and region in `" + watchdog.EnvStateBucket + "`; without that bucket every run announces every failing flow log.\n\n" +
			"Every plan reads the function (`lambda:GetFunction`) and checks its execution role with the provider's policy engine against what its " +
			"environment makes it do: a watchdog whose role cannot publish fails as silently as the flow logs it watches. " +
			"Alarm on the metrics with `treat_missing_data = \"breaching\"`: a run that cannot scan publishes nothing.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The rule's name, the import ID.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Name of the EventBridge rule: up to 64 letters, digits, `.`, `-` and `_`. Changing it replaces the rule.",
				Required:            true,
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, 64),
					stringvalidator.RegexMatches(ruleNamePattern, "may contain only letters, digits, ., - and _"),
				},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"function_arn": schema.StringAttribute{
				MarkdownDescription: "The enricher function in watchdog mode (`vpcflow_enricher_function.arn`, or any deployment of the enricher with `VPCFLOW_MODE = \"" +
					watchdogModeValue + "\"`). Changed in place.",
				Required:   true,
				Validators: []validator.String{stringvalidator.RegexMatches(functionARNPattern, "must be an unqualified Lambda function ARN")},
			},
			"schedule_expression": schema.StringAttribute{
				MarkdownDescription: "How often the watchdog runs: `rate(…)` or `cron(…)`. Defaults to `rate(1 hour)`: a flow log that starts failing is reported within the hour. Changed in place.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString("rate(1 hour)"),
				Validators:          []validator.String{stringvalidator.RegexMatches(scheduleExpressionPattern, "must be rate(N unit) or cron(...)")},
			},
			"enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether the schedule runs. Defaults to `true`. Changed in place.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
			},
			"tags": schema.MapAttribute{
				MarkdownDescription: "Tags of the rule, merged over the provider's `default_tags` (the merged set is `tags_all`). Changed in place.",
				Optional:            true,
				ElementType:         types.StringType,
			},
			"tags_all": tagsAllAttribute(),
			"rule_arn": schema.StringAttribute{
				MarkdownDescription: "ARN of the EventBridge rule.",
				Computed:            true,
			},
			"lambda_permission_statement_id": schema.StringAttribute{
				MarkdownDescription: "Id of the statement in the function's policy; null while it is missing, which the next plan puts back.",
				Computed:            true,
			},
		},
	}
}

func (r *watchdogResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data, err := providerDataFrom(req.ProviderData)
	if err != nil {
		resp.Diagnostics.AddError("configuring vpcflow_watchdog", err.Error())
		return
	}
	if data == nil {
		return
	}
	r.data = data
	r.events = data.client.EventBridge()
	r.lambda = data.client.Lambda()
}

func (r *watchdogResource) ruleARN(account, name string) string {
	return fmt.Sprintf("arn:%s:events:%s:%s:rule/%s", r.data.client.Partition(), r.data.client.Region(), account, name)
}

func watchdogStatementID(name string) string { return lambdaStatementID("vpcflow-watchdog-", name) }

// ModifyPlan fills in the rule's ARN and the statement id, and checks the
// function's execution role against what the watchdog does.
func (r *watchdogResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	defer planTagsAllOf(ctx, r.data, resp)
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	var plan watchdogModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !valueKnown(plan.Name) {
		return
	}
	account, err := r.data.client.AccountID(ctx)
	if err != nil {
		resp.Diagnostics.AddError("reading the provider's account", err.Error())
		return
	}
	plan.ID = types.StringValue(plan.Name.ValueString())
	plan.RuleARN = types.StringValue(r.ruleARN(account, plan.Name.ValueString()))
	plan.LambdaPermissionStatementID = types.StringValue(watchdogStatementID(plan.Name.ValueString()))
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
	if r.data.client.Settings.Validation == conns.ValidationOff || !valueKnown(plan.FunctionARN) {
		return
	}
	r.checkFunction(ctx, plan.FunctionARN.ValueString(), account, &resp.Diagnostics)
}

// checkFunction reads the function and checks its mode and its role. A
// function that does not exist yet is not a finding: it is created in
// this run, and its role is checked where it is created.
func (r *watchdogResource) checkFunction(ctx context.Context, functionARN, account string, diags *diag.Diagnostics) {
	out, err := r.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(functionARN)})
	if hasErrorCode(err, "ResourceNotFoundException") {
		return
	}
	if err != nil {
		diags.AddAttributeWarning(path.Root("function_arn"), "Watchdog function not checked",
			fmt.Sprintf("Reading the function failed (lambda:GetFunction), so this plan cannot tell whether the watchdog can do its work: %s", err))
		return
	}
	env := map[string]string{}
	if c := out.Configuration; c != nil && c.Environment != nil {
		env = c.Environment.Variables
	}
	if env[envEnricherMode] != watchdogModeValue {
		diags.AddAttributeWarning(path.Root("function_arn"), "Function not in watchdog mode",
			fmt.Sprintf("Function %s has %s = %q, so the schedule would invoke it with events it does not handle, and nothing would be watched. "+
				"Set %s = %q in its environment, or point function_arn at the enricher deployed in watchdog mode.",
				functionARN, envEnricherMode, env[envEnricherMode], envEnricherMode, watchdogModeValue))
		return
	}
	cfg, err := watchdog.ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		diags.AddAttributeError(path.Root("function_arn"), "Watchdog function misconfigured",
			fmt.Sprintf("Function %s would fail at every cold start: %s", functionARN, err))
		return
	}
	role := aws.ToString(out.Configuration.Role)
	findings, found, err := checkExistingRole(ctx, r.data.docs, delivery.ServiceRole{
		RoleARN:      role,
		Service:      pipelinepolicy.LambdaService,
		Caller:       "the watchdog function",
		TrustContext: map[string][]string{"aws:SourceAccount": {account}},
		Needs:        cfg.Deployment(r.data.client.Partition(), account, r.data.client.Region()).Needs(),
		Target:       "AWS",
		Outcome:      "the watchdog fails on every run and reports nothing, as silently as a broken flow log",
	})
	switch {
	case err != nil:
		diags.AddAttributeWarning(path.Root("function_arn"), "Watchdog role not checked", err.Error())
	case !found:
		diags.AddAttributeWarning(path.Root("function_arn"), "Watchdog role not found",
			fmt.Sprintf("The function's role %s does not exist, so the watchdog cannot run.", role))
	default:
		reportRoleFindings(diags, r.data.client.Settings.Validation, path.Root("function_arn"), "The watchdog could not do its work", findings)
	}
}

func (r *watchdogResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan watchdogModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := plan.Name.ValueString()
	// PutRule overwrites a rule of the same name.
	_, err := r.events.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(name)})
	switch {
	case err == nil:
		resp.Diagnostics.AddAttributeError(path.Root("name"), fmt.Sprintf("creating EventBridge Rule (%s)", name),
			fmt.Sprintf("Rule %s exists already on the default bus. Choose another name, or import it: terraform import <address> %s", name, name))
		return
	case !hasErrorCode(err, "ResourceNotFoundException"):
		resp.Diagnostics.AddError(fmt.Sprintf("reading EventBridge Rule (%s)", name), err.Error())
		return
	}
	r.apply(ctx, &plan, nil, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *watchdogResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state watchdogModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.apply(ctx, &plan, &state, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// apply puts the rule, the permission and the target (all upserts, so
// what was changed outside Terraform is repaired), then the tags, and
// removes the permission of a function the rule no longer targets.
func (r *watchdogResource) apply(ctx context.Context, plan, state *watchdogModel, diags *diag.Diagnostics) {
	name, fn := plan.Name.ValueString(), plan.FunctionARN.ValueString()
	account, err := r.data.client.AccountID(ctx)
	if err != nil {
		diags.AddError("reading the provider's account", err.Error())
		return
	}
	plan.ID, plan.RuleARN = types.StringValue(name), types.StringValue(r.ruleARN(account, name))
	plan.LambdaPermissionStatementID = types.StringNull()
	tags, d := tagsFromModel(ctx, plan.TagsAll)
	diags.Append(d...)
	if diags.HasError() {
		return
	}
	ruleState := eventbridgetypes.RuleStateEnabled
	if !plan.Enabled.ValueBool() {
		ruleState = eventbridgetypes.RuleStateDisabled
	}
	in := &eventbridge.PutRuleInput{
		Name: aws.String(name), ScheduleExpression: plan.ScheduleExpression.ValueStringPointer(), State: ruleState,
		Description: aws.String("vpcflow watchdog: VPC flow log coverage and delivery, " + plan.ScheduleExpression.ValueString()),
	}
	if state == nil {
		in.Tags = eventbridgeTags(tags)
	}
	out, err := r.events.PutRule(ctx, in)
	if err != nil {
		diags.AddError(fmt.Sprintf("putting EventBridge Rule (%s)", name), err.Error())
		return
	}
	plan.RuleARN = types.StringValue(aws.ToString(out.RuleArn))

	sid := watchdogStatementID(name)
	p := lambdaPermission{Function: fn, StatementID: sid, Principal: pipelinepolicy.EventsService, SourceARN: aws.ToString(out.RuleArn), SourceAccount: account}
	has, err := hasLambdaPermission(ctx, r.lambda, p)
	if err == nil && !has {
		err = addLambdaPermission(ctx, r.lambda, p)
	}
	if err != nil {
		diags.AddAttributeError(path.Root("function_arn"), fmt.Sprintf("allowing EventBridge Rule (%s) to invoke Lambda Function", name), err.Error())
		return
	}
	plan.LambdaPermissionStatementID = types.StringValue(sid)

	targets, err := r.events.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(name), Targets: []eventbridgetypes.Target{{Id: aws.String(watchdogTargetID), Arn: aws.String(fn)}}})
	if err == nil && targets.FailedEntryCount > 0 && len(targets.FailedEntries) > 0 {
		err = fmt.Errorf("%s: %s", aws.ToString(targets.FailedEntries[0].ErrorCode), aws.ToString(targets.FailedEntries[0].ErrorMessage))
	}
	if err != nil {
		diags.AddError(fmt.Sprintf("putting the target of EventBridge Rule (%s)", name), err.Error())
		return
	}
	if state != nil {
		if !state.FunctionARN.Equal(plan.FunctionARN) {
			if err := removeLambdaPermission(ctx, r.lambda, state.FunctionARN.ValueString(), sid); err != nil {
				diags.AddWarning("Old function permission left in place", err.Error())
			}
		}
		have, err := r.ruleTags(ctx, aws.ToString(out.RuleArn))
		if err == nil {
			err = updateEventBridgeTags(ctx, r.events, aws.ToString(out.RuleArn), have, tags)
		}
		if err != nil {
			diags.AddError(fmt.Sprintf("updating tags of EventBridge Rule (%s)", name), err.Error())
		}
	}
}

func (r *watchdogResource) ruleTags(ctx context.Context, ruleARN string) (map[string]string, error) {
	out, err := r.events.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: aws.String(ruleARN)})
	if err != nil {
		return nil, err
	}
	tags := map[string]string{}
	for _, t := range out.Tags {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags, nil
}

func (r *watchdogResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m watchdogModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := m.ID.ValueString()
	rule, err := r.events.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(name)})
	if hasErrorCode(err, "ResourceNotFoundException") {
		resp.Diagnostics.AddWarning("EventBridge Rule not found",
			fmt.Sprintf("The watchdog's rule %s no longer exists; removing it from the state. The next plan creates it again.", name))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("reading EventBridge Rule (%s)", name), err.Error())
		return
	}
	m.Name, m.RuleARN = types.StringValue(name), types.StringValue(aws.ToString(rule.Arn))
	m.ScheduleExpression = flowLogNullIfEmpty(aws.ToString(rule.ScheduleExpression))
	m.Enabled = types.BoolValue(rule.State != eventbridgetypes.RuleStateDisabled)

	targets, err := r.events.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String(name)})
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("listing the targets of EventBridge Rule (%s)", name), err.Error())
		return
	}
	var target string
	for _, t := range targets.Targets {
		if aws.ToString(t.Id) == watchdogTargetID {
			target = aws.ToString(t.Arn)
		}
	}
	if target != "" {
		m.FunctionARN = types.StringValue(target)
	}
	m.LambdaPermissionStatementID = types.StringNull()
	if target != "" && target == m.FunctionARN.ValueString() {
		account, err := r.data.client.AccountID(ctx)
		if err != nil {
			resp.Diagnostics.AddError("reading the provider's account", err.Error())
			return
		}
		sid := watchdogStatementID(name)
		has, err := hasLambdaPermission(ctx, r.lambda, lambdaPermission{
			Function: target, StatementID: sid, Principal: pipelinepolicy.EventsService, SourceARN: aws.ToString(rule.Arn), SourceAccount: account,
		})
		if err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("reading the policy of Lambda Function (%s)", target), err.Error())
			return
		}
		if has {
			m.LambdaPermissionStatementID = types.StringValue(sid)
		}
	}
	tags, err := r.ruleTags(ctx, aws.ToString(rule.Arn))
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("listing tags of EventBridge Rule (%s)", name), err.Error())
		return
	}
	var d diag.Diagnostics
	m.Tags, m.TagsAll, d = readTags(ctx, tags, r.data.tagDefaults(), m.Tags)
	resp.Diagnostics.Append(d...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *watchdogResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state watchdogModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := state.ID.ValueString()
	_, err := r.events.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String(name), Ids: []string{watchdogTargetID}})
	if err != nil && !hasErrorCode(err, "ResourceNotFoundException") {
		resp.Diagnostics.AddError(fmt.Sprintf("removing the target of EventBridge Rule (%s)", name), err.Error())
		return
	}
	_, err = r.events.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String(name)})
	if err != nil && !hasErrorCode(err, "ResourceNotFoundException") {
		resp.Diagnostics.AddError(fmt.Sprintf("deleting EventBridge Rule (%s)", name), err.Error())
		return
	}
	if err := removeLambdaPermission(ctx, r.lambda, state.FunctionARN.ValueString(), watchdogStatementID(name)); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("removing the permission of EventBridge Rule (%s)", name), err.Error())
	}
}

func (r *watchdogResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !ruleNamePattern.MatchString(req.ID) {
		resp.Diagnostics.AddError("importing vpcflow_watchdog", fmt.Sprintf("ID %q is not an EventBridge rule name", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}
