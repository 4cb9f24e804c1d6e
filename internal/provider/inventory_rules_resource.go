package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cloudtrailtypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	eventbridgetypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/pipelinepolicy"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/contract"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/conns"
)

var (
	_ resource.Resource                     = &inventoryRulesResource{}
	_ resource.ResourceWithConfigure        = &inventoryRulesResource{}
	_ resource.ResourceWithImportState      = &inventoryRulesResource{}
	_ resource.ResourceWithModifyPlan       = &inventoryRulesResource{}
	_ resource.ResourceWithConfigValidators = &inventoryRulesResource{}
)

// Kinds of inventory rule, each one EventBridge rule named NAME-KIND.
const (
	inventoryRuleTags      = "tag-changes"
	inventoryRuleAPICalls  = "api-calls"
	inventoryRuleInstances = "instance-state"
)

// inventoryRuleKinds lists the rule kinds, for validators and descriptions.
var inventoryRuleKinds = []string{inventoryRuleTags, inventoryRuleAPICalls, inventoryRuleInstances}

// inventoryInstanceStates are the instance states the inventory handler
// acts on; the others would invoke it for nothing.
var inventoryInstanceStates = []string{"running", "stopped", "terminated"}

// inventoryTargetID is the id of the rules' target.
const inventoryTargetID = "vpcflow-inventory"

var (
	ruleNamePattern = regexp.MustCompile(`^[\.\-_A-Za-z0-9]+$`)
	eventBusPattern = regexp.MustCompile(`^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus/[/\.\-_A-Za-z0-9]+$`)
)

// inventoryRuleNameMax keeps NAME-KIND within EventBridge's 64 characters.
var inventoryRuleNameMax = 64 - 1 - len(inventoryRuleInstances)

// inventoryEventPattern is the EventBridge pattern of a rule kind: the
// events package inventoryevents decodes, and no others.
func inventoryEventPattern(kind string) string {
	var p any
	switch kind {
	case inventoryRuleTags:
		p = map[string]any{"source": []string{contract.SourceTag}, "detail-type": []string{contract.DetailTagChange}}
	case inventoryRuleAPICalls:
		p = map[string]any{
			"source": []string{contract.SourceEC2}, "detail-type": []string{contract.DetailAPICall},
			"detail": map[string]any{
				"eventSource": []string{"ec2.amazonaws.com"}, "eventName": slices.Clone(contract.APICallNames),
				// Failed calls and dry runs change nothing; Decode ignores them.
				"errorCode": []any{map[string]bool{"exists": false}},
			},
		}
	case inventoryRuleInstances:
		p = map[string]any{
			"source": []string{contract.SourceEC2}, "detail-type": []string{contract.DetailInstanceState},
			"detail": map[string]any{"state": inventoryInstanceStates},
		}
	}
	b, _ := json.Marshal(p) // maps marshal with sorted keys
	return string(b)
}

// inventoryRulesAPI is the part of EventBridge the inventory rules resource uses.
type inventoryRulesAPI interface {
	PutRule(context.Context, *eventbridge.PutRuleInput, ...func(*eventbridge.Options)) (*eventbridge.PutRuleOutput, error)
	DescribeRule(context.Context, *eventbridge.DescribeRuleInput, ...func(*eventbridge.Options)) (*eventbridge.DescribeRuleOutput, error)
	DeleteRule(context.Context, *eventbridge.DeleteRuleInput, ...func(*eventbridge.Options)) (*eventbridge.DeleteRuleOutput, error)
	PutTargets(context.Context, *eventbridge.PutTargetsInput, ...func(*eventbridge.Options)) (*eventbridge.PutTargetsOutput, error)
	RemoveTargets(context.Context, *eventbridge.RemoveTargetsInput, ...func(*eventbridge.Options)) (*eventbridge.RemoveTargetsOutput, error)
	ListTargetsByRule(context.Context, *eventbridge.ListTargetsByRuleInput, ...func(*eventbridge.Options)) (*eventbridge.ListTargetsByRuleOutput, error)
	TagResource(context.Context, *eventbridge.TagResourceInput, ...func(*eventbridge.Options)) (*eventbridge.TagResourceOutput, error)
	UntagResource(context.Context, *eventbridge.UntagResourceInput, ...func(*eventbridge.Options)) (*eventbridge.UntagResourceOutput, error)
	ListTagsForResource(context.Context, *eventbridge.ListTagsForResourceInput, ...func(*eventbridge.Options)) (*eventbridge.ListTagsForResourceOutput, error)
}

