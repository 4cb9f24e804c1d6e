package provider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
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

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/enrich/athena"
)

var (
	_ resource.Resource                = &connectionsTableResource{}
	_ resource.ResourceWithConfigure   = &connectionsTableResource{}
	_ resource.ResourceWithImportState = &connectionsTableResource{}
	_ resource.ResourceWithModifyPlan  = &connectionsTableResource{}
)

var (
	glueNamePattern     = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
	s3BucketNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	s3PrefixPattern     = regexp.MustCompile(`^([^/].*/)?$`)
	datePattern         = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	catalogIDPattern    = regexp.MustCompile(`^\d{12}$`)
)

// glueTableAPI is the part of Glue the table resource uses.
type glueTableAPI interface {
	CreateDatabase(context.Context, *glue.CreateDatabaseInput, ...func(*glue.Options)) (*glue.CreateDatabaseOutput, error)
	GetDatabase(context.Context, *glue.GetDatabaseInput, ...func(*glue.Options)) (*glue.GetDatabaseOutput, error)
	DeleteDatabase(context.Context, *glue.DeleteDatabaseInput, ...func(*glue.Options)) (*glue.DeleteDatabaseOutput, error)
	CreateTable(context.Context, *glue.CreateTableInput, ...func(*glue.Options)) (*glue.CreateTableOutput, error)
	GetTable(context.Context, *glue.GetTableInput, ...func(*glue.Options)) (*glue.GetTableOutput, error)
	UpdateTable(context.Context, *glue.UpdateTableInput, ...func(*glue.Options)) (*glue.UpdateTableOutput, error)
	DeleteTable(context.Context, *glue.DeleteTableInput, ...func(*glue.Options)) (*glue.DeleteTableOutput, error)
	GetTags(context.Context, *glue.GetTagsInput, ...func(*glue.Options)) (*glue.GetTagsOutput, error)
	TagResource(context.Context, *glue.TagResourceInput, ...func(*glue.Options)) (*glue.TagResourceOutput, error)
	UntagResource(context.Context, *glue.UntagResourceInput, ...func(*glue.Options)) (*glue.UntagResourceOutput, error)
}

func newConnectionsTableResource() resource.Resource {
	return &connectionsTableResource{resourceBase: resourceBase{typeName: "connections_table"}}
}

type connectionsTableResource struct{ resourceBase }

func (r *connectionsTableResource) glue() glueTableAPI { return r.data.client.Glue() }

type connectionsTableModel struct {
	ID              types.String `tfsdk:"id"`
	CatalogID       types.String `tfsdk:"catalog_id"`
	DatabaseName    types.String `tfsdk:"database_name"`
	CreateDatabase  types.Bool   `tfsdk:"create_database"`
	TableName       types.String `tfsdk:"table_name"`
	Bucket          types.String `tfsdk:"bucket"`
	Prefix          types.String `tfsdk:"prefix"`
	Format          types.String `tfsdk:"format"`
	ProjectionStart types.String `tfsdk:"projection_start"`
	Tags            types.Map    `tfsdk:"tags"`
	ARN             types.String `tfsdk:"arn"`
	DatabaseARN     types.String `tfsdk:"database_arn"`
	Location        types.String `tfsdk:"location"`
	Columns         types.List   `tfsdk:"columns"`
	SchemaVersion   types.String `tfsdk:"schema_version"`
	DefinitionHash  types.String `tfsdk:"definition_hash"`
	DDL             types.String `tfsdk:"ddl"`
	Parameters      types.Map    `tfsdk:"parameters"`
}

var columnObjectType = types.ObjectType{AttrTypes: map[string]attr.Type{"name": types.StringType, "type": types.StringType}}

