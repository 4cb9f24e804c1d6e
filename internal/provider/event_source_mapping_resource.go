package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
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
	_ resource.Resource                = &eventSourceMappingResource{}
	_ resource.ResourceWithConfigure   = &eventSourceMappingResource{}
	_ resource.ResourceWithImportState = &eventSourceMappingResource{}
	_ resource.ResourceWithModifyPlan  = &eventSourceMappingResource{}
)

var (
	mappingStartingPositions = []string{string(lambdatypes.EventSourcePositionLatest), string(lambdatypes.EventSourcePositionTrimHorizon)}
	mappingResponseTypes     = []string{string(lambdatypes.FunctionResponseTypeReportBatchItemFailures)}
	mappingFailurePattern    = regexp.MustCompile(`^arn:aws[a-z-]*:(sqs:[a-z0-9-]+:\d{12}:.+|sns:[a-z0-9-]+:\d{12}:.+|s3:::[a-z0-9.-]+)$`)
	functionNameOrARN        = regexp.MustCompile(`^(arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:)?[a-zA-Z0-9_-]{1,64}(:[a-zA-Z0-9$_-]+)?$`)
)

const (
	defaultMappingBatchSize      = 100
	defaultMappingBatchingWindow = 10
	defaultMappingRetries        = 10
	// mappingTimeout bounds the wait for a mapping to settle after a change.
	mappingTimeout      = 5 * time.Minute
	mappingPollInterval = 2 * time.Second
)

// eventSourceMappingAPI is the part of Lambda the event source mapping resource uses.
type eventSourceMappingAPI interface {
	CreateEventSourceMapping(context.Context, *lambda.CreateEventSourceMappingInput, ...func(*lambda.Options)) (*lambda.CreateEventSourceMappingOutput, error)
	GetEventSourceMapping(context.Context, *lambda.GetEventSourceMappingInput, ...func(*lambda.Options)) (*lambda.GetEventSourceMappingOutput, error)
	UpdateEventSourceMapping(context.Context, *lambda.UpdateEventSourceMappingInput, ...func(*lambda.Options)) (*lambda.UpdateEventSourceMappingOutput, error)
	DeleteEventSourceMapping(context.Context, *lambda.DeleteEventSourceMappingInput, ...func(*lambda.Options)) (*lambda.DeleteEventSourceMappingOutput, error)
	GetFunctionConfiguration(context.Context, *lambda.GetFunctionConfigurationInput, ...func(*lambda.Options)) (*lambda.GetFunctionConfigurationOutput, error)
}

func newEventSourceMappingResource() resource.Resource {
	return &eventSourceMappingResource{resourceBase: resourceBase{typeName: "event_source_mapping"}}
}

type eventSourceMappingResource struct{ resourceBase }

func (r *eventSourceMappingResource) lambda() eventSourceMappingAPI { return r.data.client.Lambda() }

type eventSourceMappingModel struct {
	ID                             types.String `tfsdk:"id"`
	FunctionName                   types.String `tfsdk:"function_name"`
	EventSourceARN                 types.String `tfsdk:"event_source_arn"`
	StartingPosition               types.String `tfsdk:"starting_position"`
	BatchSize                      types.Int64  `tfsdk:"batch_size"`
	MaximumBatchingWindowInSeconds types.Int64  `tfsdk:"maximum_batching_window_in_seconds"`
	ParallelizationFactor          types.Int64  `tfsdk:"parallelization_factor"`
	TumblingWindowInSeconds        types.Int64  `tfsdk:"tumbling_window_in_seconds"`
	FunctionResponseTypes          types.Set    `tfsdk:"function_response_types"`
	MaximumRetryAttempts           types.Int64  `tfsdk:"maximum_retry_attempts"`
	MaximumRecordAgeInSeconds      types.Int64  `tfsdk:"maximum_record_age_in_seconds"`
	BisectBatchOnFunctionError     types.Bool   `tfsdk:"bisect_batch_on_function_error"`
	OnFailureDestinationARN        types.String `tfsdk:"on_failure_destination_arn"`
	Enabled                        types.Bool   `tfsdk:"enabled"`
	FunctionARN                    types.String `tfsdk:"function_arn"`
	State                          types.String `tfsdk:"state"`
}