// putTargets puts the targets of a rule; a target EventBridge refuses
// (PutTargets answers with failed entries, not an error) is the error.
func putTargets(ctx context.Context, api inventoryRulesAPI, in *eventbridge.PutTargetsInput) error {
	out, err := api.PutTargets(ctx, in)
	if err == nil && out.FailedEntryCount > 0 && len(out.FailedEntries) > 0 {
		err = fmt.Errorf("%s: %s", aws.ToString(out.FailedEntries[0].ErrorCode), aws.ToString(out.FailedEntries[0].ErrorMessage))
	}
	return err
}

// trailsAPI is the part of CloudTrail the management events check reads.
type trailsAPI interface {
	DescribeTrails(context.Context, *cloudtrail.DescribeTrailsInput, ...func(*cloudtrail.Options)) (*cloudtrail.DescribeTrailsOutput, error)
	GetTrailStatus(context.Context, *cloudtrail.GetTrailStatusInput, ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error)
	GetEventSelectors(context.Context, *cloudtrail.GetEventSelectorsInput, ...func(*cloudtrail.Options)) (*cloudtrail.GetEventSelectorsOutput, error)
}

func newInventoryRulesResource() resource.Resource {
	return &inventoryRulesResource{resourceBase: resourceBase{typeName: "inventory_rules"}}
}

type inventoryRulesResource struct {
	resourceBase
	// trails, when set, is used instead of the provider's CloudTrail client (tests).
	trails trailsAPI
}

func (r *inventoryRulesResource) events() inventoryRulesAPI   { return r.data.client.EventBridge() }
func (r *inventoryRulesResource) lambda() lambdaPermissionAPI { return r.data.client.Lambda() }

func (r *inventoryRulesResource) cloudTrail() trailsAPI {
	if r.trails != nil {
		return r.trails
	}
	return r.data.client.CloudTrail()
}

type inventoryRulesModel struct {
	ID                           types.String `tfsdk:"id"`
	Name                         types.String `tfsdk:"name"`
	EventBusName                 types.String `tfsdk:"event_bus_name"`
	Rules                        types.Set    `tfsdk:"rules"`
	FunctionARN                  types.String `tfsdk:"function_arn"`
	TargetEventBusARN            types.String `tfsdk:"target_event_bus_arn"`
	RoleARN                      types.String `tfsdk:"role_arn"`
	Enabled                      types.Bool   `tfsdk:"enabled"`
	Tags                         types.Map    `tfsdk:"tags"`
	TagsAll                      types.Map    `tfsdk:"tags_all"`
	RuleARNs                     types.Map    `tfsdk:"rule_arns"`
	EventPatterns                types.Map    `tfsdk:"event_patterns"`
	LambdaPermissionStatementIDs types.Map    `tfsdk:"lambda_permission_statement_ids"`
}

