//go:build cgo

// Package localsql runs the named queries on a machine without Athena: an
// in-process DuckDB with the two tables of the shipped Athena definition
// (package athena) as views over row files on disk, laid out as the
// enricher stores them in S3 (PREFIX/dt=.../hour=.../NAME).
//
// It needs cgo, because the DuckDB binding links the DuckDB library; the
// provider and the Lambda function never import it.
package localsql

import (
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2" // the "duckdb" database/sql driver

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/enrich/athena"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/queries/sqlstring"
)

// Tables of the shipped definition.
const (
	NDJSONTable  = "vpcflow_connections"
	ParquetTable = "vpcflow_connections_parquet"
)

// Files are where the rows of each table are: globs such as
// DIR/**/*.json.gz. An empty glob leaves its table out.
type Files struct {
	NDJSON  string
	Parquet string
}

// Open returns a DuckDB with a view per table over its files, with the
// columns and types of the shipped definition and the dt and hour
// partition columns read from the paths.
func Open(files Files) (*sql.DB, error) {
	cols, err := Columns(athena.TableSQL)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, err
	}
	// One connection: settings and views belong to it.
	db.SetMaxOpenConns(1)
	var spec, casts []string
	for _, c := range cols {
		spec = append(spec, fmt.Sprintf(`"%s": '%s'`, c.Name, strings.ReplaceAll(c.Type, "'", "''")))
		casts = append(casts, fmt.Sprintf(`CAST("%s" AS %s) AS "%s"`, c.Name, c.Type, c.Name))
	}
	hive := `hive_partitioning = true, hive_types = {'dt': 'VARCHAR', 'hour': 'VARCHAR'}`
	// Parquet timestamps are UTC instants; Athena reads them as UTC.
	stmts := []string{`SET TimeZone = 'UTC'`}
	if files.NDJSON != "" {
		glob, err := sqlstring.Literal(files.NDJSON)
		if err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("the NDJSON files %q: %w", files.NDJSON, err)
		}
		stmts = append(stmts, fmt.Sprintf(`CREATE VIEW %s AS SELECT * FROM read_json(%s, format = 'newline_delimited', %s, columns = {%s})`,
			NDJSONTable, glob, hive, strings.Join(spec, ", ")))
	}
	if files.Parquet != "" {
		glob, err := sqlstring.Literal(files.Parquet)
		if err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("the Parquet files %q: %w", files.Parquet, err)
		}
		stmts = append(stmts, fmt.Sprintf(`CREATE VIEW %s AS SELECT %s, dt, hour FROM read_parquet(%s, %s)`,
			ParquetTable, strings.Join(casts, ", "), glob, hive))
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("%w\n%s", err, s)
		}
	}
	return db, nil
}

// Query runs a query and returns its column names and its rows, each value
// as fmt.Sprint prints it (NULL as <nil>).
func Query(db *sql.DB, text string) ([]string, [][]string, error) {
	rows, err := db.Query(text)
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = rows.Close() }() // its error is rows.Err
	cols, err := rows.Columns()
	if err != nil {
		return nil, nil, err
	}
	var out [][]string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, nil, err
		}
		row := make([]string, len(vals))
		for i, v := range vals {
			row[i] = fmt.Sprint(v)
		}
		out = append(out, row)
	}
	return cols, out, rows.Err()
}

// catalogQueries list what a statement can create or change in a DuckDB:
// databases (ATTACH), schemas, tables, views, sequences, indexes, macros,
// types, and settings (SET).
var catalogQueries = []string{
	`SELECT 'database ' || database_name || ' ' || coalesce(path, '') FROM duckdb_databases()`,
	`SELECT 'schema ' || database_name || '.' || schema_name FROM duckdb_schemas()`,
	`SELECT 'table ' || database_name || '.' || schema_name || '.' || table_name || ' ' || coalesce(estimated_size, 0) || ' ' || column_count FROM duckdb_tables()`,
	`SELECT 'view ' || database_name || '.' || schema_name || '.' || view_name || ' ' || coalesce(sql, '') FROM duckdb_views() WHERE NOT internal`,
	`SELECT 'sequence ' || database_name || '.' || schema_name || '.' || sequence_name FROM duckdb_sequences()`,
	`SELECT 'index ' || database_name || '.' || schema_name || '.' || index_name FROM duckdb_indexes()`,
	`SELECT 'function ' || database_name || '.' || schema_name || '.' || function_name || ' ' || function_type FROM duckdb_functions() WHERE NOT internal`,
	`SELECT 'type ' || database_name || '.' || schema_name || '.' || type_name FROM duckdb_types() WHERE NOT internal`,
	`SELECT 'setting ' || name || '=' || coalesce(value, '') FROM duckdb_settings()`,
}

