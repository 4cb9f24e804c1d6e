package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
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
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/policysource"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/rolepolicy"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/conns"
)

var (
	_ resource.Resource                     = &logGroupResource{}
	_ resource.ResourceWithConfigure        = &logGroupResource{}
	_ resource.ResourceWithImportState      = &logGroupResource{}
	_ resource.ResourceWithModifyPlan       = &logGroupResource{}
	_ resource.ResourceWithValidateConfig   = &logGroupResource{}
	_ resource.ResourceWithConfigValidators = &logGroupResource{}
	_ resource.ResourceWithMoveState        = &logGroupResource{}
)

// logRetentionDays are the retention periods CloudWatch Logs accepts
// (PutRetentionPolicy, retentionInDays).
var logRetentionDays = []int64{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// defaultLogRetentionDays is aws_cloudwatch_log_group's default: events
// never expire. A different default would plan a retention change for every
// group adopted from the AWS provider.
const defaultLogRetentionDays = 0

// logGroupClasses are the log classes a flow log destination can use.
var logGroupClasses = []string{string(logstypes.LogGroupClassStandard), string(logstypes.LogGroupClassInfrequentAccess)}

var (
	logGroupNamePattern = regexp.MustCompile(`^[\.\-_/#A-Za-z0-9]+$`)
	kmsKeyARNPattern    = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$`)
)

// uniqueSuffixLength is how many characters a name_prefix is extended by.
const uniqueSuffixLength = 26

// logGroupAPI is the part of CloudWatch Logs the log group resource uses.
type logGroupAPI interface {
	CreateLogGroup(context.Context, *cloudwatchlogs.CreateLogGroupInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.CreateLogGroupOutput, error)
	DescribeLogGroups(context.Context, *cloudwatchlogs.DescribeLogGroupsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error)
	DeleteLogGroup(context.Context, *cloudwatchlogs.DeleteLogGroupInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DeleteLogGroupOutput, error)
	PutRetentionPolicy(context.Context, *cloudwatchlogs.PutRetentionPolicyInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutRetentionPolicyOutput, error)
	DeleteRetentionPolicy(context.Context, *cloudwatchlogs.DeleteRetentionPolicyInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DeleteRetentionPolicyOutput, error)
	AssociateKmsKey(context.Context, *cloudwatchlogs.AssociateKmsKeyInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.AssociateKmsKeyOutput, error)
	DisassociateKmsKey(context.Context, *cloudwatchlogs.DisassociateKmsKeyInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DisassociateKmsKeyOutput, error)
	logsTaggingAPI
	ListTagsForResource(context.Context, *cloudwatchlogs.ListTagsForResourceInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.ListTagsForResourceOutput, error)
}

func newLogGroupResource() resource.Resource {
	return &logGroupResource{resourceBase: resourceBase{typeName: "log_group"}}
}

type logGroupResource struct{ resourceBase }

func (r *logGroupResource) logs() logGroupAPI { return r.data.client.Logs() }

type logGroupModel struct {
	ID              types.String `tfsdk:"id"`
	Name            types.String `tfsdk:"name"`
	NamePrefix      types.String `tfsdk:"name_prefix"`
	RetentionInDays types.Int64  `tfsdk:"retention_in_days"`
	NeverExpire     types.Bool   `tfsdk:"never_expire"`
	KMSKeyID        types.String `tfsdk:"kms_key_id"`
	LogGroupClass   types.String `tfsdk:"log_group_class"`
	SkipDestroy     types.Bool   `tfsdk:"skip_destroy"`
	Tags            types.Map    `tfsdk:"tags"`
	TagsAll         types.Map    `tfsdk:"tags_all"`
	Region          types.String `tfsdk:"region"`
	ARN             types.String `tfsdk:"arn"`
}

func (r *logGroupResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A CloudWatch Logs log group made to receive VPC Flow Logs, with the arguments and defaults of `aws_cloudwatch_log_group` " +
			"(retention defaults to `0`, never expire, as there). It differs where a flow log destination fails silently: " +
			"a `kms_key_id` is checked at plan time against its key policy, since CloudWatch Logs can only encrypt with a key whose policy " +
			"allows the regional CloudWatch Logs service principal for this log group. " +
			"An `aws_cloudwatch_log_group` moves over without being recreated with a `moved` block (see the migration guide).\n\n" +
			"Use `arn` as the flow log's `log_destination` and in `vpcflow_delivery_role.log_group_arns`; append `:*` when writing an IAM policy of your own.",
		Attributes: map[string]schema.Attribute{
			"id": computedStable("Name of the log group."),
			"name": schema.StringAttribute{
				MarkdownDescription: "Name of the log group, e.g. `/aws/vpc/flow-logs/prod`: up to 512 letters, digits and `_ - / . #`. " +
					"Exactly one of `name` and `name_prefix` is required. Changing it replaces the log group (and loses its events unless `skip_destroy` is set).",
				Optional: true,
				Computed: true,
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, 512),
					stringvalidator.RegexMatches(logGroupNamePattern, "may contain only letters, digits and _ - / . #"),
				},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace(), stringplanmodifier.UseStateForUnknown()},
			},
			"name_prefix": schema.StringAttribute{
				MarkdownDescription: "Creates a unique name beginning with this prefix (" + strconv.Itoa(uniqueSuffixLength) + " characters are added). " +
					"Exactly one of `name` and `name_prefix` is required. Changing it replaces the log group.",
				Optional: true,
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, 512-uniqueSuffixLength),
					stringvalidator.RegexMatches(logGroupNamePattern, "may contain only letters, digits and _ - / . #"),
				},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"retention_in_days": schema.Int64Attribute{
				MarkdownDescription: "Days CloudWatch Logs keeps each event before deleting it: `0` (never expire) or one of " + quotedInts(logRetentionDays) + ". " +
					"Defaults to `" + strconv.Itoa(defaultLogRetentionDays) + "`, as `aws_cloudwatch_log_group`: events never expire and are billed for storage without end, " +
					"so set a retention for flow logs you do not keep for audit. " +
					"Changed in place (`PutRetentionPolicy`, or `DeleteRetentionPolicy` for `0`).",
				Optional: true,
				Computed: true,
				Validators: []validator.Int64{
					int64validator.OneOf(append([]int64{0}, logRetentionDays...)...),
				},
				PlanModifiers: []planmodifier.Int64{retentionDefault{}},
			},
			"never_expire": schema.BoolAttribute{
				MarkdownDescription: "Whether events are kept forever (no retention policy): `true` exactly when `retention_in_days` is `0`. " +
					"Setting it to `true` documents the intent; `retention_in_days` must then be left out or `0`. Computed when left out.",
				Optional: true,
				Computed: true,
			},
			"kms_key_id": schema.StringAttribute{
				MarkdownDescription: "ARN of the KMS key that encrypts the log group's events. The key must be in the provider's region, and its key policy must " +
					"allow the CloudWatch Logs service principal `logs.REGION.amazonaws.com` to use it for this log group " +
					"(`kms:EncryptionContext:aws:logs:arn` is the log group ARN); the plan reads the key policy and fails with the statement to add if it does not. " +
					"Changed in place (`AssociateKmsKey`, `DisassociateKmsKey`); events already stored stay readable with the previous key.",
				Optional: true,
				Validators: []validator.String{
					stringvalidator.RegexMatches(kmsKeyARNPattern, "must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/KEY_ID); CloudWatch Logs does not accept an alias"),
				},
			},
			"log_group_class": schema.StringAttribute{
				MarkdownDescription: "Log class: " + quotedList(logGroupClasses) + ". Defaults to `STANDARD`. " +
					"`INFREQUENT_ACCESS` costs less to ingest but has no metric filters, subscription filters or Live Tail. Changing it replaces the log group.",
				Optional:      true,
				Computed:      true,
				Default:       stringdefault.StaticString(string(logstypes.LogGroupClassStandard)),
				Validators:    []validator.String{stringvalidator.OneOf(logGroupClasses...)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"skip_destroy": schema.BoolAttribute{
				MarkdownDescription: "Set to `true` to keep the log group and its events in AWS when the resource is destroyed; it is only removed from the state. Defaults to `false`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
			},
			"tags": tagsEmptyIsUnsetAttribute("Tags of the log group, merged over the provider's `default_tags`. Changed in place (`TagResource`, `UntagResource`). " +
				"`tags = {}` and no `tags` are the same."),
			"tags_all": tagsAllAttribute(),
			"region": schema.StringAttribute{
				MarkdownDescription: "Region of the log group, as the AWS provider v6's per-resource `region`. Defaults to the provider's region. " +
					"Changing it replaces the log group.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{stringvalidator.RegexMatches(regionPattern, "must be an AWS region such as us-east-1")},
			},
			"arn": computedStable("ARN of the log group, without the trailing `:*` (as `aws_cloudwatch_log_group.arn`): `arn:aws:logs:REGION:ACCOUNT:log-group:NAME`. " +
				"Known at plan time when `name` is set."),
		},
	}
}

