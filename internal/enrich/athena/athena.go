// Package athena holds the Athena table definition of the enriched
// connection rows, as shipped: table.sql.
package athena

import _ "embed"

// TableSQL is table.sql: the vpcflow_connections table over gzip NDJSON and
// vpcflow_connections_parquet over Parquet, partitioned by dt and hour,
// with s3://BUCKET/PREFIX/ where the rows are.
//
//go:embed table.sql
var TableSQL string
