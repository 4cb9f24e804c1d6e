package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	configtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
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

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/coveragescan"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/pipelinepolicy"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/rolepolicy"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/conns"
)

var (
	_ resource.Resource                   = &complianceResource{}
	_ resource.ResourceWithConfigure      = &complianceResource{}
	_ resource.ResourceWithImportState    = &complianceResource{}
	_ resource.ResourceWithModifyPlan     = &complianceResource{}
	_ resource.ResourceWithValidateConfig = &complianceResource{}
)

// Remediation modes of vpcflow_compliance.
const (
	remediationAutomatic = "automatic"
	remediationManual    = "manual"
	remediationNone      = "none"
)

var remediationModes = []string{remediationAutomatic, remediationManual, remediationNone}

// complianceDestinationTypes are the destinations the remediation creates flow logs to.
var complianceDestinationTypes = []string{delivery.DestinationCloudWatchLogs, delivery.DestinationS3}

// complianceFrequencies are AWS Config's MaximumExecutionFrequency values.
var complianceFrequencies = []string{
	string(configtypes.MaximumExecutionFrequencyOneHour), string(configtypes.MaximumExecutionFrequencyThreeHours),
	string(configtypes.MaximumExecutionFrequencySixHours), string(configtypes.MaximumExecutionFrequencyTwelveHours),
	string(configtypes.MaximumExecutionFrequencyTwentyFourHours),
}

// Names of what the resource creates, from its name.
const (
	complianceDocumentSuffix   = "-CreateFlowLog"
	complianceAutomationSuffix = "-automation"
	complianceDeliverySuffix   = "-delivery"
	// complianceNameMax keeps NAME-automation within IAM's 64 characters.
	complianceNameMax = 64 - len(complianceAutomationSuffix)
)

// Keys of the components attribute.
const (
	componentRule           = "config_rule"
	componentDocument       = "document"
	componentAutomationRole = "automation_role"
	componentDeliveryRole   = "delivery_role"
	componentRemediation    = "remediation"
)

var (
	complianceNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	s3DestinationPattern  = regexp.MustCompile(`^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$`)
	// SSM refuses document names that start with these, in any case.
	ssmReservedPrefixes = []string{"aws", "amazon", "amzn"}
)

// complianceConfigAPI is the part of AWS Config the resource uses.
type complianceConfigAPI interface {
	PutConfigRule(context.Context, *configservice.PutConfigRuleInput, ...func(*configservice.Options)) (*configservice.PutConfigRuleOutput, error)
	DescribeConfigRules(context.Context, *configservice.DescribeConfigRulesInput, ...func(*configservice.Options)) (*configservice.DescribeConfigRulesOutput, error)
	DeleteConfigRule(context.Context, *configservice.DeleteConfigRuleInput, ...func(*configservice.Options)) (*configservice.DeleteConfigRuleOutput, error)
	PutRemediationConfigurations(context.Context, *configservice.PutRemediationConfigurationsInput, ...func(*configservice.Options)) (*configservice.PutRemediationConfigurationsOutput, error)
	DescribeRemediationConfigurations(context.Context, *configservice.DescribeRemediationConfigurationsInput, ...func(*configservice.Options)) (*configservice.DescribeRemediationConfigurationsOutput, error)
	DeleteRemediationConfiguration(context.Context, *configservice.DeleteRemediationConfigurationInput, ...func(*configservice.Options)) (*configservice.DeleteRemediationConfigurationOutput, error)
	DescribeConfigurationRecorderStatus(context.Context, *configservice.DescribeConfigurationRecorderStatusInput, ...func(*configservice.Options)) (*configservice.DescribeConfigurationRecorderStatusOutput, error)
	TagResource(context.Context, *configservice.TagResourceInput, ...func(*configservice.Options)) (*configservice.TagResourceOutput, error)
	UntagResource(context.Context, *configservice.UntagResourceInput, ...func(*configservice.Options)) (*configservice.UntagResourceOutput, error)
	ListTagsForResource(context.Context, *configservice.ListTagsForResourceInput, ...func(*configservice.Options)) (*configservice.ListTagsForResourceOutput, error)
}

// complianceSSMAPI is the part of Systems Manager the resource uses.
type complianceSSMAPI interface {
	CreateDocument(context.Context, *ssm.CreateDocumentInput, ...func(*ssm.Options)) (*ssm.CreateDocumentOutput, error)
	GetDocument(context.Context, *ssm.GetDocumentInput, ...func(*ssm.Options)) (*ssm.GetDocumentOutput, error)
	DescribeDocument(context.Context, *ssm.DescribeDocumentInput, ...func(*ssm.Options)) (*ssm.DescribeDocumentOutput, error)
	UpdateDocument(context.Context, *ssm.UpdateDocumentInput, ...func(*ssm.Options)) (*ssm.UpdateDocumentOutput, error)
	UpdateDocumentDefaultVersion(context.Context, *ssm.UpdateDocumentDefaultVersionInput, ...func(*ssm.Options)) (*ssm.UpdateDocumentDefaultVersionOutput, error)
	DeleteDocument(context.Context, *ssm.DeleteDocumentInput, ...func(*ssm.Options)) (*ssm.DeleteDocumentOutput, error)
	AddTagsToResource(context.Context, *ssm.AddTagsToResourceInput, ...func(*ssm.Options)) (*ssm.AddTagsToResourceOutput, error)
	RemoveTagsFromResource(context.Context, *ssm.RemoveTagsFromResourceInput, ...func(*ssm.Options)) (*ssm.RemoveTagsFromResourceOutput, error)
	ListTagsForResource(context.Context, *ssm.ListTagsForResourceInput, ...func(*ssm.Options)) (*ssm.ListTagsForResourceOutput, error)
}

func newComplianceResource() resource.Resource {
	return &complianceResource{resourceBase: resourceBase{typeName: "compliance"}}
}

type complianceResource struct {
	resourceBase
	retry propagationRetry
	// documentActiveTimeout bounds the wait for a new document version.
	documentActiveTimeout time.Duration
}

func (r *complianceResource) config() complianceConfigAPI { return r.data.client.ConfigService() }

