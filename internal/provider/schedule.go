package provider

import (
	"context"
	"fmt"
	"strings"

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

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/pipelinepolicy"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/conns"
)

// functionSchedule is an EventBridge scheduled rule on the default bus that
// invokes one of the enricher's functions, with its target and the
// statement in the function's policy that lets events.amazonaws.com invoke
// it for that rule only: vpcflow_watchdog and vpcflow_compaction_schedule.
type functionSchedule struct {
	// what names the function in messages and the rule's description:
	// "watchdog", "compaction".
	what string
	// targetID is the id of the rule's target; statementPrefix begins the
	// id of the function policy's statement.
	targetID, statementPrefix string
	// description begins the rule's description.
	description string
	// check checks, at plan time, the function a plan schedules: its
	// environment and its execution role, as GetFunction reports them.
	check func(ctx context.Context, functionARN, account string, env map[string]string, role string, diags *diag.Diagnostics)

	resourceBase
}

// newFunctionSchedule is the schedule of the enricher in one mode (what)
// for the resource type typeName: the rule's target is targetID, and the
// ids of its statements in the function's policy begin with targetID + "-".
func newFunctionSchedule(typeName, what, targetID, description string) functionSchedule {
	return functionSchedule{resourceBase: resourceBase{typeName: typeName},
		what: what, targetID: targetID, statementPrefix: targetID + "-", description: description}
}

func (s *functionSchedule) events() inventoryRulesAPI { return s.data.client.EventBridge() }
func (s *functionSchedule) lambda() watchdogLambdaAPI { return s.data.client.Lambda() }

// scheduleModel is the state of a function schedule.
type scheduleModel struct {
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

// scheduleAttributes are a function schedule's attributes, with the
// descriptions of the function and of the default schedule.
func scheduleAttributes(functionDescription, defaultSchedule, scheduleDescription string) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id": computedStable("The rule's name, the import ID."),
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
			MarkdownDescription: functionDescription + " Changed in place.",
			Required:            true,
			Validators:          []validator.String{stringvalidator.RegexMatches(functionARNPattern, "must be an unqualified Lambda function ARN")},
		},
		"schedule_expression": schema.StringAttribute{
			MarkdownDescription: scheduleDescription + " Changed in place.",
			Optional:            true,
			Computed:            true,
			Default:             stringdefault.StaticString(defaultSchedule),
			Validators:          []validator.String{stringvalidator.RegexMatches(scheduleExpressionPattern, "must be rate(N unit) or cron(...)")},
		},
		"enabled": schema.BoolAttribute{
			MarkdownDescription: "Whether the schedule runs. Defaults to `true`. Changed in place.",
			Optional:            true,
			Computed:            true,
			Default:             booldefault.StaticBool(true),
		},
		"tags":     tagsAttribute("Tags of the rule, merged over the provider's `default_tags` (the merged set is `tags_all`). Changed in place."),
		"tags_all": tagsAllAttribute(),
		"rule_arn": schema.StringAttribute{
			MarkdownDescription: "ARN of the EventBridge rule.",
			Computed:            true,
		},
		"lambda_permission_statement_id": schema.StringAttribute{
			MarkdownDescription: "Id of the statement in the function's policy; null while it is missing, which the next plan puts back.",
			Computed:            true,
		},
	}
}

func (s *functionSchedule) ruleARN(ctx context.Context, account, name string) string {
	return s.data.regionalARNOf(ctx, "events", account, "rule/"+name)
}

func (s *functionSchedule) statementID(name string) string {
	return lambdaStatementID(s.statementPrefix, name)
}

// planComputed fills in the rule's ARN and the statement id of a plan
// whose name is known; it returns the account, "" when it did not.
func (s *functionSchedule) planComputed(ctx context.Context, plan *scheduleModel, diags *diag.Diagnostics) string {
	if !valueKnown(plan.Name) {
		return ""
	}
	account, ok := s.data.accountID(ctx, diags)
	if !ok {
		return ""
	}
	plan.ID = types.StringValue(plan.Name.ValueString())
	plan.RuleARN = types.StringValue(s.ruleARN(ctx, account, plan.Name.ValueString()))
	plan.LambdaPermissionStatementID = types.StringValue(s.statementID(plan.Name.ValueString()))
	return account
}

// create refuses to take over a rule of the same name, then applies.
func (s *functionSchedule) create(ctx context.Context, plan *scheduleModel, diags *diag.Diagnostics) {
	name := plan.Name.ValueString()
	// PutRule overwrites a rule of the same name.
	_, err := s.events().DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(name)})
	switch {
	case err == nil:
		diags.AddAttributeError(path.Root("name"), fmt.Sprintf("creating EventBridge Rule (%s)", name),
			fmt.Sprintf("Rule %s exists already on the default bus. Choose another name, or import it: terraform import <address> %s", name, name))
		return
	case !isAWSNotFound(err):
		diags.AddError(fmt.Sprintf("reading EventBridge Rule (%s)", name), err.Error())
		return
	}
	s.apply(ctx, plan, nil, diags)
}