func (r *logGroupResource) ConfigValidators(_ context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("name"), path.MatchRoot("name_prefix")),
	}
}

func (r *logGroupResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m logGroupModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if m.NeverExpire.IsUnknown() || m.RetentionInDays.IsUnknown() {
		return
	}
	never := m.NeverExpire.ValueBool()
	switch {
	case !m.NeverExpire.IsNull() && !never && (m.RetentionInDays.IsNull() || m.RetentionInDays.ValueInt64() == 0):
		resp.Diagnostics.AddAttributeError(path.Root("never_expire"), "never_expire = false needs a retention",
			"never_expire = false asks for events to expire, but retention_in_days is left out or 0, which keeps them forever. "+
				"Set retention_in_days to one of "+quotedInts(logRetentionDays)+", or remove never_expire.")
	case never && !m.RetentionInDays.IsNull() && m.RetentionInDays.ValueInt64() != 0:
		resp.Diagnostics.AddAttributeError(path.Root("never_expire"), "never_expire conflicts with retention_in_days",
			fmt.Sprintf("never_expire = true removes the retention policy, but retention_in_days is %d. Remove one of them.", m.RetentionInDays.ValueInt64()))
	}
}

// retentionDefault plans retention_in_days when the configuration leaves it
// out: the default, 0 (never expire), as aws_cloudwatch_log_group.
type retentionDefault struct{}