func (r *eventSourceMappingResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	responseTypes, _ := types.SetValueFrom(context.Background(), types.StringType, mappingResponseTypes)
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Lambda event source mapping that reads flow log records from a Kinesis data stream (`vpcflow_kinesis_stream`) " +
			"and invokes the enricher (`vpcflow_enricher_function` in `kinesis` mode) with batches of them, or reads the S3 event notifications of new flow log files " +
			"from an SQS queue (`vpcflow_flow_log_queue`) for the enricher in `s3` mode. The defaults suit the enricher: " +
			"batches wait up to " + fmt.Sprint(defaultMappingBatchingWindow) + " seconds to fill, the function reports which records failed (`ReportBatchItemFailures`) " +
			"so only those are retried, a failing batch is split in two to isolate a bad record, and retries are bounded so a poison record cannot hold a shard for the stream's whole retention.\n\n" +
			"The plan reads the function's execution role and fails if it cannot read the stream or send to `on_failure_destination_arn`: " +
			"Lambda would create the mapping and then never deliver a record. A function created in the same run is checked by its own resource.\n\n" +
			"From an SQS queue, Lambda has no starting position, parallelization factor, tumbling window, retry count, record age, bisection or on-failure destination: " +
			"a message the function fails on returns to the queue after its visibility timeout, and goes to the queue's dead-letter queue after `max_receive_count` " +
			"receives (`vpcflow_flow_log_queue`). Those arguments are refused for a queue, and keep their defaults in the state.",
		Attributes: map[string]schema.Attribute{
			"id": computedStable("UUID of the mapping."),
			"function_name": schema.StringAttribute{
				MarkdownDescription: "Name or ARN of the function to invoke (`vpcflow_enricher_function.function_name`). Changed in place.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.RegexMatches(functionNameOrARN, "must be a Lambda function name or ARN")},
			},
			"event_source_arn": schema.StringAttribute{
				MarkdownDescription: "ARN of the Kinesis data stream, or of the SQS queue of flow log file notifications, to read. Changing it replaces the mapping.",
				Required:            true,
				Validators: []validator.String{stringvalidator.Any(
					stringvalidator.RegexMatches(kinesisStreamPattern, "must be a Kinesis data stream ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME)"),
					stringvalidator.RegexMatches(sqsQueuePattern, "must be an SQS queue ARN (arn:aws:sqs:REGION:ACCOUNT:NAME)"),
				)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"starting_position": schema.StringAttribute{
				MarkdownDescription: "Where a new mapping starts reading each shard: " + quotedList(mappingStartingPositions) + ". Defaults to `LATEST`. Changing it replaces the mapping.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(string(lambdatypes.EventSourcePositionLatest)),
				Validators:          []validator.String{stringvalidator.OneOf(mappingStartingPositions...)},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"batch_size": schema.Int64Attribute{
				MarkdownDescription: "Most records per invocation, 1 to 10000. Defaults to `" + fmt.Sprint(defaultMappingBatchSize) + "`. Changed in place.",
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(defaultMappingBatchSize),
				Validators:          []validator.Int64{int64validator.Between(1, 10000)},
			},
			"maximum_batching_window_in_seconds": schema.Int64Attribute{
				MarkdownDescription: "Seconds Lambda waits for a batch to fill before invoking, 0 to 300 (the batch window). Defaults to `" + fmt.Sprint(defaultMappingBatchingWindow) + "`: " +
					"fewer, fuller invocations. Changed in place.",
				Optional:   true,
				Computed:   true,
				Default:    int64default.StaticInt64(defaultMappingBatchingWindow),
				Validators: []validator.Int64{int64validator.Between(0, 300)},
			},
			"parallelization_factor": schema.Int64Attribute{
				MarkdownDescription: "Concurrent batches per shard, 1 to 10; records of the same partition key (log stream) stay in order. Defaults to `1`. Changed in place.",
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(1),
				Validators:          []validator.Int64{int64validator.Between(1, 10)},
			},
			"tumbling_window_in_seconds": schema.Int64Attribute{
				MarkdownDescription: "Length of a tumbling window, 0 to 900 seconds: Lambda passes the state the function returns to the next invocation of the same shard within the window. " +
					"`0` (the default) turns windows off. Changed in place.",
				Optional:   true,
				Computed:   true,
				Default:    int64default.StaticInt64(0),
				Validators: []validator.Int64{int64validator.Between(0, 900)},
			},
			"function_response_types": schema.SetAttribute{
				MarkdownDescription: "What the function's response may say: " + quotedList(mappingResponseTypes) + " lets it name the records that failed, so only they and later records are retried. " +
					"Defaults to `[\"ReportBatchItemFailures\"]`, which the enricher needs: it names the record to retry from when it cannot read a record's inventory, " +
					"and without this response type Lambda would take that for a success and drop the rest of the batch, so the plan refuses a list without it. Changed in place.",
				Optional:    true,
				Computed:    true,
				ElementType: types.StringType,
				Default:     setdefault.StaticValue(responseTypes),
				Validators:  []validator.Set{setvalidator.ValueStringsAre(stringvalidator.OneOf(mappingResponseTypes...)), reportsBatchItemFailures{}},
			},
			"maximum_retry_attempts": schema.Int64Attribute{
				MarkdownDescription: "Retries of a failing batch, -1 (until the record expires) to 10000. Defaults to `" + fmt.Sprint(defaultMappingRetries) + "`, " +
					"after which the batch goes to `on_failure_destination_arn` and the shard moves on. Changed in place.",
				Optional:   true,
				Computed:   true,
				Default:    int64default.StaticInt64(defaultMappingRetries),
				Validators: []validator.Int64{int64validator.Between(-1, 10000)},
			},
			"maximum_record_age_in_seconds": schema.Int64Attribute{
				MarkdownDescription: "Records older than this are not processed, 60 to 604800 seconds, or -1 for no limit (the default). Changed in place.",
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(-1),
				Validators: []validator.Int64{int64validator.Any(
					int64validator.OneOf(-1), int64validator.Between(60, 604800),
				)},
			},
			"bisect_batch_on_function_error": schema.BoolAttribute{
				MarkdownDescription: "Split a failing batch in two and retry the halves, to isolate a record the enricher cannot handle. Defaults to `true`. Changed in place.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
			},
			"on_failure_destination_arn": schema.StringAttribute{
				MarkdownDescription: "SQS queue, SNS topic or S3 bucket that receives a record of each batch given up on, so no flow logs are lost without a trace. " +
					"The function's role must be allowed to send there (the plan checks it). Changed in place.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.RegexMatches(mappingFailurePattern, "must be the ARN of an SQS queue, SNS topic or S3 bucket")},
			},
			"enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether the mapping reads the stream. Defaults to `true`; `false` pauses it and records wait in the stream. Changed in place.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
			},
			"function_arn": schema.StringAttribute{
				MarkdownDescription: "ARN of the function the mapping invokes.",
				Computed:            true,
			},
			"state": schema.StringAttribute{
				MarkdownDescription: "State Lambda reports for the mapping, such as `Enabled` or `Disabled`.",
				Computed:            true,
			},
		},
	}
}

// ModifyPlan checks that the function's role can read the stream and send
// failed batches to the destination.
func (r *eventSourceMappingResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	plan, ok := modelOf[eventSourceMappingModel](ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	if !req.State.Raw.IsNull() {
		var state eventSourceMappingModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if plan.FunctionName.Equal(state.FunctionName) {
			plan.FunctionARN = state.FunctionARN
		}
		if plan.Enabled.Equal(state.Enabled) {
			plan.State = state.State
		}
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
	}
	sqs := isSQSSource(plan.EventSourceARN)
	if sqs {
		var config eventSourceMappingModel
		resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
		refuseForSQS(config, &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	mode := r.data.client.Settings.Validation
	if mode != conns.ValidationOff && plan.OnFailureDestinationARN.IsNull() && !sqs && !plan.EventSourceARN.IsUnknown() {
		resp.Diagnostics.AddAttributeWarning(path.Root("on_failure_destination_arn"), "Failed batches are dropped without a trace", mappingNoDestinationDetail(plan))
	}
	if mode == conns.ValidationOff || !valueKnown(plan.FunctionName) || !valueKnown(plan.EventSourceARN) || plan.OnFailureDestinationARN.IsUnknown() {
		return
	}
	fn, err := r.lambda().GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: plan.FunctionName.ValueStringPointer()})
	if isAWSNotFound(err) {
		return // created in this run; vpcflow_enricher_function checks its own role
	}
	if err != nil {
		resp.Diagnostics.AddAttributeWarning(path.Root("function_name"), "Function's role not checked",
			fmt.Sprintf("Reading the function's configuration failed, so this plan cannot tell whether its role can read the stream: %s", err))
		return
	}
	role := delivery.ServiceRole{
		RoleARN: aws.ToString(fn.Role), Caller: "Lambda (event source mapping)", Target: "Kinesis",
		Outcome: "the mapping is created but reads nothing, and records expire in the stream",
		Needs:   pipelinepolicy.KinesisReadNeeds(plan.EventSourceARN.ValueString()),
	}
	if sqs {
		role.Target, role.Needs = "SQS", pipelinepolicy.SQSReadNeeds(plan.EventSourceARN.ValueString())
		role.Outcome = "the mapping is created but receives nothing, and the notifications of new flow log files wait in the queue until they expire"
		r.checkRole(ctx, role, path.Root("event_source_arn"), "Function cannot read the queue", &resp.Diagnostics)
		return
	}
	r.checkRole(ctx, role, path.Root("event_source_arn"), "Function cannot read the stream", &resp.Diagnostics)
	if dest := plan.OnFailureDestinationARN.ValueString(); dest != "" {
		needs, err := pipelinepolicy.MappingFailureDestinationNeeds(dest)
		if err == nil {
			role.Needs, role.Target = needs, "the on-failure destination"
			role.Outcome = "batches given up on are dropped without a record"
			r.checkRole(ctx, role, path.Root("on_failure_destination_arn"), "Function cannot record failed batches", &resp.Diagnostics)
		}
	}
}

// mappingNoDestinationDetail explains what becomes of a batch the function
// keeps failing on when the mapping has no on-failure destination.
func mappingNoDestinationDetail(plan eventSourceMappingModel) string {
	retries := "up to maximum_retry_attempts times"
	if r := plan.MaximumRetryAttempts; valueKnown(r) {
		retries = fmt.Sprintf("%d times (maximum_retry_attempts = %d)", r.ValueInt64(), r.ValueInt64())
		if r.ValueInt64() < 0 {
			retries = "until its records expire (maximum_retry_attempts = -1)"
		}
	}
	age := "when its records age out of the stream's retention period"
	if a := plan.MaximumRecordAgeInSeconds; valueKnown(a) && a.ValueInt64() > 0 {
		age = fmt.Sprintf("when its records are older than %d seconds (maximum_record_age_in_seconds)", a.ValueInt64())
	}
	return "This event source mapping has no on_failure_destination_arn. When the enricher fails on a batch of flow log records, " +
		"Lambda retries the batch " + retries + ", or stops earlier " + age + "; then it drops the batch and moves on in the shard. " +
		"Nothing records which records were dropped: their connections are missing from the rows, and only the function's own log shows that an invocation failed.\n\n" +
		"Fix: set on_failure_destination_arn to an SQS queue ARN (aws_sqs_queue.arn). Lambda then sends the queue a record of each batch it drops " +
		"(shard, first and last sequence numbers), from which the records can be read again while the stream keeps them. " +
		"The function's execution role needs sqs:SendMessage on the queue: vpcflow_enricher_function allows it when its own on_failure_destination_arn names the same queue. " +
		"An SNS topic (sns:Publish) or an S3 bucket (s3:PutObject) works too."
}

func (r *eventSourceMappingResource) checkRole(ctx context.Context, role delivery.ServiceRole, p path.Path, summary string, diags *diag.Diagnostics) {
	findings, found, err := checkExistingRole(ctx, r.data.docs, role)
	switch {
	case err != nil:
		diags.AddAttributeWarning(p, "Function's role not checked", err.Error())
	case !found:
		diags.AddAttributeWarning(p, "Function's role not found",
			fmt.Sprintf("The function's execution role %s does not exist, so Lambda cannot read the stream with it.", role.RoleARN))
	default:
		reportRoleFindings(diags, r.data.client.Settings.Validation, p, summary, findings)
	}
}

func (r *eventSourceMappingResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan, ok := modelOf[eventSourceMappingModel](ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	responseTypes, d := mappingResponseTypesFrom(ctx, plan.FunctionResponseTypes)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	in := &lambda.CreateEventSourceMappingInput{
		FunctionName:                   plan.FunctionName.ValueStringPointer(),
		EventSourceArn:                 plan.EventSourceARN.ValueStringPointer(),
		StartingPosition:               lambdatypes.EventSourcePosition(plan.StartingPosition.ValueString()),
		BatchSize:                      aws.Int32(int32(plan.BatchSize.ValueInt64())),
		MaximumBatchingWindowInSeconds: aws.Int32(int32(plan.MaximumBatchingWindowInSeconds.ValueInt64())),
		ParallelizationFactor:          aws.Int32(int32(plan.ParallelizationFactor.ValueInt64())),
		TumblingWindowInSeconds:        aws.Int32(int32(plan.TumblingWindowInSeconds.ValueInt64())),
		FunctionResponseTypes:          responseTypes,
		MaximumRetryAttempts:           aws.Int32(int32(plan.MaximumRetryAttempts.ValueInt64())),
		MaximumRecordAgeInSeconds:      aws.Int32(int32(plan.MaximumRecordAgeInSeconds.ValueInt64())),
		BisectBatchOnFunctionError:     aws.Bool(plan.BisectBatchOnFunctionError.ValueBool()),
		Enabled:                        aws.Bool(plan.Enabled.ValueBool()),
	}
	if dest := plan.OnFailureDestinationARN.ValueString(); dest != "" {
		in.DestinationConfig = mappingDestination(dest)
	}
	if isSQSSource(plan.EventSourceARN) {
		// Lambda refuses these for a queue.
		in.StartingPosition, in.ParallelizationFactor, in.TumblingWindowInSeconds = "", nil, nil
		in.MaximumRetryAttempts, in.MaximumRecordAgeInSeconds, in.BisectBatchOnFunctionError, in.DestinationConfig = nil, nil, nil, nil
	}
	var out *lambda.CreateEventSourceMappingOutput
	err := retryIAMPropagation(ctx, iamPropagationTimeout, func() error {
		var err error
		out, err = r.lambda().CreateEventSourceMapping(ctx, in)
		return err
	}, isMappingRolePropagation)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("creating Lambda Event Source Mapping (%s → %s)", plan.EventSourceARN.ValueString(), plan.FunctionName.ValueString()), err.Error())
		return
	}
	id := aws.ToString(out.UUID)
	tflog.Info(ctx, "created Lambda event source mapping", map[string]any{"uuid": id, "stream": plan.EventSourceARN.ValueString()})
	plan.ID = types.StringValue(id)
	plan.FunctionARN = types.StringValue(aws.ToString(out.FunctionArn))
	plan.State = types.StringValue(aws.ToString(out.State))
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)

	if err := r.waitSettled(ctx, id); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("waiting for Lambda Event Source Mapping (%s)", id), err.Error())
		return
	}
	readBack(ctx, &plan, r.readInto, &resp.State, &resp.Diagnostics, fmt.Sprintf("reading Lambda Event Source Mapping (%s)", id), "the mapping was created but cannot be read back")
}

