package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

var (
	_ resource.Resource                = &flowLogQueueResource{}
	_ resource.ResourceWithConfigure   = &flowLogQueueResource{}
	_ resource.ResourceWithImportState = &flowLogQueueResource{}
	_ resource.ResourceWithModifyPlan  = &flowLogQueueResource{}
)

var queueNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,73}$`)

const (
	// defaultQueueVisibility is six times the enricher's default timeout,
	// as Lambda recommends for a queue it reads (Lambda Developer Guide,
	// "Configuring a queue to use with Lambda").
	defaultQueueVisibility = 6 * defaultEnricherTimeout
	// defaultQueueRetention is SQS's default, four days.
	defaultQueueRetention = 345600
	// failedQueueRetention keeps what failed for the 14 days SQS allows.
	failedQueueRetention   = 1209600
	defaultMaxReceiveCount = 5
	// failedQueueSuffix names the dead-letter queue after the queue.
	failedQueueSuffix = "-failed"
	// queueNotificationPrefix begins the id of the queue's configuration in
	// the bucket's notification configuration.
	queueNotificationPrefix = "vpcflow-"
)

// flowLogFileEvents are the S3 events that announce a new flow log file.
var flowLogFileEvents = []s3types.Event{"s3:ObjectCreated:*"}

// flowLogQueueSQSAPI is the part of SQS the queue resource uses.
type flowLogQueueSQSAPI interface {
	CreateQueue(context.Context, *sqs.CreateQueueInput, ...func(*sqs.Options)) (*sqs.CreateQueueOutput, error)
	GetQueueUrl(context.Context, *sqs.GetQueueUrlInput, ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error)
	GetQueueAttributes(context.Context, *sqs.GetQueueAttributesInput, ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
	SetQueueAttributes(context.Context, *sqs.SetQueueAttributesInput, ...func(*sqs.Options)) (*sqs.SetQueueAttributesOutput, error)
	DeleteQueue(context.Context, *sqs.DeleteQueueInput, ...func(*sqs.Options)) (*sqs.DeleteQueueOutput, error)
}

// flowLogQueueS3API is the part of S3 the queue resource uses.
type flowLogQueueS3API interface {
	GetBucketNotificationConfiguration(context.Context, *s3.GetBucketNotificationConfigurationInput, ...func(*s3.Options)) (*s3.GetBucketNotificationConfigurationOutput, error)
	PutBucketNotificationConfiguration(context.Context, *s3.PutBucketNotificationConfigurationInput, ...func(*s3.Options)) (*s3.PutBucketNotificationConfigurationOutput, error)
}

func newFlowLogQueueResource() resource.Resource {
	return &flowLogQueueResource{resourceBase: resourceBase{typeName: "flow_log_queue"}}
}

type flowLogQueueResource struct{ resourceBase }

func (r *flowLogQueueResource) sqs() flowLogQueueSQSAPI { return r.data.client.SQS() }

func (r *flowLogQueueResource) s3() flowLogQueueS3API { return r.data.client.S3() }

type flowLogQueueModel struct {
	ID                       types.String `tfsdk:"id"`
	Name                     types.String `tfsdk:"name"`
	Bucket                   types.String `tfsdk:"bucket"`
	Prefix                   types.String `tfsdk:"prefix"`
	VisibilityTimeoutSeconds types.Int64  `tfsdk:"visibility_timeout_seconds"`
	MessageRetentionSeconds  types.Int64  `tfsdk:"message_retention_seconds"`
	MaxReceiveCount          types.Int64  `tfsdk:"max_receive_count"`
	Notified                 types.Bool   `tfsdk:"notified"`
	ARN                      types.String `tfsdk:"arn"`
	URL                      types.String `tfsdk:"url"`
	FailedQueueARN           types.String `tfsdk:"failed_queue_arn"`
	NotificationID           types.String `tfsdk:"notification_id"`
}

func (r *flowLogQueueResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The SQS queue that hears of every flow log file VPC Flow Logs delivers to an S3 bucket, for the enricher in `s3` mode " +
			"(`vpcflow_enricher_function` with `mode = \"s3\"`, fed by `vpcflow_event_source_mapping`): the queue, with a policy that lets `s3.amazonaws.com` send to it " +
			"from the bucket only (`aws:SourceArn`, `aws:SourceAccount`), a dead-letter queue `NAME" + failedQueueSuffix + "` that receives a notification after `max_receive_count` " +
			"failed receives, and the bucket's event notification of `s3:ObjectCreated:*` under `prefix` to the queue.\n\n" +
			"**The bucket's notification configuration is one document** (`PutBucketNotificationConfiguration` replaces it whole). The resource reads it, replaces only its own " +
			"queue configuration (id `" + queueNotificationPrefix + "NAME`) and writes it back with every other configuration (queues, topics, functions, EventBridge) as it found them; " +
			"destroying the resource removes only its own. Another tool that writes the whole document, such as `aws_s3_bucket_notification` of the AWS provider, " +
			"removes this resource's configuration: the next plan shows `notified` going back to `true`. S3 refuses two configurations whose prefixes overlap for the same events.",
		Attributes: map[string]schema.Attribute{
			"id": computedStable("Name of the queue."),
			"name": schema.StringAttribute{
				MarkdownDescription: "Name of the queue, 1 to 73 letters, digits, `-` and `_` (the dead-letter queue adds `" + failedQueueSuffix + "`). Changing it replaces the queues.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.RegexMatches(queueNamePattern, "must be 1 to 73 letters, digits, - and _")},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"bucket": schema.StringAttribute{
				MarkdownDescription: "Bucket VPC Flow Logs delivers its files to (the bucket of the flow log's `log_destination`), in the provider's account. Changing it replaces the queues.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.RegexMatches(bucketNamePattern, "must be an S3 bucket name")},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"prefix": schema.StringAttribute{
				MarkdownDescription: "Key prefix of the files the queue hears of: the prefix of the flow log's `log_destination` (`arn:aws:s3:::BUCKET/PREFIX`), " +
					"the same as the enricher's `source_prefix`. Leave it out for every new object of the bucket. Changed in place.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthBetween(1, 1024)},
			},
			"visibility_timeout_seconds": schema.Int64Attribute{
				MarkdownDescription: "Seconds a received notification stays hidden before SQS delivers it again, 0 to 43200. Lambda needs at least the function's timeout; " +
					"the default `" + strconv.Itoa(defaultQueueVisibility) + "` is six times the enricher's default timeout, as Lambda recommends. Changed in place.",
				Optional:   true,
				Computed:   true,
				Default:    int64default.StaticInt64(defaultQueueVisibility),
				Validators: []validator.Int64{int64validator.Between(0, 43200)},
			},
			"message_retention_seconds": schema.Int64Attribute{
				MarkdownDescription: "Seconds SQS keeps a notification not yet processed, 60 to 1209600. Defaults to `" + strconv.Itoa(defaultQueueRetention) + "` (four days, SQS's default). Changed in place.",
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(defaultQueueRetention),
				Validators:          []validator.Int64{int64validator.Between(60, 1209600)},
			},
			"max_receive_count": schema.Int64Attribute{
				MarkdownDescription: "Receives of a notification before SQS moves it to the dead-letter queue, 1 to 1000: the retries of a file the enricher fails on. " +
					"Defaults to `" + strconv.Itoa(defaultMaxReceiveCount) + "`. Every retry rewrites the same objects, so retries count nothing twice. Changed in place.",
				Optional:   true,
				Computed:   true,
				Default:    int64default.StaticInt64(defaultMaxReceiveCount),
				Validators: []validator.Int64{int64validator.Between(1, 1000)},
			},
			"notified": schema.BoolAttribute{
				MarkdownDescription: "Whether the bucket's notification configuration holds the queue's configuration as configured: `false` when something else removed or changed it, " +
					"which the next apply puts back.",
				Computed: true,
			},
			"arn":              schema.StringAttribute{MarkdownDescription: "ARN of the queue, for `vpcflow_enricher_function.source_queue_arn` and `vpcflow_event_source_mapping.event_source_arn`.", Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"url":              schema.StringAttribute{MarkdownDescription: "URL of the queue.", Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"failed_queue_arn": schema.StringAttribute{MarkdownDescription: "ARN of the dead-letter queue.", Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"notification_id":  schema.StringAttribute{MarkdownDescription: "Id of the queue's configuration in the bucket's notification configuration.", Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
		},
	}
}

// queuePolicy lets S3 send the notifications of the bucket, in the account,
// to the queue.
func queuePolicy(queueARN, bucketARN, account string) string {
	doc := map[string]any{
		"Version": "2012-10-17",
		"Statement": []map[string]any{{
			"Sid":       "S3FlowLogFileNotifications",
			"Effect":    "Allow",
			"Principal": map[string]string{"Service": "s3.amazonaws.com"},
			"Action":    "sqs:SendMessage",
			"Resource":  queueARN,
			"Condition": map[string]any{
				"ArnLike":      map[string]string{"aws:SourceArn": bucketARN},
				"StringEquals": map[string]string{"aws:SourceAccount": account},
			},
		}},
	}
	b, _ := json.Marshal(doc) // a map of strings: cannot fail
	return string(b)
}

// bucketOfPolicy reads the bucket back from the queue's policy, for import.
func bucketOfPolicy(policy string) string {
	var doc struct {
		Statement []struct {
			Condition map[string]map[string]any
		}
	}
	if json.Unmarshal([]byte(policy), &doc) != nil {
		return ""
	}
	for _, s := range doc.Statement {
		if v, ok := s.Condition["ArnLike"]["aws:SourceArn"].(string); ok {
			if _, b, ok := strings.Cut(v, ":s3:::"); ok {
				return b
			}
		}
	}
	return ""
}

func queueARNOf(partition, region, account, name string) string {
	return fmt.Sprintf("arn:%s:sqs:%s:%s:%s", partition, region, account, name)
}

// ModifyPlan plans notified = true: when the bucket's configuration lost the
// queue's (another tool wrote the whole document), the plan shows the
// change and the apply puts it back.
func (r *flowLogQueueResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("notified"), types.BoolValue(true))...)
}