func (retentionDefault) Description(ctx context.Context) string {
	return retentionDefault{}.MarkdownDescription(ctx)
}
func (retentionDefault) MarkdownDescription(context.Context) string {
	return fmt.Sprintf("Defaults to %d (never expire).", defaultLogRetentionDays)
}

func (retentionDefault) PlanModifyInt64(ctx context.Context, req planmodifier.Int64Request, resp *planmodifier.Int64Response) {
	if !req.ConfigValue.IsNull() {
		return
	}
	resp.PlanValue = types.Int64Value(defaultLogRetentionDays)
}

func (r *logGroupResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	plan, config, state, ok := planInputs[logGroupModel](ctx, r.data, req, &resp.Diagnostics)
	if !ok {
		return
	}

	if config.Region.IsNull() {
		plan.Region = types.StringValue(r.data.client.Region())
	}
	if state != nil && !state.Region.IsNull() && !plan.Region.IsUnknown() && state.Region.ValueString() != plan.Region.ValueString() {
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("region"))
		plan.ARN, plan.ID = types.StringUnknown(), types.StringUnknown()
	}
	if config.NeverExpire.IsNull() {
		if plan.RetentionInDays.IsUnknown() {
			plan.NeverExpire = types.BoolUnknown()
		} else {
			plan.NeverExpire = types.BoolValue(plan.RetentionInDays.ValueInt64() == 0)
		}
	}
	tagsAll, diags := planTagsAll(ctx, r.data.defaultTags, plan.Tags)
	resp.Diagnostics.Append(diags...)
	plan.TagsAll = tagsAll
	pd := r.data.inRegion(stringOrEmpty(plan.Region))

	// A new name_prefix means a new generated name: forget the old one.
	if state != nil && config.Name.IsNull() && !plan.NamePrefix.Equal(state.NamePrefix) {
		plan.Name = types.StringUnknown()
		plan.ID = types.StringUnknown()
		plan.ARN = types.StringUnknown()
	}
	// The ARN follows from the name, so a flow log or role planned in the
	// same run can use it.
	if !plan.Name.IsUnknown() && !plan.Name.IsNull() {
		plan.ID = plan.Name
		if a, err := logGroupARNIn(ctx, pd, plan.Name.ValueString()); err == nil {
			plan.ARN = types.StringValue(a)
		} else {
			tflog.Debug(ctx, "log group ARN left unknown until apply", map[string]any{"error": err.Error()})
		}
	}

	// The key policy grants by log group ARN (kms:EncryptionContext:aws:logs:arn),
	// so a new name needs the check as much as a new key.
	keyChanged := state == nil || !plan.KMSKeyID.Equal(state.KMSKeyID) || !plan.ARN.Equal(state.ARN)
	if keyChanged && !plan.KMSKeyID.IsNull() && !plan.KMSKeyID.IsUnknown() && r.data.client.Settings.Validation != conns.ValidationOff {
		r.checkKey(ctx, pd, plan, &resp.Diagnostics)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// checkKey reads the key policy of kms_key_id and fails the plan when
// CloudWatch Logs may not use the key for this log group.
func (r *logGroupResource) checkKey(ctx context.Context, pd *providerData, plan logGroupModel, diags *diag.Diagnostics) {
	keyPath := path.Root("kms_key_id")
	keyARN := plan.KMSKeyID.ValueString()
	region := pd.client.Region()
	if a, err := arn.Parse(keyARN); err == nil && region != "" && a.Region != region {
		r.addFinding(diags, keyPath, "KMS key in another region", delivery.Finding{
			Code: "DESTINATION_KMS_KEY_REGION_MISMATCH", Severity: delivery.SeverityError, Attribute: "kms_key_id",
			Message: fmt.Sprintf("Key %s is in %s, but the log group is created in %s. CloudWatch Logs only encrypts a log group with a key of its own region, "+
				"so CreateLogGroup or AssociateKmsKey fails.", keyARN, a.Region, region),
			Fix: fmt.Sprintf("Use a key in %s (a multi-Region replica of the key works).", region),
		})
		return
	}

	// With name_prefix the name is known only after apply; a name made of
	// the prefix stands for it, so a condition on the prefix still matches.
	logGroupARN := plan.ARN.ValueString()
	if plan.ARN.IsUnknown() || logGroupARN == "" {
		name := plan.Name.ValueString()
		if plan.Name.IsUnknown() {
			name = plan.NamePrefix.ValueString() + strings.Repeat("0", uniqueSuffixLength)
		}
		a, err := logGroupARNIn(ctx, pd, name)
		if err != nil {
			diags.AddAttributeError(keyPath, "checking the KMS key policy", err.Error())
			return
		}
		logGroupARN = a
	}

	keyPolicy, err := pd.docs.KeyPolicy(ctx, keyARN)
	if isNotFound(err) {
		r.addFinding(diags, keyPath, "KMS key not found", delivery.Finding{
			Code: "DESTINATION_KMS_KEY_NOT_FOUND", Severity: delivery.SeverityError, Attribute: "kms_key_id",
			Message: fmt.Sprintf("KMS key %s does not exist or its policy cannot be read; CloudWatch Logs cannot encrypt the log group with it.", keyARN),
			Fix:     "Create the key first or correct kms_key_id.",
		})
		return
	}
	if err != nil {
		diags.AddAttributeError(keyPath, "reading the KMS key policy", err.Error())
		return
	}
	account, err := pd.client.AccountID(ctx)
	if err != nil {
		diags.AddAttributeError(keyPath, "checking the KMS key policy", err.Error())
		return
	}
	findings, err := logGroupKeyFindings(pd.callerPartition(ctx), logGroupARN, account, region, keyARN, keyPolicy)
	if err != nil {
		diags.AddAttributeError(keyPath, "checking the KMS key policy", err.Error())
		return
	}
	for _, f := range findings {
		r.addFinding(diags, keyPath, "KMS key cannot encrypt this log group", f)
	}
}

// logGroupKeyFindings evaluates a key policy for CloudWatch Logs encrypting
// the log group, with the delivery checker's KMS rules. The checker looks at
// the key only once the delivery role checks out, so the input carries the
// role vpcflow_delivery_role would make for this group (correct by
// construction); only findings about the key policy are kept.
func logGroupKeyFindings(partition, logGroupARN, account, region, keyARN string, keyPolicy policysource.Policy) ([]delivery.Finding, error) {
	trust, err := rolepolicy.TrustDocument(rolepolicy.Trust{Partition: partition, Account: account, Regions: []string{region}})
	if err != nil {
		return nil, err
	}
	permissions, err := rolepolicy.PermissionsDocument(rolepolicy.Permissions{LogGroupARNs: []string{logGroupARN}})
	if err != nil {
		return nil, err
	}
	in := delivery.Input{
		DestinationType:    delivery.DestinationCloudWatchLogs,
		DestinationARN:     logGroupARN,
		FlowLogAccount:     account,
		FlowLogRegion:      region,
		RoleARN:            iamRoleARN(partition, account, "/", "vpcflow-key-check"),
		TrustPolicy:        &delivery.NamedPolicy{Name: "trust policy", Document: trust},
		PermissionPolicies: []delivery.NamedPolicy{{Name: "inline policy " + rolepolicy.PolicyName, Document: permissions}},
		KMSKeyARN:          keyARN,
		KMSKeyPolicy:       &delivery.NamedPolicy{Name: keyPolicy.Name, Document: keyPolicy.Document},
	}
	var out []delivery.Finding
	for _, f := range delivery.Check(in) {
		if f.Attribute == delivery.AttrKMSKeyPolicy {
			out = append(out, f)
		}
	}
	return out, nil
}

// addFinding reports a finding as an error, or as a warning in validation mode "warn".
func (r *logGroupResource) addFinding(diags *diag.Diagnostics, p path.Path, summary string, f delivery.Finding) {
	if f.Severity != delivery.SeverityError || r.data.client.Settings.Validation == conns.ValidationWarn {
		diags.AddAttributeWarning(p, summary, findingText(f))
		return
	}
	diags.AddAttributeError(p, summary, findingText(f))
}

// logGroupARNIn is the ARN of a log group of the provider data's account and region.
func logGroupARNIn(ctx context.Context, pd *providerData, name string) (string, error) {
	account, err := pd.client.AccountID(ctx)
	if err != nil {
		return "", err
	}
	return pd.regionalARNOf(ctx, "logs", account, "log-group:"+name), nil
}

// api returns the provider data and CloudWatch Logs API of the group's region.
func (r *logGroupResource) api(region types.String) (*providerData, logGroupAPI) {
	pd := r.data.inRegion(stringOrEmpty(region))
	if pd == r.data {
		return pd, r.logs()
	}
	return pd, pd.client.Logs()
}

func (r *logGroupResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan, ok := modelOf[logGroupModel](ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}

	name := plan.Name.ValueString()
	if plan.Name.IsUnknown() || name == "" {
		name = plan.NamePrefix.ValueString() + uniqueSuffix()
	}
	pd, logs := r.api(plan.Region)
	tags, diags := tagsFromModel(ctx, plan.TagsAll)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	in := &cloudwatchlogs.CreateLogGroupInput{
		LogGroupName:  aws.String(name),
		LogGroupClass: logstypes.LogGroupClass(plan.LogGroupClass.ValueString()),
		KmsKeyId:      plan.KMSKeyID.ValueStringPointer(),
	}
	if len(tags) > 0 {
		in.Tags = tags
	}
	if _, err := logs.CreateLogGroup(ctx, in); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("creating CloudWatch Logs Log Group (%s)", name), err.Error())
		return
	}
	tflog.Info(ctx, "created CloudWatch Logs log group", map[string]any{"name": name})

	// Track the group from here, so a failure below leaves it tainted in the
	// state rather than orphaned in AWS.
	plan.Name = types.StringValue(name)
	plan.ID = plan.Name
	if plan.ARN.IsUnknown() {
		if a, err := logGroupARNIn(ctx, pd, name); err == nil {
			plan.ARN = types.StringValue(a)
		} else {
			plan.ARN = types.StringNull()
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)

	if days := plan.RetentionInDays.ValueInt64(); days != 0 {
		if _, err := logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(name), RetentionInDays: aws.Int32(int32(days))}); err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("setting retention of CloudWatch Logs Log Group (%s)", name), err.Error())
			return
		}
	}

	r.readInto(ctx, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *logGroupResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readResource(ctx, req, resp, r.readInto, func(m *logGroupModel) (string, string) {
		return "CloudWatch Logs Log Group not found", goneDetail("Log group " + m.Name.ValueString())
	})
}