// isMappingRolePropagation matches Lambda refusing a mapping because the
// function's role cannot read the stream yet: a policy put moments ago.
// The plan has checked the role, so this is IAM catching up.
func isMappingRolePropagation(err error) bool {
	return isErrorMessage(err, "InvalidParameterValueException", "execution role does not have permissions") ||
		isErrorMessage(err, "InvalidParameterValueException", "cannot access stream")
}

func mappingDestination(arn string) *lambdatypes.DestinationConfig {
	if arn == "" {
		// An empty OnFailure removes a destination set before.
		return &lambdatypes.DestinationConfig{OnFailure: &lambdatypes.OnFailure{}}
	}
	return &lambdatypes.DestinationConfig{OnFailure: &lambdatypes.OnFailure{Destination: aws.String(arn)}}
}

func mappingResponseTypesFrom(ctx context.Context, s types.Set) ([]lambdatypes.FunctionResponseType, diag.Diagnostics) {
	var values []string
	diags := s.ElementsAs(ctx, &values, false)
	out := make([]lambdatypes.FunctionResponseType, 0, len(values))
	for _, v := range values {
		out = append(out, lambdatypes.FunctionResponseType(v))
	}
	return out, diags
}

// waitSettled polls the mapping until it leaves the transitional states.
func (r *eventSourceMappingResource) waitSettled(ctx context.Context, id string) error {
	var state string
	err := pollUntil(ctx, mappingTimeout, mappingPollInterval, func() (bool, error) {
		m, err := findEventSourceMapping(ctx, r.lambda(), id)
		if err != nil {
			return false, err
		}
		state = aws.ToString(m.State)
		switch state {
		case "Creating", "Enabling", "Disabling", "Updating":
			return false, nil
		}
		return true, nil
	})
	if errors.Is(err, errStillWaiting) {
		return fmt.Errorf("mapping %s still %s after %s", id, state, mappingTimeout)
	}
	return err
}

