package provider

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kinesistypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

var (
	_ resource.Resource                   = &kinesisStreamResource{}
	_ resource.ResourceWithConfigure      = &kinesisStreamResource{}
	_ resource.ResourceWithImportState    = &kinesisStreamResource{}
	_ resource.ResourceWithModifyPlan     = &kinesisStreamResource{}
	_ resource.ResourceWithValidateConfig = &kinesisStreamResource{}
)

var (
	kinesisStreamModes       = []string{string(kinesistypes.StreamModeOnDemand), string(kinesistypes.StreamModeProvisioned)}
	kinesisStreamNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`)
)

const (
	defaultKinesisRetentionHours = 24
	// kinesisStreamTimeout bounds the wait for a stream to become active
	// after a change, or to go after a delete.
	kinesisStreamTimeout = 10 * time.Minute
	kinesisPollInterval  = 2 * time.Second
)

// kinesisStreamAPI is the part of Kinesis the stream resource uses.
type kinesisStreamAPI interface {
	CreateStream(context.Context, *kinesis.CreateStreamInput, ...func(*kinesis.Options)) (*kinesis.CreateStreamOutput, error)
	DescribeStreamSummary(context.Context, *kinesis.DescribeStreamSummaryInput, ...func(*kinesis.Options)) (*kinesis.DescribeStreamSummaryOutput, error)
	DeleteStream(context.Context, *kinesis.DeleteStreamInput, ...func(*kinesis.Options)) (*kinesis.DeleteStreamOutput, error)
	UpdateStreamMode(context.Context, *kinesis.UpdateStreamModeInput, ...func(*kinesis.Options)) (*kinesis.UpdateStreamModeOutput, error)
	UpdateShardCount(context.Context, *kinesis.UpdateShardCountInput, ...func(*kinesis.Options)) (*kinesis.UpdateShardCountOutput, error)
	IncreaseStreamRetentionPeriod(context.Context, *kinesis.IncreaseStreamRetentionPeriodInput, ...func(*kinesis.Options)) (*kinesis.IncreaseStreamRetentionPeriodOutput, error)
	DecreaseStreamRetentionPeriod(context.Context, *kinesis.DecreaseStreamRetentionPeriodInput, ...func(*kinesis.Options)) (*kinesis.DecreaseStreamRetentionPeriodOutput, error)
	StartStreamEncryption(context.Context, *kinesis.StartStreamEncryptionInput, ...func(*kinesis.Options)) (*kinesis.StartStreamEncryptionOutput, error)
	StopStreamEncryption(context.Context, *kinesis.StopStreamEncryptionInput, ...func(*kinesis.Options)) (*kinesis.StopStreamEncryptionOutput, error)
	AddTagsToStream(context.Context, *kinesis.AddTagsToStreamInput, ...func(*kinesis.Options)) (*kinesis.AddTagsToStreamOutput, error)
	RemoveTagsFromStream(context.Context, *kinesis.RemoveTagsFromStreamInput, ...func(*kinesis.Options)) (*kinesis.RemoveTagsFromStreamOutput, error)
	DescribeStream(context.Context, *kinesis.DescribeStreamInput, ...func(*kinesis.Options)) (*kinesis.DescribeStreamOutput, error)
	ListTagsForStream(context.Context, *kinesis.ListTagsForStreamInput, ...func(*kinesis.Options)) (*kinesis.ListTagsForStreamOutput, error)
}

func newKinesisStreamResource() resource.Resource {
	return &kinesisStreamResource{resourceBase{typeName: "kinesis_stream"}}
}

type kinesisStreamResource struct{ resourceBase }

func (r *kinesisStreamResource) kinesis() kinesisStreamAPI { return r.data.client.Kinesis() }

type kinesisStreamModel struct {
	ID                   types.String `tfsdk:"id"`
	Name                 types.String `tfsdk:"name"`
	StreamMode           types.String `tfsdk:"stream_mode"`
	ShardCount           types.Int64  `tfsdk:"shard_count"`
	RetentionPeriodHours types.Int64  `tfsdk:"retention_period"`
	KMSKeyID             types.String `tfsdk:"kms_key_id"`
	Tags                 types.Map    `tfsdk:"tags"`
	TagsAll              types.Map    `tfsdk:"tags_all"`
	ARN                  types.String `tfsdk:"arn"`
}

func (r *kinesisStreamResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Kinesis data stream between CloudWatch Logs and the enricher, for volumes where invoking the function once per subscription event costs too much: " +
			"`vpcflow_subscription` puts the flow log records into the stream and `vpcflow_event_source_mapping` hands them to a `vpcflow_enricher_function` " +
			"in `kinesis` mode in batches. On-demand by default, so it scales with the flow logs without shard planning.",
		Attributes: map[string]schema.Attribute{
			"id": computedStable("Name of the stream."),
			"name": schema.StringAttribute{
				MarkdownDescription: "Name of the stream: up to 128 letters, digits, `_`, `-` and `.`. Changing it replaces the stream and drops the records in it.",
				Required:            true,
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, 128),
					stringvalidator.RegexMatches(kinesisStreamNamePattern, "may contain only letters, digits, _, - and ."),
				},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"stream_mode": schema.StringAttribute{
				MarkdownDescription: "Capacity mode: " + quotedList(kinesisStreamModes) + ". Defaults to `ON_DEMAND`. `PROVISIONED` needs `shard_count`. " +
					"Changed in place (`UpdateStreamMode`); AWS allows two mode changes per stream in 24 hours.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(string(kinesistypes.StreamModeOnDemand)),
				Validators: []validator.String{stringvalidator.OneOf(kinesisStreamModes...)},
			},
			"shard_count": schema.Int64Attribute{
				MarkdownDescription: "Number of shards of a `PROVISIONED` stream (required there, refused for `ON_DEMAND`); each takes 1 MB/s or 1000 records/s. " +
					"For an on-demand stream it reports the open shards. Changed in place (`UpdateShardCount`, uniform scaling).",
				Optional:      true,
				Computed:      true,
				Validators:    []validator.Int64{int64validator.Between(1, 100000)},
				PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
			"retention_period": schema.Int64Attribute{
				MarkdownDescription: "Hours a record stays in the stream, 24 to 8760. Defaults to `24`; longer lets the enricher catch up after an outage. Changed in place.",
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(defaultKinesisRetentionHours),
				Validators:          []validator.Int64{int64validator.Between(24, 8760)},
			},
			"kms_key_id": schema.StringAttribute{
				MarkdownDescription: "KMS key that encrypts the records at rest: a key ARN, alias ARN, or alias such as `alias/aws/kinesis` (the AWS managed key). " +
					"Leave it out for no server-side encryption. A customer managed key must let the enricher's role `kms:Decrypt` and CloudWatch Logs' role `kms:GenerateDataKey`. Changed in place.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthBetween(1, 2048)},
			},
			"tags":     tagsAttribute("Tags of the stream, merged over the provider's `default_tags` (the merged set is `tags_all`). Changed in place (`AddTagsToStream`, `RemoveTagsFromStream`)."),
			"tags_all": tagsAllAttribute(),
			"arn":      computedStable("ARN of the stream, for `vpcflow_subscription.destination_arn`, `vpcflow_enricher_function.kinesis_stream_arn` and `vpcflow_event_source_mapping.event_source_arn`. Known at plan time."),
		},
	}
}

func (r *kinesisStreamResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m kinesisStreamModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || m.StreamMode.IsUnknown() || m.ShardCount.IsUnknown() {
		return
	}
	provisioned := m.StreamMode.ValueString() == string(kinesistypes.StreamModeProvisioned)
	switch {
	case provisioned && m.ShardCount.IsNull():
		resp.Diagnostics.AddAttributeError(path.Root("shard_count"), "Provisioned stream without shards",
			`stream_mode = "PROVISIONED" needs shard_count: one shard takes 1 MB/s or 1000 records/s of flow logs. Set shard_count, or use stream_mode = "ON_DEMAND".`)
	case !provisioned && !m.ShardCount.IsNull():
		resp.Diagnostics.AddAttributeError(path.Root("shard_count"), "Shard count of an on-demand stream",
			`An ON_DEMAND stream scales its shards itself, so Kinesis refuses a shard count. Remove shard_count, or set stream_mode = "PROVISIONED".`)
	}
}

func (r *kinesisStreamResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	defer planTagsAllOf(ctx, r.data, resp)
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	var plan, config kinesisStreamModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if valueKnown(plan.Name) {
		streamARN, err := r.data.regionalARN(ctx, "kinesis", "stream/"+plan.Name.ValueString())
		if err != nil {
			addAccountError(&resp.Diagnostics, err)
			return
		}
		plan.ID = plan.Name
		plan.ARN = types.StringValue(streamARN)
	}
	// An on-demand stream's shards are AWS's to change: known after apply.
	if config.ShardCount.IsNull() && !req.State.Raw.IsNull() {
		var state kinesisStreamModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if !plan.StreamMode.Equal(state.StreamMode) {
			plan.ShardCount = types.Int64Unknown()
		}
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *kinesisStreamResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan, ok := modelOf[kinesisStreamModel](ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	name := plan.Name.ValueString()
	tags, d := tagsFromModel(ctx, plan.TagsAll)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	in := &kinesis.CreateStreamInput{
		StreamName:        aws.String(name),
		StreamModeDetails: &kinesistypes.StreamModeDetails{StreamMode: kinesistypes.StreamMode(plan.StreamMode.ValueString())},
	}
	if !plan.ShardCount.IsNull() && !plan.ShardCount.IsUnknown() {
		in.ShardCount = aws.Int32(int32(plan.ShardCount.ValueInt64()))
	}
	if _, err := r.kinesis().CreateStream(ctx, in); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("creating Kinesis Stream (%s)", name), err.Error())
		return
	}
	tflog.Info(ctx, "created Kinesis stream", map[string]any{"stream": name})
	if _, err := waitKinesisStreamActive(ctx, r.kinesis(), name); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("creating Kinesis Stream (%s)", name), err.Error())
		return
	}
	if plan.ShardCount.IsUnknown() {
		plan.ShardCount = types.Int64Null()
	}
	// Track the stream from here, so a failure below leaves it tainted in
	// the state rather than orphaned in AWS.
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)

	// Tagged once the stream is active rather than in CreateStream, whose
	// Tags a local AWS (moto) drops.
	if len(tags) > 0 {
		if _, err := r.kinesis().AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String(name), Tags: tags}); err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("tagging Kinesis Stream (%s)", name), err.Error())
			return
		}
	}
	if hours := plan.RetentionPeriodHours.ValueInt64(); hours != defaultKinesisRetentionHours {
		if err := r.setRetention(ctx, name, defaultKinesisRetentionHours, hours); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("retention_period"), fmt.Sprintf("setting retention of Kinesis Stream (%s)", name), err.Error())
			return
		}
	}
	if key := plan.KMSKeyID.ValueString(); key != "" {
		if err := r.setEncryption(ctx, name, "", key); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("kms_key_id"), fmt.Sprintf("encrypting Kinesis Stream (%s)", name), err.Error())
			return
		}
	}

	readBack(ctx, &plan, r.readInto, &resp.State, &resp.Diagnostics, fmt.Sprintf("reading Kinesis Stream (%s)", name), "the stream was created but cannot be read back")
}

func (r *kinesisStreamResource) setRetention(ctx context.Context, name string, from, to int64) error {
	var err error
	switch {
	case to > from:
		_, err = r.kinesis().IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String(name), RetentionPeriodHours: aws.Int32(int32(to))})
	case to < from:
		_, err = r.kinesis().DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: aws.String(name), RetentionPeriodHours: aws.Int32(int32(to))})
	default:
		return nil
	}
	if err != nil {
		return err
	}
	_, err = waitKinesisStreamActive(ctx, r.kinesis(), name)
	return err
}

// setEncryption moves the stream from one key to another; "" is no encryption.
func (r *kinesisStreamResource) setEncryption(ctx context.Context, name, from, to string) error {
	var err error
	switch {
	case from == to:
		return nil
	case to == "":
		_, err = r.kinesis().StopStreamEncryption(ctx, &kinesis.StopStreamEncryptionInput{StreamName: aws.String(name), EncryptionType: kinesistypes.EncryptionTypeKms, KeyId: aws.String(from)})
	default:
		// StartStreamEncryption on an encrypted stream switches keys;
		// records written before stay readable with the old key.
		_, err = r.kinesis().StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String(name), EncryptionType: kinesistypes.EncryptionTypeKms, KeyId: aws.String(to)})
	}
	if err != nil {
		return err
	}
	_, err = waitKinesisStreamActive(ctx, r.kinesis(), name)
	return err
}

// waitKinesisStreamActive waits with the SDK's StreamExists waiter until the
// stream is ACTIVE, for at most kinesisStreamTimeout (a stream takes changes
// one at a time), and returns it.
func waitKinesisStreamActive(ctx context.Context, api kinesisStreamAPI, name string) (*kinesistypes.StreamDescriptionSummary, error) {
	w := kinesis.NewStreamExistsWaiter(api, func(o *kinesis.StreamExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = kinesisPollInterval, 4*kinesisPollInterval
	})
	if err := w.Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(name)}, kinesisStreamTimeout); err != nil {
		return nil, fmt.Errorf("stream %s not active: %w", name, err)
	}
	return findKinesisStream(ctx, api, name)
}

// findKinesisStream describes the stream, or returns a not-found error.
func findKinesisStream(ctx context.Context, api kinesisStreamAPI, name string) (*kinesistypes.StreamDescriptionSummary, error) {
	out, err := api.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	if err != nil {
		return nil, asNotFound(err, "Kinesis stream", name)
	}
	if out.StreamDescriptionSummary == nil || out.StreamDescriptionSummary.StreamStatus == kinesistypes.StreamStatusDeleting {
		return nil, &notFoundError{Kind: "Kinesis stream", ID: name}
	}
	return out.StreamDescriptionSummary, nil
}

func (r *kinesisStreamResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readResource(ctx, req, resp, r.readInto, func(m *kinesisStreamModel) (string, string) {
		return "Kinesis Stream not found", goneDetail("Kinesis stream " + m.ID.ValueString())
	})
}

// readInto refreshes m from Kinesis; it returns false when the stream does not exist.
func (r *kinesisStreamResource) readInto(ctx context.Context, m *kinesisStreamModel, diags *diag.Diagnostics) bool {
	name := idOrName(m.ID, m.Name)
	s, err := findKinesisStream(ctx, r.kinesis(), name)
	if !readFound(err, diags, "Kinesis Stream", name) {
		return false
	}
	m.ID, m.Name = types.StringValue(name), types.StringValue(name)
	m.ARN = types.StringValue(aws.ToString(s.StreamARN))
	m.StreamMode = types.StringValue(string(kinesistypes.StreamModeProvisioned))
	if s.StreamModeDetails != nil && s.StreamModeDetails.StreamMode != "" {
		m.StreamMode = types.StringValue(string(s.StreamModeDetails.StreamMode))
	}
	m.ShardCount = types.Int64Value(int64(aws.ToInt32(s.OpenShardCount)))
	m.RetentionPeriodHours = types.Int64Value(int64(aws.ToInt32(s.RetentionPeriodHours)))
	m.KMSKeyID = types.StringNull()
	if s.EncryptionType == kinesistypes.EncryptionTypeKms {
		m.KMSKeyID = types.StringValue(aws.ToString(s.KeyId))
	}

	tags := map[string]string{}
	var start *string
	for {
		out, err := r.kinesis().ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String(name), ExclusiveStartTagKey: start})
		if err != nil {
			diags.AddError(fmt.Sprintf("listing tags of Kinesis Stream (%s)", name), err.Error())
			return false
		}
		for _, t := range out.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
		if !aws.ToBool(out.HasMoreTags) || len(out.Tags) == 0 {
			break
		}
		start = out.Tags[len(out.Tags)-1].Key
	}
	r.data.setReadTags(ctx, tags, &m.Tags, &m.TagsAll, diags)
	return true
}

func (r *kinesisStreamResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, state, ok := planAndState[kinesisStreamModel](ctx, req, &resp.Diagnostics)
	if !ok {
		return
	}
	name := state.Name.ValueString()

	if !plan.StreamMode.Equal(state.StreamMode) {
		_, err := r.kinesis().UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{
			StreamARN:         state.ARN.ValueStringPointer(),
			StreamModeDetails: &kinesistypes.StreamModeDetails{StreamMode: kinesistypes.StreamMode(plan.StreamMode.ValueString())},
		})
		if err == nil {
			_, err = waitKinesisStreamActive(ctx, r.kinesis(), name)
		}
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("stream_mode"), fmt.Sprintf("updating mode of Kinesis Stream (%s)", name), err.Error())
			return
		}
	}
	if valueKnown(plan.ShardCount) && plan.StreamMode.ValueString() == string(kinesistypes.StreamModeProvisioned) && !plan.ShardCount.Equal(state.ShardCount) {
		_, err := r.kinesis().UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{
			StreamName: aws.String(name), TargetShardCount: aws.Int32(int32(plan.ShardCount.ValueInt64())), ScalingType: kinesistypes.ScalingTypeUniformScaling,
		})
		if err == nil {
			_, err = waitKinesisStreamActive(ctx, r.kinesis(), name)
		}
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("shard_count"), fmt.Sprintf("updating shards of Kinesis Stream (%s)", name), err.Error())
			return
		}
	}
	if err := r.setRetention(ctx, name, state.RetentionPeriodHours.ValueInt64(), plan.RetentionPeriodHours.ValueInt64()); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("retention_period"), fmt.Sprintf("updating retention of Kinesis Stream (%s)", name), err.Error())
		return
	}
	if err := r.setEncryption(ctx, name, state.KMSKeyID.ValueString(), plan.KMSKeyID.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("kms_key_id"), fmt.Sprintf("updating encryption of Kinesis Stream (%s)", name), err.Error())
		return
	}
	updateTags(ctx, state.TagsAll, plan.TagsAll, fmt.Sprintf("Kinesis Stream (%s)", name), tagger{
		untag: func(ctx context.Context, keys []string) error {
			return errOf(r.kinesis().RemoveTagsFromStream(ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: aws.String(name), TagKeys: keys}))
		},
		tag: func(ctx context.Context, tags map[string]string) error {
			return errOf(r.kinesis().AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String(name), Tags: tags}))
		},
	}, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	plan.ID = state.ID
	readBack(ctx, &plan, r.readInto, &resp.State, &resp.Diagnostics, fmt.Sprintf("reading Kinesis Stream (%s)", name), "the stream disappeared during the update")
}

func (r *kinesisStreamResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	state, ok := modelOf[kinesisStreamModel](ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	name := state.Name.ValueString()
	// EnforceConsumerDeletion: the stream's registered consumers go with it,
	// as they cannot outlive it.
	_, err := r.kinesis().DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String(name), EnforceConsumerDeletion: aws.Bool(true)})
	if isAWSNotFound(err) {
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("deleting Kinesis Stream (%s)", name), err.Error())
		return
	}
	w := kinesis.NewStreamNotExistsWaiter(r.kinesis(), func(o *kinesis.StreamNotExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = kinesisPollInterval, 4*kinesisPollInterval
	})
	if err := w.Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(name)}, kinesisStreamTimeout); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("waiting for Kinesis Stream (%s) to be deleted", name), err.Error())
	}
}

func (r *kinesisStreamResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importAs(ctx, resp, map[string]string{"id": req.ID, "name": req.ID})
}