func (r *connectionsTableResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Glue Data Catalog table of the connection rows a `vpcflow_enricher_function` writes to S3, ready for Athena after `terraform apply`: " +
			"the columns of the enricher embedded in this provider release (`internal/pipeline/enrich/SCHEMA.md`), the SerDe of `format`, and partition projection over " +
			"the `dt=YYYY-MM-DD/hour=HH/` partitions, so no crawler and no `MSCK REPAIR TABLE` is needed. Optionally creates its database. " +
			"A provider upgrade whose enricher writes other columns plans an update of the table (`UpdateTable`), as does a table changed out of band. " +
			"`vpcflow_connection_queries` saves the named queries over it.",
		Attributes: map[string]schema.Attribute{
			"id": computedStable("`CATALOG_ID:DATABASE:TABLE`, as the AWS provider's `aws_glue_catalog_table`."),
			"catalog_id": schema.StringAttribute{
				MarkdownDescription: "Account ID of the Data Catalog. Defaults to the provider's account. Changing it replaces the table.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{stringvalidator.RegexMatches(catalogIDPattern, "must be a 12-digit account ID")},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown(), stringplanmodifier.RequiresReplace()},
			},
			"database_name": schema.StringAttribute{
				MarkdownDescription: "Glue database of the table: lower-case letters, digits and `_` (names with other characters must be quoted in every Athena query). " +
					"Changing it replaces the table.",
				Required:      true,
				Validators:    []validator.String{stringvalidator.LengthBetween(1, 255), stringvalidator.RegexMatches(glueNamePattern, "may contain only lower-case letters, digits and _, and may not start with a digit")},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"create_database": schema.BoolAttribute{
				MarkdownDescription: "Create `database_name` with the table, and delete it with the table. Defaults to `true`. " +
					"Set `false` to put the table in a database that exists already (such as `default`); creating a database that exists fails. " +
					"Changing it later changes only whether destroying the resource deletes the database.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
			},
			"table_name": schema.StringAttribute{
				MarkdownDescription: "Name of the table, which the named queries read. Defaults to `" + athena.DefaultTableName + "`. Changing it replaces the table.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(athena.DefaultTableName),
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 255), stringvalidator.RegexMatches(glueNamePattern, "may contain only lower-case letters, digits and _, and may not start with a digit")},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"bucket": schema.StringAttribute{
				MarkdownDescription: "S3 bucket the rows are in: the enricher's `output_bucket`. Changed in place.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.RegexMatches(s3BucketNamePattern, "must be an S3 bucket name")},
			},
			"prefix": schema.StringAttribute{
				MarkdownDescription: "Key prefix of the rows: the enricher's `output_prefix`, empty or ending with `/` (e.g. `connections/`). Defaults to `\"\"`. Changed in place.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{stringvalidator.RegexMatches(s3PrefixPattern, "must be empty or end with / and not begin with /")},
			},
			"format": schema.StringAttribute{
				MarkdownDescription: "Format of the rows, the enricher's `output_format`, one of " + quotedList(athena.Formats) + ": `ndjson` is gzip NDJSON (read with the JSON SerDe), `parquet` is Parquet (the Parquet SerDe). " +
					"Defaults to `ndjson`. A table reads one format: keep each under its own `prefix`. Changed in place.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(athena.FormatNDJSON),
				Validators: []validator.String{stringvalidator.OneOf(athena.Formats...)},
			},
			"projection_start": schema.StringAttribute{
				MarkdownDescription: "First day (`YYYY-MM-DD`, UTC) partition projection enumerates, up to `NOW`; rows of earlier days are not read. Defaults to `" + athena.DefaultProjectionStart + "`: " +
					"a fixed day rather than the day of the apply, so the plan does not change with the calendar. A later start makes queries without a `dt` condition list fewer prefixes. Changed in place.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(athena.DefaultProjectionStart),
				Validators: []validator.String{stringvalidator.RegexMatches(datePattern, "must be a date YYYY-MM-DD")},
			},
			"tags":         tagsAttribute("Tags of the database the resource creates (Glue tags databases, not tables). Needs `create_database = true`. Changed in place."),
			"arn":          computedStable("ARN of the table (`arn:aws:glue:REGION:ACCOUNT:table/DATABASE/TABLE`), for IAM policies of the users who query it."),
			"database_arn": computedStable("ARN of the database."),
			"location": schema.StringAttribute{
				MarkdownDescription: "`s3://BUCKET/PREFIX`, where the table reads.",
				Computed:            true,
			},
			"columns": schema.ListNestedAttribute{
				MarkdownDescription: "Columns of the table, as the catalog holds them (lower case). Planned from the enricher of this provider release: a change here is a schema upgrade or an edit made out of band.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name": schema.StringAttribute{MarkdownDescription: "Column name.", Computed: true},
					"type": schema.StringAttribute{MarkdownDescription: "Hive type, such as `bigint` or `struct<addr:string,...>`.", Computed: true},
				}},
			},
			"schema_version": schema.StringAttribute{
				MarkdownDescription: "Digest of the columns: the same for every provider release whose enricher writes the same columns.",
				Computed:            true,
			},
			"definition_hash": schema.StringAttribute{
				MarkdownDescription: "Digest of everything the resource sets in the catalog (columns, partition keys, location, SerDe and formats, projection): " +
					"it differs from the plan when the table was changed out of band, and the apply writes it back.",
				Computed: true,
			},
			"parameters": schema.MapAttribute{
				MarkdownDescription: "The table properties the resource sets, as the catalog holds them: partition projection (`projection.enabled`, `projection.dt.range`, " +
					"`storage.location.template`, ...), `classification` and `vpcflow.schema_version`. Properties Athena or Glue add are left out.",
				Computed:    true,
				ElementType: types.StringType,
			},
			"ddl": schema.StringAttribute{
				MarkdownDescription: "The same table as Athena DDL (`CREATE EXTERNAL TABLE IF NOT EXISTS ...`), for an account where the table is made by hand.",
				Computed:            true,
			},
		},
	}
}