func (r *complianceResource) ssm() complianceSSMAPI { return r.data.client.SSM() }

func (r *complianceResource) iam() deliveryRoleAPI { return r.data.client.IAM() }

type complianceModel struct {
	ID                        types.String `tfsdk:"id"`
	Name                      types.String `tfsdk:"name"`
	TrafficType               types.String `tfsdk:"traffic_type"`
	LogDestinationType        types.String `tfsdk:"log_destination_type"`
	LogDestination            types.String `tfsdk:"log_destination"`
	MaximumExecutionFrequency types.String `tfsdk:"maximum_execution_frequency"`
	Remediation               types.String `tfsdk:"remediation"`
	MaximumAutomaticAttempts  types.Int64  `tfsdk:"maximum_automatic_attempts"`
	RetryAttemptSeconds       types.Int64  `tfsdk:"retry_attempt_seconds"`
	Tags                      types.Map    `tfsdk:"tags"`
	TagsAll                   types.Map    `tfsdk:"tags_all"`
	ConfigRuleARN             types.String `tfsdk:"config_rule_arn"`
	DocumentName              types.String `tfsdk:"document_name"`
	DocumentARN               types.String `tfsdk:"document_arn"`
	AutomationRoleARN         types.String `tfsdk:"automation_role_arn"`
	DeliveryRoleARN           types.String `tfsdk:"delivery_role_arn"`
	Components                types.Map    `tfsdk:"components"`
}

func (r *complianceResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Keeps every VPC of the region logged, including VPCs created outside Terraform: the AWS Config managed rule `" +
			coveragescan.ConfigRuleIdentifier + "` (the CIS AWS Foundations control \"VPC flow logging is enabled in all VPCs\") finds VPCs without a flow log, " +
			"and an automatic remediation creates one for each. The resource creates, all named after `name`:\n\n" +
			"* the Config rule `NAME`, with `trafficType` = `traffic_type`, evaluated every `maximum_execution_frequency`;\n" +
			"* the Systems Manager Automation document `NAME" + complianceDocumentSuffix + "`, which calls `ec2:CreateFlowLogs` for the VPC (tagged `" +
			coveragescan.RemediationTagKey + " = NAME`) and then asserts that the VPC has an active flow log, so a refusal shows as a failed remediation;\n" +
			"* the role `NAME" + complianceAutomationSuffix + "` Automation assumes, trusted by `" + coveragescan.SSMService + "` for executions of this account only, " +
			"allowed to create and tag flow logs, describe them and pass the delivery role to VPC Flow Logs only;\n" +
			"* for a CloudWatch Logs destination, the delivery role `NAME" + complianceDeliverySuffix + "` (as `vpcflow_delivery_role` writes it);\n" +
			"* the remediation configuration that attaches the document to the rule (`remediation`).\n\n" +
			"Every plan checks both roles and the destination with the provider's delivery checker, so the remediation cannot create flow logs that " +
			"deliver nothing. AWS Config must be recording in the region (a configuration recorder, which this resource does not create); the plan warns when it is not.",
		Attributes: map[string]schema.Attribute{
			"id": computedStable("The Config rule's name, the import ID."),
			"name": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Name of the Config rule, and prefix of the document and roles: at most %d letters, digits, `-` and `_`, "+
					"not starting with %s. Defaults to `vpc-flow-logs-enabled`. Changing it replaces everything.", complianceNameMax, quotedList(ssmReservedPrefixes)),
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString("vpc-flow-logs-enabled"),
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, complianceNameMax),
					stringvalidator.RegexMatches(complianceNamePattern, "may contain only letters, digits, - and _"),
				},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"traffic_type": schema.StringAttribute{
				MarkdownDescription: "Traffic a VPC's flow log must record to be compliant, and the traffic the remediation's flow logs record: " +
					quotedList(coveragescan.TrafficTypes) + ". Defaults to `ALL`. Changed in place.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(coveragescan.TrafficAll),
				Validators: []validator.String{stringvalidator.OneOf(coveragescan.TrafficTypes...)},
			},
			"log_destination_type": schema.StringAttribute{
				MarkdownDescription: "Where the remediation's flow logs deliver: " + quotedList(complianceDestinationTypes) +
					". Defaults to `cloud-watch-logs`, which needs the delivery role this resource creates. Changing it replaces everything.",
				Optional:      true,
				Computed:      true,
				Default:       stringdefault.StaticString(delivery.DestinationCloudWatchLogs),
				Validators:    []validator.String{stringvalidator.OneOf(complianceDestinationTypes...)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"log_destination": schema.StringAttribute{
				MarkdownDescription: "ARN of the log group (in the provider's account and region; `vpcflow_log_group.arn`) or of the bucket, " +
					"with an optional prefix (`arn:aws:s3:::BUCKET/PREFIX`), the remediation's flow logs deliver to. " +
					"The plan checks the delivery role against it, and the bucket or key policy as it is. Changed in place.",
				Required: true,
			},
			"maximum_execution_frequency": schema.StringAttribute{
				MarkdownDescription: "How often AWS Config evaluates the rule (it is periodic): " + quotedList(complianceFrequencies) +
					". Defaults to `TwentyFour_Hours`. Changed in place.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(string(configtypes.MaximumExecutionFrequencyTwentyFourHours)),
				Validators: []validator.String{stringvalidator.OneOf(complianceFrequencies...)},
			},
			"remediation": schema.StringAttribute{
				MarkdownDescription: "How the document is attached to the rule: " + quotedList(remediationModes) + ". Defaults to `automatic`: " +
					"Config runs it for each non-compliant VPC. `manual` attaches it for the console's Remediate button. `none` skips the remediation " +
					"configuration altogether (`PutRemediationConfigurations`, `DescribeRemediationConfigurations` and `DeleteRemediationConfiguration` are not called); " +
					"the rule, the document and the roles are still created, and nothing runs the document: for an AWS that lacks the remediation API, " +
					"such as a local emulator, or to attach the document elsewhere. Changed in place.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(remediationAutomatic),
				Validators: []validator.String{stringvalidator.OneOf(remediationModes...)},
			},
			"maximum_automatic_attempts": schema.Int64Attribute{
				MarkdownDescription: "Failed automatic remediations of a VPC Config tries before it gives up on it. Defaults to 5. Changed in place.",
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(5),
				Validators:          []validator.Int64{int64validator.Between(1, 25)},
			},
			"retry_attempt_seconds": schema.Int64Attribute{
				MarkdownDescription: "Period in seconds within which Config counts `maximum_automatic_attempts`. Defaults to 60. Changed in place.",
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(60),
				Validators:          []validator.Int64{int64validator.Between(1, 2678000)},
			},
			"tags":            tagsAttribute("Tags of the rule, the document and the roles, merged over the provider's `default_tags` (the merged set is `tags_all`). Changed in place."),
			"tags_all":        tagsAllAttribute(),
			"config_rule_arn": computedStable("ARN of the Config rule."),
			"document_name": schema.StringAttribute{
				MarkdownDescription: "Name of the Automation document, `NAME" + complianceDocumentSuffix + "`.",
				Computed:            true,
			},
			"document_arn": schema.StringAttribute{
				MarkdownDescription: "ARN of the Automation document.",
				Computed:            true,
			},
			"automation_role_arn": schema.StringAttribute{
				MarkdownDescription: "ARN of the role Automation assumes, `NAME" + complianceAutomationSuffix + "`.",
				Computed:            true,
			},
			"delivery_role_arn": schema.StringAttribute{
				MarkdownDescription: "ARN of the delivery role of a CloudWatch Logs destination, `NAME" + complianceDeliverySuffix + "`; null for S3.",
				Computed:            true,
			},
			"components": schema.MapAttribute{
				MarkdownDescription: "What exists as the provider wrote it, by kind (`" + strings.Join([]string{componentRule, componentDocument,
					componentAutomationRole, componentDeliveryRole, componentRemediation}, "`, `") + "`) to name. A component deleted or changed outside " +
					"Terraform drops out, and the next plan shows the update that puts it back.",
				Computed:    true,
				ElementType: types.StringType,
			},
		},
	}
}

