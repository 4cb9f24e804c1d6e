package provider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	athenatypes "github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	tableschema "github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/enrich/athena"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/queries"
)

var (
	_ resource.Resource                   = &connectionQueriesResource{}
	_ resource.ResourceWithConfigure      = &connectionQueriesResource{}
	_ resource.ResourceWithImportState    = &connectionQueriesResource{}
	_ resource.ResourceWithModifyPlan     = &connectionQueriesResource{}
	_ resource.ResourceWithValidateConfig = &connectionQueriesResource{}
)

const (
	primaryWorkGroup = "primary"
	// minBytesScannedCutoff is the smallest per-query limit Athena takes (10 MB).
	minBytesScannedCutoff = 10_000_000
	// maxNamedQueryDescription is Athena's limit on a named query's description.
	maxNamedQueryDescription = 1024
)

var (
	workGroupNamePattern = regexp.MustCompile(`^[a-zA-Z0-9._-]{1,128}$`)
	s3URIPattern         = regexp.MustCompile(`^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$`)
)

// athenaQueriesAPI is the part of Athena the queries resource uses.
type athenaQueriesAPI interface {
	CreateWorkGroup(context.Context, *athena.CreateWorkGroupInput, ...func(*athena.Options)) (*athena.CreateWorkGroupOutput, error)
	GetWorkGroup(context.Context, *athena.GetWorkGroupInput, ...func(*athena.Options)) (*athena.GetWorkGroupOutput, error)
	UpdateWorkGroup(context.Context, *athena.UpdateWorkGroupInput, ...func(*athena.Options)) (*athena.UpdateWorkGroupOutput, error)
	DeleteWorkGroup(context.Context, *athena.DeleteWorkGroupInput, ...func(*athena.Options)) (*athena.DeleteWorkGroupOutput, error)
	CreateNamedQuery(context.Context, *athena.CreateNamedQueryInput, ...func(*athena.Options)) (*athena.CreateNamedQueryOutput, error)
	GetNamedQuery(context.Context, *athena.GetNamedQueryInput, ...func(*athena.Options)) (*athena.GetNamedQueryOutput, error)
	ListNamedQueries(context.Context, *athena.ListNamedQueriesInput, ...func(*athena.Options)) (*athena.ListNamedQueriesOutput, error)
	UpdateNamedQuery(context.Context, *athena.UpdateNamedQueryInput, ...func(*athena.Options)) (*athena.UpdateNamedQueryOutput, error)
	DeleteNamedQuery(context.Context, *athena.DeleteNamedQueryInput, ...func(*athena.Options)) (*athena.DeleteNamedQueryOutput, error)
	TagResource(context.Context, *athena.TagResourceInput, ...func(*athena.Options)) (*athena.TagResourceOutput, error)
	UntagResource(context.Context, *athena.UntagResourceInput, ...func(*athena.Options)) (*athena.UntagResourceOutput, error)
	ListTagsForResource(context.Context, *athena.ListTagsForResourceInput, ...func(*athena.Options)) (*athena.ListTagsForResourceOutput, error)
}

func newConnectionQueriesResource() resource.Resource {
	return &connectionQueriesResource{resourceBase: resourceBase{typeName: "connection_queries"}}
}

type connectionQueriesResource struct{ resourceBase }

func (r *connectionQueriesResource) athena() athenaQueriesAPI { return r.data.client.Athena() }

type connectionQueriesModel struct {
	ID                         types.String `tfsdk:"id"`
	Database                   types.String `tfsdk:"database"`
	TableName                  types.String `tfsdk:"table_name"`
	App                        types.String `tfsdk:"app"`
	WorkGroup                  types.String `tfsdk:"workgroup"`
	CreateWorkGroup            types.Bool   `tfsdk:"create_workgroup"`
	BytesScannedCutoffPerQuery types.Int64  `tfsdk:"bytes_scanned_cutoff_per_query"`
	OutputLocation             types.String `tfsdk:"output_location"`
	Tags                       types.Map    `tfsdk:"tags"`
	WorkGroupARN               types.String `tfsdk:"workgroup_arn"`
	Queries                    types.Map    `tfsdk:"queries"`
}

// namedQuery is one element of the queries attribute.
type namedQuery struct {
	ID          types.String `tfsdk:"id"`
	Description types.String `tfsdk:"description"`
	SQL         types.String `tfsdk:"sql"`
}

