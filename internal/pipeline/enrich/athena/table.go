package athena

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/contract"
)

// Formats of the rows, named as the enricher's output_format
// (s3sink.ParseFormat): gzip NDJSON and Parquet.
const (
	FormatNDJSON  = contract.FormatNDJSON
	FormatParquet = contract.FormatParquet
)

// Formats lists the formats a table can read, for validation and
// documentation.
var Formats = []string{FormatNDJSON, FormatParquet}

// DefaultTableName is the name of the table of the rows when none is given.
const DefaultTableName = "vpcflow_connections"

// DefaultProjectionStart is the first day partition projection enumerates
// when none is given: before it, no day of rows is read.
const DefaultProjectionStart = "2024-01-01"

// Column is a column of the table: its name, as the rows' PascalCase key,
// and its Hive type, whose struct fields keep the keys' case too.
type Column struct {
	Name string
	Type string
}

// CatalogName is the column's name as the Glue Data Catalog stores it when
// Athena creates the table: lower case.
func (c Column) CatalogName() string { return strings.ToLower(c.Name) }

// CatalogType is the column's type as the Glue Data Catalog stores it when
// Athena creates the table: lower case, without spaces.
func (c Column) CatalogType() string { return strings.ToLower(c.Type) }

// Columns returns the columns of connrows.Row, the rows the enricher of this
// build writes, in the order of its fields: the one schema the table, the
// NDJSON keys and the Parquet columns share.
func Columns() []Column {
	cols, err := structColumns(reflect.TypeFor[connrows.Row]())
	if err != nil {
		panic(err) // connrows.Row is fixed at build time; the tests read it
	}
	return cols
}

// PartitionKeys are the partition columns: the UTC day and hour of the
// rows' window, as connrows.PartitionPath writes them.
var PartitionKeys = []Column{{Name: "dt", Type: "string"}, {Name: "hour", Type: "string"}}

// SchemaVersion is a short digest of the columns, which changes whenever
// connrows.Row does.
func SchemaVersion(cols []Column) string {
	var b strings.Builder
	for _, c := range cols {
		fmt.Fprintf(&b, "%s %s\n", c.CatalogName(), c.CatalogType())
	}
	return digest(b.String())
}

// hiveType returns the Hive type of a Row field's Go type.
func hiveType(typ reflect.Type) (string, error) {
	switch {
	case typ == reflect.TypeFor[time.Time]():
		return "timestamp", nil
	case typ.Kind() == reflect.String:
		return "string", nil
	case typ.Kind() == reflect.Int64:
		return "bigint", nil
	case typ.Kind() == reflect.Int32:
		return "int", nil
	case typ.Kind() == reflect.Bool:
		return "boolean", nil
	case typ.Kind() == reflect.Slice:
		elem, err := hiveType(typ.Elem())
		return "array<" + elem + ">", err
	case typ.Kind() == reflect.Map:
		key, err := hiveType(typ.Key())
		if err != nil {
			return "", err
		}
		elem, err := hiveType(typ.Elem())
		return "map<" + key + "," + elem + ">", err
	case typ.Kind() == reflect.Pointer:
		return hiveType(typ.Elem())
	case typ.Kind() == reflect.Struct:
		cols, err := structColumns(typ)
		if err != nil {
			return "", err
		}
		fields := make([]string, len(cols))
		for i, c := range cols {
			fields[i] = c.Name + ":" + c.Type
		}
		return "struct<" + strings.Join(fields, ",") + ">", nil
	}
	return "", fmt.Errorf("no Hive type for %v", typ)
}

// structColumns returns the name and type of each JSON field of a struct,
// refusing a field whose JSON key and Parquet column differ: the table reads
// both formats by the same names.
func structColumns(typ reflect.Type) ([]Column, error) {
	var cols []Column
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" || name == "" {
			continue
		}
		if pq, _, _ := strings.Cut(f.Tag.Get("parquet"), ","); pq != name {
			return nil, fmt.Errorf("%s.%s: JSON key %q and Parquet column %q differ", typ.Name(), f.Name, name, pq)
		}
		t, err := hiveType(f.Type)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", typ.Name(), f.Name, err)
		}
		cols = append(cols, Column{Name: name, Type: t})
	}
	return cols, nil
}

