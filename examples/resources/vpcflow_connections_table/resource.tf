# The table of the rows an enricher writes as gzip NDJSON under
# s3://example-network-analytics/connections/, in a database of its own.
resource "vpcflow_connections_table" "connections" {
  database_name = "vpcflow"
  bucket        = "example-network-analytics"
  prefix        = "connections/"
  format        = "ndjson"
  # Rows start on this day; projection lists no partition before it.
  projection_start = "2024-06-01"
  tags             = { team = "network" }
}

# Parquet rows, in a database that exists already.
resource "vpcflow_connections_table" "parquet" {
  database_name   = "analytics"
  create_database = false
  table_name      = "vpcflow_connections_parquet"
  bucket          = "example-network-analytics"
  prefix          = "parquet/"
  format          = "parquet"
}