// definition returns the table the model describes, with this provider's
// columns.
func (m *connectionsTableModel) definition() (athena.Table, error) {
	return athena.Define(m.TableName.ValueString(), m.Format.ValueString(),
		athena.Location(m.Bucket.ValueString(), m.Prefix.ValueString()), m.ProjectionStart.ValueString())
}

// setPlanned sets the attributes that follow from the definition.
func (m *connectionsTableModel) setPlanned(ctx context.Context, t athena.Table) diag.Diagnostics {
	cols, diags := columnsValue(ctx, t.Columns)
	m.Columns = cols
	m.SchemaVersion = types.StringValue(athena.SchemaVersion(t.Columns))
	m.DefinitionHash = types.StringValue(t.Digest())
	m.DDL = types.StringValue(t.DDL())
	params, d := types.MapValueFrom(ctx, types.StringType, t.Parameters)
	diags.Append(d...)
	m.Parameters = params
	m.Location = types.StringValue(strings.TrimSuffix(t.Location, "/"))
	if m.Prefix.ValueString() == "" {
		m.Location = types.StringValue(t.Location)
	}
	return diags
}

func columnsValue(ctx context.Context, cols []athena.Column) (types.List, diag.Diagnostics) {
	type column struct {
		Name string `tfsdk:"name"`
		Type string `tfsdk:"type"`
	}
	out := make([]column, len(cols))
	for i, c := range cols {
		out[i] = column{Name: c.CatalogName(), Type: c.CatalogType()}
	}
	return types.ListValueFrom(ctx, columnObjectType, out)
}