func (r *complianceResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m complianceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if valueKnown(m.Name) {
		for _, p := range ssmReservedPrefixes {
			if strings.HasPrefix(strings.ToLower(m.Name.ValueString()), p) {
				resp.Diagnostics.AddAttributeError(path.Root("name"), "Name reserved by Systems Manager",
					fmt.Sprintf("The Automation document would be named %s%s, and Systems Manager refuses document names that start with %q. Choose another name.",
						m.Name.ValueString(), complianceDocumentSuffix, p))
			}
		}
	}
	if !valueKnown(m.LogDestination) || m.LogDestinationType.IsUnknown() {
		return
	}
	dest := m.LogDestination.ValueString()
	switch m.LogDestinationType.ValueString() {
	case delivery.DestinationS3:
		if !s3DestinationPattern.MatchString(dest) {
			resp.Diagnostics.AddAttributeError(path.Root("log_destination"), "Not a bucket ARN",
				fmt.Sprintf("log_destination_type is s3, so log_destination must be a bucket ARN with an optional prefix (arn:aws:s3:::BUCKET/PREFIX); got %q.", dest))
		}
	default:
		if !rolepolicy.LogGroupARNPattern().MatchString(dest) {
			resp.Diagnostics.AddAttributeError(path.Root("log_destination"), "Not a log group ARN",
				fmt.Sprintf("log_destination_type is cloud-watch-logs, so log_destination must be a log group ARN (arn:aws:logs:REGION:ACCOUNT:log-group:NAME); got %q.", dest))
		}
	}
}

// complianceNames are what the resource's parts are called.
type complianceNames struct {
	rule, document, automationRole, deliveryRole string
}

func namesOf(name string) complianceNames {
	return complianceNames{rule: name, document: name + complianceDocumentSuffix,
		automationRole: name + complianceAutomationSuffix, deliveryRole: name + complianceDeliverySuffix}
}

// compliancePlan is what the resource writes for a model.
type compliancePlan struct {
	names                          complianceNames
	rem                            coveragescan.Remediation
	document                       string
	automationTrust, automationPol string
	deliveryTrust, deliveryPol     string
	documentARN                    string
	components                     map[string]string
}

// render computes every document and name of the model; the account comes
// from STS (once per provider configuration).
func (r *complianceResource) render(ctx context.Context, m complianceModel) (*compliancePlan, error) {
	account, err := r.data.client.AccountID(ctx)
	if err != nil {
		return nil, err
	}
	region, part := r.data.client.Region(), r.data.callerPartition(ctx)
	n := namesOf(m.Name.ValueString())
	p := &compliancePlan{names: n, documentARN: fmt.Sprintf("arn:%s:ssm:%s:%s:document/%s", part, region, account, n.document)}
	p.rem = coveragescan.Remediation{
		Partition: part, Account: account, Region: region, RuleName: n.rule, TrafficType: m.TrafficType.ValueString(),
		DestinationType: m.LogDestinationType.ValueString(), Destination: strings.TrimSuffix(m.LogDestination.ValueString(), ":*"),
		AutomationRoleARN: iamRoleARN(part, account, "/", n.automationRole),
	}
	p.components = map[string]string{componentRule: n.rule, componentDocument: n.document, componentAutomationRole: n.automationRole}
	if p.rem.DestinationType == delivery.DestinationCloudWatchLogs {
		p.rem.DeliveryRoleARN = iamRoleARN(part, account, "/", n.deliveryRole)
		p.components[componentDeliveryRole] = n.deliveryRole
		if p.deliveryTrust, err = rolepolicy.TrustDocument(rolepolicy.Trust{Partition: part, Account: account, Regions: []string{region}}); err != nil {
			return nil, err
		}
		// A log group deleted later comes back at the next delivery, rather
		// than every remediated flow log failing.
		perms := rolepolicy.Permissions{LogGroupARNs: []string{p.rem.Destination}, AllowCreateLogGroup: true}
		if p.deliveryPol, err = rolepolicy.PermissionsDocument(perms); err != nil {
			return nil, err
		}
	}
	if m.Remediation.ValueString() != remediationNone {
		p.components[componentRemediation] = m.Remediation.ValueString()
	}
	if p.document, err = p.rem.Document(); err != nil {
		return nil, err
	}
	if p.automationTrust, err = p.rem.AutomationTrustDocument(); err != nil {
		return nil, err
	}
	if p.automationPol, err = p.rem.AutomationPermissionsDocument(); err != nil {
		return nil, err
	}
	return p, nil
}