var namedQueryObjectType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"id": types.StringType, "description": types.StringType, "sql": types.StringType,
}}

func queryNames() []string {
	var names []string
	for _, q := range queries.All() {
		names = append(names, q.Name)
	}
	return names
}

func (r *connectionQueriesResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The named queries over the connections table (`vpcflow_connections_table`), saved in Athena: one per query the enricher's tests run in DuckDB over the same rows (" +
			quotedList(queryNames()) + "), the same text, over `table_name` and ending at `current_timestamp`. " +
			"Optionally creates the workgroup they are saved in, with a limit on the bytes each query scans. " +
			"A provider upgrade that changes a query's text plans an update (`UpdateNamedQuery`).",
		Attributes: map[string]schema.Attribute{
			"id": computedStable("`WORKGROUP:DATABASE:TABLE`."),
			"database": schema.StringAttribute{
				MarkdownDescription: "Glue database the queries run in: `vpcflow_connections_table.database_name`. Changing it replaces the queries.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 255)},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"table_name": schema.StringAttribute{
				MarkdownDescription: "Table the queries read: `vpcflow_connections_table.table_name`. Defaults to `" + tableschema.DefaultTableName + "`. Changed in place.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(tableschema.DefaultTableName),
				Validators:          []validator.String{stringvalidator.RegexMatches(glueNamePattern, "may contain only lower-case letters, digits and _, and may not start with a digit")},
			},
			"app": schema.StringAttribute{
				MarkdownDescription: "Value of the `app` tag the `app_peers` query is about. Any text: it is written into the query as a SQL string expression that Athena reads back as the value " +
					"(`provider::vpcflow::sql_string`). Null leaves `{{app}}` in that query, to replace with a SQL string (such as `'web'`) before running it. Changed in place.",
				Optional: true,
			},
			"workgroup": schema.StringAttribute{
				MarkdownDescription: "Athena workgroup the queries are saved in. Defaults to `primary`, which exists in every account. Changing it replaces the queries.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(primaryWorkGroup),
				Validators:          []validator.String{stringvalidator.RegexMatches(workGroupNamePattern, "may contain only letters, digits, ., _ and -, up to 128")},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"create_workgroup": schema.BoolAttribute{
				MarkdownDescription: "Create `workgroup`, with `bytes_scanned_cutoff_per_query` and `output_location`, and delete it, with every query saved in it, on destroy. " +
					"Defaults to `false`. Changing it replaces the queries.",
				Optional:      true,
				Computed:      true,
				Default:       booldefault.StaticBool(false),
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.RequiresReplace()},
			},
			"bytes_scanned_cutoff_per_query": schema.Int64Attribute{
				MarkdownDescription: "Limit on the bytes one query of the workgroup scans, at least 10000000 (10 MB): Athena cancels a query that reaches it, which caps the cost of a query " +
					"without a `dt` condition. Needs `create_workgroup`. Leave it out for no limit. Changed in place.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AtLeast(minBytesScannedCutoff)},
			},
			"output_location": schema.StringAttribute{
				MarkdownDescription: "Where the workgroup writes query results, `s3://BUCKET/PREFIX/`. Needs `create_workgroup`. Leave it out to have each user set one. Changed in place.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.RegexMatches(s3URIPattern, "must be an S3 URI, s3://BUCKET/PREFIX/")},
			},
			"tags":          tagsAttribute("Tags of the workgroup (named queries take none). Needs `create_workgroup`. Changed in place."),
			"workgroup_arn": computedStable("ARN of the workgroup, for the IAM policies of the users who run the queries."),
			"queries": schema.MapNestedAttribute{
				MarkdownDescription: "The saved queries, by name: `id` (the named query ID), `description` (what the query answers) and `sql`, the text saved.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":          schema.StringAttribute{MarkdownDescription: "Named query ID.", Computed: true},
					"description": schema.StringAttribute{MarkdownDescription: "What the query answers.", Computed: true},
					"sql":         schema.StringAttribute{MarkdownDescription: "The query's text.", Computed: true},
				}},
			},
		},
	}
}

