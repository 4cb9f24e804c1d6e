// Package athena defines the table of the enriched connection rows: its
// columns, derived from connrows.Row, its storage per format and its
// partition projection (Define), as vpcflow_connections_table writes it
// into the Glue Data Catalog and as table.sql, generated from it, states it
// in Athena's DDL.
package athena

import _ "embed"

// TableSQL is table.sql: the vpcflow_connections table over gzip NDJSON and
// vpcflow_connections_parquet over Parquet, partitioned by dt and hour,
// with s3://BUCKET/PREFIX/ where the rows are.
//
//go:embed table.sql
var TableSQL string