// ModifyPlan fills in the names and ARNs, which follow from the name, and
// checks what the remediation would create: the Automation role against
// what the document does, and the delivery role and destination against
// what VPC Flow Logs needs. It also warns when AWS Config is not recording.
func (r *complianceResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	defer planTagsAllOf(ctx, r.data, resp)
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	plan, ok := modelOf[complianceModel](ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	if !valueKnown(plan.Name) || !valueKnown(plan.LogDestination) || !valueKnown(plan.LogDestinationType) ||
		!valueKnown(plan.TrafficType) || !valueKnown(plan.Remediation) {
		return
	}
	p, err := r.render(ctx, plan)
	if err != nil {
		resp.Diagnostics.AddError("planning vpcflow_compliance", err.Error())
		return
	}
	plan.ID = types.StringValue(p.names.rule)
	plan.DocumentName = types.StringValue(p.names.document)
	plan.DocumentARN = types.StringValue(p.documentARN)
	plan.AutomationRoleARN = types.StringValue(p.rem.AutomationRoleARN)
	plan.DeliveryRoleARN = flowLogNullIfEmpty(p.rem.DeliveryRoleARN)
	var d diag.Diagnostics
	plan.Components, d = types.MapValueFrom(ctx, types.StringType, p.components)
	resp.Diagnostics.Append(d...)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)

	mode := r.data.client.Settings.Validation
	if mode == conns.ValidationOff {
		return
	}
	if p.rem.DestinationType == delivery.DestinationCloudWatchLogs {
		g, err := rolepolicy.ParseLogGroupARN(p.rem.Destination)
		if err == nil && (g.Account != p.rem.Account || g.Region != p.rem.Region) {
			resp.Diagnostics.AddAttributeError(path.Root("log_destination"), "Log group outside the rule's account and region",
				fmt.Sprintf("Log group %s is in account %s, region %s, but the rule remediates VPCs of account %s in %s, and VPC Flow Logs "+
					"delivers to CloudWatch Logs only in the flow log's own account and region: every remediated flow log would fail. "+
					"Use a log group of %s in %s, or deliver to S3.", g.Name, g.Account, g.Region, p.rem.Account, p.rem.Region, p.rem.Account, p.rem.Region))
			return
		}
	}
	findings := delivery.CheckServiceRole(p.rem.AutomationRole(p.automationTrust, p.automationPol))
	reportRoleFindings(&resp.Diagnostics, mode, path.Root("automation_role_arn"), "The remediation could not create flow logs", findings)

	spec := deliverySpec{
		DestinationType: p.rem.DestinationType, DestinationARN: p.rem.Destination,
		Account: p.rem.Account, Region: p.rem.Region, RoleARN: p.rem.DeliveryRoleARN,
	}
	if p.rem.DestinationType == delivery.DestinationCloudWatchLogs {
		spec.TrustPolicy, spec.PermissionPolicies, spec.PermissionsBoundary = &p.deliveryTrust, []string{p.deliveryPol}, aws.String("")
	}
	findings, err = checkFlowLogDelivery(ctx, r.data, spec)
	if err != nil {
		resp.Diagnostics.AddAttributeWarning(path.Root("log_destination"), "Remediation destination not checked",
			fmt.Sprintf("Reading the destination's policies failed, so this plan cannot tell whether the remediated flow logs will deliver: %s", err))
	} else {
		reportRoleFindings(&resp.Diagnostics, mode, path.Root("log_destination"), "The remediated flow logs would deliver nothing", findings)
	}
	r.warnWithoutRecorder(ctx, &resp.Diagnostics)
}

// warnWithoutRecorder warns when no configuration recorder is recording in
// the region: Config then evaluates no rule, and nothing is remediated.
func (r *complianceResource) warnWithoutRecorder(ctx context.Context, diags *diag.Diagnostics) {
	out, err := r.config().DescribeConfigurationRecorderStatus(ctx, &configservice.DescribeConfigurationRecorderStatusInput{})
	if err != nil {
		tflog.Debug(ctx, "configuration recorder status not read", map[string]any{"error": err.Error()})
		return
	}
	for _, s := range out.ConfigurationRecordersStatus {
		if s.Recording {
			return
		}
	}
	diags.AddWarning("AWS Config is not recording in "+r.data.client.Region(),
		"No configuration recorder records in this region, so AWS Config evaluates no rule: the rule will report nothing and no VPC will be remediated. "+
			"Fix: create a configuration recorder that records AWS::EC2::VPC (or all resources) and a delivery channel, and start it "+
			"(aws_config_configuration_recorder, aws_config_delivery_channel, aws_config_configuration_recorder_status).")
}