// readInto refreshes m from AWS; it returns false when the group does not exist.
func (r *logGroupResource) readInto(ctx context.Context, m *logGroupModel, diags *diag.Diagnostics) bool {
	name := m.Name.ValueString()
	if name == "" {
		name = m.ID.ValueString()
	}
	pd, logs := r.api(m.Region)
	m.Region = types.StringValue(pd.client.Region())
	lg, err := findLogGroup(ctx, logs, name)
	if !readFound(err, diags, "CloudWatch Logs Log Group", name) {
		return false
	}

	m.ID = types.StringValue(name)
	m.Name = types.StringValue(name)
	groupARN := aws.ToString(lg.LogGroupArn)
	if groupARN == "" {
		groupARN = strings.TrimSuffix(aws.ToString(lg.Arn), ":*")
	}
	m.ARN = types.StringValue(groupARN)
	if lg.RetentionInDays != nil {
		m.RetentionInDays = types.Int64Value(int64(*lg.RetentionInDays))
		m.NeverExpire = types.BoolValue(false)
	} else {
		m.RetentionInDays = types.Int64Value(0)
		m.NeverExpire = types.BoolValue(true)
	}
	m.KMSKeyID = types.StringPointerValue(lg.KmsKeyId)
	if lg.LogGroupClass != "" {
		m.LogGroupClass = types.StringValue(string(lg.LogGroupClass))
	} else if m.LogGroupClass.IsNull() || m.LogGroupClass.IsUnknown() {
		// AWS reports the class; a local AWS may not, and STANDARD is what it then uses.
		m.LogGroupClass = types.StringValue(string(logstypes.LogGroupClassStandard))
	}
	if m.SkipDestroy.IsNull() || m.SkipDestroy.IsUnknown() {
		m.SkipDestroy = types.BoolValue(false)
	}

	out, err := logs.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(groupARN)})
	if err != nil {
		diags.AddError(fmt.Sprintf("listing tags of CloudWatch Logs Log Group (%s)", name), err.Error())
		return false
	}
	tags, tagsAll, d := readTags(ctx, out.Tags, pd.defaultTags, m.Tags)
	diags.Append(d...)
	m.Tags, m.TagsAll = tags, tagsAll
	return true
}