func (r *flowLogQueueResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan, ok := modelOf[flowLogQueueModel](ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	account, err := r.data.client.AccountID(ctx)
	if err != nil {
		resp.Diagnostics.AddError("reading the account ID", err.Error())
		return
	}
	name, bucket := plan.Name.ValueString(), plan.Bucket.ValueString()
	partition := r.data.callerPartition(ctx)
	failedName := name + failedQueueSuffix
	if _, err := r.sqs().CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(failedName), Attributes: map[string]string{
		string(sqstypes.QueueAttributeNameMessageRetentionPeriod): strconv.Itoa(failedQueueRetention),
		string(sqstypes.QueueAttributeNameSqsManagedSseEnabled):   "true",
	}}); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("creating SQS Queue (%s)", failedName), err.Error())
		return
	}
	queueARN := queueARNOf(partition, r.data.client.Region(), account, name)
	attrs := r.attributes(plan, queueARNOf(partition, r.data.client.Region(), account, failedName))
	attrs[string(sqstypes.QueueAttributeNamePolicy)] = queuePolicy(queueARN, fmt.Sprintf("arn:%s:s3:::%s", partition, bucket), account)
	attrs[string(sqstypes.QueueAttributeNameSqsManagedSseEnabled)] = "true"
	out, err := r.sqs().CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("creating SQS Queue (%s)", name), err.Error())
		return
	}
	tflog.Info(ctx, "created flow log file queue", map[string]any{"queue": name, "bucket": bucket})
	plan.ID = types.StringValue(name)
	plan.URL = types.StringValue(aws.ToString(out.QueueUrl))
	plan.ARN = types.StringValue(queueARN)
	plan.FailedQueueARN = types.StringValue(queueARNOf(partition, r.data.client.Region(), account, failedName))
	plan.NotificationID = types.StringValue(queueNotificationPrefix + name)
	plan.Notified = types.BoolValue(false)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	if err := r.notify(ctx, bucket, plan.NotificationID.ValueString(), queueARN, plan.Prefix.ValueString(), true); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("bucket"), fmt.Sprintf("writing S3 Bucket Notification Configuration (%s)", bucket), notifyErrorDetail(err))
		return
	}
	plan.Notified = types.BoolValue(true)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// notifyErrorDetail explains the refusals of PutBucketNotificationConfiguration.
