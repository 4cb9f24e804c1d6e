package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
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
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/contract"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/lambda/artifact"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/conns"
)

var (
	_ resource.Resource                   = &enricherFunctionResource{}
	_ resource.ResourceWithConfigure      = &enricherFunctionResource{}
	_ resource.ResourceWithImportState    = &enricherFunctionResource{}
	_ resource.ResourceWithModifyPlan     = &enricherFunctionResource{}
	_ resource.ResourceWithValidateConfig = &enricherFunctionResource{}
)

// enricherArtifact returns the embedded deployment package that serves a
// VPCFLOW_MODE value, for an architecture: each mode's package links only
// what the mode calls (internal/pipeline/lambda/lambdazip lists them). Tests replace it:
// their provider is built without the artifact step, and moto stores the
// code without running it.
var enricherArtifact = artifact.ZipForMode

// code returns the deployment package of the function's mode and
// architecture.
func (m enricherFunctionModel) code() ([]byte, error) {
	return enricherArtifact(enricherHandlerModes[m.Mode.ValueString()], m.Architecture.ValueString())
}

// codeErrorPath is the attribute a missing package is reported on: the
// architecture when the provider has none embedded, else the mode.
func codeErrorPath(err error) path.Path {
	if errors.Is(err, artifact.ErrNotEmbedded) {
		return path.Root("architecture")
	}
	return path.Root("mode")
}

// The function runs the Go binary itself on Amazon Linux 2023.
const (
	enricherRuntime = lambdatypes.RuntimeProvidedal2023
	enricherHandler = "bootstrap"
	// enricherRolePath keeps the provider's execution roles together in IAM.
	enricherRolePath = "/vpcflow/"
)

// Environment variables the provider sets from the function's attributes,
// named by the handler that reads them, so the two cannot drift.
const (
	envEnricherMode         = contract.EnvMode
	envEnricherTable        = contract.EnvInventoryTable
	envEnricherOutputBucket = contract.EnvOutputBucket
	envEnricherOutputPrefix = contract.EnvOutputPrefix
	envEnricherWindow       = contract.EnvWindow
	envSourceRoles          = contract.EnvSourceRoles
	envSourceExternalIDs    = contract.EnvSourceExternalIDs
	envSourceExternalID     = contract.EnvSourceExternalID
)

// enricherHandlerModes maps the mode attribute, named for what invokes the
// function, to the VPCFLOW_MODE value that selects the binary's handler.
var enricherHandlerModes = map[string]string{
	pipelinepolicy.ModeSubscription: contract.ModeCloudWatchLogs,
	pipelinepolicy.ModeKinesis:      contract.ModeKinesis,
	pipelinepolicy.ModeInventory:    pipelinepolicy.ModeInventory,
	pipelinepolicy.ModeWatchdog:     watchdogHandlerModeName,
	pipelinepolicy.ModeS3:           contract.ModeS3,
	pipelinepolicy.ModeCompact:      contract.ModeCompact,
}

// enricherModeFromHandler is the mode attribute of a VPCFLOW_MODE value.
func enricherModeFromHandler(v string) string {
	for mode, h := range enricherHandlerModes {
		if h == v {
			return mode
		}
	}
	return v
}

// enricherManagedEnv are the variables environment may not set.
var enricherManagedEnv = []string{envEnricherMode, envEnricherTable, envEnricherOutputBucket, envEnricherOutputPrefix, envEnricherWindow,
	envSourceRoles, envSourceExternalIDs, envSourceExternalID,
	envWatchdogTargets, envWatchdogStateBucket, envWatchdogStatePrefix, envWatchdogNamespace, envWatchdogEventBus, envWatchdogTrafficType, envWatchdogExcludeVPCs,
	envOutputStaging, envCompactGrace}

const (
	defaultEnricherArchitecture = "arm64"
	defaultEnricherMemory       = 256
	defaultEnricherTimeout      = 60
	defaultEnricherPrefix       = contract.DefaultOutputPrefix
	defaultEnricherWindow       = "60s"
	defaultEnricherLogRetention = 30
	// enricherCreateTimeout bounds the wait for a new or updated function to be ready.
	enricherReadyTimeout = 5 * time.Minute
)

var (
	enricherArchitectures = []string{"arm64", "x86_64"}
	functionNamePattern   = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)
	durationPattern       = regexp.MustCompile(`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`)
	tableARNPattern       = regexp.MustCompile(`^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table/[a-zA-Z0-9_.-]{3,255}$`)
	kinesisStreamPattern  = regexp.MustCompile(`^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream/[a-zA-Z0-9_.-]{1,128}$`)
	bucketNamePattern     = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	sqsQueuePattern       = regexp.MustCompile(`^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[a-zA-Z0-9_-]{1,80}$`)
	failureTargetPattern  = regexp.MustCompile(`^arn:aws[a-z-]*:(sqs|sns|lambda|events):[a-z0-9-]+:\d{12}:.+$`)
)

// enricherLambdaAPI is the part of Lambda the enricher function resource uses.
type enricherLambdaAPI interface {
	lambda.GetFunctionAPIClient
	CreateFunction(context.Context, *lambda.CreateFunctionInput, ...func(*lambda.Options)) (*lambda.CreateFunctionOutput, error)
	UpdateFunctionConfiguration(context.Context, *lambda.UpdateFunctionConfigurationInput, ...func(*lambda.Options)) (*lambda.UpdateFunctionConfigurationOutput, error)
	UpdateFunctionCode(context.Context, *lambda.UpdateFunctionCodeInput, ...func(*lambda.Options)) (*lambda.UpdateFunctionCodeOutput, error)
	DeleteFunction(context.Context, *lambda.DeleteFunctionInput, ...func(*lambda.Options)) (*lambda.DeleteFunctionOutput, error)
	PutFunctionConcurrency(context.Context, *lambda.PutFunctionConcurrencyInput, ...func(*lambda.Options)) (*lambda.PutFunctionConcurrencyOutput, error)
	DeleteFunctionConcurrency(context.Context, *lambda.DeleteFunctionConcurrencyInput, ...func(*lambda.Options)) (*lambda.DeleteFunctionConcurrencyOutput, error)
	PutFunctionEventInvokeConfig(context.Context, *lambda.PutFunctionEventInvokeConfigInput, ...func(*lambda.Options)) (*lambda.PutFunctionEventInvokeConfigOutput, error)
	GetFunctionEventInvokeConfig(context.Context, *lambda.GetFunctionEventInvokeConfigInput, ...func(*lambda.Options)) (*lambda.GetFunctionEventInvokeConfigOutput, error)
	DeleteFunctionEventInvokeConfig(context.Context, *lambda.DeleteFunctionEventInvokeConfigInput, ...func(*lambda.Options)) (*lambda.DeleteFunctionEventInvokeConfigOutput, error)
	TagResource(context.Context, *lambda.TagResourceInput, ...func(*lambda.Options)) (*lambda.TagResourceOutput, error)
	UntagResource(context.Context, *lambda.UntagResourceInput, ...func(*lambda.Options)) (*lambda.UntagResourceOutput, error)
}

func newEnricherFunctionResource() resource.Resource {
	return &enricherFunctionResource{resourceBase: resourceBase{typeName: "enricher_function"}}
}

type enricherFunctionResource struct{ resourceBase }

func (r *enricherFunctionResource) lambda() enricherLambdaAPI { return r.data.client.Lambda() }

func (r *enricherFunctionResource) iam() deliveryRoleAPI { return r.data.client.IAM() }

func (r *enricherFunctionResource) logs() logGroupAPI { return r.data.client.Logs() }

type enricherFunctionModel struct {
	ID                           types.String `tfsdk:"id"`
	FunctionName                 types.String `tfsdk:"function_name"`
	Description                  types.String `tfsdk:"description"`
	Mode                         types.String `tfsdk:"mode"`
	Architecture                 types.String `tfsdk:"architecture"`
	MemorySize                   types.Int64  `tfsdk:"memory_size"`
	Timeout                      types.Int64  `tfsdk:"timeout"`
	ReservedConcurrentExecutions types.Int64  `tfsdk:"reserved_concurrent_executions"`
	InventoryTableARN            types.String `tfsdk:"inventory_table_arn"`
	OutputBucket                 types.String `tfsdk:"output_bucket"`
	OutputPrefix                 types.String `tfsdk:"output_prefix"`
	Window                       types.String `tfsdk:"window"`
	KinesisStreamARN             types.String `tfsdk:"kinesis_stream_arn"`
	SourceQueueARN               types.String `tfsdk:"source_queue_arn"`
	SourceBucket                 types.String `tfsdk:"source_bucket"`
	SourcePrefix                 types.String `tfsdk:"source_prefix"`
	SourceAccountRoleARNs        types.Set    `tfsdk:"source_account_role_arns"`
	SourceAccountExternalIDs     types.Map    `tfsdk:"source_account_external_ids"`
	OnFailureDestinationARN      types.String `tfsdk:"on_failure_destination_arn"`
	Environment                  types.Map    `tfsdk:"environment"`
	LogRetentionInDays           types.Int64  `tfsdk:"log_retention_in_days"`
	RoleName                     types.String `tfsdk:"role_name"`
	PermissionsBoundary          types.String `tfsdk:"permissions_boundary"`
	Tags                         types.Map    `tfsdk:"tags"`
	TagsAll                      types.Map    `tfsdk:"tags_all"`
	ARN                          types.String `tfsdk:"arn"`
	RoleARN                      types.String `tfsdk:"role_arn"`
	RolePolicy                   types.String `tfsdk:"role_policy"`
	LogGroupName                 types.String `tfsdk:"log_group_name"`
	SourceCodeHash               types.String `tfsdk:"source_code_hash"`
	// Mode watchdog (enricher_function_watchdog.go).
	MetricNamespace types.String `tfsdk:"metric_namespace"`
	EventBusName    types.String `tfsdk:"event_bus_name"`
	StateBucket     types.String `tfsdk:"state_bucket"`
	StatePrefix     types.String `tfsdk:"state_prefix"`
	ScanTargets     types.List   `tfsdk:"scan_targets"`
	TrafficType     types.String `tfsdk:"traffic_type"`
	ExcludeVPCIDs   types.Set    `tfsdk:"exclude_vpc_ids"`
	// Staging and mode compact (enricher_function_compaction.go).
	OutputStaging   types.Bool   `tfsdk:"output_staging"`
	CompactionGrace types.String `tfsdk:"compaction_grace"`
}