// findLogGroup returns the log group with exactly this name, or a not-found error.
func findLogGroup(ctx context.Context, api logGroupAPI, name string) (*logstypes.LogGroup, error) {
	pager := cloudwatchlogs.NewDescribeLogGroupsPaginator(api, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(name)})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			if isAWSNotFound(err) {
				break
			}
			return nil, err
		}
		for i := range page.LogGroups {
			if aws.ToString(page.LogGroups[i].LogGroupName) == name {
				return &page.LogGroups[i], nil
			}
		}
	}
	return nil, &notFoundError{Kind: "CloudWatch Logs log group", ID: name}
}

func (r *logGroupResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, state, ok := planAndState[logGroupModel](ctx, req, &resp.Diagnostics)
	if !ok {
		return
	}
	name := state.Name.ValueString()
	_, logs := r.api(state.Region)

	if !plan.RetentionInDays.Equal(state.RetentionInDays) {
		var err error
		if days := plan.RetentionInDays.ValueInt64(); days == 0 {
			_, err = logs.DeleteRetentionPolicy(ctx, &cloudwatchlogs.DeleteRetentionPolicyInput{LogGroupName: aws.String(name)})
		} else {
			_, err = logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(name), RetentionInDays: aws.Int32(int32(days))})
		}
		if err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("updating retention of CloudWatch Logs Log Group (%s)", name), err.Error())
			return
		}
	}

	if err := updateLogGroupKey(ctx, logs, name, state.KMSKeyID.ValueString(), plan.KMSKeyID.ValueString()); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("updating KMS key of CloudWatch Logs Log Group (%s)", name), err.Error())
		return
	}

	if !plan.TagsAll.Equal(state.TagsAll) {
		oldTags, d := tagsFromModel(ctx, state.TagsAll)
		resp.Diagnostics.Append(d...)
		newTags, d := tagsFromModel(ctx, plan.TagsAll)
		resp.Diagnostics.Append(d...)
		if resp.Diagnostics.HasError() {
			return
		}
		if err := updateLogGroupTags(ctx, logs, state.ARN.ValueString(), oldTags, newTags); err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("updating tags of CloudWatch Logs Log Group (%s)", name), err.Error())
			return
		}
	}

	plan.ID, plan.Name, plan.ARN = state.ID, state.Name, state.ARN
	r.readInto(ctx, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// updateLogGroupKey moves a log group from one key to another ("" for none).
func updateLogGroupKey(ctx context.Context, api logGroupAPI, name, oldKey, newKey string) error {
	switch {
	case oldKey == newKey:
		return nil
	case newKey == "":
		_, err := api.DisassociateKmsKey(ctx, &cloudwatchlogs.DisassociateKmsKeyInput{LogGroupName: aws.String(name)})
		return err
	default:
		// AssociateKmsKey replaces a previous key; no disassociation first,
		// which would leave new events unencrypted for a moment.
		_, err := api.AssociateKmsKey(ctx, &cloudwatchlogs.AssociateKmsKeyInput{LogGroupName: aws.String(name), KmsKeyId: aws.String(newKey)})
		return err
	}
}

// updateLogGroupTags makes the group's tags newTags. Tagging APIs take the
// ARN without ":*" (CloudWatch Logs User Guide, resource ARNs).
func updateLogGroupTags(ctx context.Context, api logGroupAPI, groupARN string, oldTags, newTags map[string]string) error {
	return logsTagger(api, groupARN).apply(ctx, oldTags, newTags)
}

// logsTaggingAPI is the part of CloudWatch Logs that tags a log group or a
// destination.
type logsTaggingAPI interface {
	TagResource(context.Context, *cloudwatchlogs.TagResourceInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.TagResourceOutput, error)
	UntagResource(context.Context, *cloudwatchlogs.UntagResourceInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.UntagResourceOutput, error)
}

// logsTagger tags the CloudWatch Logs resource of this ARN.
func logsTagger(api logsTaggingAPI, arn string) tagger {
	return tagger{
		untag: func(ctx context.Context, keys []string) error {
			return errOf(api.UntagResource(ctx, &cloudwatchlogs.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: keys}))
		},
		tag: func(ctx context.Context, tags map[string]string) error {
			return errOf(api.TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: aws.String(arn), Tags: tags}))
		},
	}
}

func (r *logGroupResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	state, ok := modelOf[logGroupModel](ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	name := state.Name.ValueString()
	if state.SkipDestroy.ValueBool() {
		tflog.Info(ctx, "skip_destroy is set: keeping the log group in AWS, removing it from the state", map[string]any{"name": name})
		return
	}
	_, logs := r.api(state.Region)
	_, err := logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(name)})
	if err != nil && !isAWSNotFound(err) {
		resp.Diagnostics.AddError(fmt.Sprintf("deleting CloudWatch Logs Log Group (%s)", name), err.Error())
	}
}

// ImportState takes the log group's name, or NAME@REGION for a group of
// another region than the provider's (the AWS provider v6's form).
func (r *logGroupResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	name := req.ID
	if i := strings.LastIndex(name, "@"); i > 0 && regionPattern.MatchString(name[i+1:]) {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("region"), name[i+1:])...)
		name = name[:i]
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("skip_destroy"), false)...)
}

// Helpers shared by the vpcflow resources that create AWS resources.

// uniqueSuffix is appended to a name_prefix: a UTC timestamp then random
// hex, so generated names sort by creation time.
func uniqueSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return time.Now().UTC().Format("20060102150405") + hex.EncodeToString(b)
}