// apply puts the rule, the permission and the target (all upserts, so
// what was changed outside Terraform is repaired), then the tags, and
// removes the permission of a function the rule no longer targets.
func (s *functionSchedule) apply(ctx context.Context, plan, state *scheduleModel, diags *diag.Diagnostics) {
	name, fn := plan.Name.ValueString(), plan.FunctionARN.ValueString()
	account, ok := s.data.accountID(ctx, diags)
	if !ok {
		return
	}
	plan.ID, plan.RuleARN = types.StringValue(name), types.StringValue(s.ruleARN(ctx, account, name))
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
		Description: aws.String(s.description + ", " + plan.ScheduleExpression.ValueString()),
	}
	if state == nil {
		in.Tags = eventbridgeTags(tags)
	}
	out, err := s.events().PutRule(ctx, in)
	if err != nil {
		diags.AddError(fmt.Sprintf("putting EventBridge Rule (%s)", name), err.Error())
		return
	}
	plan.RuleARN = types.StringValue(aws.ToString(out.RuleArn))

	sid := s.statementID(name)
	p := lambdaPermission{Function: fn, StatementID: sid, Principal: pipelinepolicy.EventsService, SourceARN: aws.ToString(out.RuleArn), SourceAccount: account}
	if err := ensureLambdaPermission(ctx, s.lambda(), p); err != nil {
		diags.AddAttributeError(path.Root("function_arn"), fmt.Sprintf("allowing EventBridge Rule (%s) to invoke Lambda Function", name), err.Error())
		return
	}
	plan.LambdaPermissionStatementID = types.StringValue(sid)

	if err := putTargets(ctx, s.events(), &eventbridge.PutTargetsInput{Rule: aws.String(name), Targets: []eventbridgetypes.Target{{Id: aws.String(s.targetID), Arn: aws.String(fn)}}}); err != nil {
		diags.AddError(fmt.Sprintf("putting the target of EventBridge Rule (%s)", name), err.Error())
		return
	}
	if state != nil {
		if !state.FunctionARN.Equal(plan.FunctionARN) {
			if err := removeLambdaPermission(ctx, s.lambda(), state.FunctionARN.ValueString(), sid); err != nil {
				diags.AddWarning("Old function permission left in place", err.Error())
			}
		}
		have, err := s.ruleTags(ctx, aws.ToString(out.RuleArn))
		if err == nil {
			err = updateEventBridgeTags(ctx, s.events(), aws.ToString(out.RuleArn), have, tags)
		}
		if err != nil {
			diags.AddError(fmt.Sprintf("updating tags of EventBridge Rule (%s)", name), err.Error())
		}
	}
}

func (s *functionSchedule) ruleTags(ctx context.Context, ruleARN string) (map[string]string, error) {
	out, err := s.events().ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: aws.String(ruleARN)})
	if err != nil {
		return nil, err
	}
	tags := map[string]string{}
	for _, t := range out.Tags {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags, nil
}

