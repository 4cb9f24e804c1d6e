resource "vpcflow_connections_table" "connections" {
  database_name = "vpcflow"
  bucket        = "example-network-analytics"
  prefix        = "connections/"
}

# The named queries over the table, in a workgroup of their own that stops
# any query at 100 GB scanned.
resource "vpcflow_connection_queries" "connections" {
  database   = vpcflow_connections_table.connections.database_name
  table_name = vpcflow_connections_table.connections.table_name
  app        = "checkout" # the app tag app_peers is about

  workgroup                      = "vpcflow"
  create_workgroup               = true
  bytes_scanned_cutoff_per_query = 100 * 1000 * 1000 * 1000
  output_location                = "s3://example-athena-results/vpcflow/"
  tags                           = { team = "network" }
}

output "app_peers_sql" {
  value = vpcflow_connection_queries.connections.queries["app_peers"].sql
}