// isHTTPNotFound matches a 404 answer, whatever its error code says.
func isHTTPNotFound(err error) bool {
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound
}

// findEventSourceMapping reads the mapping, or returns a not-found error.
func findEventSourceMapping(ctx context.Context, api eventSourceMappingAPI, id string) (*lambda.GetEventSourceMappingOutput, error) {
	out, err := api.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(id)})
	if isAWSNotFound(err) || isHTTPNotFound(err) {
		return nil, &notFoundError{Kind: "Lambda event source mapping", ID: id, Err: err}
	}
	if err != nil {
		return nil, err
	}
	if aws.ToString(out.State) == "Deleting" {
		return nil, &notFoundError{Kind: "Lambda event source mapping", ID: id}
	}
	return out, nil
}

func (r *eventSourceMappingResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readResource(ctx, req, resp, r.readInto, func(m *eventSourceMappingModel) (string, string) {
		return "Lambda Event Source Mapping not found", goneDetail("Event source mapping " + m.ID.ValueString())
	})
}

// readInto refreshes m from Lambda; it returns false when the mapping does not exist.
func (r *eventSourceMappingResource) readInto(ctx context.Context, m *eventSourceMappingModel, diags *diag.Diagnostics) bool {
	id := m.ID.ValueString()
	out, err := findEventSourceMapping(ctx, r.lambda(), id)
	if !readFound(err, diags, "Lambda Event Source Mapping", id) {
		return false
	}
	fnARN := aws.ToString(out.FunctionArn)
	m.FunctionARN = types.StringValue(fnARN)
	// Keep the name or ARN as configured when it names this function.
	if prior := m.FunctionName.ValueString(); prior == "" || (prior != fnARN && !strings.HasSuffix(fnARN, ":function:"+prior)) {
		m.FunctionName = types.StringValue(fnARN[strings.LastIndex(fnARN, ":")+1:])
	}
	m.EventSourceARN = types.StringValue(aws.ToString(out.EventSourceArn))
	if isSQSSource(m.EventSourceARN) {
		readSQSMapping(m, out)
		return true
	}
	m.StartingPosition = types.StringValue(string(out.StartingPosition))
	m.BatchSize = types.Int64Value(int64(aws.ToInt32(out.BatchSize)))
	m.MaximumBatchingWindowInSeconds = types.Int64Value(int64(aws.ToInt32(out.MaximumBatchingWindowInSeconds)))
	m.ParallelizationFactor = types.Int64Value(int64(max(aws.ToInt32(out.ParallelizationFactor), 1)))
	m.TumblingWindowInSeconds = types.Int64Value(int64(aws.ToInt32(out.TumblingWindowInSeconds)))
	m.MaximumRetryAttempts = types.Int64Value(int64(aws.ToInt32(out.MaximumRetryAttempts)))
	if out.MaximumRetryAttempts == nil {
		m.MaximumRetryAttempts = types.Int64Value(-1)
	}
	m.MaximumRecordAgeInSeconds = types.Int64Value(-1)
	if out.MaximumRecordAgeInSeconds != nil {
		m.MaximumRecordAgeInSeconds = types.Int64Value(int64(*out.MaximumRecordAgeInSeconds))
	}
	m.BisectBatchOnFunctionError = types.BoolValue(aws.ToBool(out.BisectBatchOnFunctionError))
	responseTypes := make([]attr.Value, 0, len(out.FunctionResponseTypes))
	for _, t := range out.FunctionResponseTypes {
		responseTypes = append(responseTypes, types.StringValue(string(t)))
	}
	set, d := types.SetValue(types.StringType, responseTypes)
	diags.Append(d...)
	m.FunctionResponseTypes = set
	m.OnFailureDestinationARN = types.StringNull()
	if c := out.DestinationConfig; c != nil && c.OnFailure != nil {
		m.OnFailureDestinationARN = flowLogNullIfEmpty(aws.ToString(c.OnFailure.Destination))
	}
	state := aws.ToString(out.State)
	m.State = types.StringValue(state)
	m.Enabled = types.BoolValue(state != "Disabled" && state != "Disabling")
	return true
}