// read refreshes the state from the rule, its target, the function's
// policy and the rule's tags; it removes the resource when the rule is
// gone.
func (s *functionSchedule) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	m, ok := modelOf[scheduleModel](ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	name := m.ID.ValueString()
	rule, err := s.events().DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(name)})
	if isAWSNotFound(err) {
		removeFromState(ctx, resp, "EventBridge Rule not found",
			fmt.Sprintf("The %s's rule %s no longer exists; removing it from the state. The next plan creates it again.", s.what, name))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("reading EventBridge Rule (%s)", name), err.Error())
		return
	}
	m.Name, m.RuleARN = types.StringValue(name), types.StringValue(aws.ToString(rule.Arn))
	m.ScheduleExpression = flowLogNullIfEmpty(aws.ToString(rule.ScheduleExpression))
	m.Enabled = types.BoolValue(rule.State != eventbridgetypes.RuleStateDisabled)

	targets, err := s.events().ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String(name)})
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("listing the targets of EventBridge Rule (%s)", name), err.Error())
		return
	}
	var target string
	for _, t := range targets.Targets {
		if aws.ToString(t.Id) == s.targetID {
			target = aws.ToString(t.Arn)
		}
	}
	if target != "" {
		m.FunctionARN = types.StringValue(target)
	}
	m.LambdaPermissionStatementID = types.StringNull()
	if target != "" && target == m.FunctionARN.ValueString() {
		account, ok := s.data.accountID(ctx, &resp.Diagnostics)
		if !ok {
			return
		}
		sid := s.statementID(name)
		has, err := hasLambdaPermission(ctx, s.lambda(), lambdaPermission{
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
	tags, err := s.ruleTags(ctx, aws.ToString(rule.Arn))
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("listing tags of EventBridge Rule (%s)", name), err.Error())
		return
	}
	s.data.setReadTags(ctx, tags, &m.Tags, &m.TagsAll, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// delete removes the target, the rule and the function's statement;
// what is gone already is not an error.
func (s *functionSchedule) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	state, ok := modelOf[scheduleModel](ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	name := state.ID.ValueString()
	_, err := s.events().RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String(name), Ids: []string{s.targetID}})
	if err != nil && !isAWSNotFound(err) {
		resp.Diagnostics.AddError(fmt.Sprintf("removing the target of EventBridge Rule (%s)", name), err.Error())
		return
	}
	_, err = s.events().DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String(name)})
	if err != nil && !isAWSNotFound(err) {
		resp.Diagnostics.AddError(fmt.Sprintf("deleting EventBridge Rule (%s)", name), err.Error())
		return
	}
	if err := removeLambdaPermission(ctx, s.lambda(), state.FunctionARN.ValueString(), s.statementID(name)); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("removing the permission of EventBridge Rule (%s)", name), err.Error())
	}
}

// importState takes a rule name as the import ID.
func (s *functionSchedule) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !ruleNamePattern.MatchString(req.ID) {
		resp.Diagnostics.AddError("importing vpcflow_"+s.typeName, fmt.Sprintf("ID %q is not an EventBridge rule name", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}

func (s *functionSchedule) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan, ok := modelOf[scheduleModel](ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	s.create(ctx, &plan, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (s *functionSchedule) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, state, ok := planAndState[scheduleModel](ctx, req, &resp.Diagnostics)
	if !ok {
		return
	}
	s.apply(ctx, &plan, &state, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// checkRole checks the scheduled function's execution role against what
// it needs; outcome says what happens when it cannot.
func (s *functionSchedule) checkRole(ctx context.Context, role, account string, needs []delivery.Need, outcome string, diags *diag.Diagnostics) {
	findings, found, err := checkExistingRole(ctx, s.data.docs, delivery.ServiceRole{
		RoleARN:      role,
		Service:      pipelinepolicy.LambdaService,
		Caller:       "the " + s.what + " function",
		TrustContext: map[string][]string{"aws:SourceAccount": {account}},
		Needs:        needs,
		Target:       "AWS",
		Outcome:      outcome,
	})
	what := strings.ToUpper(s.what[:1]) + s.what[1:]
	switch {
	case err != nil:
		diags.AddAttributeWarning(path.Root("function_arn"), what+" role not checked", err.Error())
	case !found:
		diags.AddAttributeWarning(path.Root("function_arn"), what+" role not found",
			fmt.Sprintf("The function's role %s does not exist, so the %s cannot run.", role, s.what))
	default:
		reportRoleFindings(diags, s.data.client.Settings.Validation, path.Root("function_arn"), "The "+s.what+" could not do its work", findings)
	}
}

// ModifyPlan fills in the rule's ARN and the statement id, and checks the
// scheduled function. A function that does not exist yet is not a finding:
// it is created in this run, and its role is checked where it is created.
func (s *functionSchedule) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	defer planTagsAllOf(ctx, s.data, resp)
	if req.Plan.Raw.IsNull() || s.data == nil {
		return
	}
	plan, ok := modelOf[scheduleModel](ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	account := s.planComputed(ctx, &plan, &resp.Diagnostics)
	if account == "" {
		return
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
	if s.data.client.Settings.Validation == conns.ValidationOff || !valueKnown(plan.FunctionARN) {
		return
	}
	functionARN := plan.FunctionARN.ValueString()
	out, err := s.lambda().GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(functionARN)})
	if isAWSNotFound(err) {
		return
	}
	if err != nil {
		resp.Diagnostics.AddAttributeWarning(path.Root("function_arn"), strings.ToUpper(s.what[:1])+s.what[1:]+" function not checked",
			fmt.Sprintf("Reading the function failed (lambda:GetFunction), so this plan cannot tell whether the %s can do its work: %s", s.what, err))
		return
	}
	env := map[string]string{}
	var role string
	if c := out.Configuration; c != nil {
		if c.Environment != nil {
			env = c.Environment.Variables
		}
		role = aws.ToString(c.Role)
	}
	s.check(ctx, functionARN, account, env, role, &resp.Diagnostics)
}