func (r *enricherFunctionResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The enricher as an AWS Lambda function, deployed from the package embedded in this provider: " +
			"the provider's version is the function's version, and a provider upgrade with new enricher code shows as a change of `source_code_hash` in the plan.\n\n" +
			"The resource creates three things and deletes them together:\n\n" +
			"* the function (`" + string(enricherRuntime) + "`, handler `" + enricherHandler + "`), configured through `VPCFLOW_*` environment variables;\n" +
			"* its log group `/aws/lambda/FUNCTION_NAME` with a retention, so the function needs no `logs:CreateLogGroup`;\n" +
			"* its execution role under the IAM path `" + enricherRolePath + "`, trusting `" + pipelinepolicy.LambdaService + "` for this account only, " +
			"with one inline policy `" + pipelinepolicy.ExecutionPolicyName + "` that allows only what the `mode` and inputs need: " +
			"its own log streams, DynamoDB on `inventory_table_arn` (read, or read-write in `inventory` mode), `s3:PutObject` under `output_bucket`/`output_prefix`, " +
			"Kinesis reads of `kinesis_stream_arn`, EC2 and tagging reads in `inventory` mode, the coverage scan, metrics, events, state and target roles in `watchdog` mode, " +
			"and sending to `on_failure_destination_arn`.\n\n" +
			"In `watchdog` mode the function is the flow log coverage watchdog that `vpcflow_watchdog` runs on a schedule: each run scans the accounts and regions of " +
			"`scan_targets` for VPCs without flow logs and flow logs that fail to deliver, publishes CloudWatch metrics in `metric_namespace`, sends an EventBridge event " +
			"to `event_bus_name` per flow log that starts failing or recovers, and remembers what it announced in `state_bucket`. Its role allows exactly those calls: " +
			"`ec2:DescribeVpcs`, `ec2:DescribeFlowLogs`, `s3:ListAllMyBuckets` and `logs:DescribeLogGroups` (the scan, for targets without a role), " +
			"`cloudwatch:PutMetricData` in the namespace, `events:PutEvents` on the bus, `s3:GetObject` and `s3:PutObject` under `state_prefix` and `s3:ListBucket` on `state_bucket`, " +
			"and `sts:AssumeRole` on the targets' roles.\n\n" +
			"The plan checks the role with the provider's IAM policy engine, with a `permissions_boundary` read from IAM, and fails if the function could not do its work. " +
			"A provider binary built without the embedded package (a plain `go build`) fails the plan of this resource only, with how to build one that has it.",
		Attributes: map[string]schema.Attribute{
			"id": computedStable("Name of the function."),
			"function_name": schema.StringAttribute{
				MarkdownDescription: "Name of the function: up to 64 letters, digits, `-` and `_`. It also names the log group and, unless `role_name` is set, the role. Changing it replaces the function.",
				Required:            true,
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, 64),
					stringvalidator.RegexMatches(functionNamePattern, "may contain only letters, digits, - and _"),
				},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "Description of the function, up to 256 characters. Changed in place.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 256)},
			},
			"mode": schema.StringAttribute{
				MarkdownDescription: "What invokes the function: " + quotedList(pipelinepolicy.Modes) + ". Defaults to `" + pipelinepolicy.ModeSubscription + "`. " +
					"`subscription` handles CloudWatch Logs subscription events (`vpcflow_subscription`); `kinesis` reads subscription records from `kinesis_stream_arn` " +
					"(`vpcflow_event_source_mapping`); `inventory` applies the EventBridge events of `vpcflow_inventory_rules` to the inventory table and needs `inventory_table_arn`; " +
					"`watchdog` is the coverage watchdog that `vpcflow_watchdog` runs on a schedule, configured by `metric_namespace`, `event_bus_name`, `state_bucket`, `state_prefix`, " +
					"`scan_targets`, `traffic_type` and `exclude_vpc_ids`, and takes no `inventory_table_arn`, `output_bucket`, `output_prefix` or `window`; " +
					"`s3` enriches the flow log files VPC Flow Logs delivers to S3 (plain text or Parquet), named by the S3 event notifications in `source_queue_arn` " +
					"(`vpcflow_flow_log_queue`, read through `vpcflow_event_source_mapping`), and needs `source_bucket`. " +
					"`compact` merges the rows that the other functions stage (`output_staging`) under `output_bucket`/`output_prefix` into large objects, run by `vpcflow_compaction_schedule`. " +
					"Sets `" + envEnricherMode + "` (`" + contract.ModeCloudWatchLogs + "`, `" + contract.ModeKinesis + "`, `" + pipelinepolicy.ModeInventory + "`, `" + watchdogHandlerModeName + "`, `" + contract.ModeS3 + "` or `" + contract.ModeCompact + "`), the deployment package (one for `subscription`, `kinesis`, `s3` and `compact`, one for `inventory`, one for `watchdog`: each links only what its mode calls) " +
					"and the role's permissions. Changed in place; a change to a mode of another package uploads that package.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(pipelinepolicy.ModeSubscription),
				Validators: []validator.String{stringvalidator.OneOf(pipelinepolicy.Modes...)},
			},
			"architecture": schema.StringAttribute{
				MarkdownDescription: "Instruction set of the function: " + quotedList(enricherArchitectures) + ". Defaults to `" + defaultEnricherArchitecture + "` (Graviton, cheaper per GB-second). " +
					"Each has its own embedded package; changing it uploads the other one in place.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(defaultEnricherArchitecture),
				Validators: []validator.String{stringvalidator.OneOf(enricherArchitectures...)},
			},
			"memory_size": schema.Int64Attribute{
				MarkdownDescription: "Memory in MB, 128 to 10240; Lambda gives CPU in proportion. Defaults to `" + strconv.Itoa(defaultEnricherMemory) + "`. Changed in place.",
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(defaultEnricherMemory),
				Validators:          []validator.Int64{int64validator.Between(128, 10240)},
			},
			"timeout": schema.Int64Attribute{
				MarkdownDescription: "Seconds an invocation may run, 1 to 900. Defaults to `" + strconv.Itoa(defaultEnricherTimeout) + "`. Changed in place.",
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(defaultEnricherTimeout),
				Validators:          []validator.Int64{int64validator.Between(1, 900)},
			},
			"reserved_concurrent_executions": schema.Int64Attribute{
				MarkdownDescription: "Concurrency reserved for the function, which also caps it (`PutFunctionConcurrency`); `0` stops all invocations. " +
					"Leave it out to use the account's unreserved pool. Changed in place.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AtLeast(0)},
			},
			"inventory_table_arn": schema.StringAttribute{
				MarkdownDescription: "ARN of the inventory table (`vpcflow_inventory_table.arn`). Sets `" + envEnricherTable + "` to its name and allows `" +
					strings.Join(pipelinepolicy.InventoryReadActions, "`, `") + "` on it, or in `inventory` mode `" + strings.Join(pipelinepolicy.InventoryWriteActions, "`, `") + "`. " +
					"Required in `inventory` mode. Changed in place.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.RegexMatches(tableARNPattern, "must be a DynamoDB table ARN (arn:aws:dynamodb:REGION:ACCOUNT:table/NAME)")},
			},
			"output_bucket": schema.StringAttribute{
				MarkdownDescription: "S3 bucket the function writes enriched objects to (`" + envEnricherOutputBucket + "`); the role may `s3:PutObject` under `output_prefix` only. " +
					"Required in `subscription`, `kinesis` and `s3` modes, refused in `inventory` and `watchdog` modes. Changed in place.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.RegexMatches(bucketNamePattern, "must be an S3 bucket name")},
			},
			"output_prefix": schema.StringAttribute{
				MarkdownDescription: "Key prefix of the enriched objects (`" + envEnricherOutputPrefix + "`). Defaults to `" + defaultEnricherPrefix + "`. Refused in `watchdog` mode. Changed in place.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(defaultEnricherPrefix),
				Validators:          []validator.String{stringvalidator.LengthBetween(0, 512)},
			},
			"window": schema.StringAttribute{
				MarkdownDescription: "Aggregation window of connections, as a Go duration such as `60s` or `5m` (`" + envEnricherWindow + "`). Defaults to `" + defaultEnricherWindow + "`. Refused in `watchdog` mode, which sets no `" + envEnricherWindow + "`. Changed in place.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(defaultEnricherWindow),
				Validators:          []validator.String{stringvalidator.RegexMatches(durationPattern, "must be a duration such as 60s, 5m or 1m30s")},
			},
			"source_queue_arn": schema.StringAttribute{
				MarkdownDescription: "In `s3` mode (required there, refused otherwise), the SQS queue that holds the S3 event notifications of new flow log files " +
					"(`vpcflow_flow_log_queue.arn`); the role may `" + strings.Join(pipelinepolicy.SQSReadActions, "`, `") + "` on it, what the event source mapping " +
					"(`vpcflow_event_source_mapping`) calls with it. Changed in place.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.RegexMatches(sqsQueuePattern, "must be an SQS queue ARN (arn:aws:sqs:REGION:ACCOUNT:NAME)")},
			},
			"source_bucket": schema.StringAttribute{
				MarkdownDescription: "In `s3` mode (required there, refused otherwise), the bucket VPC Flow Logs delivers its files to; the role may `" +
					strings.Join(pipelinepolicy.SourceReadActions, "`, `") + "` under `source_prefix` only. A bucket encrypted with a customer managed KMS key also needs " +
					"`kms:Decrypt` for the role in the key policy. Changed in place.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.RegexMatches(bucketNamePattern, "must be an S3 bucket name")},
			},
			"source_prefix": schema.StringAttribute{
				MarkdownDescription: "In `s3` mode, the key prefix of the flow log files in `source_bucket`, what comes before `AWSLogs/` (the flow log's destination " +
					"`arn:aws:s3:::BUCKET/PREFIX`, with a trailing slash). Leave it out to read the whole bucket. It must not cover `output_prefix` in the same bucket: " +
					"the function would read its own output. Changed in place.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthBetween(1, 512)},
			},
			"kinesis_stream_arn": schema.StringAttribute{
				MarkdownDescription: "Kinesis data stream the function reads in `kinesis` mode (required there, refused otherwise); the role may `" +
					strings.Join(pipelinepolicy.KinesisReadActions, "`, `") + "` on it. The event source mapping itself is `vpcflow_event_source_mapping`. Changed in place.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.RegexMatches(kinesisStreamPattern, "must be a Kinesis data stream ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME)")},
			},
			"source_account_role_arns": schema.SetAttribute{
				MarkdownDescription: "In `inventory` mode, the `vpcflow_source_account_role` roles of other accounts the function may assume (`sts:AssumeRole`) to describe their network interfaces " +
					"(`" + envSourceRoles + "`). Changed in place.",
				Optional:    true,
				ElementType: types.StringType,
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringvalidator.RegexMatches(roleARNPattern, "must be an IAM role ARN")),
				},
			},
			"source_account_external_ids": schema.MapAttribute{
				MarkdownDescription: "In `inventory` mode, the external ID (`sts:ExternalId`) each role of `source_account_role_arns` requires, by role ARN: " +
					"the `external_id` of its `vpcflow_source_account_role`. A role's trust policy refuses `sts:AssumeRole` without it, so a role left out here cannot be synced. " +
					"Sensitive: it reaches the function as `" + envSourceExternalIDs + "` (JSON), set by the provider, never through `environment` or the plan. Changed in place.",
				Optional:    true,
				Sensitive:   true,
				ElementType: types.StringType,
				Validators: []validator.Map{
					mapvalidator.KeysAre(stringvalidator.RegexMatches(roleARNPattern, "must be an IAM role ARN of source_account_role_arns")),
					mapvalidator.ValueStringsAre(
						stringvalidator.LengthBetween(pipelinepolicy.ExternalIDMinLength, pipelinepolicy.ExternalIDMaxLength),
						stringvalidator.RegexMatches(pipelinepolicy.ExternalIDPattern(), "may contain only letters, digits and +=,.@:/-"),
					),
				},
			},
			"on_failure_destination_arn": schema.StringAttribute{
				MarkdownDescription: "Where Lambda sends the record of an asynchronous invocation that failed all its retries: an SQS queue, SNS topic, Lambda function or EventBridge event bus " +
					"(`PutFunctionEventInvokeConfig`). Subscription filters and EventBridge rules invoke asynchronously, so without it a failed batch of flow records is only logged. " +
					"The role is allowed to send there. Changed in place.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.RegexMatches(failureTargetPattern, "must be the ARN of an SQS queue, SNS topic, Lambda function or EventBridge event bus")},
			},
			"environment": schema.MapAttribute{
				MarkdownDescription: "More environment variables of the function, such as `VPCFLOW_LOG_FORMAT` or `VPCFLOW_MAX_KEYS`. " +
					"The variables the provider sets (" + quotedList(enricherManagedEnv) + ") come from the attributes and cannot be set here. Changed in place.",
				Optional:    true,
				ElementType: types.StringType,
				Validators:  []validator.Map{mapvalidator.KeysAre(stringvalidator.RegexMatches(regexp.MustCompile(`^[a-zA-Z]\w*$`), "must be a letter then letters, digits and _"))},
			},
			"log_retention_in_days": schema.Int64Attribute{
				MarkdownDescription: "Days the function's log group keeps its events. One of " + quotedInts(logRetentionDays) + ". Defaults to `" + strconv.Itoa(defaultEnricherLogRetention) + "`. " +
					"A log group deleted out of band is created again by the next apply. Changed in place.",
				Optional:   true,
				Computed:   true,
				Default:    int64default.StaticInt64(defaultEnricherLogRetention),
				Validators: []validator.Int64{int64validator.OneOf(logRetentionDays...)},
			},
			"role_name": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Name of the execution role the resource creates under path `%s`. Defaults to `function_name`. Changing it replaces the function.", enricherRolePath),
				Optional:            true,
				Computed:            true,
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, roleNameMaxLength),
					stringvalidator.RegexMatches(roleNamePattern, "may contain only letters, digits and +=,.@_-"),
				},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace(), stringplanmodifier.UseStateForUnknown()},
			},
			"permissions_boundary": schema.StringAttribute{
				MarkdownDescription: "ARN of a managed policy that bounds the execution role. The plan reads it and fails, on this attribute, if it denies anything the function needs. Changed in place.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.RegexMatches(managedPolicyPattern, "must be a managed policy ARN (arn:aws:iam::ACCOUNT:policy/NAME)")},
			},
			"tags":     tagsAttribute("Tags of the function, its role and its log group, merged over the provider's `default_tags` (the merged set is `tags_all`). Changed in place."),
			"tags_all": tagsAllAttribute(),
			"arn":      computedStable("Unqualified ARN of the function, for `vpcflow_subscription.destination_arn` and `vpcflow_inventory_rules.function_arn`. Known at plan time."),
			"role_arn": schema.StringAttribute{
				MarkdownDescription: "ARN of the execution role, for `vpcflow_source_account_role.trusted_principal_arns`. Known at plan time.",
				Computed:            true,
			},
			"role_policy": schema.StringAttribute{
				MarkdownDescription: "Inline policy `" + pipelinepolicy.ExecutionPolicyName + "` (JSON) of the execution role. A policy changed outside Terraform shows here and is put back by the next apply.",
				Computed:            true,
			},
			"log_group_name": schema.StringAttribute{
				MarkdownDescription: "Name of the function's log group, `/aws/lambda/FUNCTION_NAME`.",
				Computed:            true,
			},
			"source_code_hash": schema.StringAttribute{
				MarkdownDescription: "Base64 SHA-256 of the deployment package, as Lambda reports `CodeSha256`. Planned from the package of the `mode` and `architecture` embedded in this provider, " +
					"so new enricher code in a provider upgrade, or code changed outside Terraform, shows as a change here and is uploaded by the next apply.",
				Computed: true,
			},
		},
	}
	for name, a := range enricherWatchdogAttributes() {
		resp.Schema.Attributes[name] = a
	}
	for name, a := range enricherCompactionAttributes() {
		resp.Schema.Attributes[name] = a
	}
}