func (r *inventoryRulesResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	allKinds, _ := types.SetValueFrom(context.Background(), types.StringType, inventoryRuleKinds)
	resp.Schema = schema.Schema{
		MarkdownDescription: "The EventBridge rules that keep the network interface inventory current between syncs, one per kind of event:\n\n" +
			"* `" + inventoryRuleTags + "`: `" + contract.DetailTagChange + "` events from `" + contract.SourceTag + "` (tags used to attribute traffic);\n" +
			"* `" + inventoryRuleAPICalls + "`: the EC2 calls that create, delete, attach and detach interfaces and assign or move their addresses (`" +
			strings.Join(slices.Clone(contract.APICallNames), "`, `") + "`), as `" + contract.DetailAPICall + "` events;\n" +
			"* `" + inventoryRuleInstances + "`: `" + contract.DetailInstanceState + "` events for `" + strings.Join(inventoryInstanceStates, "`, `") + "`.\n\n" +
			"The rules target the inventory function (`vpcflow_enricher_function` in `inventory` mode), with a permission in its policy for each rule, " +
			"or forward to the central account's event bus through a role. " +
			"EventBridge only receives API calls that a CloudTrail trail records as management events, so the plan reads the trails of the region " +
			"(`DescribeTrails`, `GetTrailStatus`, `GetEventSelectors`) and warns when none would let the `" + inventoryRuleAPICalls + "` rule fire.",
		Attributes: map[string]schema.Attribute{
			"id": computedStable("`EVENT_BUS_NAME|NAME`, the import ID."),
			"name": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Prefix of the rule names: the rules are `NAME-KIND`, so at most %d letters, digits, `.`, `-` and `_`. Changing it replaces the rules.", inventoryRuleNameMax),
				Required:            true,
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, inventoryRuleNameMax),
					stringvalidator.RegexMatches(ruleNamePattern, "may contain only letters, digits, ., - and _"),
				},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"event_bus_name": schema.StringAttribute{
				MarkdownDescription: "Event bus the rules are on. Defaults to `default`, where AWS services send their events. Changing it replaces the rules.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString("default"),
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 256)},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"rules": schema.SetAttribute{
				MarkdownDescription: "Which rules to create: any of " + quotedList(inventoryRuleKinds) + ". Defaults to all three. Changed in place.",
				Optional:            true,
				Computed:            true,
				ElementType:         types.StringType,
				Default:             setdefault.StaticValue(allKinds),
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringvalidator.OneOf(inventoryRuleKinds...)),
				},
			},
			"function_arn": schema.StringAttribute{
				MarkdownDescription: "Inventory function the rules invoke (`vpcflow_enricher_function.arn`); the resource adds a statement to its policy per rule that lets `" +
					pipelinepolicy.EventsService + "` invoke it for that rule only. Exactly one of `function_arn` and `target_event_bus_arn` is required. Changed in place.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[a-zA-Z0-9_-]+$`), "must be an unqualified Lambda function ARN")},
			},
			"target_event_bus_arn": schema.StringAttribute{
				MarkdownDescription: "Event bus of another account (the central account) to forward the events to, whose policy must accept `events:PutEvents` from this account. " +
					"Needs `role_arn`. Exactly one of `function_arn` and `target_event_bus_arn` is required. Changed in place.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.RegexMatches(eventBusPattern, "must be an event bus ARN (arn:aws:events:REGION:ACCOUNT:event-bus/NAME)")},
			},
			"role_arn": schema.StringAttribute{
				MarkdownDescription: "Role EventBridge assumes to put the events on `target_event_bus_arn`: its trust policy must allow `" + pipelinepolicy.EventsService +
					"` and its permissions `events:PutEvents` on the bus. Checked at plan time. Only with `target_event_bus_arn`. Changed in place.",
				Optional: true,
				Validators: []validator.String{
					stringvalidator.RegexMatches(roleARNPattern, "must be an IAM role ARN"),
					stringvalidator.AlsoRequires(path.MatchRoot("target_event_bus_arn")),
				},
			},
			"enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether the rules match events. Defaults to `true`. Changed in place.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
			},
			"tags":     tagsAttribute("Tags of each rule, merged over the provider's `default_tags` (the merged set is `tags_all`). Changed in place."),
			"tags_all": tagsAllAttribute(),
			"rule_arns": schema.MapAttribute{
				MarkdownDescription: "ARN of each rule, by kind. A rule deleted or changed outside Terraform is missing here and is put back by the next apply.",
				Computed:            true,
				ElementType:         types.StringType,
			},
			"event_patterns": schema.MapAttribute{
				MarkdownDescription: "Event pattern (JSON) of each rule, by kind.",
				Computed:            true,
				ElementType:         types.StringType,
			},
			"lambda_permission_statement_ids": schema.MapAttribute{
				MarkdownDescription: "Statement id, by kind, of the function policy permission for each rule; empty when the rules forward to an event bus.",
				Computed:            true,
				ElementType:         types.StringType,
			},
		},
	}
}

func (r *inventoryRulesResource) ConfigValidators(_ context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("function_arn"), path.MatchRoot("target_event_bus_arn")),
		resourcevalidator.RequiredTogether(path.MatchRoot("target_event_bus_arn"), path.MatchRoot("role_arn")),
	}
}

// kinds returns the rule kinds of the model, sorted; ok is false while unknown.
func (m inventoryRulesModel) kinds(ctx context.Context) ([]string, bool) {
	if m.Rules.IsNull() || m.Rules.IsUnknown() {
		return nil, false
	}
	var kinds []string
	if diags := m.Rules.ElementsAs(ctx, &kinds, false); diags.HasError() {
		return nil, false
	}
	slices.Sort(kinds)
	return kinds, true
}

func (r *inventoryRulesResource) ruleARN(ctx context.Context, account, bus, rule string) string {
	if bus == "default" {
		return r.data.regionalARNOf(ctx, "events", account, "rule/"+rule)
	}
	return r.data.regionalARNOf(ctx, "events", account, "rule/"+bus+"/"+rule)
}