func (r *connectionQueriesResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m connectionQueriesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || m.CreateWorkGroup.IsUnknown() {
		return
	}
	create := m.CreateWorkGroup.ValueBool()
	if create && m.WorkGroup.ValueString() == primaryWorkGroup || create && m.WorkGroup.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("workgroup"), "Creating the primary workgroup",
			"Every account has the workgroup primary, so creating it fails, and destroying this resource would delete it with every query saved in it. "+
				"Name another workgroup (such as vpcflow), or set create_workgroup = false to save the queries in primary.")
	}
	if create {
		return
	}
	for _, a := range []struct {
		name  string
		isSet bool
	}{
		{"bytes_scanned_cutoff_per_query", !m.BytesScannedCutoffPerQuery.IsNull()},
		{"output_location", !m.OutputLocation.IsNull()},
		{"tags", !m.Tags.IsNull() && len(m.Tags.Elements()) > 0},
	} {
		if a.isSet {
			resp.Diagnostics.AddAttributeError(path.Root(a.name), "Workgroup setting without create_workgroup",
				fmt.Sprintf("%s sets the workgroup, which this resource does not own unless create_workgroup = true; Athena would not apply it. "+
					"Set create_workgroup = true with a workgroup of its own, or remove %s.", a.name, a.name))
		}
	}
}

// plannedQueries renders every query for the model, keeping the IDs of
// those in prior.
func plannedQueries(ctx context.Context, m *connectionQueriesModel, prior map[string]namedQuery) (types.Map, diag.Diagnostics) {
	var diags diag.Diagnostics
	var app *string
	if !m.App.IsNull() {
		app = aws.String(m.App.ValueString())
	}
	out := map[string]namedQuery{}
	for _, q := range queries.All() {
		sql, err := q.NamedQuery(m.TableName.ValueString(), app)
		if err != nil {
			diags.AddAttributeError(path.Root("table_name"), "Invalid query parameter", err.Error())
			continue
		}
		nq := namedQuery{ID: types.StringUnknown(), Description: types.StringValue(truncate(q.Description, maxNamedQueryDescription)), SQL: types.StringValue(sql)}
		if p, ok := prior[q.Name]; ok && valueKnown(p.ID) {
			nq.ID = p.ID
		}
		out[q.Name] = nq
	}
	v, d := types.MapValueFrom(ctx, namedQueryObjectType, out)
	diags.Append(d...)
	return v, diags
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("...")
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

func queriesOf(ctx context.Context, m types.Map) (map[string]namedQuery, diag.Diagnostics) {
	out := map[string]namedQuery{}
	if m.IsNull() || m.IsUnknown() {
		return out, nil
	}
	diags := m.ElementsAs(ctx, &out, false)
	return out, diags
}

func (r *connectionQueriesResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan connectionQueriesModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !valueKnown(plan.TableName) || plan.App.IsUnknown() {
		return
	}
	prior := map[string]namedQuery{}
	if !req.State.Raw.IsNull() {
		var state connectionQueriesModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		p, d := queriesOf(ctx, state.Queries)
		resp.Diagnostics.Append(d...)
		prior = p
		// A replacement saves new queries.
		if !plan.Database.Equal(state.Database) || !plan.WorkGroup.Equal(state.WorkGroup) || !plan.CreateWorkGroup.Equal(state.CreateWorkGroup) {
			prior = map[string]namedQuery{}
		}
	}
	planned, d := plannedQueries(ctx, &plan, prior)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.Queries = planned
	if r.data != nil && valueKnown(plan.WorkGroup) && valueKnown(plan.Database) {
		account, ok := r.data.accountID(ctx, &resp.Diagnostics)
		if !ok {
			return
		}
		plan.WorkGroupARN = types.StringValue(r.workGroupARN(ctx, account, plan.WorkGroup.ValueString()))
		plan.ID = types.StringValue(plan.WorkGroup.ValueString() + ":" + plan.Database.ValueString() + ":" + plan.TableName.ValueString())
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *connectionQueriesResource) workGroupARN(ctx context.Context, account, name string) string {
	return r.data.regionalARNOf(ctx, "athena", account, "workgroup/"+name)
}

func workGroupConfiguration(m *connectionQueriesModel) *athenatypes.WorkGroupConfiguration {
	c := &athenatypes.WorkGroupConfiguration{
		// Metrics per workgroup: bytes scanned, which the limit is about.
		PublishCloudWatchMetricsEnabled: aws.Bool(true),
	}
	if !m.BytesScannedCutoffPerQuery.IsNull() {
		c.BytesScannedCutoffPerQuery = aws.Int64(m.BytesScannedCutoffPerQuery.ValueInt64())
	}
	if !m.OutputLocation.IsNull() {
		c.ResultConfiguration = &athenatypes.ResultConfiguration{OutputLocation: aws.String(m.OutputLocation.ValueString())}
	}
	return c
}

func (r *connectionQueriesResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan, ok := modelOf[connectionQueriesModel](ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	wg := plan.WorkGroup.ValueString()
	if plan.CreateWorkGroup.ValueBool() {
		tags, d := tagsFromModel(ctx, plan.Tags)
		resp.Diagnostics.Append(d...)
		if resp.Diagnostics.HasError() {
			return
		}
		in := &athena.CreateWorkGroupInput{
			Name:          aws.String(wg),
			Description:   aws.String("vpcflow: named queries over the enriched VPC flow log connections"),
			Configuration: workGroupConfiguration(&plan),
		}
		for _, k := range slices.Sorted(maps.Keys(tags)) {
			in.Tags = append(in.Tags, athenatypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
		}
		if _, err := r.athena().CreateWorkGroup(ctx, in); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("workgroup"), fmt.Sprintf("creating Athena WorkGroup (%s)", wg), err.Error())
			return
		}
		tflog.Info(ctx, "created Athena workgroup", map[string]any{"workgroup": wg})
	}
	planned, d := queriesOf(ctx, plan.Queries)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	saved := map[string]namedQuery{}
	defer func() {
		// Whatever was saved is tracked, so a failure part way leaves the
		// resource tainted rather than queries orphaned.
		if resp.Diagnostics.HasError() && (len(saved) > 0 || plan.CreateWorkGroup.ValueBool()) {
			v, _ := types.MapValueFrom(ctx, namedQueryObjectType, saved)
			plan.Queries = v
			resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		}
	}()
	for _, name := range slices.Sorted(maps.Keys(planned)) {
		q := planned[name]
		id, err := r.createNamedQuery(ctx, &plan, name, q)
		if err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("creating Athena Named Query (%s in %s)", name, wg), err.Error())
			return
		}
		q.ID = types.StringValue(id)
		saved[name] = q
	}
	v, d := types.MapValueFrom(ctx, namedQueryObjectType, saved)
	resp.Diagnostics.Append(d...)
	plan.Queries = v
	readBack(ctx, &plan, r.readInto, &resp.State, &resp.Diagnostics, fmt.Sprintf("reading Athena WorkGroup (%s)", wg), "the workgroup was created but cannot be read back")
}