func (r *enricherFunctionResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m enricherFunctionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	mode := m.Mode.ValueString()
	if m.Mode.IsNull() {
		mode = pipelinepolicy.ModeSubscription
	}
	if !m.Mode.IsUnknown() {
		switch {
		case mode == pipelinepolicy.ModeKinesis && m.KinesisStreamARN.IsNull():
			resp.Diagnostics.AddAttributeError(path.Root("kinesis_stream_arn"), "Kinesis mode needs a stream",
				`mode = "kinesis" reads subscription records from a Kinesis data stream, and the role needs read access to it. Set kinesis_stream_arn to the stream (vpcflow_kinesis_stream.arn).`)
		case mode != pipelinepolicy.ModeKinesis && !m.KinesisStreamARN.IsNull():
			resp.Diagnostics.AddAttributeError(path.Root("kinesis_stream_arn"), "Stream without Kinesis mode",
				fmt.Sprintf(`kinesis_stream_arn is read only in mode "kinesis", but mode is %q: the role would be allowed to read a stream the function never reads. Set mode = "kinesis" or remove kinesis_stream_arn.`, mode))
		}
		if mode == pipelinepolicy.ModeInventory && m.InventoryTableARN.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root("inventory_table_arn"), "Inventory mode needs the table",
				`mode = "inventory" writes the network interface inventory to DynamoDB. Set inventory_table_arn (vpcflow_inventory_table.arn).`)
		}
		if mode != pipelinepolicy.ModeInventory && !m.SourceAccountRoleARNs.IsNull() {
			detail := fmt.Sprintf(`Only the inventory function assumes roles in source accounts, but mode is %q. Set mode = "inventory" or remove source_account_role_arns.`, mode)
			if mode == pipelinepolicy.ModeWatchdog {
				detail = `The watchdog assumes the roles of its scan_targets (scan_targets[*].role_arn), not source_account_role_arns. Move the roles there.`
			}
			resp.Diagnostics.AddAttributeError(path.Root("source_account_role_arns"), "Source account roles without inventory mode", detail)
		}
		validateSourceExternalIDs(ctx, m, mode, &resp.Diagnostics)
		validateWatchdogConfig(ctx, m, mode, &resp.Diagnostics)
		validateS3Source(m, mode, &resp.Diagnostics)
		validateCompactionConfig(m, mode, &resp.Diagnostics)
		if mode != pipelinepolicy.ModeInventory && mode != pipelinepolicy.ModeWatchdog && m.OutputBucket.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root("output_bucket"), "Enricher without an output bucket",
				fmt.Sprintf(`In mode %q the enricher writes the enriched connections to S3 and does not start without a bucket (%s). Set output_bucket.`, mode, envEnricherOutputBucket))
		}
		if mode == pipelinepolicy.ModeInventory && !m.OutputBucket.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root("output_bucket"), "Output bucket in inventory mode",
				"The inventory function writes no enriched objects, so output_bucket would grant s3:PutObject for nothing. Remove it.")
		}
	}
	if !m.Environment.IsNull() && !m.Environment.IsUnknown() {
		for k := range m.Environment.Elements() {
			if slices.Contains(enricherManagedEnv, k) {
				resp.Diagnostics.AddAttributeError(path.Root("environment").AtMapKey(k), "Variable set by the provider",
					fmt.Sprintf("%s is set from the resource's attributes (%s). Set the attribute instead.", k, enricherEnvAttribute(k)))
			}
		}
	}
}