// planComputed fills the rule ARNs, patterns and statement ids from the configuration.
func (r *inventoryRulesResource) planComputed(ctx context.Context, m *inventoryRulesModel, diags *diag.Diagnostics) {
	kinds, ok := m.kinds(ctx)
	if !ok || !valueKnown(m.Name) || !valueKnown(m.EventBusName) || m.FunctionARN.IsUnknown() {
		m.RuleARNs, m.EventPatterns, m.LambdaPermissionStatementIDs = types.MapUnknown(types.StringType), types.MapUnknown(types.StringType), types.MapUnknown(types.StringType)
		return
	}
	account, ok := r.data.accountID(ctx, diags)
	if !ok {
		return
	}
	m.ID = types.StringValue(m.EventBusName.ValueString() + "|" + m.Name.ValueString())
	arns, patterns, sids := map[string]string{}, map[string]string{}, map[string]string{}
	for _, kind := range kinds {
		rule := m.Name.ValueString() + "-" + kind
		arns[kind] = r.ruleARN(ctx, account, m.EventBusName.ValueString(), rule)
		patterns[kind] = inventoryEventPattern(kind)
		if !m.FunctionARN.IsNull() {
			sids[kind] = inventoryStatementID(m.EventBusName.ValueString(), rule)
		}
	}
	var d diag.Diagnostics
	m.RuleARNs, d = types.MapValueFrom(ctx, types.StringType, arns)
	diags.Append(d...)
	m.EventPatterns, d = types.MapValueFrom(ctx, types.StringType, patterns)
	diags.Append(d...)
	m.LambdaPermissionStatementIDs, d = types.MapValueFrom(ctx, types.StringType, sids)
	diags.Append(d...)
}

// inventoryStatementID names the function policy statement of one rule.
func inventoryStatementID(bus, rule string) string {
	return lambdaStatementID("vpcflow-events-", bus+"|"+rule)
}