// Table is the definition of the table of the rows in one format, as the
// Glue Data Catalog holds it.
type Table struct {
	Name     string
	Format   string
	Location string // s3://BUCKET/PREFIX/, ending with a slash
	Columns  []Column
	// PartitionKeys are dt and hour (see PartitionKeys).
	PartitionKeys []Column
	// Parameters are the table's properties: partition projection over dt
	// and hour, so that Athena finds the partitions without crawlers or
	// MSCK REPAIR TABLE.
	Parameters      map[string]string
	SerDe           string
	SerDeParameters map[string]string
	InputFormat     string
	OutputFormat    string
}

// The storage of each format, as Athena writes it into the catalog for
// ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe' and for
// STORED AS PARQUET.
const (
	JSONSerDe          = "org.apache.hive.hcatalog.data.JsonSerDe"
	ParquetSerDe       = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
	TextInputFormat    = "org.apache.hadoop.mapred.TextInputFormat"
	TextOutputFormat   = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
	ParquetInputFormat = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
	ParquetOutput      = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
)

// ndjsonTimestampFormats reads the rows' RFC 3339 times in UTC with whole
// seconds (2014-12-14T04:06:50Z), which the JSON SerDe does not read as
// timestamps by default.
const ndjsonTimestampFormats = "yyyy-MM-dd'T'HH:mm:ss'Z'"