// validateSourceExternalIDs checks that source_account_external_ids is
// given in inventory mode only, and only for roles the function assumes.

func validateSourceExternalIDs(ctx context.Context, m enricherFunctionModel, mode string, diags *diag.Diagnostics) {
	p := path.Root("source_account_external_ids")
	if m.SourceAccountExternalIDs.IsNull() || m.SourceAccountExternalIDs.IsUnknown() {
		return
	}
	if mode != pipelinepolicy.ModeInventory {
		detail := fmt.Sprintf(`Only the inventory function assumes source account roles, but mode is %q. Set mode = "inventory" or remove source_account_external_ids.`, mode)
		if mode == pipelinepolicy.ModeWatchdog {
			detail = `The watchdog sends the external IDs of its scan_targets (scan_targets[*].external_id), not source_account_external_ids. Move them there.`
		}
		diags.AddAttributeError(p, "External IDs without inventory mode", detail)
		return
	}
	if m.SourceAccountRoleARNs.IsUnknown() {
		return
	}
	var roles []types.String
	diags.Append(m.SourceAccountRoleARNs.ElementsAs(ctx, &roles, false)...)
	known := map[string]bool{}
	for _, r := range roles {
		if r.IsUnknown() {
			return
		}
		known[r.ValueString()] = true
	}
	for k := range m.SourceAccountExternalIDs.Elements() {
		if !known[k] {
			diags.AddAttributeError(p.AtMapKey(k), "External ID of a role the function does not assume",
				fmt.Sprintf("%s is not in source_account_role_arns, so the function never assumes it and its execution role may not. "+
					"Add the role to source_account_role_arns, or correct the key: it must be the role's ARN exactly.", k))
		}
	}
}

// enricherEnvAttribute names the attribute behind a managed variable.
func enricherEnvAttribute(env string) string {
	switch env {
	case envSourceRoles:
		return "source_account_role_arns"
	case envSourceExternalIDs, envSourceExternalID:
		return "source_account_external_ids"
	case envEnricherMode:
		return "mode"
	case envEnricherTable:
		return "inventory_table_arn"
	case envEnricherOutputBucket:
		return "output_bucket"
	case envEnricherOutputPrefix:
		return "output_prefix"
	case envOutputStaging:
		return "output_staging"
	case envCompactGrace:
		return "compaction_grace"
	}
	for _, e := range enricherWatchdogEnv {
		if e.env == env {
			return e.attribute
		}
	}
	return "window"
}