func (r *connectionsTableResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan, config connectionsTableModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !config.Tags.IsNull() && len(config.Tags.Elements()) > 0 && !plan.CreateDatabase.ValueBool() {
		resp.Diagnostics.AddAttributeError(path.Root("tags"), "Tags of a database the resource does not create",
			"Glue tags databases, not tables, and with create_database = false the database is not this resource's to tag. "+
				"Remove tags, or tag the database where it is managed.")
		return
	}
	if !valueKnown(plan.TableName) || !valueKnown(plan.Format) || !valueKnown(plan.Bucket) || !valueKnown(plan.Prefix) || !valueKnown(plan.ProjectionStart) {
		return
	}
	def, err := plan.definition()
	if err != nil {
		resp.Diagnostics.AddError("Invalid connections table", err.Error())
		return
	}
	resp.Diagnostics.Append(plan.setPlanned(ctx, def)...)
	if r.data != nil && valueKnown(plan.DatabaseName) {
		if plan.CatalogID.IsUnknown() {
			account, ok := r.data.accountID(ctx, &resp.Diagnostics)
			if !ok {
				return
			}
			plan.CatalogID = types.StringValue(account)
		}
		if valueKnown(plan.CatalogID) {
			plan.ID = types.StringValue(plan.CatalogID.ValueString() + ":" + plan.DatabaseName.ValueString() + ":" + plan.TableName.ValueString())
			plan.DatabaseARN = types.StringValue(r.databaseARN(ctx, plan.CatalogID.ValueString(), plan.DatabaseName.ValueString()))
			plan.ARN = types.StringValue(r.data.regionalARNOf(ctx, "glue", plan.CatalogID.ValueString(),
				"table/"+plan.DatabaseName.ValueString()+"/"+plan.TableName.ValueString()))
		}
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *connectionsTableResource) databaseARN(ctx context.Context, catalogID, database string) string {
	return r.data.regionalARNOf(ctx, "glue", catalogID, "database/"+database)
}

// tableInput converts the definition to Glue's shape.
func tableInput(t athena.Table) *gluetypes.TableInput {
	columns := func(cols []athena.Column) []gluetypes.Column {
		out := make([]gluetypes.Column, len(cols))
		for i, c := range cols {
			out[i] = gluetypes.Column{Name: aws.String(c.CatalogName()), Type: aws.String(c.CatalogType())}
		}
		return out
	}
	return &gluetypes.TableInput{
		Name:          aws.String(t.Name),
		Description:   aws.String("VPC flow log connections enriched by vpcflow (internal/pipeline/enrich/SCHEMA.md); partitions by projection."),
		TableType:     aws.String("EXTERNAL_TABLE"),
		Parameters:    maps.Clone(t.Parameters),
		PartitionKeys: columns(t.PartitionKeys),
		StorageDescriptor: &gluetypes.StorageDescriptor{
			Columns:      columns(t.Columns),
			Location:     aws.String(t.Location),
			InputFormat:  aws.String(t.InputFormat),
			OutputFormat: aws.String(t.OutputFormat),
			Compressed:   t.Format == athena.FormatNDJSON,
			SerdeInfo: &gluetypes.SerDeInfo{
				SerializationLibrary: aws.String(t.SerDe),
				Parameters:           maps.Clone(t.SerDeParameters),
			},
		},
	}
}

// tableOf converts a Glue table back, keeping of its parameters those the
// expected definition sets: Athena and Glue add their own.
func tableOf(g *gluetypes.Table, expected athena.Table) athena.Table {
	columns := func(cols []gluetypes.Column) []athena.Column {
		out := make([]athena.Column, len(cols))
		for i, c := range cols {
			out[i] = athena.Column{Name: aws.ToString(c.Name), Type: aws.ToString(c.Type)}
		}
		return out
	}
	t := athena.Table{Name: aws.ToString(g.Name), PartitionKeys: columns(g.PartitionKeys), Parameters: map[string]string{}}
	for k := range expected.Parameters {
		if v, ok := g.Parameters[k]; ok {
			t.Parameters[k] = v
		}
	}
	if sd := g.StorageDescriptor; sd != nil {
		t.Columns = columns(sd.Columns)
		t.Location = aws.ToString(sd.Location)
		t.InputFormat, t.OutputFormat = aws.ToString(sd.InputFormat), aws.ToString(sd.OutputFormat)
		if sd.SerdeInfo != nil {
			t.SerDe = aws.ToString(sd.SerdeInfo.SerializationLibrary)
			t.SerDeParameters = map[string]string{}
			for k := range expected.SerDeParameters {
				if v, ok := sd.SerdeInfo.Parameters[k]; ok {
					t.SerDeParameters[k] = v
				}
			}
		}
	}
	t.Format = athena.FormatOf(t.SerDe)
	return t
}

func (r *connectionsTableResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan, ok := modelOf[connectionsTableModel](ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	def, err := plan.definition()
	if err != nil {
		resp.Diagnostics.AddError("Invalid connections table", err.Error())
		return
	}
	catalogID, database, table := plan.CatalogID.ValueString(), plan.DatabaseName.ValueString(), def.Name
	if plan.CreateDatabase.ValueBool() {
		tags, d := tagsFromModel(ctx, plan.Tags)
		resp.Diagnostics.Append(d...)
		if resp.Diagnostics.HasError() {
			return
		}
		in := &glue.CreateDatabaseInput{
			CatalogId: aws.String(catalogID),
			DatabaseInput: &gluetypes.DatabaseInput{
				Name:        aws.String(database),
				Description: aws.String("VPC flow log connections enriched by vpcflow"),
			},
		}
		if len(tags) > 0 {
			in.Tags = tags
		}
		_, err := r.glue().CreateDatabase(ctx, in)
		var exists *gluetypes.AlreadyExistsException
		if errors.As(err, &exists) {
			resp.Diagnostics.AddAttributeError(path.Root("database_name"), fmt.Sprintf("creating Glue Database (%s)", database),
				fmt.Sprintf("The Glue database %s exists already, and create_database = true would make it this resource's to delete. "+
					"Set create_database = false to put the table in it, or choose another database_name.", database))
			return
		}
		if err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("creating Glue Database (%s)", database), err.Error())
			return
		}
		tflog.Info(ctx, "created Glue database", map[string]any{"database": database})
	}
	_, err = r.glue().CreateTable(ctx, &glue.CreateTableInput{CatalogId: aws.String(catalogID), DatabaseName: aws.String(database), TableInput: tableInput(def)})
	if err != nil {
		summary := fmt.Sprintf("creating Glue Table (%s.%s)", database, table)
		var exists *gluetypes.AlreadyExistsException
		switch {
		case errors.As(err, &exists):
			resp.Diagnostics.AddAttributeError(path.Root("table_name"), summary,
				fmt.Sprintf("A table %s exists already in %s. Import it (terraform import with ID %s:%s:%s) or choose another table_name.", table, database, catalogID, database, table))
		case isAWSNotFound(err) && !plan.CreateDatabase.ValueBool():
			resp.Diagnostics.AddAttributeError(path.Root("database_name"), summary,
				fmt.Sprintf("The Glue database %s does not exist, and create_database = false leaves it to be made elsewhere. Create it, or set create_database = true. (%v)", database, err))
		default:
			resp.Diagnostics.AddError(summary, err.Error())
		}
		// The database made above would be orphaned: take it back.
		if plan.CreateDatabase.ValueBool() {
			if _, derr := r.glue().DeleteDatabase(ctx, &glue.DeleteDatabaseInput{CatalogId: aws.String(catalogID), Name: aws.String(database)}); derr != nil {
				resp.Diagnostics.AddWarning(fmt.Sprintf("deleting Glue Database (%s)", database), "The database created for the table is left behind: "+derr.Error())
			}
		}
		return
	}
	tflog.Info(ctx, "created Glue table", map[string]any{"database": database, "table": table})
	readBack(ctx, &plan, r.readInto, &resp.State, &resp.Diagnostics, fmt.Sprintf("reading Glue Table (%s.%s)", database, table), "the table was created but cannot be read back")
}