func (r *connectionQueriesResource) createNamedQuery(ctx context.Context, m *connectionQueriesModel, name string, q namedQuery) (string, error) {
	out, err := r.athena().CreateNamedQuery(ctx, &athena.CreateNamedQueryInput{
		Name:        aws.String(name),
		Database:    aws.String(m.Database.ValueString()),
		QueryString: aws.String(q.SQL.ValueString()),
		Description: aws.String(q.Description.ValueString()),
		WorkGroup:   aws.String(m.WorkGroup.ValueString()),
	})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.NamedQueryId), nil
}

// isAthenaNotFound reports whether err says a workgroup or named query does
// not exist: Athena answers InvalidRequestException with a message that
// says so ("WorkGroup x is not found", "NamedQuery x was not found").
func isAthenaNotFound(err error) bool {
	var ir *athenatypes.InvalidRequestException
	return isAWSNotFound(err) || errors.As(err, &ir) && strings.Contains(strings.ToLower(ir.ErrorMessage()), "not found")
}

// findWorkGroup reads a workgroup, or returns a not-found error.
func findWorkGroup(ctx context.Context, api athenaQueriesAPI, name string) (*athenatypes.WorkGroup, error) {
	out, err := api.GetWorkGroup(ctx, &athena.GetWorkGroupInput{WorkGroup: aws.String(name)})
	if isAthenaNotFound(err) {
		return nil, &notFoundError{Kind: "Athena workgroup", ID: name, Err: err}
	}
	if err != nil {
		return nil, err
	}
	if out.WorkGroup == nil {
		return nil, &notFoundError{Kind: "Athena workgroup", ID: name}
	}
	return out.WorkGroup, nil
}