func (r *enricherFunctionResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	defer planTagsAllOf(ctx, r.data, resp)
	plan, config, state, ok := planInputs[enricherFunctionModel](ctx, r.data, req, &resp.Diagnostics)
	if !ok {
		return
	}
	account, ok := r.data.accountID(ctx, &resp.Diagnostics)
	if !ok {
		return
	}

	if config.RoleName.IsNull() {
		plan.RoleName = plan.FunctionName
	}
	if valueKnown(plan.FunctionName) {
		name := plan.FunctionName.ValueString()
		plan.ID = plan.FunctionName
		plan.ARN = types.StringValue(r.data.regionalARNOf(ctx, "lambda", account, "function:"+name))
		plan.LogGroupName = types.StringValue("/aws/lambda/" + name)
	}
	plan.RoleARN = types.StringUnknown()
	if valueKnown(plan.RoleName) {
		plan.RoleARN = types.StringValue(iamRoleARN(r.data.callerPartition(ctx), account, enricherRolePath, plan.RoleName.ValueString()))
	}

	if plan.Mode.ValueString() == pipelinepolicy.ModeWatchdog {
		checkWatchdogTargets(ctx, plan, account, &resp.Diagnostics)
	}
	if plan.Mode.ValueString() == pipelinepolicy.ModeSubscription && plan.OnFailureDestinationARN.IsNull() && r.data.client.Settings.Validation != conns.ValidationOff {
		resp.Diagnostics.AddAttributeWarning(path.Root("on_failure_destination_arn"), "Failed invocations are dropped without a trace", enricherNoDestinationDetail)
	}
	exec, known := r.execution(ctx, plan, account, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.RolePolicy = types.StringUnknown()
	if known {
		doc, err := pipelinepolicy.ExecutionPermissionsDocument(exec)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("mode"), "rendering the execution role's policy", err.Error())
			return
		}
		plan.RolePolicy = types.StringValue(doc)
	}

	r.planSourceCode(&plan, state, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if known && r.data.client.Settings.Validation != conns.ValidationOff {
		r.checkRole(ctx, plan, exec, &resp.Diagnostics)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// enricherNoDestinationDetail explains what becomes of a subscription
// event the function keeps failing on without an on-failure destination.
const enricherNoDestinationDetail = `mode = "subscription" has no on_failure_destination_arn. CloudWatch Logs invokes the function asynchronously, ` +
	`each event a batch of flow log records. When an invocation fails, Lambda retries it twice (maximum_retry_attempts of the function's asynchronous invocation), ` +
	`or gives up earlier when the event is older than its maximum age (6 hours by default); then it discards the event. ` +
	`Nothing records which records were discarded: their connections are missing from the rows, and only the function's own log shows that an invocation failed.` + "\n\n" +
	`Fix: set on_failure_destination_arn to an SQS queue ARN (aws_sqs_queue.arn). Lambda then sends each discarded event, its records included, to the queue ` +
	`(PutFunctionEventInvokeConfig), and this resource allows the execution role sqs:SendMessage on it. ` +
	`An SNS topic, a Lambda function or an EventBridge event bus works too.`

// planSourceCode plans source_code_hash from the embedded package of the
// mode and architecture, so a change of mode that changes the package
// changes the hash, and Update uploads the other package. Without the
// packages a new function, or one that changes architecture or mode,
// cannot be deployed; an existing one keeps its code with a warning.
func (r *enricherFunctionResource) planSourceCode(plan, state *enricherFunctionModel, diags *diag.Diagnostics) {
	if !valueKnown(plan.Architecture) || !valueKnown(plan.Mode) {
		plan.SourceCodeHash = types.StringUnknown()
		return
	}
	zip, err := plan.code()
	switch {
	case err == nil:
		plan.SourceCodeHash = types.StringValue(artifact.SourceCodeHash(zip))
	case errors.Is(err, artifact.ErrNotEmbedded) && state != nil && plan.Architecture.Equal(state.Architecture) && plan.Mode.Equal(state.Mode):
		plan.SourceCodeHash = state.SourceCodeHash
		diags.AddAttributeWarning(path.Root("source_code_hash"), "Enricher code not embedded in this provider",
			"This provider binary has no enricher package, so it cannot tell whether the deployed code is current and leaves it as it is. "+err.Error())
	default:
		diags.AddAttributeError(codeErrorPath(err), "Enricher code not available", err.Error())
	}
}

// checkRole runs the delivery checker on the execution role the plan
// renders, with the permissions boundary read from IAM: the documents are
// written to pass, so what it finds is the boundary's doing.
func (r *enricherFunctionResource) checkRole(ctx context.Context, plan enricherFunctionModel, exec pipelinepolicy.Execution, diags *diag.Diagnostics) {
	trust, err := pipelinepolicy.ExecutionTrustDocument(exec)
	if err != nil {
		diags.AddError("rendering the execution role's trust policy", err.Error())
		return
	}
	role := delivery.ServiceRole{
		RoleARN:      plan.RoleARN.ValueString(),
		Service:      pipelinepolicy.LambdaService,
		Caller:       "the enricher function",
		Trust:        &delivery.NamedPolicy{Name: "trust policy", Document: trust},
		TrustContext: pipelinepolicy.ExecutionTrustContext(exec),
		Permissions:  []delivery.NamedPolicy{{Name: "inline policy " + pipelinepolicy.ExecutionPolicyName, Document: plan.RolePolicy.ValueString()}},
		Needs:        pipelinepolicy.ExecutionNeeds(exec),
		Outcome:      "the function fails at run time while Lambda reports it healthy",
	}
	if !valueKnown(plan.RoleARN) {
		role.RoleARN = ""
	}
	boundaryPath := path.Root("permissions_boundary")
	if valueKnown(plan.PermissionsBoundary) {
		boundary, ok := r.data.permissionsBoundary(ctx, plan.PermissionsBoundary.ValueString(), "execution role", diags)
		if !ok {
			return
		}
		role.Boundary = boundary
	}
	var boundaryFindings, other []delivery.Finding
	for _, f := range delivery.CheckServiceRole(role) {
		if f.Attribute == delivery.AttrPermissionsBoundary {
			boundaryFindings = append(boundaryFindings, f)
		} else {
			other = append(other, f)
		}
	}
	mode := r.data.client.Settings.Validation
	reportRoleFindings(diags, mode, boundaryPath, "Permissions boundary blocks the enricher", boundaryFindings)
	reportRoleFindings(diags, mode, path.Root("role_policy"), "Execution role would not work", other)
}

// execution converts the model to the policy inputs; known is false while
// any of them is unknown.
func (r *enricherFunctionResource) execution(ctx context.Context, m enricherFunctionModel, account string, diags *diag.Diagnostics) (pipelinepolicy.Execution, bool) {
	for _, v := range []interface {
		IsUnknown() bool
	}{m.FunctionName, m.Mode, m.InventoryTableARN, m.OutputBucket, m.OutputPrefix, m.KinesisStreamARN, m.SourceAccountRoleARNs, m.OnFailureDestinationARN,
		m.SourceQueueARN, m.SourceBucket, m.SourcePrefix} {
		if v.IsUnknown() {
			return pipelinepolicy.Execution{}, false
		}
	}
	e := pipelinepolicy.Execution{
		Partition:               r.data.callerPartition(ctx),
		Region:                  r.data.client.Region(),
		Account:                 account,
		FunctionName:            m.FunctionName.ValueString(),
		Mode:                    m.Mode.ValueString(),
		InventoryTableARN:       m.InventoryTableARN.ValueString(),
		OutputBucket:            m.OutputBucket.ValueString(),
		OutputPrefix:            m.OutputPrefix.ValueString(),
		KinesisStreamARN:        m.KinesisStreamARN.ValueString(),
		OnFailureDestinationARN: m.OnFailureDestinationARN.ValueString(),
		SourceQueueARN:          m.SourceQueueARN.ValueString(),
		SourceBucket:            m.SourceBucket.ValueString(),
		SourcePrefix:            m.SourcePrefix.ValueString(),
	}
	if !m.SourceAccountRoleARNs.IsNull() {
		var known bool
		if e.SourceAccountRoleARNs, known = knownStrings(ctx, m.SourceAccountRoleARNs, diags); !known {
			return pipelinepolicy.Execution{}, false
		}
	}
	if e.Mode == pipelinepolicy.ModeWatchdog {
		if !m.watchdogKnown(ctx) {
			return pipelinepolicy.Execution{}, false
		}
		w, d := m.watchdogPolicy(ctx, e.Partition, account, e.Region)
		diags.Append(d...)
		if d.HasError() {
			return pipelinepolicy.Execution{}, false
		}
		e.Watchdog = w
	}
	return e, true
}

// environment is the function's environment: the managed variables, then
// the configured ones.
func (m enricherFunctionModel) environment(ctx context.Context) (map[string]string, diag.Diagnostics) {
	env, diags := tagsFromModel(ctx, m.Environment)
	env[envEnricherMode] = enricherHandlerModes[m.Mode.ValueString()]
	if m.Mode.ValueString() == pipelinepolicy.ModeWatchdog {
		// The watchdog aggregates nothing: no window, no table, no output.
		wd, d := m.watchdogEnvironment(ctx)
		diags.Append(d...)
		for k, v := range wd {
			env[k] = v
		}
		return env, diags
	}
	env[envEnricherWindow] = m.Window.ValueString()
	if m.Mode.ValueString() == pipelinepolicy.ModeInventory {
		var roles []string
		diags.Append(m.SourceAccountRoleARNs.ElementsAs(ctx, &roles, true)...)
		if len(roles) > 0 {
			slices.Sort(roles)
			env[envSourceRoles] = strings.Join(roles, ",")
		}
		ids := map[string]string{}
		diags.Append(m.SourceAccountExternalIDs.ElementsAs(ctx, &ids, true)...)
		if len(ids) > 0 {
			doc, err := json.Marshal(ids) // keys sorted: the same IDs give the same variable
			if err != nil {
				diags.AddAttributeError(path.Root("source_account_external_ids"), "encoding the external IDs", err.Error())
			}
			env[envSourceExternalIDs] = string(doc)
		}
	}
	if t := m.InventoryTableARN.ValueString(); t != "" {
		env[envEnricherTable] = t[strings.LastIndex(t, "/")+1:]
	}
	if b := m.OutputBucket.ValueString(); b != "" {
		env[envEnricherOutputBucket] = b
		env[envEnricherOutputPrefix] = m.OutputPrefix.ValueString()
	}
	m.compactionEnvironment(env)
	return env, diags
}

func (r *enricherFunctionResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan, ok := modelOf[enricherFunctionModel](ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	name := plan.FunctionName.ValueString()
	zip, err := plan.code()
	if err != nil {
		resp.Diagnostics.AddAttributeError(codeErrorPath(err), "Enricher code not available", err.Error())
		return
	}
	account, ok := r.data.accountID(ctx, &resp.Diagnostics)
	if !ok {
		return
	}
	exec, trust, policyDoc, ok := r.roleDocuments(ctx, plan, account, &resp.Diagnostics)
	if !ok {
		return
	}
	tags, d := tagsFromModel(ctx, plan.TagsAll)
	resp.Diagnostics.Append(d...)
	env, d := plan.environment(ctx)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !valueKnown(plan.RoleName) {
		plan.RoleName = plan.FunctionName
	}
	roleName := plan.RoleName.ValueString()
	plan.ID = plan.FunctionName
	plan.ARN = types.StringValue(exec.FunctionARN())
	plan.LogGroupName = types.StringValue(exec.LogGroupName())
	plan.RoleARN = types.StringValue(iamRoleARN(r.data.callerPartition(ctx), account, enricherRolePath, roleName))
	plan.RolePolicy = types.StringValue(policyDoc)
	plan.SourceCodeHash = types.StringValue(artifact.SourceCodeHash(zip))

	// A function of this name that exists is someone else's: Delete would
	// delete it with this resource.
	if _, err := findEnricherFunction(ctx, r.lambda(), name); err == nil {
		resp.Diagnostics.AddAttributeError(path.Root("function_name"), fmt.Sprintf("creating Lambda Function (%s)", name),
			fmt.Sprintf("Lambda function %s exists already. To manage it with this resource, import it: terraform import <address> %s", name, name))
		return
	} else if !isNotFound(err) {
		resp.Diagnostics.AddError(fmt.Sprintf("creating Lambda Function (%s)", name), err.Error())
		return
	}
	// The log group first: Lambda would create it on the first invocation,
	// without retention, if the role allowed logs:CreateLogGroup.
	if err := ensureFunctionLogGroup(ctx, r.logs(), exec.LogGroupName(), plan.LogRetentionInDays.ValueInt64(), tags); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("creating CloudWatch Logs Log Group (%s)", exec.LogGroupName()), err.Error())
		return
	}
	// Track the function from here, so a failure below leaves it tainted in
	// the state and the next apply deletes what was made. The role is
	// recorded only once it is this resource's: Delete deletes the role named
	// in the state.
	tracked := plan
	tracked.RoleName = types.StringValue("")
	resp.Diagnostics.Append(resp.State.Set(ctx, &tracked)...)

	role, err := r.createRole(ctx, serviceRole{
		Name: roleName, Path: enricherRolePath, Description: enricherRoleDescription(name),
		Trust: trust, PolicyName: pipelinepolicy.ExecutionPolicyName, Policy: policyDoc,
		Boundary: plan.PermissionsBoundary.ValueString(), Tags: tags,
	})
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("role_name"), fmt.Sprintf("creating IAM Role (%s)", roleName), err.Error())
		return
	}
	plan.RoleARN = types.StringValue(aws.ToString(role.Arn))
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)

	in := &lambda.CreateFunctionInput{
		FunctionName:  aws.String(name),
		Role:          role.Arn,
		Runtime:       enricherRuntime,
		Handler:       aws.String(enricherHandler),
		Architectures: []lambdatypes.Architecture{lambdatypes.Architecture(plan.Architecture.ValueString())},
		Code:          &lambdatypes.FunctionCode{ZipFile: zip},
		MemorySize:    aws.Int32(int32(plan.MemorySize.ValueInt64())),
		Timeout:       aws.Int32(int32(plan.Timeout.ValueInt64())),
		Description:   plan.Description.ValueStringPointer(),
		Environment:   &lambdatypes.Environment{Variables: env},
	}
	if len(tags) > 0 {
		in.Tags = tags
	}
	err = retryIAMPropagation(ctx, iamPropagationTimeout, func() error {
		_, err := r.lambda().CreateFunction(ctx, in)
		return err
	}, isLambdaRolePropagation)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("creating Lambda Function (%s)", name), err.Error())
		return
	}
	if err := lambda.NewFunctionActiveV2Waiter(r.lambda()).Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)}, enricherReadyTimeout); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("waiting for Lambda Function (%s) to become active", name), err.Error())
		return
	}
	tflog.Info(ctx, "created the enricher function", map[string]any{"function": name, "code_sha256": plan.SourceCodeHash.ValueString()})

	if !plan.ReservedConcurrentExecutions.IsNull() {
		if err := r.putConcurrency(ctx, name, plan.ReservedConcurrentExecutions); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("reserved_concurrent_executions"), fmt.Sprintf("setting concurrency of Lambda Function (%s)", name), err.Error())
			return
		}
	}
	if !plan.OnFailureDestinationARN.IsNull() {
		if err := r.putOnFailure(ctx, name, plan.OnFailureDestinationARN.ValueString()); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("on_failure_destination_arn"), fmt.Sprintf("setting the on-failure destination of Lambda Function (%s)", name), err.Error())
			return
		}
	}

	readBack(ctx, &plan, r.readInto, &resp.State, &resp.Diagnostics, fmt.Sprintf("reading Lambda Function (%s)", name), "the function was created but cannot be read back")
}