// parseConnectionsTableID splits CATALOG_ID:DATABASE:TABLE, or DATABASE:TABLE
// in the provider's account.
func parseConnectionsTableID(id string) (catalogID, database, table string, err error) {
	parts := strings.Split(id, ":")
	switch {
	case len(parts) == 3 && parts[0] != "" && parts[1] != "" && parts[2] != "":
		return parts[0], parts[1], parts[2], nil
	case len(parts) == 2 && parts[0] != "" && parts[1] != "":
		return "", parts[0], parts[1], nil
	}
	return "", "", "", fmt.Errorf("ID %q: want CATALOG_ID:DATABASE:TABLE or DATABASE:TABLE", id)
}

// findGlueTable reads the table, or returns a not-found error when it or its
// database does not exist.
func findGlueTable(ctx context.Context, api glueTableAPI, catalogID, database, table string) (*gluetypes.Table, error) {
	in := &glue.GetTableInput{DatabaseName: aws.String(database), Name: aws.String(table)}
	if catalogID != "" {
		in.CatalogId = aws.String(catalogID)
	}
	out, err := api.GetTable(ctx, in)
	if err != nil {
		return nil, asNotFound(err, "Glue table", database+"."+table)
	}
	if out.Table == nil {
		return nil, &notFoundError{Kind: "Glue table", ID: database + "." + table}
	}
	return out.Table, nil
}