// readInto refreshes m from Athena; it returns false when the workgroup
// does not exist, or when none of the queries does.
func (r *connectionQueriesResource) readInto(ctx context.Context, m *connectionQueriesModel, diags *diag.Diagnostics) bool {
	wgName := m.WorkGroup.ValueString()
	wg, err := findWorkGroup(ctx, r.athena(), wgName)
	if !readFound(err, diags, "Athena WorkGroup", wgName) {
		return false
	}
	account, ok := r.data.accountID(ctx, diags)
	if !ok {
		return false
	}
	m.WorkGroupARN = types.StringValue(r.workGroupARN(ctx, account, wgName))
	if m.CreateWorkGroup.ValueBool() {
		m.BytesScannedCutoffPerQuery, m.OutputLocation = types.Int64Null(), types.StringNull()
		if c := wg.Configuration; c != nil {
			if c.BytesScannedCutoffPerQuery != nil {
				m.BytesScannedCutoffPerQuery = types.Int64Value(*c.BytesScannedCutoffPerQuery)
			}
			if c.ResultConfiguration != nil && c.ResultConfiguration.OutputLocation != nil {
				m.OutputLocation = types.StringValue(*c.ResultConfiguration.OutputLocation)
			}
		}
		tags := map[string]string{}
		out, err := r.athena().ListTagsForResource(ctx, &athena.ListTagsForResourceInput{ResourceARN: m.WorkGroupARN.ValueStringPointer()})
		var ir *athenatypes.InvalidRequestException
		switch {
		case errors.As(err, &ir) && strings.Contains(ir.ErrorMessage(), "Does Not Exist"):
			// The workgroup was just read: a local AWS (moto) answers so for
			// a workgroup without tags.
		case err != nil:
			diags.AddError(fmt.Sprintf("listing tags of Athena WorkGroup (%s)", wgName), err.Error())
			return false
		default:
			for _, t := range out.Tags {
				tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
		}
		v, d := tagsToModel(ctx, tags, m.Tags)
		diags.Append(d...)
		m.Tags = v
	}

	known, d := queriesOf(ctx, m.Queries)
	diags.Append(d...)
	got := map[string]namedQuery{}
	for _, name := range slices.Sorted(maps.Keys(known)) {
		q := known[name]
		if !valueKnown(q.ID) {
			continue
		}
		out, err := r.athena().GetNamedQuery(ctx, &athena.GetNamedQueryInput{NamedQueryId: q.ID.ValueStringPointer()})
		if isAthenaNotFound(err) {
			tflog.Warn(ctx, "Athena named query gone", map[string]any{"name": name, "id": q.ID.ValueString()})
			continue
		}
		if err != nil {
			diags.AddError(fmt.Sprintf("reading Athena Named Query (%s, %s)", name, q.ID.ValueString()), err.Error())
			return false
		}
		nq := out.NamedQuery
		if nq == nil || aws.ToString(nq.WorkGroup) != wgName && !(wgName == primaryWorkGroup && nq.WorkGroup == nil) {
			continue
		}
		got[aws.ToString(nq.Name)] = namedQuery{
			ID:          types.StringValue(aws.ToString(nq.NamedQueryId)),
			Description: types.StringValue(aws.ToString(nq.Description)),
			SQL:         types.StringValue(aws.ToString(nq.QueryString)),
		}
		if db := aws.ToString(nq.Database); db != "" {
			m.Database = types.StringValue(db)
		}
	}
	if len(got) == 0 && len(known) > 0 && !m.CreateWorkGroup.ValueBool() {
		return false
	}
	v, d := types.MapValueFrom(ctx, namedQueryObjectType, got)
	diags.Append(d...)
	m.Queries = v
	m.ID = types.StringValue(wgName + ":" + m.Database.ValueString() + ":" + m.TableName.ValueString())
	return true
}

func (r *connectionQueriesResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readResource(ctx, req, resp, r.readInto, func(m *connectionQueriesModel) (string, string) {
		return "Athena named queries not found", fmt.Sprintf("The workgroup %s or the named queries of %s no longer exist; removing them from the state. The next plan creates them again.", m.WorkGroup.ValueString(), m.ID.ValueString())
	})
}

func (r *connectionQueriesResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, state, ok := planAndState[connectionQueriesModel](ctx, req, &resp.Diagnostics)
	if !ok {
		return
	}
	wg := state.WorkGroup.ValueString()
	if plan.CreateWorkGroup.ValueBool() {
		if err := r.updateWorkGroup(ctx, &plan, &state); err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("updating Athena WorkGroup (%s)", wg), err.Error())
			return
		}
	}
	planned, d := queriesOf(ctx, plan.Queries)
	resp.Diagnostics.Append(d...)
	current, d := queriesOf(ctx, state.Queries)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	saved := map[string]namedQuery{}
	for _, name := range slices.Sorted(maps.Keys(planned)) {
		q := planned[name]
		cur, ok := current[name]
		switch {
		case !ok || !valueKnown(cur.ID):
			id, err := r.createNamedQuery(ctx, &plan, name, q)
			if err != nil {
				resp.Diagnostics.AddError(fmt.Sprintf("creating Athena Named Query (%s in %s)", name, wg), err.Error())
				return
			}
			q.ID = types.StringValue(id)
		case !cur.SQL.Equal(q.SQL) || !cur.Description.Equal(q.Description):
			_, err := r.athena().UpdateNamedQuery(ctx, &athena.UpdateNamedQueryInput{
				NamedQueryId: cur.ID.ValueStringPointer(),
				Name:         aws.String(name),
				QueryString:  aws.String(q.SQL.ValueString()),
				Description:  aws.String(q.Description.ValueString()),
			})
			if err != nil {
				resp.Diagnostics.AddError(fmt.Sprintf("updating Athena Named Query (%s, %s)", name, cur.ID.ValueString()), err.Error())
				return
			}
			q.ID = cur.ID
		default:
			q.ID = cur.ID
		}
		saved[name] = q
	}
	// Queries a newer provider no longer ships.
	for _, name := range slices.Sorted(maps.Keys(current)) {
		if _, ok := planned[name]; ok || !valueKnown(current[name].ID) {
			continue
		}
		if err := r.deleteNamedQuery(ctx, current[name].ID.ValueString()); err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("deleting Athena Named Query (%s, %s)", name, current[name].ID.ValueString()), err.Error())
			return
		}
	}
	v, d := types.MapValueFrom(ctx, namedQueryObjectType, saved)
	resp.Diagnostics.Append(d...)
	plan.Queries = v
	readBack(ctx, &plan, r.readInto, &resp.State, &resp.Diagnostics, fmt.Sprintf("reading Athena WorkGroup (%s)", wg), "the workgroup disappeared during the update")
}