func (r *eventSourceMappingResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, state, ok := planAndState[eventSourceMappingModel](ctx, req, &resp.Diagnostics)
	if !ok {
		return
	}
	id := state.ID.ValueString()
	responseTypes, d := mappingResponseTypesFrom(ctx, plan.FunctionResponseTypes)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	in := &lambda.UpdateEventSourceMappingInput{
		UUID:                           aws.String(id),
		FunctionName:                   plan.FunctionName.ValueStringPointer(),
		BatchSize:                      aws.Int32(int32(plan.BatchSize.ValueInt64())),
		MaximumBatchingWindowInSeconds: aws.Int32(int32(plan.MaximumBatchingWindowInSeconds.ValueInt64())),
		ParallelizationFactor:          aws.Int32(int32(plan.ParallelizationFactor.ValueInt64())),
		TumblingWindowInSeconds:        aws.Int32(int32(plan.TumblingWindowInSeconds.ValueInt64())),
		FunctionResponseTypes:          responseTypes,
		MaximumRetryAttempts:           aws.Int32(int32(plan.MaximumRetryAttempts.ValueInt64())),
		MaximumRecordAgeInSeconds:      aws.Int32(int32(plan.MaximumRecordAgeInSeconds.ValueInt64())),
		BisectBatchOnFunctionError:     aws.Bool(plan.BisectBatchOnFunctionError.ValueBool()),
		DestinationConfig:              mappingDestination(plan.OnFailureDestinationARN.ValueString()),
		Enabled:                        aws.Bool(plan.Enabled.ValueBool()),
	}
	if isSQSSource(state.EventSourceARN) {
		in.ParallelizationFactor, in.TumblingWindowInSeconds, in.MaximumRetryAttempts = nil, nil, nil
		in.MaximumRecordAgeInSeconds, in.BisectBatchOnFunctionError, in.DestinationConfig = nil, nil, nil
	}
	err := retryIAMPropagation(ctx, iamPropagationTimeout, func() error {
		_, err := r.lambda().UpdateEventSourceMapping(ctx, in)
		return err
	}, isMappingRolePropagation)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("updating Lambda Event Source Mapping (%s)", id), err.Error())
		return
	}
	if err := r.waitSettled(ctx, id); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("waiting for Lambda Event Source Mapping (%s)", id), err.Error())
		return
	}
	plan.ID = state.ID
	readBack(ctx, &plan, r.readInto, &resp.State, &resp.Diagnostics, fmt.Sprintf("reading Lambda Event Source Mapping (%s)", id), "the mapping disappeared during the update")
}