// readInto refreshes m from Glue; it returns false when the table does not
// exist.
func (r *connectionsTableResource) readInto(ctx context.Context, m *connectionsTableModel, diags *diag.Diagnostics) bool {
	catalogID, database, table := m.CatalogID.ValueString(), m.DatabaseName.ValueString(), m.TableName.ValueString()
	g, err := findGlueTable(ctx, r.glue(), catalogID, database, table)
	if !readFound(err, diags, "Glue Table", database+"."+table) {
		return false
	}
	if catalogID == "" {
		catalogID = aws.ToString(g.CatalogId)
	}
	if catalogID == "" && r.data != nil {
		if catalogID, err = r.data.client.AccountID(ctx); err != nil {
			diags.AddError("reading the provider's account", err.Error())
			return false
		}
	}
	m.CatalogID = types.StringValue(catalogID)
	m.ID = types.StringValue(catalogID + ":" + database + ":" + table)

	// What the table holds, read back as the definition's arguments.
	got := tableOf(g, athena.Table{})
	if bucket, prefix, ok := strings.Cut(strings.TrimPrefix(got.Location, "s3://"), "/"); ok && strings.HasPrefix(got.Location, "s3://") {
		m.Bucket, m.Prefix = types.StringValue(bucket), types.StringValue(prefix)
	} else {
		m.Bucket, m.Prefix = types.StringValue(got.Location), types.StringValue("")
	}
	m.Format = types.StringValue(got.Format)
	m.ProjectionStart = types.StringValue(athena.ProjectionStart(g.Parameters["projection.dt.range"]))

	// The definition those arguments give with this provider's columns,
	// then what the table holds of it.
	expected, err := m.definition()
	if err != nil {
		// Arguments no definition takes (another SerDe, a location that is
		// not under a bucket): the plan writes the configured ones back.
		expected = athena.Table{Columns: athena.Columns()}
	}
	got = tableOf(g, expected)
	cols, d := columnsValue(ctx, got.Columns)
	diags.Append(d...)
	m.Columns = cols
	m.SchemaVersion = types.StringValue(athena.SchemaVersion(got.Columns))
	m.DefinitionHash = types.StringValue(got.Digest())
	params, d := types.MapValueFrom(ctx, types.StringType, got.Parameters)
	diags.Append(d...)
	m.Parameters = params
	m.Location = types.StringValue(strings.TrimSuffix(got.Location, "/"))
	if m.Prefix.ValueString() == "" {
		m.Location = types.StringValue(got.Location)
	}
	if err == nil {
		m.DDL = types.StringValue(expected.DDL())
	}
	if r.data != nil {
		m.DatabaseARN = types.StringValue(r.databaseARN(ctx, catalogID, database))
		m.ARN = types.StringValue(r.data.regionalARNOf(ctx, "glue", catalogID, "table/"+database+"/"+table))
	}

	if m.CreateDatabase.IsNull() {
		// Imported: the default, as an import cannot tell who made the
		// database; a configuration that says false changes only what
		// destroy deletes.
		m.CreateDatabase = types.BoolValue(true)
	}
	if m.CreateDatabase.ValueBool() {
		out, err := r.glue().GetTags(ctx, &glue.GetTagsInput{ResourceArn: m.DatabaseARN.ValueStringPointer()})
		if err != nil {
			diags.AddError(fmt.Sprintf("listing tags of Glue Database (%s)", database), err.Error())
			return false
		}
		tags, d := tagsToModel(ctx, out.Tags, m.Tags)
		diags.Append(d...)
		m.Tags = tags
	}
	return true
}