func (r *connectionQueriesResource) updateWorkGroup(ctx context.Context, plan, state *connectionQueriesModel) error {
	wg := state.WorkGroup.ValueString()
	u := &athenatypes.WorkGroupConfigurationUpdates{}
	changed := false
	if !plan.BytesScannedCutoffPerQuery.Equal(state.BytesScannedCutoffPerQuery) {
		changed = true
		if plan.BytesScannedCutoffPerQuery.IsNull() {
			u.RemoveBytesScannedCutoffPerQuery = aws.Bool(true)
		} else {
			u.BytesScannedCutoffPerQuery = aws.Int64(plan.BytesScannedCutoffPerQuery.ValueInt64())
		}
	}
	if !plan.OutputLocation.Equal(state.OutputLocation) {
		changed = true
		if plan.OutputLocation.IsNull() {
			u.ResultConfigurationUpdates = &athenatypes.ResultConfigurationUpdates{RemoveOutputLocation: aws.Bool(true)}
		} else {
			u.ResultConfigurationUpdates = &athenatypes.ResultConfigurationUpdates{OutputLocation: aws.String(plan.OutputLocation.ValueString())}
		}
	}
	if changed {
		if _, err := r.athena().UpdateWorkGroup(ctx, &athena.UpdateWorkGroupInput{WorkGroup: aws.String(wg), ConfigurationUpdates: u}); err != nil {
			return err
		}
	}
	if plan.Tags.Equal(state.Tags) {
		return nil
	}
	oldTags, d := tagsFromModel(ctx, state.Tags)
	if d.HasError() {
		return fmt.Errorf("reading tags: %v", d)
	}
	newTags, d := tagsFromModel(ctx, plan.Tags)
	if d.HasError() {
		return fmt.Errorf("reading tags: %v", d)
	}
	return tagger{
		untag: func(ctx context.Context, keys []string) error {
			return errOf(r.athena().UntagResource(ctx, &athena.UntagResourceInput{ResourceARN: state.WorkGroupARN.ValueStringPointer(), TagKeys: keys}))
		},
		tag: func(ctx context.Context, tags map[string]string) error {
			in := &athena.TagResourceInput{ResourceARN: state.WorkGroupARN.ValueStringPointer()}
			for _, k := range slices.Sorted(maps.Keys(tags)) {
				in.Tags = append(in.Tags, athenatypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
			}
			_, err := r.athena().TagResource(ctx, in)
			return err
		},
	}.apply(ctx, oldTags, newTags)
}

func (r *connectionQueriesResource) deleteNamedQuery(ctx context.Context, id string) error {
	_, err := r.athena().DeleteNamedQuery(ctx, &athena.DeleteNamedQueryInput{NamedQueryId: aws.String(id)})
	if isAthenaNotFound(err) {
		return nil
	}
	return err
}

func (r *connectionQueriesResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	state, ok := modelOf[connectionQueriesModel](ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	wg := state.WorkGroup.ValueString()
	if state.CreateWorkGroup.ValueBool() {
		// The queries go with their workgroup: one call, and nothing saved
		// there by hand since is left behind in a workgroup that is gone.
		_, err := r.athena().DeleteWorkGroup(ctx, &athena.DeleteWorkGroupInput{WorkGroup: aws.String(wg), RecursiveDeleteOption: aws.Bool(true)})
		if err != nil && !isAthenaNotFound(err) {
			resp.Diagnostics.AddError(fmt.Sprintf("deleting Athena WorkGroup (%s)", wg), err.Error())
		}
		return
	}
	current, d := queriesOf(ctx, state.Queries)
	resp.Diagnostics.Append(d...)
	for _, name := range slices.Sorted(maps.Keys(current)) {
		q := current[name]
		if !valueKnown(q.ID) {
			continue
		}
		if err := r.deleteNamedQuery(ctx, q.ID.ValueString()); err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("deleting Athena Named Query (%s, %s)", name, q.ID.ValueString()), err.Error())
		}
	}
}