// enricherRoleDescription marks a role as the execution role of the function.
func enricherRoleDescription(function string) string {
	return "Execution role of the vpcflow enricher function " + function
}

// createRole creates the execution role. A role of the name that this
// resource made for the same function (left behind when the function was
// deleted outside Terraform) is taken over and brought up to date; any
// other role of the name is an error.
func (r *enricherFunctionResource) createRole(ctx context.Context, want serviceRole) (*iamtypes.Role, error) {
	role, err := createServiceRole(ctx, r.iam(), propagationRetry{}, want)
	if err == nil {
		tflog.Info(ctx, "created the enricher's execution role", map[string]any{"role": want.Name})
		return role, nil
	}
	if !hasErrorCode(err, "EntityAlreadyExists") {
		return nil, err
	}
	have, ferr := findServiceRole(ctx, r.iam(), want.Name, want.PolicyName)
	if ferr != nil {
		return nil, errors.Join(err, ferr)
	}
	if aws.ToString(have.Role.Path) != want.Path || aws.ToString(have.Role.Description) != want.Description {
		return nil, fmt.Errorf("%w; the role is not one this provider made for the function (path %s, description %q), so it is left alone: "+
			"set role_name to another name, or delete the role", err, aws.ToString(have.Role.Path), aws.ToString(have.Role.Description))
	}
	tflog.Warn(ctx, "taking over the execution role left by an earlier function of the same name", map[string]any{"role": want.Name})
	current := serviceRole{Name: want.Name, Description: want.Description, Trust: have.Trust, PolicyName: want.PolicyName, Policy: have.Policy, Boundary: have.boundary(), Tags: have.Tags}
	if err := updateServiceRole(ctx, r.iam(), current, want); err != nil {
		return nil, err
	}
	return &have.Role, nil
}

// isLambdaRolePropagation matches Lambda refusing a role it cannot assume
// yet: a role created moments ago is not visible to Lambda at once.
func isLambdaRolePropagation(err error) bool {
	return isErrorMessage(err, "InvalidParameterValueException", "cannot be assumed by Lambda") ||
		isErrorMessage(err, "InvalidParameterValueException", "execution role does not have permissions")
}

// ensureFunctionLogGroup creates the function's log group, or adopts one
// left by an earlier function of the same name, and sets its retention.
func ensureFunctionLogGroup(ctx context.Context, api logGroupAPI, name string, retention int64, tags map[string]string) error {
	in := &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name)}
	if len(tags) > 0 {
		in.Tags = tags
	}
	_, err := api.CreateLogGroup(ctx, in)
	switch {
	case hasErrorCode(err, "ResourceAlreadyExistsException"):
		tflog.Info(ctx, "the function's log group exists already; keeping its events", map[string]any{"log_group": name})
	case err != nil:
		return err
	}
	_, err = api.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(name), RetentionInDays: aws.Int32(int32(retention))})
	if err != nil {
		return fmt.Errorf("setting retention: %w", err)
	}
	return nil
}

func (r *enricherFunctionResource) putConcurrency(ctx context.Context, name string, v types.Int64) error {
	if v.IsNull() {
		_, err := r.lambda().DeleteFunctionConcurrency(ctx, &lambda.DeleteFunctionConcurrencyInput{FunctionName: aws.String(name)})
		return err
	}
	_, err := r.lambda().PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String(name), ReservedConcurrentExecutions: aws.Int32(int32(v.ValueInt64()))})
	return err
}

// putOnFailure sets the on-failure destination. Lambda checks that the
// execution role may send there, so a policy put moments ago is retried
// for the IAM propagation time.
func (r *enricherFunctionResource) putOnFailure(ctx context.Context, name, destination string) error {
	if destination == "" {
		_, err := r.lambda().DeleteFunctionEventInvokeConfig(ctx, &lambda.DeleteFunctionEventInvokeConfigInput{FunctionName: aws.String(name)})
		if isAWSNotFound(err) {
			return nil
		}
		return err
	}
	return retryIAMPropagation(ctx, iamPropagationTimeout, func() error {
		_, err := r.lambda().PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{
			FunctionName:      aws.String(name),
			DestinationConfig: &lambdatypes.DestinationConfig{OnFailure: &lambdatypes.OnFailure{Destination: aws.String(destination)}},
		})
		return err
	}, isLambdaRolePropagation)
}

func (r *enricherFunctionResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readResource(ctx, req, resp, r.readInto, func(m *enricherFunctionModel) (string, string) {
		return "Lambda Function not found", goneDetail("Lambda function " + m.ID.ValueString())
	})
}

// findEnricherFunction returns the function, or a not-found error.
func findEnricherFunction(ctx context.Context, api enricherLambdaAPI, name string) (*lambda.GetFunctionOutput, error) {
	out, err := api.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)})
	if err != nil {
		return nil, asNotFound(err, "Lambda function", name)
	}
	if out.Configuration == nil {
		return nil, &notFoundError{Kind: "Lambda function", ID: name}
	}
	return out, nil
}

// readInto refreshes m from Lambda, IAM and CloudWatch Logs; it returns
// false when the function does not exist. A missing role or log group
// shows as a change the next apply makes.
func (r *enricherFunctionResource) readInto(ctx context.Context, m *enricherFunctionModel, diags *diag.Diagnostics) bool {
	name := m.ID.ValueString()
	if name == "" {
		name = m.FunctionName.ValueString()
	}
	out, err := findEnricherFunction(ctx, r.lambda(), name)
	if !readFound(err, diags, "Lambda Function", name) {
		return false
	}
	cfg := out.Configuration
	m.ID, m.FunctionName = types.StringValue(name), types.StringValue(name)
	m.ARN = types.StringValue(aws.ToString(cfg.FunctionArn))
	m.Description = flowLogNullIfEmpty(aws.ToString(cfg.Description))
	m.MemorySize = types.Int64Value(int64(aws.ToInt32(cfg.MemorySize)))
	m.Timeout = types.Int64Value(int64(aws.ToInt32(cfg.Timeout)))
	if len(cfg.Architectures) > 0 {
		m.Architecture = types.StringValue(string(cfg.Architectures[0]))
	}
	m.SourceCodeHash = types.StringValue(aws.ToString(cfg.CodeSha256))
	m.RoleARN = types.StringValue(aws.ToString(cfg.Role))
	m.RoleName = types.StringValue(aws.ToString(cfg.Role)[strings.LastIndex(aws.ToString(cfg.Role), "/")+1:])
	m.LogGroupName = types.StringValue("/aws/lambda/" + name)
	m.ReservedConcurrentExecutions = types.Int64Null()
	if c := out.Concurrency; c != nil && c.ReservedConcurrentExecutions != nil {
		m.ReservedConcurrentExecutions = types.Int64Value(int64(*c.ReservedConcurrentExecutions))
	}
	r.data.setReadTags(ctx, out.Tags, &m.Tags, &m.TagsAll, diags)

	env := map[string]string{}
	if cfg.Environment != nil {
		for k, v := range cfg.Environment.Variables {
			env[k] = v
		}
	}
	r.readEnvironment(ctx, m, env, diags)

	m.OnFailureDestinationARN = types.StringNull()
	inv, err := r.lambda().GetFunctionEventInvokeConfig(ctx, &lambda.GetFunctionEventInvokeConfigInput{FunctionName: aws.String(name)})
	switch {
	case isAWSNotFound(err):
	case err != nil:
		diags.AddError(fmt.Sprintf("reading the on-failure destination of Lambda Function (%s)", name), err.Error())
		return false
	case inv.DestinationConfig != nil && inv.DestinationConfig.OnFailure != nil:
		m.OnFailureDestinationARN = flowLogNullIfEmpty(aws.ToString(inv.DestinationConfig.OnFailure.Destination))
	}

	lg, err := findLogGroup(ctx, r.logs(), "/aws/lambda/"+name)
	switch {
	case isNotFound(err):
		// 0 is no valid retention: the next plan shows the change that
		// creates the group again.
		m.LogRetentionInDays = types.Int64Value(0)
	case err != nil:
		diags.AddError(fmt.Sprintf("reading CloudWatch Logs Log Group (/aws/lambda/%s)", name), err.Error())
		return false
	default:
		m.LogRetentionInDays = types.Int64Value(int64(aws.ToInt32(lg.RetentionInDays)))
	}

	roleName := m.RoleName.ValueString()
	role, err := findServiceRole(ctx, r.iam(), roleName, pipelinepolicy.ExecutionPolicyName)
	switch {
	case isNotFound(err):
		m.RolePolicy = types.StringValue("")
		return true
	case err != nil:
		diags.AddError(fmt.Sprintf("reading IAM Role (%s)", roleName), err.Error())
		return false
	}
	m.PermissionsBoundary = flowLogNullIfEmpty(role.boundary())
	// After an import the stream and source roles are known only from the
	// policy the provider wrote.
	if m.KinesisStreamARN.IsNull() || m.KinesisStreamARN.IsUnknown() {
		m.KinesisStreamARN = types.StringNull()
		if s := pipelinepolicy.StatementResources(role.Policy, pipelinepolicy.SidReadKinesisStream); len(s) == 1 {
			m.KinesisStreamARN = types.StringValue(s[0])
		}
	}
	readS3Source(m, role.Policy)
	if m.SourceAccountRoleARNs.IsNull() || m.SourceAccountRoleARNs.IsUnknown() {
		m.SourceAccountRoleARNs = types.SetNull(types.StringType)
		if s := pipelinepolicy.StatementResources(role.Policy, pipelinepolicy.SidAssumeSourceRoles); len(s) > 0 {
			var d diag.Diagnostics
			m.SourceAccountRoleARNs, d = types.SetValueFrom(ctx, types.StringType, s)
			diags.Append(d...)
		}
	}
	m.RolePolicy = types.StringValue(role.Policy)
	if account, err := r.data.client.AccountID(ctx); err == nil {
		if exec, ok := r.execution(ctx, *m, account, diags); ok {
			if rendered, err := pipelinepolicy.ExecutionPermissionsDocument(exec); err == nil && pipelinepolicy.Equivalent(rendered, role.Policy) {
				m.RolePolicy = types.StringValue(rendered)
			}
		}
	}
	return true
}