func (r *inventoryRulesResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	defer planTagsAllOf(ctx, r.data, resp)
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	plan, ok := modelOf[inventoryRulesModel](ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	r.planComputed(ctx, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)

	kinds, ok := plan.kinds(ctx)
	if ok && slices.Contains(kinds, inventoryRuleAPICalls) && plan.Enabled.ValueBool() {
		r.warnWithoutTrail(ctx, &resp.Diagnostics)
	}
	if r.data.client.Settings.Validation == conns.ValidationOff || !valueKnown(plan.RoleARN) || !valueKnown(plan.TargetEventBusARN) || !valueKnown(plan.RuleARNs) {
		return
	}
	findings, found, err := checkExistingRole(ctx, r.data.docs, r.busRole(ctx, plan))
	switch {
	case err != nil:
		resp.Diagnostics.AddAttributeWarning(path.Root("role_arn"), "Event bus role not checked", err.Error())
	case !found:
		resp.Diagnostics.AddAttributeWarning(path.Root("role_arn"), "Event bus role not found yet",
			fmt.Sprintf("Role %s does not exist yet (it is created in this run), so it cannot be checked before the rules forward events with it.", plan.RoleARN.ValueString()))
	default:
		reportRoleFindings(&resp.Diagnostics, r.data.client.Settings.Validation, path.Root("role_arn"), "EventBridge could not forward the inventory events", findings)
	}
}

// busRole is what EventBridge does with the role of a forwarding rule:
// assume it for the rule, and put the events on the target bus.
func (r *inventoryRulesResource) busRole(ctx context.Context, m inventoryRulesModel) delivery.ServiceRole {
	var arns map[string]string
	_ = m.RuleARNs.ElementsAs(ctx, &arns, false)
	var ruleARN string
	for _, kind := range inventoryRuleKinds {
		if a, ok := arns[kind]; ok {
			ruleARN = a
			break
		}
	}
	return delivery.ServiceRole{
		RoleARN:      m.RoleARN.ValueString(),
		Service:      pipelinepolicy.EventsService,
		Caller:       "EventBridge",
		TrustContext: pipelinepolicy.EventsTrustContext(ruleARN),
		Needs:        pipelinepolicy.EventBusNeeds(m.TargetEventBusARN.ValueString()),
		Target:       "the target event bus",
		Outcome:      "the rules match and the inventory events are dropped",
	}
}

// warnWithoutTrail warns when no trail of the region would hand EC2 API
// calls to EventBridge: "AWS API Call via CloudTrail" events exist only
// for management events a logging trail records.
func (r *inventoryRulesResource) warnWithoutTrail(ctx context.Context, diags *diag.Diagnostics) {
	region := r.data.client.Region()
	recording, err := trailsRecordingManagementEvents(ctx, r.cloudTrail(), region)
	if err != nil {
		diags.AddAttributeWarning(path.Root("rules"), "CloudTrail not checked",
			fmt.Sprintf("Reading the trails of %s failed (cloudtrail:DescribeTrails, cloudtrail:GetTrailStatus, cloudtrail:GetEventSelectors), so this plan cannot tell whether the %s rule will ever fire: %s",
				region, inventoryRuleAPICalls, err))
		return
	}
	if len(recording) > 0 {
		tflog.Debug(ctx, "trails record management events", map[string]any{"trails": recording, "region": region})
		return
	}
	diags.AddAttributeWarning(path.Root("rules"), "No CloudTrail trail records management events in "+region,
		fmt.Sprintf("EventBridge receives %q events only for management events that a logging CloudTrail trail records, and no trail that covers %s does "+
			"(none exists, none is logging, or their event selectors leave out write management events). The %s rule would never fire: "+
			"the inventory would learn of new, moved and deleted network interfaces only at the next scheduled sync, and flow records in between are attributed to what it knew before.\n\n"+
			"Fix: create a multi-region trail that records management events (write-only is enough), for example aws_cloudtrail with is_multi_region_trail = true "+
			"and the default event selector, or an organization trail; or remove %q from rules.",
			contract.DetailAPICall, region, inventoryRuleAPICalls, inventoryRuleAPICalls))
}

// trailsRecordingManagementEvents returns the trails that cover the region,
// are logging and record write management events.
func trailsRecordingManagementEvents(ctx context.Context, api trailsAPI, region string) ([]string, error) {
	out, err := api.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(true)})
	if err != nil {
		return nil, err
	}
	var recording []string
	for _, t := range out.TrailList {
		if !aws.ToBool(t.IsMultiRegionTrail) && aws.ToString(t.HomeRegion) != region {
			continue
		}
		name := aws.ToString(t.TrailARN)
		if name == "" {
			name = aws.ToString(t.Name)
		}
		status, err := api.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(name)})
		if err != nil {
			return nil, fmt.Errorf("reading the status of trail %s: %w", name, err)
		}
		if !aws.ToBool(status.IsLogging) {
			continue
		}
		sel, err := api.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(name)})
		if err != nil {
			return nil, fmt.Errorf("reading the event selectors of trail %s: %w", name, err)
		}
		if selectorsRecordWriteManagementEvents(sel.EventSelectors, sel.AdvancedEventSelectors) {
			recording = append(recording, name)
		}
	}
	return recording, nil
}

// selectorsRecordWriteManagementEvents reports whether a trail's selectors
// record management events that are not read-only. A trail always has a
// selector in AWS; none at all (as a local AWS answers for a new trail) is
// the default: all management events.
func selectorsRecordWriteManagementEvents(basic []cloudtrailtypes.EventSelector, advanced []cloudtrailtypes.AdvancedEventSelector) bool {
	if len(basic) == 0 && len(advanced) == 0 {
		return true
	}
	for _, s := range basic {
		if (s.IncludeManagementEvents == nil || *s.IncludeManagementEvents) && s.ReadWriteType != cloudtrailtypes.ReadWriteTypeReadOnly {
			return true
		}
	}
	for _, s := range advanced {
		management, readOnly := false, false
		for _, f := range s.FieldSelectors {
			switch aws.ToString(f.Field) {
			case "eventCategory":
				management = slices.Contains(f.Equals, "Management")
			case "readOnly":
				readOnly = slices.Contains(f.Equals, "true")
			}
		}
		if management && !readOnly {
			return true
		}
	}
	return false
}