// ImportState takes WORKGROUP:DATABASE:TABLE and finds the queries saved in
// the workgroup under the names this provider gives them, in that database.
func (r *connectionQueriesResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	parts := strings.Split(req.ID, ":")
	if len(parts) != 3 || slices.Contains(parts, "") {
		resp.Diagnostics.AddError("importing vpcflow_connection_queries", fmt.Sprintf("ID %q: want WORKGROUP:DATABASE:TABLE, such as primary:vpcflow:vpcflow_connections", req.ID))
		return
	}
	wg, database, table := parts[0], parts[1], parts[2]
	names := queryNames()
	found := map[string]namedQuery{}
	var token *string
	for {
		out, err := r.athena().ListNamedQueries(ctx, &athena.ListNamedQueriesInput{WorkGroup: aws.String(wg), NextToken: token})
		if err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("listing Athena Named Queries of %s", wg), err.Error())
			return
		}
		for _, id := range out.NamedQueryIds {
			q, err := r.athena().GetNamedQuery(ctx, &athena.GetNamedQueryInput{NamedQueryId: aws.String(id)})
			if err != nil {
				resp.Diagnostics.AddError(fmt.Sprintf("reading Athena Named Query (%s)", id), err.Error())
				return
			}
			name := aws.ToString(q.NamedQuery.Name)
			if slices.Contains(names, name) && aws.ToString(q.NamedQuery.Database) == database {
				if _, dup := found[name]; !dup {
					found[name] = namedQuery{ID: types.StringValue(id), Description: types.StringNull(), SQL: types.StringNull()}
				}
			}
		}
		if out.NextToken == nil || aws.ToString(out.NextToken) == "" {
			break
		}
		token = out.NextToken
	}
	if len(found) == 0 {
		resp.Diagnostics.AddError("importing vpcflow_connection_queries",
			fmt.Sprintf("No named query of workgroup %s in database %s has the name of one of this provider's queries (%s).", wg, database, strings.Join(names, ", ")))
		return
	}
	v, d := types.MapValueFrom(ctx, namedQueryObjectType, found)
	resp.Diagnostics.Append(d...)
	create := wg != primaryWorkGroup
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("workgroup"), wg)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("database"), database)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("table_name"), table)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("create_workgroup"), create)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("queries"), v)...)
}