// readEnvironment splits the function's environment into the attributes
// the managed variables come from and the configured rest.
func (r *enricherFunctionResource) readEnvironment(ctx context.Context, m *enricherFunctionModel, env map[string]string, diags *diag.Diagnostics) {
	take := func(k string) (string, bool) {
		v, ok := env[k]
		delete(env, k)
		return v, ok
	}
	if v, ok := take(envEnricherMode); ok {
		m.Mode = types.StringValue(enricherModeFromHandler(v))
	} else {
		m.Mode = types.StringValue(pipelinepolicy.ModeSubscription)
	}
	if v, ok := take(envEnricherWindow); ok {
		m.Window = types.StringValue(v)
	} else {
		m.Window = types.StringValue(defaultEnricherWindow)
	}
	prior := m.InventoryTableARN.ValueString()
	m.InventoryTableARN = types.StringNull()
	if table, ok := take(envEnricherTable); ok {
		if strings.HasSuffix(prior, ":table/"+table) {
			m.InventoryTableARN = types.StringValue(prior)
		} else if account, err := r.data.client.AccountID(ctx); err == nil {
			m.InventoryTableARN = types.StringValue(fmt.Sprintf("arn:%s:dynamodb:%s:%s:table/%s", r.data.callerPartition(ctx), r.data.client.Region(), account, table))
		}
	}
	m.OutputBucket = types.StringNull()
	if b, ok := take(envEnricherOutputBucket); ok {
		m.OutputBucket = types.StringValue(b)
	}
	if p, ok := take(envEnricherOutputPrefix); ok {
		m.OutputPrefix = types.StringValue(p)
	} else if m.OutputPrefix.IsNull() || m.OutputPrefix.IsUnknown() {
		m.OutputPrefix = types.StringValue(defaultEnricherPrefix)
	}
	m.readSourceEnvironment(ctx, env, diags)
	m.readWatchdogEnvironment(ctx, env, diags)
	m.readCompactionEnvironment(env)
	rest, d := tagsToModel(ctx, env, m.Environment)
	diags.Append(d...)
	m.Environment = rest
}

// readSourceEnvironment reads the source account roles and their external
// IDs back from the function's environment, so that a change made outside
// Terraform, or a function deployed before the provider set them, shows in
// the next plan.
func (m *enricherFunctionModel) readSourceEnvironment(ctx context.Context, env map[string]string, diags *diag.Diagnostics) {
	roles, hasRoles := env[envSourceRoles]
	ids, hasIDs := env[envSourceExternalIDs]
	delete(env, envSourceRoles)
	delete(env, envSourceExternalIDs)
	delete(env, envSourceExternalID)
	if m.Mode.ValueString() != pipelinepolicy.ModeInventory {
		return
	}
	// Roles unknown after an import are read from the role's policy (readInto).
	if !m.SourceAccountRoleARNs.IsNull() && !m.SourceAccountRoleARNs.IsUnknown() {
		list := []string{}
		if hasRoles {
			list = strings.Split(roles, ",")
		}
		var d diag.Diagnostics
		m.SourceAccountRoleARNs, d = types.SetValueFrom(ctx, types.StringType, list)
		diags.Append(d...)
		// An empty set, not null: null would be read from the role's
		// policy again, and the missing variable would never be set.
	}
	m.SourceAccountExternalIDs = types.MapNull(types.StringType)
	if hasIDs {
		byRole := map[string]string{}
		if err := json.Unmarshal([]byte(ids), &byRole); err != nil {
			diags.AddAttributeWarning(path.Root("source_account_external_ids"), "External IDs not read",
				fmt.Sprintf("The function's %s is not a JSON object of external IDs by role ARN; the next apply sets it again.", envSourceExternalIDs))
			return
		}
		var d diag.Diagnostics
		m.SourceAccountExternalIDs, d = types.MapValueFrom(ctx, types.StringType, byRole)
		diags.Append(d...)
	}
}

// roleDocuments renders the execution role's trust policy and inline
// policy for the function the model describes, as Create and Update write
// them.
func (r *enricherFunctionResource) roleDocuments(ctx context.Context, m enricherFunctionModel, account string, diags *diag.Diagnostics) (exec pipelinepolicy.Execution, trust, policy string, ok bool) {
	exec, _ = r.execution(ctx, m, account, diags)
	trust, err := pipelinepolicy.ExecutionTrustDocument(exec)
	if err != nil {
		diags.AddError("rendering the execution role's trust policy", err.Error())
		return exec, "", "", false
	}
	policy, err = pipelinepolicy.ExecutionPermissionsDocument(exec)
	if err != nil {
		diags.AddError("rendering the execution role's policy", err.Error())
		return exec, "", "", false
	}
	return exec, trust, policy, true
}