func notifyErrorDetail(err error) string {
	detail := err.Error()
	switch {
	case isErrorMessage(err, "InvalidArgument", "overlap"):
		detail += "\n\nAnother configuration of the bucket already sends object creations under an overlapping prefix somewhere: S3 allows one destination per event and key. " +
			"Give the flow log files a prefix of their own (the flow log's log_destination arn:aws:s3:::BUCKET/PREFIX/ and prefix here), or fan out through EventBridge."
	case isErrorMessage(err, "InvalidArgument", "validate"):
		detail += "\n\nS3 sends a test message when a configuration is written, and could not: the queue's policy must allow s3.amazonaws.com to sqs:SendMessage, " +
			"and a queue encrypted with a KMS key needs a key policy that lets S3 use it."
	}
	return detail
}

// attributes are the queue's settable attributes.
func (r *flowLogQueueResource) attributes(m flowLogQueueModel, failedARN string) map[string]string {
	redrive, _ := json.Marshal(map[string]any{"deadLetterTargetArn": failedARN, "maxReceiveCount": m.MaxReceiveCount.ValueInt64()})
	return map[string]string{
		string(sqstypes.QueueAttributeNameVisibilityTimeout):      strconv.FormatInt(m.VisibilityTimeoutSeconds.ValueInt64(), 10),
		string(sqstypes.QueueAttributeNameMessageRetentionPeriod): strconv.FormatInt(m.MessageRetentionSeconds.ValueInt64(), 10),
		string(sqstypes.QueueAttributeNameRedrivePolicy):          string(redrive),
	}
}