var (
	tableNamePattern = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,254}$`)
)

// ValidTableName reports whether name is a table (or database) name that
// Athena's DDL and queries take unquoted: lower-case letters, digits and
// underscores, not starting with a digit. Glue accepts more (hyphens), but
// Athena then needs the name quoted everywhere.
func ValidTableName(name string) bool { return tableNamePattern.MatchString(name) }

// Location returns s3://bucket/prefix, the prefix empty or ending with a
// slash, as the enricher's output_bucket and output_prefix name it.
func Location(bucket, prefix string) string {
	return "s3://" + bucket + "/" + prefix
}

// Define returns the table of the rows the enricher writes in format under
// location, projecting days from projectionStart (YYYY-MM-DD) to now.
func Define(name, format, location, projectionStart string) (Table, error) {
	if !ValidTableName(name) {
		return Table{}, fmt.Errorf("table name %q: want lower-case letters, digits and _, not starting with a digit", name)
	}
	if _, err := time.Parse(time.DateOnly, projectionStart); err != nil {
		return Table{}, fmt.Errorf("projection start %q is not a date YYYY-MM-DD", projectionStart)
	}
	bucket, prefix, ok := strings.Cut(strings.TrimPrefix(location, "s3://"), "/")
	if !strings.HasPrefix(location, "s3://") || !ok || bucket == "" ||
		(prefix != "" && (!strings.HasSuffix(prefix, "/") || strings.HasPrefix(prefix, "/"))) {
		return Table{}, fmt.Errorf("location %q: want s3://BUCKET/ or s3://BUCKET/PREFIX/", location)
	}
	t := Table{
		Name:          name,
		Format:        format,
		Location:      location,
		Columns:       Columns(),
		PartitionKeys: PartitionKeys,
		Parameters: map[string]string{
			"EXTERNAL":                    "TRUE",
			"classification":              "json",
			"projection.enabled":          "true",
			"projection.dt.type":          "date",
			"projection.dt.format":        "yyyy-MM-dd",
			"projection.dt.range":         projectionStart + ",NOW",
			"projection.dt.interval":      "1",
			"projection.dt.interval.unit": "DAYS",
			"projection.hour.type":        "integer",
			"projection.hour.range":       "0,23",
			"projection.hour.digits":      "2",
			"storage.location.template":   location + "dt=${dt}/hour=${hour}/",
			"vpcflow.schema_version":      SchemaVersion(Columns()),
		},
	}
	switch format {
	case FormatNDJSON:
		t.Parameters["compressionType"] = "gzip"
		t.SerDe = JSONSerDe
		t.SerDeParameters = map[string]string{"timestamp.formats": ndjsonTimestampFormats}
		t.InputFormat, t.OutputFormat = TextInputFormat, TextOutputFormat
	case FormatParquet:
		t.Parameters["classification"] = "parquet"
		t.SerDe = ParquetSerDe
		t.SerDeParameters = map[string]string{"serialization.format": "1"}
		t.InputFormat, t.OutputFormat = ParquetInputFormat, ParquetOutput
	default:
		return Table{}, fmt.Errorf("format %q: want %q or %q", format, FormatNDJSON, FormatParquet)
	}
	return t, nil
}

// Digest is a short digest of the definition: columns, partition keys,
// storage and parameters. Two tables with the same digest read the same
// rows the same way.
func (t Table) Digest() string {
	var b strings.Builder
	for _, c := range t.Columns {
		fmt.Fprintf(&b, "column %s %s\n", c.CatalogName(), c.CatalogType())
	}
	for _, c := range t.PartitionKeys {
		fmt.Fprintf(&b, "partition %s %s\n", c.CatalogName(), c.CatalogType())
	}
	fmt.Fprintf(&b, "location %s\nserde %s\ninput %s\noutput %s\n", t.Location, t.SerDe, t.InputFormat, t.OutputFormat)
	for _, k := range slices.Sorted(maps.Keys(t.SerDeParameters)) {
		fmt.Fprintf(&b, "serde %q=%q\n", k, t.SerDeParameters[k])
	}
	for _, k := range slices.Sorted(maps.Keys(t.Parameters)) {
		fmt.Fprintf(&b, "parameter %q=%q\n", k, t.Parameters[k])
	}
	return digest(b.String())
}

// digest is the first 16 hex digits of the SHA-256 of s.
func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:16]
}

// ProjectionStart returns the first day of a projection.dt.range value
// ("2024-01-01,NOW"), or "" when it has another shape.
func ProjectionStart(dtRange string) string {
	start, end, ok := strings.Cut(dtRange, ",")
	if !ok || end != "NOW" {
		return ""
	}
	if _, err := time.Parse(time.DateOnly, start); err != nil {
		return ""
	}
	return start
}

// FormatOf returns the format a table's SerDe reads, or "" for another
// SerDe.
func FormatOf(serde string) string {
	switch serde {
	case JSONSerDe:
		return FormatNDJSON
	case ParquetSerDe:
		return FormatParquet
	}
	return ""
}

// ddlProperties are the table properties the DDL names, in its order;
// Athena adds the others (EXTERNAL, classification) itself.
var ddlProperties = []string{
	"projection.enabled",
	"projection.dt.type",
	"projection.dt.format",
	"projection.dt.range",
	"projection.dt.interval",
	"projection.dt.interval.unit",
	"projection.hour.type",
	"projection.hour.range",
	"projection.hour.digits",
	"storage.location.template",
}

// DDL returns the CREATE EXTERNAL TABLE statement that makes the table in
// Athena, ending with a semicolon and without a line break after it.
func (t Table) DDL() string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE EXTERNAL TABLE IF NOT EXISTS %s (\n", t.Name)
	for i, c := range t.Columns {
		b.WriteString("  `" + c.Name + "` " + ddlType(c.Type, "  "))
		if i < len(t.Columns)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString(")\n")
	keys := make([]string, len(PartitionKeys))
	for i, k := range PartitionKeys {
		keys[i] = "`" + k.Name + "` " + k.Type
	}
	fmt.Fprintf(&b, "PARTITIONED BY (%s)\n", strings.Join(keys, ", "))
	switch t.Format {
	case FormatNDJSON:
		fmt.Fprintf(&b, "ROW FORMAT SERDE '%s'\nWITH SERDEPROPERTIES (\n  'timestamp.formats' = \"%s\"\n)\n", t.SerDe, t.SerDeParameters["timestamp.formats"])
	case FormatParquet:
		b.WriteString("STORED AS PARQUET\n")
	}
	fmt.Fprintf(&b, "LOCATION '%s'\nTBLPROPERTIES (\n", t.Location)
	for i, k := range ddlProperties {
		fmt.Fprintf(&b, "  '%s' = '%s'", k, t.Parameters[k])
		if i < len(ddlProperties)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString(");")
	return b.String()
}

// ddlType writes a struct type one field a line, indented under its column,
// and other types as they are.
func ddlType(typ, indent string) string {
	inner, ok := strings.CutPrefix(typ, "struct<")
	if !ok {
		return strings.ReplaceAll(typ, ",", ", ")
	}
	inner = strings.TrimSuffix(inner, ">")
	var b strings.Builder
	b.WriteString("struct<\n")
	fields := splitTopLevel(inner)
	for i, f := range fields {
		name, ftyp, _ := strings.Cut(f, ":")
		b.WriteString(indent + "  `" + name + "`: " + ddlType(ftyp, indent+"  "))
		if i < len(fields)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString(indent + ">")
	return b.String()
}

// splitTopLevel splits a type list at the commas outside angle brackets.
func splitTopLevel(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '<':
			depth++
		case '>':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}