func (r *enricherFunctionResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, state, ok := planAndState[enricherFunctionModel](ctx, req, &resp.Diagnostics)
	if !ok {
		return
	}
	name := state.FunctionName.ValueString()
	account, ok := r.data.accountID(ctx, &resp.Diagnostics)
	if !ok {
		return
	}
	exec, trust, policyDoc, ok := r.roleDocuments(ctx, plan, account, &resp.Diagnostics)
	if !ok {
		return
	}
	oldTags, d := tagsFromModel(ctx, state.TagsAll)
	resp.Diagnostics.Append(d...)
	newTags, d := tagsFromModel(ctx, plan.TagsAll)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}

	// The role first, so the function never runs with less than it needs.
	roleName := state.RoleName.ValueString()
	want := serviceRole{
		Name: roleName, Path: enricherRolePath, Description: enricherRoleDescription(name),
		Trust: trust, PolicyName: pipelinepolicy.ExecutionPolicyName, Policy: policyDoc,
		Boundary: plan.PermissionsBoundary.ValueString(), Tags: newTags,
	}
	have, err := findServiceRole(ctx, r.iam(), roleName, pipelinepolicy.ExecutionPolicyName)
	switch {
	case isNotFound(err):
		tflog.Warn(ctx, "the execution role was deleted outside Terraform; creating it again", map[string]any{"role": roleName})
		if _, err := r.createRole(ctx, want); err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("creating IAM Role (%s)", roleName), err.Error())
			return
		}
	case err != nil:
		resp.Diagnostics.AddError(fmt.Sprintf("reading IAM Role (%s)", roleName), err.Error())
		return
	default:
		current := serviceRole{
			Name: roleName, Description: aws.ToString(have.Role.Description), Trust: have.Trust,
			PolicyName: pipelinepolicy.ExecutionPolicyName, Policy: have.Policy, Boundary: have.boundary(), Tags: have.Tags,
		}
		if pipelinepolicy.Equivalent(current.Trust, want.Trust) {
			current.Trust = want.Trust
		}
		if pipelinepolicy.Equivalent(current.Policy, want.Policy) {
			current.Policy = want.Policy
		}
		if err := updateServiceRole(ctx, r.iam(), current, want); err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("updating IAM Role (%s)", roleName), err.Error())
			return
		}
	}
	r.data.docs.Forget()

	logGroup := exec.LogGroupName()
	if !plan.LogRetentionInDays.Equal(state.LogRetentionInDays) {
		if err := ensureFunctionLogGroup(ctx, r.logs(), logGroup, plan.LogRetentionInDays.ValueInt64(), newTags); err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("updating CloudWatch Logs Log Group (%s)", logGroup), err.Error())
			return
		}
	}
	if !plan.TagsAll.Equal(state.TagsAll) {
		groupARN := strings.TrimSuffix(exec.LogGroupARN(), ":*")
		if err := updateLogGroupTags(ctx, r.logs(), groupARN, oldTags, newTags); err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("updating tags of CloudWatch Logs Log Group (%s)", logGroup), err.Error())
			return
		}
	}

	oldEnv, d := state.environment(ctx)
	resp.Diagnostics.Append(d...)
	newEnv, d := plan.environment(ctx)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	configChanged := !plan.Description.Equal(state.Description) || !plan.MemorySize.Equal(state.MemorySize) ||
		!plan.Timeout.Equal(state.Timeout) || fmt.Sprint(oldEnv) != fmt.Sprint(newEnv) || !plan.RoleARN.Equal(state.RoleARN)
	if configChanged {
		in := &lambda.UpdateFunctionConfigurationInput{
			FunctionName: aws.String(name),
			Role:         aws.String(iamRoleARN(r.data.callerPartition(ctx), account, enricherRolePath, roleName)),
			Description:  aws.String(plan.Description.ValueString()),
			MemorySize:   aws.Int32(int32(plan.MemorySize.ValueInt64())),
			Timeout:      aws.Int32(int32(plan.Timeout.ValueInt64())),
			Environment:  &lambdatypes.Environment{Variables: newEnv},
		}
		err := retryIAMPropagation(ctx, iamPropagationTimeout, func() error {
			_, err := r.lambda().UpdateFunctionConfiguration(ctx, in)
			return err
		}, isLambdaRolePropagation)
		if err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("updating Lambda Function (%s)", name), err.Error())
			return
		}
		if err := r.waitUpdated(ctx, name); err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("updating Lambda Function (%s)", name), err.Error())
			return
		}
	}
	// A new mode served by another package plans another hash, so its
	// package is uploaded here, after the configuration that names the
	// mode. An invocation between the two updates fails at init, naming
	// the mode, and is retried as any failed invocation is.
	if !plan.SourceCodeHash.Equal(state.SourceCodeHash) || !plan.Architecture.Equal(state.Architecture) {
		zip, err := plan.code()
		if err != nil {
			resp.Diagnostics.AddAttributeError(codeErrorPath(err), "Enricher code not available", err.Error())
			return
		}
		_, err = r.lambda().UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{
			FunctionName:  aws.String(name),
			ZipFile:       zip,
			Architectures: []lambdatypes.Architecture{lambdatypes.Architecture(plan.Architecture.ValueString())},
		})
		if err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("updating code of Lambda Function (%s)", name), err.Error())
			return
		}
		if err := r.waitUpdated(ctx, name); err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("updating code of Lambda Function (%s)", name), err.Error())
			return
		}
		tflog.Info(ctx, "uploaded the enricher code", map[string]any{"function": name, "code_sha256": artifact.SourceCodeHash(zip)})
	}
	if !plan.ReservedConcurrentExecutions.Equal(state.ReservedConcurrentExecutions) {
		if err := r.putConcurrency(ctx, name, plan.ReservedConcurrentExecutions); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("reserved_concurrent_executions"), fmt.Sprintf("updating concurrency of Lambda Function (%s)", name), err.Error())
			return
		}
	}
	if !plan.OnFailureDestinationARN.Equal(state.OnFailureDestinationARN) {
		if err := r.putOnFailure(ctx, name, plan.OnFailureDestinationARN.ValueString()); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("on_failure_destination_arn"), fmt.Sprintf("updating the on-failure destination of Lambda Function (%s)", name), err.Error())
			return
		}
	}
	fnARN := state.ARN.ValueString()
	updateTags(ctx, state.TagsAll, plan.TagsAll, fmt.Sprintf("Lambda Function (%s)", name), tagger{
		untag: func(ctx context.Context, keys []string) error {
			return errOf(r.lambda().UntagResource(ctx, &lambda.UntagResourceInput{Resource: aws.String(fnARN), TagKeys: keys}))
		},
		tag: func(ctx context.Context, tags map[string]string) error {
			return errOf(r.lambda().TagResource(ctx, &lambda.TagResourceInput{Resource: aws.String(fnARN), Tags: tags}))
		},
	}, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	plan.ID = state.ID
	readBack(ctx, &plan, r.readInto, &resp.State, &resp.Diagnostics, fmt.Sprintf("reading Lambda Function (%s)", name), "the function disappeared during the update")
}

func (r *enricherFunctionResource) waitUpdated(ctx context.Context, name string) error {
	return lambda.NewFunctionUpdatedV2Waiter(r.lambda()).Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)}, enricherReadyTimeout)
}

func (r *enricherFunctionResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	state, ok := modelOf[enricherFunctionModel](ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	name := state.FunctionName.ValueString()
	_, err := r.lambda().DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(name)})
	if err != nil && !isAWSNotFound(err) {
		resp.Diagnostics.AddError(fmt.Sprintf("deleting Lambda Function (%s)", name), err.Error())
		return
	}
	if roleName := state.RoleName.ValueString(); roleName != "" {
		if err := deleteDeliveryRole(ctx, r.iam(), roleName); err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("deleting IAM Role (%s)", roleName), err.Error())
			return
		}
	}
	logGroup := "/aws/lambda/" + name
	_, err = r.logs().DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(logGroup)})
	if err != nil && !isAWSNotFound(err) {
		resp.Diagnostics.AddError(fmt.Sprintf("deleting CloudWatch Logs Log Group (%s)", logGroup), err.Error())
	}
	r.data.docs.Forget()
}

func (r *enricherFunctionResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importAs(ctx, resp, map[string]string{"id": req.ID, "function_name": req.ID})
}

// validateS3Source checks the source attributes: s3 mode needs the queue
// and the bucket, and no other mode reads them.
func validateS3Source(m enricherFunctionModel, mode string, diags *diag.Diagnostics) {
	if mode == pipelinepolicy.ModeS3 {
		if m.SourceQueueARN.IsNull() {
			diags.AddAttributeError(path.Root("source_queue_arn"), "S3 mode needs the queue of notifications",
				`mode = "s3" enriches the flow log files named by S3 event notifications in an SQS queue, and the role needs to receive and delete its messages. Set source_queue_arn (vpcflow_flow_log_queue.arn).`)
		}
		if m.SourceBucket.IsNull() {
			diags.AddAttributeError(path.Root("source_bucket"), "S3 mode needs the bucket of the flow log files",
				`mode = "s3" reads the flow log files VPC Flow Logs delivers to a bucket, and the role may read only that bucket (and source_prefix). Set source_bucket to the bucket of the flow log's log_destination.`)
		}
		if !m.SourceBucket.IsUnknown() && !m.OutputBucket.IsUnknown() && !m.SourcePrefix.IsUnknown() && !m.OutputPrefix.IsUnknown() &&
			m.SourceBucket.ValueString() == m.OutputBucket.ValueString() && m.SourceBucket.ValueString() != "" {
			src, out := m.SourcePrefix.ValueString(), m.OutputPrefix.ValueString()
			if m.OutputPrefix.IsNull() {
				out = defaultEnricherPrefix
			}
			if strings.HasPrefix(src, out) || strings.HasPrefix(out, src) {
				diags.AddAttributeError(path.Root("source_prefix"), "Flow log files and enriched objects overlap",
					fmt.Sprintf(`source_bucket is output_bucket, and source_prefix %q and output_prefix %q overlap: a notification of the enriched objects would make the function read its own output. `+
						`Give the flow log files a prefix of their own (for example "flow-logs/", the flow log's log_destination arn:aws:s3:::BUCKET/flow-logs/) that the output prefix does not start with, and the reverse.`, src, out))
			}
		}
		return
	}
	for _, a := range []struct {
		name string
		v    types.String
	}{{"source_queue_arn", m.SourceQueueARN}, {"source_bucket", m.SourceBucket}, {"source_prefix", m.SourcePrefix}} {
		if !a.v.IsNull() {
			diags.AddAttributeError(path.Root(a.name), "Flow log file source without S3 mode",
				fmt.Sprintf(`%s is read only in mode "s3", but mode is %q: the role would be allowed to read a queue or files the function never reads. Set mode = "s3" or remove %s.`, a.name, mode, a.name))
		}
	}
}

// readS3Source recovers the source attributes, after an import, from the
// statements the provider wrote in the role's policy.
func readS3Source(m *enricherFunctionModel, policy string) {
	if m.SourceQueueARN.IsNull() || m.SourceQueueARN.IsUnknown() {
		m.SourceQueueARN = types.StringNull()
		if s := pipelinepolicy.StatementResources(policy, pipelinepolicy.SidReadSourceQueue); len(s) == 1 {
			m.SourceQueueARN = types.StringValue(s[0])
		}
	}
	if m.SourceBucket.IsNull() || m.SourceBucket.IsUnknown() {
		m.SourceBucket = types.StringNull()
		m.SourcePrefix = types.StringNull()
		s := pipelinepolicy.StatementResources(policy, pipelinepolicy.SidReadSourceFiles)
		if len(s) != 1 {
			return
		}
		_, rest, ok := strings.Cut(s[0], ":s3:::")
		if !ok {
			return
		}
		bucket, prefix, _ := strings.Cut(strings.TrimSuffix(rest, "*"), "/")
		m.SourceBucket = types.StringValue(bucket)
		if prefix != "" {
			m.SourcePrefix = types.StringValue(prefix)
		}
	}
}