// notify reads the bucket's notification configuration, replaces the
// queue configuration of id (adds it when add, else only removes it) and
// writes the configuration back with everything else as it was.
func (r *flowLogQueueResource) notify(ctx context.Context, bucket, id, queueARN, prefix string, add bool) error {
	cur, err := r.s3().GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(bucket)})
	if err != nil {
		return err
	}
	queues := slices.DeleteFunc(slices.Clone(cur.QueueConfigurations), func(q s3types.QueueConfiguration) bool { return aws.ToString(q.Id) == id })
	if !add && len(queues) == len(cur.QueueConfigurations) {
		return nil
	}
	if add {
		q := s3types.QueueConfiguration{Id: aws.String(id), QueueArn: aws.String(queueARN), Events: flowLogFileEvents}
		if prefix != "" {
			q.Filter = &s3types.NotificationConfigurationFilter{Key: &s3types.S3KeyFilter{FilterRules: []s3types.FilterRule{{Name: s3types.FilterRuleNamePrefix, Value: aws.String(prefix)}}}}
		}
		queues = append(queues, q)
	}
	_, err = r.s3().PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String(bucket),
		NotificationConfiguration: &s3types.NotificationConfiguration{
			QueueConfigurations:          queues,
			TopicConfigurations:          cur.TopicConfigurations,
			LambdaFunctionConfigurations: cur.LambdaFunctionConfigurations,
			EventBridgeConfiguration:     cur.EventBridgeConfiguration,
		},
	})
	return err
}

// notified reports whether the bucket's configuration holds the queue's,
// as configured.
func (r *flowLogQueueResource) notified(ctx context.Context, bucket, id, queueARN, prefix string) (bool, error) {
	cur, err := r.s3().GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(bucket)})
	if isAWSNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, q := range cur.QueueConfigurations {
		if aws.ToString(q.Id) != id {
			continue
		}
		got := ""
		if q.Filter != nil && q.Filter.Key != nil {
			for _, f := range q.Filter.Key.FilterRules {
				if strings.EqualFold(string(f.Name), string(s3types.FilterRuleNamePrefix)) {
					got = aws.ToString(f.Value)
				}
			}
		}
		return aws.ToString(q.QueueArn) == queueARN && got == prefix && slices.Equal(q.Events, flowLogFileEvents), nil
	}
	return false, nil
}

func (r *flowLogQueueResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readResource(ctx, req, resp, r.readInto, func(m *flowLogQueueModel) (string, string) {
		return "SQS Queue not found", goneDetail("Queue " + m.ID.ValueString())
	})
}