func (r *eventSourceMappingResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	state, ok := modelOf[eventSourceMappingModel](ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	id := state.ID.ValueString()
	_, err := r.lambda().DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: aws.String(id)})
	if isAWSNotFound(err) || isHTTPNotFound(err) {
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("deleting Lambda Event Source Mapping (%s)", id), err.Error())
		return
	}
	err = pollUntil(ctx, mappingTimeout, mappingPollInterval, func() (bool, error) {
		_, err := findEventSourceMapping(ctx, r.lambda(), id)
		if isNotFound(err) {
			return true, nil
		}
		return false, err
	})
	switch {
	case errors.Is(err, errStillWaiting):
		resp.Diagnostics.AddError(fmt.Sprintf("waiting for Lambda Event Source Mapping (%s) to be deleted", id), fmt.Sprintf("still there after %s", mappingTimeout))
	case err != nil:
		resp.Diagnostics.AddError(fmt.Sprintf("waiting for Lambda Event Source Mapping (%s) to be deleted", id), err.Error())
	}
}

func (r *eventSourceMappingResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}

// isSQSSource reports whether a mapping reads an SQS queue.
func isSQSSource(arn types.String) bool {
	return strings.Contains(arn.ValueString(), ":sqs:")
}

// refuseForSQS refuses, for a queue, the arguments Lambda has only for
// streams, set in the configuration.
func refuseForSQS(config eventSourceMappingModel, diags *diag.Diagnostics) {
	for _, a := range []struct {
		name string
		set  bool
	}{
		{"starting_position", !config.StartingPosition.IsNull()},
		{"parallelization_factor", !config.ParallelizationFactor.IsNull()},
		{"tumbling_window_in_seconds", !config.TumblingWindowInSeconds.IsNull()},
		{"maximum_retry_attempts", !config.MaximumRetryAttempts.IsNull()},
		{"maximum_record_age_in_seconds", !config.MaximumRecordAgeInSeconds.IsNull()},
		{"bisect_batch_on_function_error", !config.BisectBatchOnFunctionError.IsNull()},
		{"on_failure_destination_arn", !config.OnFailureDestinationARN.IsNull()},
	} {
		if a.set {
			diags.AddAttributeError(path.Root(a.name), "Argument of a stream on an SQS queue",
				fmt.Sprintf("event_source_arn is an SQS queue, and Lambda accepts %s only for Kinesis and DynamoDB streams (CreateEventSourceMapping fails with InvalidParameterValueException). "+
					"A message the function fails on returns to the queue after its visibility timeout and goes to the queue's dead-letter queue after max_receive_count receives: "+
					"set those on vpcflow_flow_log_queue, and remove %s.", a.name, a.name))
		}
	}
}