func (r *inventoryRulesResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan, ok := modelOf[inventoryRulesModel](ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	// PutRule overwrites a rule of the same name.
	kinds, _ := plan.kinds(ctx)
	for _, kind := range kinds {
		rule := plan.Name.ValueString() + "-" + kind
		_, err := r.events().DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(rule), EventBusName: plan.EventBusName.ValueStringPointer()})
		if err == nil {
			resp.Diagnostics.AddAttributeError(path.Root("name"), fmt.Sprintf("creating EventBridge Rule (%s)", rule),
				fmt.Sprintf("Rule %s exists already on event bus %s. Choose another name, or import the rules: terraform import <address> '%s|%s'",
					rule, plan.EventBusName.ValueString(), plan.EventBusName.ValueString(), plan.Name.ValueString()))
			return
		}
		if !isAWSNotFound(err) {
			resp.Diagnostics.AddError(fmt.Sprintf("creating EventBridge Rule (%s)", rule), err.Error())
			return
		}
	}
	// Recorded even when a rule fails, so the resource is tainted and the
	// next apply deletes the rules that were put.
	r.apply(ctx, &plan, nil, &resp.Diagnostics)
	if valueKnown(plan.RuleARNs) {
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	}
}

func (r *inventoryRulesResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, state, ok := planAndState[inventoryRulesModel](ctx, req, &resp.Diagnostics)
	if !ok {
		return
	}
	r.apply(ctx, &plan, &state, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// apply makes the rules what plan says: every rule, target and permission
// is put (all are upserts, so a rule changed or deleted outside Terraform
// is repaired), and what state has that plan does not is removed.
func (r *inventoryRulesResource) apply(ctx context.Context, plan, state *inventoryRulesModel, diags *diag.Diagnostics) {
	r.planComputed(ctx, plan, diags)
	if diags.HasError() {
		return
	}
	account, ok := r.data.accountID(ctx, diags)
	if !ok {
		return
	}
	bus, name := plan.EventBusName.ValueString(), plan.Name.ValueString()
	kinds, _ := plan.kinds(ctx)
	tags, d := tagsFromModel(ctx, plan.TagsAll)
	diags.Append(d...)
	var oldTags map[string]string
	if state != nil {
		oldTags, d = tagsFromModel(ctx, state.TagsAll)
		diags.Append(d...)
	}
	if diags.HasError() {
		return
	}
	ruleState := eventbridgetypes.RuleStateEnabled
	if !plan.Enabled.ValueBool() {
		ruleState = eventbridgetypes.RuleStateDisabled
	}
	target := eventbridgetypes.Target{Id: aws.String(inventoryTargetID), Arn: plan.FunctionARN.ValueStringPointer()}
	if !plan.TargetEventBusARN.IsNull() {
		target = eventbridgetypes.Target{Id: aws.String(inventoryTargetID), Arn: plan.TargetEventBusARN.ValueStringPointer(), RoleArn: plan.RoleARN.ValueStringPointer()}
	}

	for _, kind := range kinds {
		rule := name + "-" + kind
		ruleARN := r.ruleARN(ctx, account, bus, rule)
		in := &eventbridge.PutRuleInput{
			Name:         aws.String(rule),
			EventBusName: aws.String(bus),
			EventPattern: aws.String(inventoryEventPattern(kind)),
			State:        ruleState,
			Description:  aws.String("vpcflow inventory: " + kind),
		}
		existed := state != nil && mapHas(ctx, state.RuleARNs, kind)
		if !existed && len(tags) > 0 {
			in.Tags = eventbridgeTags(tags)
		}
		if _, err := r.events().PutRule(ctx, in); err != nil {
			diags.AddError(fmt.Sprintf("putting EventBridge Rule (%s)", rule), err.Error())
			return
		}
		if existed {
			if err := updateEventBridgeTags(ctx, r.events(), ruleARN, oldTags, tags); err != nil {
				diags.AddError(fmt.Sprintf("updating tags of EventBridge Rule (%s)", rule), err.Error())
				return
			}
		}
		if !plan.FunctionARN.IsNull() {
			p := lambdaPermission{
				Function: plan.FunctionARN.ValueString(), StatementID: inventoryStatementID(bus, rule),
				Principal: pipelinepolicy.EventsService, SourceARN: ruleARN, SourceAccount: account,
			}
			if err := ensureLambdaPermission(ctx, r.lambda(), p); err != nil {
				diags.AddAttributeError(path.Root("function_arn"), fmt.Sprintf("allowing EventBridge Rule (%s) to invoke Lambda Function", rule), err.Error())
				return
			}
		}
		if err := putTargets(ctx, r.events(), &eventbridge.PutTargetsInput{Rule: aws.String(rule), EventBusName: aws.String(bus), Targets: []eventbridgetypes.Target{target}}); err != nil {
			diags.AddError(fmt.Sprintf("putting the target of EventBridge Rule (%s)", rule), err.Error())
			return
		}
		// A function replaced by a bus keeps no permission for the rule.
		if state != nil && !state.FunctionARN.IsNull() && !plan.FunctionARN.Equal(state.FunctionARN) {
			if err := removeLambdaPermission(ctx, r.lambda(), state.FunctionARN.ValueString(), inventoryStatementID(bus, rule)); err != nil {
				diags.AddWarning("Old function permission left in place", err.Error())
			}
		}
	}
	if state != nil {
		stateKinds, _ := state.kinds(ctx)
		for _, kind := range stateKinds {
			if !slices.Contains(kinds, kind) {
				if err := r.deleteRule(ctx, *state, kind); err != nil {
					diags.AddError(fmt.Sprintf("deleting EventBridge Rule (%s-%s)", name, kind), err.Error())
					return
				}
			}
		}
	}
	tflog.Info(ctx, "put inventory rules", map[string]any{"rules": kinds, "event_bus": bus})
}

func mapHas(ctx context.Context, m types.Map, key string) bool {
	var values map[string]string
	if m.IsNull() || m.IsUnknown() || m.ElementsAs(ctx, &values, false).HasError() {
		return false
	}
	_, ok := values[key]
	return ok
}

// updateEventBridgeTags makes a rule's tags want, from have.
func updateEventBridgeTags(ctx context.Context, api inventoryRulesAPI, ruleARN string, have, want map[string]string) error {
	return tagger{
		untag: func(ctx context.Context, keys []string) error {
			return errOf(api.UntagResource(ctx, &eventbridge.UntagResourceInput{ResourceARN: aws.String(ruleARN), TagKeys: keys}))
		},
		tag: func(ctx context.Context, tags map[string]string) error {
			return errOf(api.TagResource(ctx, &eventbridge.TagResourceInput{ResourceARN: aws.String(ruleARN), Tags: eventbridgeTags(tags)}))
		},
	}.apply(ctx, have, want)
}

func eventbridgeTags(tags map[string]string) []eventbridgetypes.Tag {
	out := make([]eventbridgetypes.Tag, 0, len(tags))
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, eventbridgetypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}

// deleteRule removes the rule's target, the rule and the function
// permission; what is already gone is not an error.
func (r *inventoryRulesResource) deleteRule(ctx context.Context, m inventoryRulesModel, kind string) error {
	bus, rule := m.EventBusName.ValueString(), m.Name.ValueString()+"-"+kind
	_, err := r.events().RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String(rule), EventBusName: aws.String(bus), Ids: []string{inventoryTargetID}})
	if err != nil && !isAWSNotFound(err) {
		return fmt.Errorf("removing the target: %w", err)
	}
	_, err = r.events().DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String(rule), EventBusName: aws.String(bus)})
	if err != nil && !isAWSNotFound(err) {
		return err
	}
	if !m.FunctionARN.IsNull() {
		return removeLambdaPermission(ctx, r.lambda(), m.FunctionARN.ValueString(), inventoryStatementID(bus, rule))
	}
	return nil
}