// readInto refreshes m; it returns false when the queue does not exist.
func (r *flowLogQueueResource) readInto(ctx context.Context, m *flowLogQueueModel, diags *diag.Diagnostics) bool {
	name := m.ID.ValueString()
	u, err := r.sqs().GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	if isAWSNotFound(err) {
		return false
	}
	if err != nil {
		diags.AddError(fmt.Sprintf("reading SQS Queue (%s)", name), err.Error())
		return false
	}
	out, err := r.sqs().GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: u.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
	if err != nil {
		diags.AddError(fmt.Sprintf("reading SQS Queue (%s) attributes", name), err.Error())
		return false
	}
	a := out.Attributes
	m.Name = types.StringValue(name)
	m.URL = types.StringValue(aws.ToString(u.QueueUrl))
	m.ARN = types.StringValue(a[string(sqstypes.QueueAttributeNameQueueArn)])
	for _, v := range []struct {
		attr sqstypes.QueueAttributeName
		dst  *types.Int64
	}{{sqstypes.QueueAttributeNameVisibilityTimeout, &m.VisibilityTimeoutSeconds}, {sqstypes.QueueAttributeNameMessageRetentionPeriod, &m.MessageRetentionSeconds}} {
		if n, err := strconv.ParseInt(a[string(v.attr)], 10, 64); err == nil {
			*v.dst = types.Int64Value(n)
		}
	}
	var redrive struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
		MaxReceiveCount     any    `json:"maxReceiveCount"` // a number, or a string in some answers
	}
	m.FailedQueueARN = types.StringNull()
	if json.Unmarshal([]byte(a[string(sqstypes.QueueAttributeNameRedrivePolicy)]), &redrive) == nil && redrive.DeadLetterTargetArn != "" {
		m.FailedQueueARN = types.StringValue(redrive.DeadLetterTargetArn)
		if n, err := strconv.ParseInt(fmt.Sprint(redrive.MaxReceiveCount), 10, 64); err == nil {
			m.MaxReceiveCount = types.Int64Value(n)
		}
	} else {
		m.MaxReceiveCount = types.Int64Value(0) // no redrive: the next apply sets it again
	}
	m.NotificationID = types.StringValue(queueNotificationPrefix + name)
	if m.Bucket.IsNull() || m.Bucket.IsUnknown() || m.Bucket.ValueString() == "" {
		// After an import: the bucket from the queue's policy, the prefix
		// from the bucket's configuration.
		m.Bucket = flowLogNullIfEmpty(bucketOfPolicy(a[string(sqstypes.QueueAttributeNamePolicy)]))
		if b := m.Bucket.ValueString(); b != "" {
			m.Prefix = r.importedPrefix(ctx, b, m.NotificationID.ValueString())
		}
	}
	m.Notified = types.BoolValue(false)
	if b := m.Bucket.ValueString(); b != "" {
		ok, err := r.notified(ctx, b, m.NotificationID.ValueString(), m.ARN.ValueString(), m.Prefix.ValueString())
		if err != nil {
			diags.AddError(fmt.Sprintf("reading S3 Bucket Notification Configuration (%s)", b), err.Error())
			return false
		}
		m.Notified = types.BoolValue(ok)
	}
	return true
}

// importedPrefix returns the prefix filter of the queue's configuration, or
// null.
func (r *flowLogQueueResource) importedPrefix(ctx context.Context, bucket, id string) types.String {
	cur, err := r.s3().GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(bucket)})
	if err != nil {
		return types.StringNull()
	}
	for _, q := range cur.QueueConfigurations {
		if aws.ToString(q.Id) == id && q.Filter != nil && q.Filter.Key != nil {
			for _, f := range q.Filter.Key.FilterRules {
				if strings.EqualFold(string(f.Name), string(s3types.FilterRuleNamePrefix)) {
					return flowLogNullIfEmpty(aws.ToString(f.Value))
				}
			}
		}
	}
	return types.StringNull()
}

func (r *flowLogQueueResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, state, ok := planAndState[flowLogQueueModel](ctx, req, &resp.Diagnostics)
	if !ok {
		return
	}
	name := state.ID.ValueString()
	if _, err := r.sqs().SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: state.URL.ValueStringPointer(), Attributes: r.attributes(plan, state.FailedQueueARN.ValueString())}); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("updating SQS Queue (%s)", name), err.Error())
		return
	}
	bucket := plan.Bucket.ValueString()
	if err := r.notify(ctx, bucket, state.NotificationID.ValueString(), state.ARN.ValueString(), plan.Prefix.ValueString(), true); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("prefix"), fmt.Sprintf("writing S3 Bucket Notification Configuration (%s)", bucket), notifyErrorDetail(err))
		return
	}
	plan.ID, plan.URL, plan.ARN, plan.FailedQueueARN, plan.NotificationID = state.ID, state.URL, state.ARN, state.FailedQueueARN, state.NotificationID
	readBack(ctx, &plan, r.readInto, &resp.State, &resp.Diagnostics, fmt.Sprintf("reading SQS Queue (%s)", name), "the queue disappeared during the update")
}

func (r *flowLogQueueResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	state, ok := modelOf[flowLogQueueModel](ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	bucket := state.Bucket.ValueString()
	if err := r.notify(ctx, bucket, state.NotificationID.ValueString(), "", "", false); err != nil && !isAWSNotFound(err) {
		resp.Diagnostics.AddError(fmt.Sprintf("removing the queue from S3 Bucket Notification Configuration (%s)", bucket), err.Error())
		return
	}
	for _, name := range []string{state.ID.ValueString(), state.ID.ValueString() + failedQueueSuffix} {
		u, err := r.sqs().GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
		if isAWSNotFound(err) {
			continue
		}
		if err == nil {
			_, err = r.sqs().DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: u.QueueUrl})
		}
		if err != nil && !isAWSNotFound(err) {
			resp.Diagnostics.AddError(fmt.Sprintf("deleting SQS Queue (%s)", name), err.Error())
			return
		}
	}
}

func (r *flowLogQueueResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}