// readSQSMapping refreshes the arguments a queue's mapping has; the stream
// arguments keep what the plan had, or their defaults after an import.
func readSQSMapping(m *eventSourceMappingModel, out *lambda.GetEventSourceMappingOutput) {
	keep := func(v types.Int64, def int64) types.Int64 {
		if v.IsNull() || v.IsUnknown() {
			return types.Int64Value(def)
		}
		return v
	}
	if m.StartingPosition.IsNull() || m.StartingPosition.IsUnknown() {
		m.StartingPosition = types.StringValue(string(lambdatypes.EventSourcePositionLatest))
	}
	m.ParallelizationFactor = keep(m.ParallelizationFactor, 1)
	m.TumblingWindowInSeconds = keep(m.TumblingWindowInSeconds, 0)
	m.MaximumRetryAttempts = keep(m.MaximumRetryAttempts, defaultMappingRetries)
	m.MaximumRecordAgeInSeconds = keep(m.MaximumRecordAgeInSeconds, -1)
	if m.BisectBatchOnFunctionError.IsNull() || m.BisectBatchOnFunctionError.IsUnknown() {
		m.BisectBatchOnFunctionError = types.BoolValue(true)
	}
	m.OnFailureDestinationARN = types.StringNull()
	m.BatchSize = types.Int64Value(int64(aws.ToInt32(out.BatchSize)))
	m.MaximumBatchingWindowInSeconds = types.Int64Value(int64(aws.ToInt32(out.MaximumBatchingWindowInSeconds)))
	responseTypes := make([]attr.Value, 0, len(out.FunctionResponseTypes))
	for _, t := range out.FunctionResponseTypes {
		responseTypes = append(responseTypes, types.StringValue(string(t)))
	}
	m.FunctionResponseTypes, _ = types.SetValue(types.StringType, responseTypes)
	state := aws.ToString(out.State)
	m.State = types.StringValue(state)
	m.Enabled = types.BoolValue(state != "Disabled" && state != "Disabling")
}