func (r *inventoryRulesResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readResource(ctx, req, resp, r.readInto, func(m *inventoryRulesModel) (string, string) {
		return "EventBridge Rules not found", fmt.Sprintf("None of the inventory rules %s exists any more; removing them from the state. The next plan creates them again.", m.ID.ValueString())
	})
}

// readInto refreshes m from EventBridge and the function's policy; it
// returns false when none of the rules exists. A rule that is missing or
// differs from what the provider puts (pattern, target, permission) is left
// out of rule_arns, so the plan shows the change that puts it back.
func (r *inventoryRulesResource) readInto(ctx context.Context, m *inventoryRulesModel, diags *diag.Diagnostics) bool {
	bus, name, ok := strings.Cut(m.ID.ValueString(), "|")
	if !ok {
		diags.AddError("reading EventBridge Rules", fmt.Sprintf("ID %q is not EVENT_BUS_NAME|NAME", m.ID.ValueString()))
		return false
	}
	m.EventBusName, m.Name = types.StringValue(bus), types.StringValue(name)
	account, ok := r.data.accountID(ctx, diags)
	if !ok {
		return false
	}
	_, known := m.kinds(ctx)
	arns, patterns, sids := map[string]string{}, map[string]string{}, map[string]string{}
	var present []string
	var firstARN string
	var targetSet bool
	for _, kind := range inventoryRuleKinds {
		rule := name + "-" + kind
		out, err := r.events().DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(rule), EventBusName: aws.String(bus)})
		if isAWSNotFound(err) {
			continue
		}
		if err != nil {
			diags.AddError(fmt.Sprintf("reading EventBridge Rule (%s)", rule), err.Error())
			return false
		}
		present = append(present, kind)
		ruleARN := aws.ToString(out.Arn)
		if firstARN == "" {
			firstARN = ruleARN
			m.Enabled = types.BoolValue(out.State != eventbridgetypes.RuleStateDisabled)
		}
		intact := pipelinepolicy.Equivalent(aws.ToString(out.EventPattern), inventoryEventPattern(kind))

		targets, err := r.events().ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String(rule), EventBusName: aws.String(bus)})
		if err != nil {
			diags.AddError(fmt.Sprintf("listing the targets of EventBridge Rule (%s)", rule), err.Error())
			return false
		}
		var target *eventbridgetypes.Target
		for i := range targets.Targets {
			if aws.ToString(targets.Targets[i].Id) == inventoryTargetID {
				target = &targets.Targets[i]
			}
		}
		switch {
		case target == nil:
			intact = false
		case !targetSet:
			// The first rule's target says where the rules send (after an import).
			targetSet = true
			if strings.Contains(aws.ToString(target.Arn), ":lambda:") {
				m.FunctionARN, m.TargetEventBusARN, m.RoleARN = types.StringValue(aws.ToString(target.Arn)), types.StringNull(), types.StringNull()
			} else {
				m.FunctionARN = types.StringNull()
				m.TargetEventBusARN, m.RoleARN = types.StringValue(aws.ToString(target.Arn)), flowLogNullIfEmpty(aws.ToString(target.RoleArn))
			}
		case aws.ToString(target.Arn) != m.FunctionARN.ValueString()+m.TargetEventBusARN.ValueString():
			intact = false
		}
		if !m.FunctionARN.IsNull() && target != nil {
			sid := inventoryStatementID(bus, rule)
			has, err := hasLambdaPermission(ctx, r.lambda(), lambdaPermission{
				Function: m.FunctionARN.ValueString(), StatementID: sid, Principal: pipelinepolicy.EventsService, SourceARN: ruleARN, SourceAccount: account,
			})
			if err != nil {
				diags.AddError(fmt.Sprintf("reading the policy of Lambda Function (%s)", m.FunctionARN.ValueString()), err.Error())
				return false
			}
			if has {
				sids[kind] = sid
			}
		}
		patterns[kind] = inventoryEventPattern(kind)
		if intact {
			arns[kind] = ruleARN
		}
	}
	if len(present) == 0 {
		return false
	}
	var d diag.Diagnostics
	// After an import, the rules that exist are the ones configured.
	if !known {
		m.Rules, d = types.SetValueFrom(ctx, types.StringType, present)
		diags.Append(d...)
	}
	m.RuleARNs, d = types.MapValueFrom(ctx, types.StringType, arns)
	diags.Append(d...)
	m.EventPatterns, d = types.MapValueFrom(ctx, types.StringType, patterns)
	diags.Append(d...)
	m.LambdaPermissionStatementIDs, d = types.MapValueFrom(ctx, types.StringType, sids)
	diags.Append(d...)

	tags, err := r.events().ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: aws.String(firstARN)})
	if err != nil {
		diags.AddError(fmt.Sprintf("listing tags of EventBridge Rule (%s)", firstARN), err.Error())
		return false
	}
	tagMap := map[string]string{}
	for _, t := range tags.Tags {
		tagMap[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	m.Tags, m.TagsAll, d = readTags(ctx, tagMap, r.data.tagDefaults(), m.Tags)
	diags.Append(d...)
	return true
}

func (r *inventoryRulesResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	state, ok := modelOf[inventoryRulesModel](ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	kinds, _ := state.kinds(ctx)
	for _, kind := range kinds {
		if err := r.deleteRule(ctx, state, kind); err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("deleting EventBridge Rule (%s-%s)", state.Name.ValueString(), kind), err.Error())
			return
		}
	}
}

func (r *inventoryRulesResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	bus, name, ok := r.splitImportID(req.ID, "EVENT_BUS_NAME|NAME", &resp.Diagnostics)
	if !ok {
		return
	}
	importAs(ctx, resp, map[string]string{"id": req.ID, "name": name, "event_bus_name": bus})
}
