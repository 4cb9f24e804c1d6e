# The rows, ready to query after apply: the Glue table over output_location
# (the enricher's columns, the SerDe of output_format, partition projection
# over dt and hour) and the named queries of internal/pipeline/queries saved in
# Athena, optionally in a workgroup of their own with a limit on the bytes a
# query scans.

variable "catalog" {
  description = "The Glue table of the rows and the Athena named queries over it. Fields: `enabled` (true: without it `athena_table_sql` and `athena_queries` are null); `database_name` (`NAME` in lower case with `-` as `_` when null) and `create_database` (true: the module creates and deletes it; false puts the table in an existing database); `table_name` (`vpcflow_connections`, or `vpcflow_connections_parquet` for `output_format = \"parquet\"`, when null); `projection_start`, the first day (`YYYY-MM-DD`) partition projection reads; `workgroup` (`NAME` when null) and `create_workgroup` (true: the module creates it and deletes it with its queries; false saves the queries in an existing workgroup such as `primary`); `bytes_scanned_cutoff_per_query`, the bytes one query may scan before Athena cancels it (at least 10000000; null for no limit); `query_output_location`, where the workgroup writes results (`s3://OUTPUT_BUCKET/athena-results/` when null)."
  type = object({
    enabled                        = optional(bool, true)
    database_name                  = optional(string)
    create_database                = optional(bool, true)
    table_name                     = optional(string)
    projection_start               = optional(string, "2024-01-01")
    workgroup                      = optional(string)
    create_workgroup               = optional(bool, true)
    bytes_scanned_cutoff_per_query = optional(number)
    query_output_location          = optional(string)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.catalog.database_name == null || can(regex("^[a-z_][a-z0-9_]{0,254}$", coalesce(var.catalog.database_name, "x")))
    error_message = "catalog.database_name must be lower-case letters, digits and _, not starting with a digit (Athena needs other names quoted in every query)."
  }

  validation {
    condition     = can(regex("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", var.catalog.projection_start))
    error_message = "catalog.projection_start must be a date YYYY-MM-DD."
  }

  validation {
    condition     = var.catalog.bytes_scanned_cutoff_per_query == null || coalesce(var.catalog.bytes_scanned_cutoff_per_query, 0) >= 10000000
    error_message = "catalog.bytes_scanned_cutoff_per_query must be at least 10000000 (10 MB), Athena's smallest limit, or null."
  }

  validation {
    condition     = !(var.catalog.create_workgroup && coalesce(var.catalog.workgroup, "-") == "primary")
    error_message = "catalog.workgroup = \"primary\" exists in every account: set catalog.create_workgroup = false to save the queries there."
  }

  validation {
    condition     = var.catalog.create_workgroup || (var.catalog.bytes_scanned_cutoff_per_query == null && var.catalog.query_output_location == null)
    error_message = "catalog.bytes_scanned_cutoff_per_query and catalog.query_output_location set a workgroup the module creates: they need catalog.create_workgroup = true."
  }
}

locals {
  catalog_database  = coalesce(var.catalog.database_name, lower(replace(var.name, "-", "_")))
  catalog_table     = coalesce(var.catalog.table_name, local.table_name)
  catalog_workgroup = coalesce(var.catalog.workgroup, var.catalog.create_workgroup ? var.name : "primary")
}

resource "vpcflow_connections_table" "this" {
  count = var.catalog.enabled ? 1 : 0

  database_name    = local.catalog_database
  create_database  = var.catalog.create_database
  table_name       = local.catalog_table
  bucket           = var.output_bucket
  prefix           = var.output_prefix
  format           = var.output_format
  projection_start = var.catalog.projection_start
  tags             = var.catalog.create_database ? var.tags : null
}

resource "vpcflow_connection_queries" "this" {
  count = var.catalog.enabled ? 1 : 0

  database         = vpcflow_connections_table.this[0].database_name
  table_name       = vpcflow_connections_table.this[0].table_name
  app              = var.athena_query_app
  workgroup        = local.catalog_workgroup
  create_workgroup = var.catalog.create_workgroup

  bytes_scanned_cutoff_per_query = var.catalog.create_workgroup ? var.catalog.bytes_scanned_cutoff_per_query : null
  output_location                = var.catalog.create_workgroup ? coalesce(var.catalog.query_output_location, "s3://${var.output_bucket}/athena-results/") : null
  tags                           = var.catalog.create_workgroup ? var.tags : null
}

output "glue_database_name" {
  description = "Glue database of the table of the rows; null without `catalog.enabled`."
  value       = var.catalog.enabled ? vpcflow_connections_table.this[0].database_name : null
}

output "glue_table_arn" {
  description = "ARN of the Glue table of the rows, for the IAM policies of those who query it; null without `catalog.enabled`."
  value       = var.catalog.enabled ? vpcflow_connections_table.this[0].arn : null
}

output "athena_workgroup" {
  description = "Athena workgroup the named queries are saved in; null without `catalog.enabled`."
  value       = var.catalog.enabled ? vpcflow_connection_queries.this[0].workgroup : null
}

output "athena_named_query_ids" {
  description = "ID of each Athena named query, by name (`cross_az_share`, `app_peers`, ...); null without `catalog.enabled`."
  value       = var.catalog.enabled ? { for name, q in vpcflow_connection_queries.this[0].queries : name => q.id } : null
}