func (r *connectionsTableResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readResource(ctx, req, resp, r.readInto, func(m *connectionsTableModel) (string, string) {
		return "Glue Table not found", goneDetail("Glue table " + m.ID.ValueString())
	})
}

func (r *connectionsTableResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, state, ok := planAndState[connectionsTableModel](ctx, req, &resp.Diagnostics)
	if !ok {
		return
	}
	def, err := plan.definition()
	if err != nil {
		resp.Diagnostics.AddError("Invalid connections table", err.Error())
		return
	}
	catalogID, database, table := state.CatalogID.ValueString(), state.DatabaseName.ValueString(), state.TableName.ValueString()
	if !plan.DefinitionHash.Equal(state.DefinitionHash) || !plan.Columns.Equal(state.Columns) {
		// UpdateTable replaces the whole definition: columns, storage and
		// properties, keeping the table's older versions in Glue.
		_, err := r.glue().UpdateTable(ctx, &glue.UpdateTableInput{CatalogId: aws.String(catalogID), DatabaseName: aws.String(database), TableInput: tableInput(def)})
		if err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("updating Glue Table (%s.%s)", database, table), err.Error())
			return
		}
		tflog.Info(ctx, "updated Glue table", map[string]any{"database": database, "table": table, "schema_version": athena.SchemaVersion(def.Columns)})
	}
	if !plan.Tags.Equal(state.Tags) && plan.CreateDatabase.ValueBool() {
		arn := r.databaseARN(ctx, catalogID, database)
		updateTags(ctx, state.Tags, plan.Tags, fmt.Sprintf("Glue Database (%s)", database), tagger{
			untag: func(ctx context.Context, keys []string) error {
				return errOf(r.glue().UntagResource(ctx, &glue.UntagResourceInput{ResourceArn: aws.String(arn), TagsToRemove: keys}))
			},
			tag: func(ctx context.Context, tags map[string]string) error {
				return errOf(r.glue().TagResource(ctx, &glue.TagResourceInput{ResourceArn: aws.String(arn), TagsToAdd: tags}))
			},
		}, &resp.Diagnostics)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	plan.CatalogID = state.CatalogID
	readBack(ctx, &plan, r.readInto, &resp.State, &resp.Diagnostics, fmt.Sprintf("reading Glue Table (%s.%s)", database, table), "the table disappeared during the update")
}

func (r *connectionsTableResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	state, ok := modelOf[connectionsTableModel](ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	catalogID, database, table := state.CatalogID.ValueString(), state.DatabaseName.ValueString(), state.TableName.ValueString()
	_, err := r.glue().DeleteTable(ctx, &glue.DeleteTableInput{CatalogId: aws.String(catalogID), DatabaseName: aws.String(database), Name: aws.String(table)})
	if err != nil && !isAWSNotFound(err) {
		resp.Diagnostics.AddError(fmt.Sprintf("deleting Glue Table (%s.%s)", database, table), err.Error())
		return
	}
	if !state.CreateDatabase.ValueBool() {
		return
	}
	// Glue deletes the tables of a database with it: tables made there by
	// others since go too, as with aws_glue_catalog_database.
	_, err = r.glue().DeleteDatabase(ctx, &glue.DeleteDatabaseInput{CatalogId: aws.String(catalogID), Name: aws.String(database)})
	if err != nil && !isAWSNotFound(err) {
		resp.Diagnostics.AddError(fmt.Sprintf("deleting Glue Database (%s)", database), err.Error())
	}
}

// ImportState takes CATALOG_ID:DATABASE:TABLE or DATABASE:TABLE.
func (r *connectionsTableResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	catalogID, database, table, err := parseConnectionsTableID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("importing vpcflow_connections_table", err.Error())
		return
	}
	if catalogID != "" {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("catalog_id"), catalogID)...)
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("database_name"), database)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("table_name"), table)...)
}