// Catalog lists, one line each and sorted, what the statements of a
// DuckDB have created or set: two listings differ if a statement run
// between them created, dropped or altered anything of the catalog or
// changed a setting.
func Catalog(db *sql.DB) ([]string, error) {
	var lines []string
	for _, q := range catalogQueries {
		_, rows, err := Query(db, q)
		if err != nil {
			return nil, fmt.Errorf("%w\n%s", err, q)
		}
		for _, r := range rows {
			lines = append(lines, r[0])
		}
	}
	slices.Sort(lines)
	return lines, nil
}

// Column is a column of the shipped definition, with its DuckDB type.
type Column struct {
	Name, Type string
}

var firstTable = regexp.MustCompile("(?s)CREATE EXTERNAL TABLE IF NOT EXISTS " + NDJSONTable + ` \((.*?)\n\)\nPARTITIONED BY \(` + "`dt` string, `hour` string" + `\)`)

// Columns returns the columns of the NDJSON table of an Athena definition
// (the Parquet table has the same), with their DuckDB types.
func Columns(ddl string) ([]Column, error) {
	m := firstTable.FindStringSubmatch(ddl)
	if m == nil {
		return nil, errors.New("the Athena definition has no " + NDJSONTable + " table partitioned by dt and hour")
	}
	var cols []Column
	for _, c := range splitTop(strings.Join(strings.Fields(m[1]), " "), ',') {
		name, typ, ok := strings.Cut(strings.TrimSpace(c), " ")
		if !ok {
			return nil, fmt.Errorf("column %q: want NAME TYPE", c)
		}
		dt, err := DuckType(typ)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", name, err)
		}
		cols = append(cols, Column{strings.Trim(name, "`"), dt})
	}
	return cols, nil
}

// DuckType returns the DuckDB type of an Athena (Hive) column type.
func DuckType(t string) (string, error) {
	t = strings.TrimSpace(t)
	switch strings.ToLower(t) {
	case "string":
		return "VARCHAR", nil
	case "bigint":
		return "BIGINT", nil
	case "int":
		return "INTEGER", nil
	case "boolean":
		return "BOOLEAN", nil
	case "timestamp":
		return "TIMESTAMP", nil
	}
	open := strings.IndexByte(t, '<')
	if open < 0 || !strings.HasSuffix(t, ">") {
		return "", fmt.Errorf("no DuckDB type for %q", t)
	}
	inner := t[open+1 : len(t)-1]
	switch strings.ToLower(strings.TrimSpace(t[:open])) {
	case "array":
		e, err := DuckType(inner)
		return e + "[]", err
	case "map":
		kv := splitTop(inner, ',')
		if len(kv) != 2 {
			return "", fmt.Errorf("map type %q", t)
		}
		k, err := DuckType(kv[0])
		if err != nil {
			return "", err
		}
		v, err := DuckType(kv[1])
		return "MAP(" + k + ", " + v + ")", err
	case "struct":
		var fields []string
		for _, f := range splitTop(inner, ',') {
			name, typ, ok := strings.Cut(f, ":")
			if !ok {
				return "", fmt.Errorf("struct field %q", f)
			}
			dt, err := DuckType(typ)
			if err != nil {
				return "", err
			}
			fields = append(fields, `"`+strings.Trim(strings.TrimSpace(name), "`")+`" `+dt)
		}
		return "STRUCT(" + strings.Join(fields, ", ") + ")", nil
	}
	return "", fmt.Errorf("no DuckDB type for %q", t)
}

// splitTop splits s at sep outside angle brackets.
func splitTop(s string, sep byte) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<':
			depth++
		case '>':
			depth--
		case sep:
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}