func (r *complianceResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan, ok := modelOf[complianceModel](ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	name := plan.Name.ValueString()
	// PutConfigRule overwrites a rule of the same name.
	_, err := r.describeRule(ctx, name)
	switch {
	case err == nil:
		resp.Diagnostics.AddAttributeError(path.Root("name"), fmt.Sprintf("creating Config Rule (%s)", name),
			fmt.Sprintf("Config rule %s exists already. Choose another name, or import it: terraform import <address> %s", name, name))
		return
	case !isNotFound(err):
		resp.Diagnostics.AddError(fmt.Sprintf("reading Config Rule (%s)", name), err.Error())
		return
	}
	// Recorded even when a step fails: the resource is then tainted, and
	// the next apply deletes what was created.
	r.apply(ctx, &plan, nil, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *complianceResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, state, ok := planAndState[complianceModel](ctx, req, &resp.Diagnostics)
	if !ok {
		return
	}
	r.apply(ctx, &plan, &state, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// apply makes every part what plan says, in dependency order: roles, the
// document, the rule, the remediation. Each part is read first and
// written only where it differs, so a part deleted or changed outside
// Terraform is put back. On return plan holds every computed value, with
// components listing the parts that were written.
func (r *complianceResource) apply(ctx context.Context, plan, state *complianceModel, diags *diag.Diagnostics) {
	done := map[string]string{}
	defer func() {
		var d diag.Diagnostics
		plan.Components, d = types.MapValueFrom(ctx, types.StringType, done)
		diags.Append(d...)
		if plan.ConfigRuleARN.IsUnknown() {
			plan.ConfigRuleARN = types.StringValue("")
		}
	}()
	p, err := r.render(ctx, *plan)
	if err != nil {
		diags.AddError("rendering vpcflow_compliance", err.Error())
		return
	}
	plan.ID = types.StringValue(p.names.rule)
	plan.DocumentName, plan.DocumentARN = types.StringValue(p.names.document), types.StringValue(p.documentARN)
	plan.AutomationRoleARN, plan.DeliveryRoleARN = types.StringValue(p.rem.AutomationRoleARN), flowLogNullIfEmpty(p.rem.DeliveryRoleARN)
	tags, d := tagsFromModel(ctx, plan.TagsAll)
	diags.Append(d...)
	if diags.HasError() {
		return
	}

	if p.rem.DeliveryRoleARN != "" {
		role := serviceRole{Name: p.names.deliveryRole, Path: "/", Description: "VPC Flow Logs delivery role of the " + p.names.rule + " remediation",
			Trust: p.deliveryTrust, PolicyName: rolepolicy.PolicyName, Policy: p.deliveryPol, Tags: tags}
		if err := r.putRole(ctx, role); err != nil {
			diags.AddAttributeError(path.Root("delivery_role_arn"), fmt.Sprintf("putting IAM Role (%s)", role.Name), err.Error())
			return
		}
		done[componentDeliveryRole] = role.Name
	}
	auto := serviceRole{Name: p.names.automationRole, Path: "/", Description: "Systems Manager Automation role of the " + p.names.rule + " remediation",
		Trust: p.automationTrust, PolicyName: coveragescan.AutomationPolicyName, Policy: p.automationPol, Tags: tags}
	if err := r.putRole(ctx, auto); err != nil {
		diags.AddAttributeError(path.Root("automation_role_arn"), fmt.Sprintf("putting IAM Role (%s)", auto.Name), err.Error())
		return
	}
	done[componentAutomationRole] = auto.Name

	if err := r.putDocument(ctx, p.names.document, p.document, tags); err != nil {
		diags.AddError(fmt.Sprintf("putting SSM Document (%s)", p.names.document), err.Error())
		return
	}
	done[componentDocument] = p.names.document

	ruleARN, err := r.putRule(ctx, *plan, p, tags)
	if ruleARN != "" {
		plan.ConfigRuleARN = types.StringValue(ruleARN)
	}
	if err != nil {
		diags.AddError(fmt.Sprintf("putting Config Rule (%s)", p.names.rule), err.Error())
		return
	}
	done[componentRule] = p.names.rule

	mode := plan.Remediation.ValueString()
	switch {
	case mode != remediationNone:
		if err := r.putRemediation(ctx, *plan, p); err != nil {
			diags.AddAttributeError(path.Root("remediation"), fmt.Sprintf("putting Config Remediation Configuration (%s)", p.names.rule),
				err.Error()+"\n\nThe rule, the document and the roles exist; the rule reports non-compliant VPCs but nothing remediates them. "+
					"The identity running Terraform needs config:PutRemediationConfigurations and iam:PassRole on "+p.rem.AutomationRoleARN+".")
			return
		}
		done[componentRemediation] = mode
	case state != nil && state.Remediation.ValueString() != remediationNone:
		if err := r.deleteRemediation(ctx, p.names.rule); err != nil {
			diags.AddAttributeError(path.Root("remediation"), fmt.Sprintf("deleting Config Remediation Configuration (%s)", p.names.rule), err.Error())
			return
		}
	}
	tflog.Info(ctx, "put VPC flow log compliance", map[string]any{"rule": p.names.rule, "remediation": mode, "destination": p.rem.Destination})
}

// putRole creates the role, or makes an existing one what want says.
func (r *complianceResource) putRole(ctx context.Context, want serviceRole) error {
	have, err := findServiceRole(ctx, r.iam(), want.Name, want.PolicyName)
	switch {
	case isNotFound(err):
		_, err := createServiceRole(ctx, r.iam(), r.retry, want)
		return err
	case err != nil:
		return err
	}
	current := serviceRole{Name: want.Name, Description: aws.ToString(have.Role.Description), MaxSessionDuration: aws.ToInt32(have.Role.MaxSessionDuration),
		Trust: have.Trust, PolicyName: want.PolicyName, Policy: have.Policy, Boundary: have.boundary(), Tags: have.Tags}
	if pipelinepolicy.Equivalent(current.Trust, want.Trust) {
		current.Trust = want.Trust
	}
	if pipelinepolicy.Equivalent(current.Policy, want.Policy) {
		current.Policy = want.Policy
	}
	want.MaxSessionDuration = current.MaxSessionDuration
	return updateServiceRole(ctx, r.iam(), current, want)
}

// putDocument creates the document, or adds a version with the content and
// makes it the default, then waits until the version is active.
func (r *complianceResource) putDocument(ctx context.Context, name, content string, tags map[string]string) error {
	got, err := r.ssm().GetDocument(ctx, &ssm.GetDocumentInput{Name: aws.String(name)})
	switch {
	case isAWSNotFound(err):
		_, err := r.ssm().CreateDocument(ctx, &ssm.CreateDocumentInput{
			Name: aws.String(name), Content: aws.String(content), DocumentType: ssmtypes.DocumentTypeAutomation,
			DocumentFormat: ssmtypes.DocumentFormatJson, Tags: ssmTags(tags),
		})
		if err != nil {
			return err
		}
		return r.waitDocumentActive(ctx, name, "")
	case err != nil:
		return err
	}
	if !pipelinepolicy.Equivalent(aws.ToString(got.Content), content) {
		out, err := r.ssm().UpdateDocument(ctx, &ssm.UpdateDocumentInput{
			Name: aws.String(name), Content: aws.String(content), DocumentVersion: aws.String("$LATEST"), DocumentFormat: ssmtypes.DocumentFormatJson,
		})
		if err != nil {
			return fmt.Errorf("adding a version: %w", err)
		}
		version := aws.ToString(out.DocumentDescription.DocumentVersion)
		if err := r.waitDocumentActive(ctx, name, version); err != nil {
			return err
		}
		if _, err := r.ssm().UpdateDocumentDefaultVersion(ctx, &ssm.UpdateDocumentDefaultVersionInput{Name: aws.String(name), DocumentVersion: aws.String(version)}); err != nil {
			return fmt.Errorf("making version %s the default: %w", version, err)
		}
	}
	have, err := r.documentTags(ctx, name)
	if err != nil {
		return err
	}
	return tagger{
		untag: func(ctx context.Context, keys []string) error {
			return errOf(r.ssm().RemoveTagsFromResource(ctx, &ssm.RemoveTagsFromResourceInput{ResourceType: ssmtypes.ResourceTypeForTaggingDocument, ResourceId: aws.String(name), TagKeys: keys}))
		},
		tag: func(ctx context.Context, tags map[string]string) error {
			return errOf(r.ssm().AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{ResourceType: ssmtypes.ResourceTypeForTaggingDocument, ResourceId: aws.String(name), Tags: ssmTags(tags)}))
		},
	}.apply(ctx, have, tags)
}

var errDocumentNotActive = errors.New("document not active yet")

// waitDocumentActive waits until the document (version) is Active:
// Systems Manager validates a new version asynchronously, and a remediation
// that names a document still Creating fails.
func (r *complianceResource) waitDocumentActive(ctx context.Context, name, version string) error {
	timeout := r.documentActiveTimeout
	if timeout == 0 {
		timeout = time.Minute
	}
	return r.retry.do(ctx, timeout, func() error {
		in := &ssm.DescribeDocumentInput{Name: aws.String(name)}
		if version != "" {
			in.DocumentVersion = aws.String(version)
		}
		out, err := r.ssm().DescribeDocument(ctx, in)
		if err != nil {
			return err
		}
		switch out.Document.Status {
		case ssmtypes.DocumentStatusActive:
			return nil
		case ssmtypes.DocumentStatusFailed:
			return fmt.Errorf("systems Manager refused the document: %s", aws.ToString(out.Document.StatusInformation))
		}
		return errDocumentNotActive
	}, func(err error) bool { return errors.Is(err, errDocumentNotActive) })
}

func (r *complianceResource) documentTags(ctx context.Context, name string) (map[string]string, error) {
	out, err := r.ssm().ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: ssmtypes.ResourceTypeForTaggingDocument, ResourceId: aws.String(name)})
	if err != nil {
		return nil, fmt.Errorf("listing tags: %w", err)
	}
	tags := map[string]string{}
	for _, t := range out.TagList {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags, nil
}

// putRule puts the managed rule and its tags, and returns its ARN.
func (r *complianceResource) putRule(ctx context.Context, m complianceModel, p *compliancePlan, tags map[string]string) (string, error) {
	params, _ := json.Marshal(map[string]string{coveragescan.ConfigRuleTrafficParameter: m.TrafficType.ValueString()})
	existing, err := r.describeRule(ctx, p.names.rule)
	if err != nil && !isNotFound(err) {
		return "", err
	}
	in := &configservice.PutConfigRuleInput{ConfigRule: &configtypes.ConfigRule{
		ConfigRuleName: aws.String(p.names.rule),
		Description: aws.String(fmt.Sprintf("VPCs of the account without a flow log recording %s traffic; remediated with SSM document %s. Managed by the vpcflow Terraform provider.",
			m.TrafficType.ValueString(), p.names.document)),
		Source:                    &configtypes.Source{Owner: configtypes.OwnerAws, SourceIdentifier: aws.String(coveragescan.ConfigRuleIdentifier)},
		InputParameters:           aws.String(string(params)),
		MaximumExecutionFrequency: configtypes.MaximumExecutionFrequency(m.MaximumExecutionFrequency.ValueString()),
	}}
	if existing == nil {
		in.Tags = configTags(tags)
	}
	if _, err := r.config().PutConfigRule(ctx, in); err != nil {
		return "", err
	}
	rule, err := r.describeRule(ctx, p.names.rule)
	if err != nil {
		return "", fmt.Errorf("reading it back: %w", err)
	}
	ruleARN := aws.ToString(rule.ConfigRuleArn)
	if existing == nil {
		return ruleARN, nil
	}
	have, err := r.ruleTags(ctx, ruleARN)
	if err != nil {
		return ruleARN, err
	}
	return ruleARN, tagger{
		untag: func(ctx context.Context, keys []string) error {
			return errOf(r.config().UntagResource(ctx, &configservice.UntagResourceInput{ResourceArn: aws.String(ruleARN), TagKeys: keys}))
		},
		tag: func(ctx context.Context, tags map[string]string) error {
			return errOf(r.config().TagResource(ctx, &configservice.TagResourceInput{ResourceArn: aws.String(ruleARN), Tags: configTags(tags)}))
		},
	}.apply(ctx, have, tags)
}

// describeRule returns the rule, or a not-found error.
func (r *complianceResource) describeRule(ctx context.Context, name string) (*configtypes.ConfigRule, error) {
	out, err := r.config().DescribeConfigRules(ctx, &configservice.DescribeConfigRulesInput{ConfigRuleNames: []string{name}})
	if isAWSNotFound(err) || (err == nil && len(out.ConfigRules) == 0) {
		return nil, &notFoundError{Kind: "Config rule", ID: name, Err: err}
	}
	if err != nil {
		return nil, err
	}
	return &out.ConfigRules[0], nil
}

func (r *complianceResource) ruleTags(ctx context.Context, ruleARN string) (map[string]string, error) {
	tags := map[string]string{}
	pager := configservice.NewListTagsForResourcePaginator(r.config(), &configservice.ListTagsForResourceInput{ResourceArn: aws.String(ruleARN)})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing tags: %w", err)
		}
		for _, t := range page.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	return tags, nil
}

// putRemediation attaches the document to the rule; Config fills in the
// VPC of each non-compliant evaluation, the role is fixed.
func (r *complianceResource) putRemediation(ctx context.Context, m complianceModel, p *compliancePlan) error {
	rc := configtypes.RemediationConfiguration{
		ConfigRuleName: aws.String(p.names.rule),
		TargetType:     configtypes.RemediationTargetTypeSsmDocument,
		TargetId:       aws.String(p.names.document),
		ResourceType:   aws.String("AWS::EC2::VPC"),
		Automatic:      m.Remediation.ValueString() == remediationAutomatic,
		Parameters: map[string]configtypes.RemediationParameterValue{
			coveragescan.ParamAssumeRole: {StaticValue: &configtypes.StaticValue{Values: []string{p.rem.AutomationRoleARN}}},
			coveragescan.ParamVpcID:      {ResourceValue: &configtypes.ResourceValue{Value: configtypes.ResourceValueTypeResourceId}},
			coveragescan.ParamTraffic:    {StaticValue: &configtypes.StaticValue{Values: []string{p.rem.TrafficTypeOrAll()}}},
		},
	}
	if rc.Automatic {
		rc.MaximumAutomaticAttempts = aws.Int32(int32(m.MaximumAutomaticAttempts.ValueInt64()))
		rc.RetryAttemptSeconds = aws.Int64(m.RetryAttemptSeconds.ValueInt64())
	}
	out, err := r.config().PutRemediationConfigurations(ctx, &configservice.PutRemediationConfigurationsInput{RemediationConfigurations: []configtypes.RemediationConfiguration{rc}})
	if err != nil {
		return err
	}
	if len(out.FailedBatches) > 0 {
		return fmt.Errorf("AWS Config refused the remediation configuration: %s", aws.ToString(out.FailedBatches[0].FailureMessage))
	}
	return nil
}

func (r *complianceResource) deleteRemediation(ctx context.Context, rule string) error {
	_, err := r.config().DeleteRemediationConfiguration(ctx, &configservice.DeleteRemediationConfigurationInput{
		ConfigRuleName: aws.String(rule), ResourceType: aws.String("AWS::EC2::VPC"),
	})
	if err != nil && !isAWSNotFound(err) {
		return err
	}
	return nil
}

func (r *complianceResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readResource(ctx, req, resp, r.readInto, func(m *complianceModel) (string, string) {
		return "VPC flow log compliance not found", fmt.Sprintf("Neither the Config rule %[1]s, its document nor its roles exist any more; removing %[1]s from the state. The next plan creates it again.", m.ID.ValueString())
	})
}

// readInto refreshes m from AWS and returns false when none of its parts
// exists. A part that is missing, or differs from what the model renders,
// is left out of components.
func (r *complianceResource) readInto(ctx context.Context, m *complianceModel, diags *diag.Diagnostics) bool {
	name := m.ID.ValueString()
	m.Name = types.StringValue(name)
	n := namesOf(name)
	present := map[string]string{}
	var d diag.Diagnostics

	rule, err := r.describeRule(ctx, n.rule)
	switch {
	case isNotFound(err):
	case err != nil:
		diags.AddError(fmt.Sprintf("reading Config Rule (%s)", n.rule), err.Error())
		return false
	default:
		m.ConfigRuleARN = types.StringValue(aws.ToString(rule.ConfigRuleArn))
		var params map[string]string
		_ = json.Unmarshal([]byte(aws.ToString(rule.InputParameters)), &params)
		traffic := params[coveragescan.ConfigRuleTrafficParameter]
		if traffic == "" {
			traffic = coveragescan.TrafficAll // the rule without the parameter accepts any traffic type
		}
		m.TrafficType = types.StringValue(traffic)
		if f := string(rule.MaximumExecutionFrequency); f != "" {
			m.MaximumExecutionFrequency = types.StringValue(f)
		}
		tags, err := r.ruleTags(ctx, aws.ToString(rule.ConfigRuleArn))
		if err != nil {
			diags.AddError(fmt.Sprintf("reading Config Rule (%s)", n.rule), err.Error())
			return false
		}
		m.Tags, m.TagsAll, d = readTags(ctx, tags, r.data.tagDefaults(), m.Tags)
		diags.Append(d...)
		if rule.Source != nil && rule.Source.Owner == configtypes.OwnerAws && aws.ToString(rule.Source.SourceIdentifier) == coveragescan.ConfigRuleIdentifier {
			present[componentRule] = n.rule
		}
	}

	doc, err := r.ssm().GetDocument(ctx, &ssm.GetDocumentInput{Name: aws.String(n.document)})
	var content string
	switch {
	case isAWSNotFound(err):
	case err != nil:
		diags.AddError(fmt.Sprintf("reading SSM Document (%s)", n.document), err.Error())
		return false
	default:
		content = aws.ToString(doc.Content)
		present[componentDocument] = "" // compared below, once the model is complete
		// After an import the destination is known only from the document.
		if rem, ok := coveragescan.RemediationFromDocument(content); ok && m.LogDestination.IsNull() {
			m.LogDestinationType, m.LogDestination = types.StringValue(rem.DestinationType), types.StringValue(rem.Destination)
		}
	}
	if m.LogDestination.IsNull() {
		if len(present) == 0 && !r.anyRoleExists(ctx, n) {
			return false
		}
		diags.AddError(fmt.Sprintf("reading SSM Document (%s)", n.document),
			"The document is missing or was not written by this provider, so the flow log destination cannot be read. Delete the Config rule, or fix the document, and import again.")
		return false
	}

	if m.Remediation.IsNull() || m.Remediation.ValueString() != remediationNone {
		out, err := r.config().DescribeRemediationConfigurations(ctx, &configservice.DescribeRemediationConfigurationsInput{ConfigRuleNames: []string{n.rule}})
		if err != nil && !isAWSNotFound(err) {
			diags.AddAttributeError(path.Root("remediation"), fmt.Sprintf("reading Config Remediation Configuration (%s)", n.rule), err.Error())
			return false
		}
		var rc *configtypes.RemediationConfiguration
		if out != nil && len(out.RemediationConfigurations) > 0 {
			rc = &out.RemediationConfigurations[0]
		}
		switch {
		case rc == nil && m.Remediation.IsNull():
			m.Remediation = types.StringValue(remediationNone)
		case rc == nil:
			// Detached outside Terraform: left out of components.
		default:
			mode := remediationManual
			if rc.Automatic {
				mode = remediationAutomatic
				m.MaximumAutomaticAttempts = types.Int64Value(int64(aws.ToInt32(rc.MaximumAutomaticAttempts)))
				m.RetryAttemptSeconds = types.Int64Value(aws.ToInt64(rc.RetryAttemptSeconds))
			}
			m.Remediation = types.StringValue(mode)
			if aws.ToString(rc.TargetId) == n.document {
				present[componentRemediation] = mode
			}
		}
	}
	if m.MaximumAutomaticAttempts.IsNull() {
		m.MaximumAutomaticAttempts = types.Int64Value(5)
	}
	if m.RetryAttemptSeconds.IsNull() {
		m.RetryAttemptSeconds = types.Int64Value(60)
	}
	if m.MaximumExecutionFrequency.IsNull() {
		m.MaximumExecutionFrequency = types.StringValue(string(configtypes.MaximumExecutionFrequencyTwentyFourHours))
	}

	p, err := r.render(ctx, *m)
	if err != nil {
		diags.AddError("rendering vpcflow_compliance", err.Error())
		return false
	}
	m.DocumentName, m.DocumentARN = types.StringValue(n.document), types.StringValue(p.documentARN)
	m.AutomationRoleARN, m.DeliveryRoleARN = types.StringValue(p.rem.AutomationRoleARN), flowLogNullIfEmpty(p.rem.DeliveryRoleARN)
	if _, ok := present[componentDocument]; ok {
		delete(present, componentDocument)
		if pipelinepolicy.Equivalent(content, p.document) {
			present[componentDocument] = n.document
		}
	}
	roles := map[string][3]string{componentAutomationRole: {n.automationRole, p.automationTrust, p.automationPol}}
	if p.rem.DeliveryRoleARN != "" {
		roles[componentDeliveryRole] = [3]string{n.deliveryRole, p.deliveryTrust, p.deliveryPol}
	}
	policyNames := map[string]string{componentAutomationRole: coveragescan.AutomationPolicyName, componentDeliveryRole: rolepolicy.PolicyName}
	for kind, want := range roles {
		have, err := findServiceRole(ctx, r.iam(), want[0], policyNames[kind])
		switch {
		case isNotFound(err):
		case err != nil:
			diags.AddError(fmt.Sprintf("reading IAM Role (%s)", want[0]), err.Error())
			return false
		case pipelinepolicy.Equivalent(have.Trust, want[1]) && pipelinepolicy.Equivalent(have.Policy, want[2]):
			present[kind] = want[0]
		}
	}
	if m.ConfigRuleARN.IsNull() || m.ConfigRuleARN.IsUnknown() {
		m.ConfigRuleARN = types.StringValue("")
	}
	m.Components, d = types.MapValueFrom(ctx, types.StringType, present)
	diags.Append(d...)
	return len(present) > 0 || r.anyRoleExists(ctx, n)
}

func (r *complianceResource) anyRoleExists(ctx context.Context, n complianceNames) bool {
	for _, name := range []string{n.automationRole, n.deliveryRole} {
		if _, err := findServiceRole(ctx, r.iam(), name, coveragescan.AutomationPolicyName); err == nil {
			return true
		}
	}
	return false
}

func (r *complianceResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	state, ok := modelOf[complianceModel](ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	n := namesOf(state.ID.ValueString())
	// Config refuses to delete a rule that has a remediation configuration.
	// One the provider never managed to attach is not deleted: with an AWS
	// that lacks the remediation API, that is what lets a failed create be
	// destroyed.
	if state.Remediation.ValueString() != remediationNone && mapHas(ctx, state.Components, componentRemediation) {
		if err := r.deleteRemediation(ctx, n.rule); err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("deleting Config Remediation Configuration (%s)", n.rule), err.Error())
			return
		}
	}
	// Right after the remediation configuration goes, Config may still call
	// the rule in use; that settles within seconds.
	err := r.retry.do(ctx, time.Minute, func() error {
		_, err := r.config().DeleteConfigRule(ctx, &configservice.DeleteConfigRuleInput{ConfigRuleName: aws.String(n.rule)})
		return err
	}, func(err error) bool { return hasErrorCode(err, "ResourceInUseException") })
	if err != nil && !isAWSNotFound(err) {
		resp.Diagnostics.AddError(fmt.Sprintf("deleting Config Rule (%s)", n.rule), err.Error())
		return
	}
	_, err = r.ssm().DeleteDocument(ctx, &ssm.DeleteDocumentInput{Name: aws.String(n.document)})
	if err != nil && !isAWSNotFound(err) {
		resp.Diagnostics.AddError(fmt.Sprintf("deleting SSM Document (%s)", n.document), err.Error())
		return
	}
	for _, role := range []string{n.automationRole, n.deliveryRole} {
		if err := deleteDeliveryRole(ctx, r.iam(), role); err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("deleting IAM Role (%s)", role), err.Error())
			return
		}
	}
}

func (r *complianceResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !complianceNamePattern.MatchString(req.ID) {
		resp.Diagnostics.AddError("importing vpcflow_compliance", fmt.Sprintf("ID %q is not a Config rule name (letters, digits, - and _)", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}

func ssmTags(tags map[string]string) []ssmtypes.Tag {
	out := make([]ssmtypes.Tag, 0, len(tags))
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, ssmtypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}

func configTags(tags map[string]string) []configtypes.Tag {
	out := make([]configtypes.Tag, 0, len(tags))
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, configtypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}
