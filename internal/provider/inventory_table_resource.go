package provider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dynamodbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventorystore"
)

var (
	_ resource.Resource                = &inventoryTableResource{}
	_ resource.ResourceWithConfigure   = &inventoryTableResource{}
	_ resource.ResourceWithImportState = &inventoryTableResource{}
	_ resource.ResourceWithModifyPlan  = &inventoryTableResource{}
)

var tableNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`)

// inventoryTableDeleteTimeout bounds the wait for a deleted table to go.
const inventoryTableDeleteTimeout = 5 * time.Minute

// inventoryTableAPI is the part of DynamoDB the inventory table resource uses.
type inventoryTableAPI interface {
	inventorystore.TableAPI
	DeleteTable(context.Context, *dynamodb.DeleteTableInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteTableOutput, error)
	UpdateTable(context.Context, *dynamodb.UpdateTableInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateTableOutput, error)
	UpdateContinuousBackups(context.Context, *dynamodb.UpdateContinuousBackupsInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateContinuousBackupsOutput, error)
	DescribeContinuousBackups(context.Context, *dynamodb.DescribeContinuousBackupsInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeContinuousBackupsOutput, error)
	TagResource(context.Context, *dynamodb.TagResourceInput, ...func(*dynamodb.Options)) (*dynamodb.TagResourceOutput, error)
	UntagResource(context.Context, *dynamodb.UntagResourceInput, ...func(*dynamodb.Options)) (*dynamodb.UntagResourceOutput, error)
	ListTagsOfResource(context.Context, *dynamodb.ListTagsOfResourceInput, ...func(*dynamodb.Options)) (*dynamodb.ListTagsOfResourceOutput, error)
}

func newInventoryTableResource() resource.Resource {
	return &inventoryTableResource{resourceBase: resourceBase{typeName: "inventory_table"}}
}

type inventoryTableResource struct{ resourceBase }

func (r *inventoryTableResource) db() inventoryTableAPI { return r.data.client.DynamoDB() }

type inventoryTableModel struct {
	ID                  types.String `tfsdk:"id"`
	Name                types.String `tfsdk:"name"`
	PointInTimeRecovery types.Bool   `tfsdk:"point_in_time_recovery"`
	DeletionProtection  types.Bool   `tfsdk:"deletion_protection"`
	Tags                types.Map    `tfsdk:"tags"`
	TagsAll             types.Map    `tfsdk:"tags_all"`
	ARN                 types.String `tfsdk:"arn"`
	HashKey             types.String `tfsdk:"hash_key"`
	RangeKey            types.String `tfsdk:"range_key"`
	TTLAttribute        types.String `tfsdk:"ttl_attribute"`
	BillingMode         types.String `tfsdk:"billing_mode"`
}

// inventoryKeys is the key schema inventorystore.CreateTable gives the
// table, taken from the request it makes, so the key design has one
// source: the package that reads and writes the items.
var inventoryKeys = sync.OnceValues(func() (hash, rangeKey string) {
	rec := &createTableRecorder{}
	_ = inventorystore.CreateTable(context.Background(), rec, "key-schema")
	if rec.in == nil {
		return "", ""
	}
	for _, k := range rec.in.KeySchema {
		switch k.KeyType {
		case dynamodbtypes.KeyTypeHash:
			hash = aws.ToString(k.AttributeName)
		case dynamodbtypes.KeyTypeRange:
			rangeKey = aws.ToString(k.AttributeName)
		}
	}
	return hash, rangeKey
})

// createTableRecorder keeps the CreateTable request and refuses it, which
// ends inventorystore.CreateTable before any other call.
type createTableRecorder struct {
	inventorystore.TableAPI
	in *dynamodb.CreateTableInput
}

var errRecorded = errors.New("recorded")

func (r *createTableRecorder) CreateTable(_ context.Context, in *dynamodb.CreateTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error) {
	r.in = in
	return nil, errRecorded
}

func (r *inventoryTableResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	hash, rangeKey := inventoryKeys()
	resp.Schema = schema.Schema{
		MarkdownDescription: "The DynamoDB table that holds the network interface inventory the enricher attributes flow records with: " +
			"which interface owned an address when, its facts and the tags of resources. " +
			"It is created exactly as the enricher's inventory store expects it (string keys `" + hash + "` and `" + rangeKey + "`, on-demand capacity, " +
			"time to live on `" + inventorystore.TTLAttribute + "`, which expires closed ownership ranges), so the design cannot drift between the table and the code. " +
			"A table of this name that exists already is not taken over: import it instead, and the plan fails if its keys are not the inventory's.",
		Attributes: map[string]schema.Attribute{
			"id": computedStable("Name of the table."),
			"name": schema.StringAttribute{
				MarkdownDescription: "Name of the table: 3 to 255 letters, digits, `_`, `-` and `.`. Changing it replaces the table, and the inventory starts empty until the next sync.",
				Required:            true,
				Validators: []validator.String{
					stringvalidator.LengthBetween(3, 255),
					stringvalidator.RegexMatches(tableNamePattern, "may contain only letters, digits, _, - and ."),
				},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"point_in_time_recovery": schema.BoolAttribute{
				MarkdownDescription: "Continuous backups with point-in-time recovery (`UpdateContinuousBackups`). Defaults to `true`: the history of who owned an address " +
					"cannot be rebuilt by a sync once it is lost. Changed in place.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
			},
			"deletion_protection": schema.BoolAttribute{
				MarkdownDescription: "When `true`, DynamoDB refuses to delete the table, and so does `terraform destroy` until it is set back to `false`. Defaults to `false`. Changed in place.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
			},
			"tags":      tagsAttribute("Tags of the table, merged over the provider's `default_tags` (the merged set is `tags_all`). Changed in place (`TagResource`, `UntagResource`)."),
			"tags_all":  tagsAllAttribute(),
			"arn":       computedStable("ARN of the table, for `vpcflow_enricher_function.inventory_table_arn`. Known at plan time."),
			"hash_key":  computedStable("Partition key of the table, `" + hash + "` (string)."),
			"range_key": computedStable("Sort key of the table, `" + rangeKey + "` (string)."),
			"ttl_attribute": schema.StringAttribute{
				MarkdownDescription: "Attribute DynamoDB's time to live reads, `" + inventorystore.TTLAttribute + "`. Time to live turned off outside Terraform shows here and is turned on again by the next apply.",
				Computed:            true,
			},
			"billing_mode": computedStable("Capacity mode of the table, `PAY_PER_REQUEST`: inventory writes come in bursts when instances start."),
		},
	}
}

func (r *inventoryTableResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	defer planTagsAllOf(ctx, r.data, resp)
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	plan, ok := modelOf[inventoryTableModel](ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	hash, rangeKey := inventoryKeys()
	if !req.State.Raw.IsNull() {
		state, ok := modelOf[inventoryTableModel](ctx, req.State, &resp.Diagnostics)
		if !ok {
			return
		}
		if state.HashKey.ValueString() != hash || state.RangeKey.ValueString() != rangeKey {
			resp.Diagnostics.AddAttributeError(path.Root("name"), "Table without the inventory keys",
				fmt.Sprintf("Table %s has keys %q and %q, but the enricher reads and writes items keyed %q and %q, so it cannot use the table. "+
					"Remove it from the state (terraform state rm) and let this resource create a table of another name.",
					state.Name.ValueString(), state.HashKey.ValueString(), state.RangeKey.ValueString(), hash, rangeKey))
			return
		}
	}
	plan.HashKey, plan.RangeKey = types.StringValue(hash), types.StringValue(rangeKey)
	plan.TTLAttribute = types.StringValue(inventorystore.TTLAttribute)
	plan.BillingMode = types.StringValue(string(dynamodbtypes.BillingModePayPerRequest))
	if valueKnown(plan.Name) {
		plan.ID = plan.Name
		a, err := r.tableARN(ctx, plan.Name.ValueString())
		if err != nil {
			resp.Diagnostics.AddError("reading the provider's account", err.Error())
			return
		}
		plan.ARN = types.StringValue(a)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *inventoryTableResource) tableARN(ctx context.Context, name string) (string, error) {
	account, err := r.data.client.AccountID(ctx)
	if err != nil {
		return "", err
	}
	return r.data.regionalARNOf(ctx, "dynamodb", account, "table/"+name), nil
}

func (r *inventoryTableResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan, ok := modelOf[inventoryTableModel](ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	name := plan.Name.ValueString()
	tags, d := tagsFromModel(ctx, plan.TagsAll)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}

	// inventorystore.CreateTable keeps a table that exists; a resource must
	// not take over a table someone else manages.
	if _, err := findInventoryTable(ctx, r.db(), name); err == nil {
		resp.Diagnostics.AddAttributeError(path.Root("name"), fmt.Sprintf("creating DynamoDB Table (%s)", name),
			fmt.Sprintf("Table %s exists already. To manage it with this resource, import it: terraform import <address> %s", name, name))
		return
	} else if !isNotFound(err) {
		resp.Diagnostics.AddError(fmt.Sprintf("creating DynamoDB Table (%s)", name), err.Error())
		return
	}
	if err := inventorystore.CreateTable(ctx, r.db(), name); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("creating DynamoDB Table (%s)", name), err.Error())
		return
	}
	tflog.Info(ctx, "created the inventory table", map[string]any{"table": name})
	// Track the table from here, so a failure below leaves it tainted in the
	// state rather than orphaned in AWS.
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)

	if len(tags) > 0 {
		if _, err := r.db().TagResource(ctx, &dynamodb.TagResourceInput{ResourceArn: plan.ARN.ValueStringPointer(), Tags: dynamodbTags(tags)}); err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("tagging DynamoDB Table (%s)", name), err.Error())
			return
		}
	}
	if plan.PointInTimeRecovery.ValueBool() {
		if err := r.setPointInTimeRecovery(ctx, name, true); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("point_in_time_recovery"), fmt.Sprintf("turning on point-in-time recovery of DynamoDB Table (%s)", name), err.Error())
			return
		}
	}
	if plan.DeletionProtection.ValueBool() {
		if err := r.setDeletionProtection(ctx, name, true); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("deletion_protection"), fmt.Sprintf("protecting DynamoDB Table (%s)", name), err.Error())
			return
		}
	}

	readBack(ctx, &plan, r.readInto, &resp.State, &resp.Diagnostics, fmt.Sprintf("reading DynamoDB Table (%s)", name), "the table was created but cannot be read back")
}

func (r *inventoryTableResource) setPointInTimeRecovery(ctx context.Context, name string, on bool) error {
	_, err := r.db().UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{
		TableName:                        aws.String(name),
		PointInTimeRecoverySpecification: &dynamodbtypes.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(on)},
	})
	return err
}

func (r *inventoryTableResource) setDeletionProtection(ctx context.Context, name string, on bool) error {
	_, err := r.db().UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String(name), DeletionProtectionEnabled: aws.Bool(on)})
	return err
}

func (r *inventoryTableResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readResource(ctx, req, resp, r.readInto, func(m *inventoryTableModel) (string, string) {
		return "DynamoDB Table not found", fmt.Sprintf("Table %s no longer exists; removing it from the state. The next plan creates it again, empty until the next inventory sync.", m.ID.ValueString())
	})
}

// findInventoryTable describes the table, or returns a not-found error.
func findInventoryTable(ctx context.Context, api inventoryTableAPI, name string) (*dynamodbtypes.TableDescription, error) {
	out, err := api.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		return nil, asNotFound(err, "DynamoDB table", name)
	}
	if out.Table == nil || out.Table.TableStatus == dynamodbtypes.TableStatusDeleting {
		return nil, &notFoundError{Kind: "DynamoDB table", ID: name}
	}
	return out.Table, nil
}

// readInto refreshes m from DynamoDB; it returns false when the table does not exist.
func (r *inventoryTableResource) readInto(ctx context.Context, m *inventoryTableModel, diags *diag.Diagnostics) bool {
	name := idOrName(m.ID, m.Name)
	t, err := findInventoryTable(ctx, r.db(), name)
	if !readFound(err, diags, "DynamoDB Table", name) {
		return false
	}
	m.ID, m.Name = types.StringValue(name), types.StringValue(name)
	m.ARN = types.StringValue(aws.ToString(t.TableArn))
	m.HashKey, m.RangeKey = types.StringValue(""), types.StringValue("")
	for _, k := range t.KeySchema {
		switch k.KeyType {
		case dynamodbtypes.KeyTypeHash:
			m.HashKey = types.StringValue(aws.ToString(k.AttributeName))
		case dynamodbtypes.KeyTypeRange:
			m.RangeKey = types.StringValue(aws.ToString(k.AttributeName))
		}
	}
	m.BillingMode = types.StringValue(string(dynamodbtypes.BillingModeProvisioned))
	if t.BillingModeSummary != nil && t.BillingModeSummary.BillingMode != "" {
		m.BillingMode = types.StringValue(string(t.BillingModeSummary.BillingMode))
	}
	m.DeletionProtection = types.BoolValue(aws.ToBool(t.DeletionProtectionEnabled))

	ttl, err := r.db().DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil {
		diags.AddError(fmt.Sprintf("reading time to live of DynamoDB Table (%s)", name), err.Error())
		return false
	}
	m.TTLAttribute = types.StringNull()
	if d := ttl.TimeToLiveDescription; d != nil && (d.TimeToLiveStatus == dynamodbtypes.TimeToLiveStatusEnabled || d.TimeToLiveStatus == dynamodbtypes.TimeToLiveStatusEnabling) {
		m.TTLAttribute = types.StringValue(aws.ToString(d.AttributeName))
	}

	backups, err := r.db().DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String(name)})
	if err != nil {
		diags.AddError(fmt.Sprintf("reading point-in-time recovery of DynamoDB Table (%s)", name), err.Error())
		return false
	}
	pitr := false
	if c := backups.ContinuousBackupsDescription; c != nil && c.PointInTimeRecoveryDescription != nil {
		pitr = c.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus == dynamodbtypes.PointInTimeRecoveryStatusEnabled
	}
	m.PointInTimeRecovery = types.BoolValue(pitr)

	tags := map[string]string{}
	pager := dynamodbTagPager{api: r.db(), arn: aws.ToString(t.TableArn)}
	for pager.next(ctx) {
		for _, tag := range pager.page {
			tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
		}
	}
	if pager.err != nil {
		diags.AddError(fmt.Sprintf("listing tags of DynamoDB Table (%s)", name), pager.err.Error())
		return false
	}
	r.data.setReadTags(ctx, tags, &m.Tags, &m.TagsAll, diags)
	return true
}

// dynamodbTagPager walks ListTagsOfResource, which has no SDK paginator.
type dynamodbTagPager struct {
	api   inventoryTableAPI
	arn   string
	token *string
	done  bool
	page  []dynamodbtypes.Tag
	err   error
}

func (p *dynamodbTagPager) next(ctx context.Context) bool {
	if p.done || p.err != nil {
		return false
	}
	out, err := p.api.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: aws.String(p.arn), NextToken: p.token})
	if err != nil {
		p.err = err
		return false
	}
	p.page, p.token = out.Tags, out.NextToken
	p.done = aws.ToString(out.NextToken) == ""
	return true
}

func (r *inventoryTableResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, state, ok := planAndState[inventoryTableModel](ctx, req, &resp.Diagnostics)
	if !ok {
		return
	}
	name := state.Name.ValueString()

	if !plan.TTLAttribute.Equal(state.TTLAttribute) {
		_, err := r.db().UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
			TableName:               aws.String(name),
			TimeToLiveSpecification: &dynamodbtypes.TimeToLiveSpecification{AttributeName: aws.String(inventorystore.TTLAttribute), Enabled: aws.Bool(true)},
		})
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("ttl_attribute"), fmt.Sprintf("turning on time to live of DynamoDB Table (%s)", name), err.Error())
			return
		}
	}
	if !plan.PointInTimeRecovery.Equal(state.PointInTimeRecovery) {
		if err := r.setPointInTimeRecovery(ctx, name, plan.PointInTimeRecovery.ValueBool()); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("point_in_time_recovery"), fmt.Sprintf("updating point-in-time recovery of DynamoDB Table (%s)", name), err.Error())
			return
		}
	}
	if !plan.DeletionProtection.Equal(state.DeletionProtection) {
		if err := r.setDeletionProtection(ctx, name, plan.DeletionProtection.ValueBool()); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("deletion_protection"), fmt.Sprintf("updating deletion protection of DynamoDB Table (%s)", name), err.Error())
			return
		}
	}
	updateTags(ctx, state.TagsAll, plan.TagsAll, fmt.Sprintf("DynamoDB Table (%s)", name), tagger{
		untag: func(ctx context.Context, keys []string) error {
			return errOf(r.db().UntagResource(ctx, &dynamodb.UntagResourceInput{ResourceArn: state.ARN.ValueStringPointer(), TagKeys: keys}))
		},
		tag: func(ctx context.Context, tags map[string]string) error {
			return errOf(r.db().TagResource(ctx, &dynamodb.TagResourceInput{ResourceArn: state.ARN.ValueStringPointer(), Tags: dynamodbTags(tags)}))
		},
	}, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	plan.ID = state.ID
	readBack(ctx, &plan, r.readInto, &resp.State, &resp.Diagnostics, fmt.Sprintf("reading DynamoDB Table (%s)", name), "the table disappeared during the update")
}

func (r *inventoryTableResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	state, ok := modelOf[inventoryTableModel](ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	name := state.Name.ValueString()
	_, err := r.db().DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	if isAWSNotFound(err) {
		return
	}
	if err != nil {
		detail := err.Error()
		if state.DeletionProtection.ValueBool() {
			detail += "\n\nThe table has deletion protection: set deletion_protection = false and apply before destroying it."
		}
		resp.Diagnostics.AddError(fmt.Sprintf("deleting DynamoDB Table (%s)", name), detail)
		return
	}
	waiter := dynamodb.NewTableNotExistsWaiter(r.db())
	if err := waiter.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, inventoryTableDeleteTimeout); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("waiting for DynamoDB Table (%s) to be deleted", name), err.Error())
	}
}

func (r *inventoryTableResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importAs(ctx, resp, map[string]string{"id": req.ID, "name": req.ID})
}

func dynamodbTags(tags map[string]string) []dynamodbtypes.Tag {
	out := make([]dynamodbtypes.Tag, 0, len(tags))
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, dynamodbtypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}
