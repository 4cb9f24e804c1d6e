# The rows are ready to query after apply: the Glue table with partition
# projection over the enricher's partitions, in the format the enricher
# writes, and the named queries saved in Athena with the text of the
# enricher's tested queries (internal/pipeline/queries), in a workgroup of their own.
# fixture_* variables and output_bucket come from tests/setup.sh.

variables {
  name             = "vpcflow-catalog"
  log_group_names  = [var.fixture_log_groups[0]]
  output_prefix    = "parquet/"
  output_format    = "parquet"
  athena_query_app = "web"

  on_failure_destination_arn = var.fixture_failure_queue
  catalog = {
    projection_start               = "2024-06-01"
    bytes_scanned_cutoff_per_query = 10000000000
  }
}

run "apply" {
  assert {
    condition     = output.glue_database_name == "vpcflow_catalog" && vpcflow_connections_table.this[0].table_name == "vpcflow_connections_parquet" && output.athena_table_name == "vpcflow_connections_parquet"
    error_message = "Table: ${output.glue_database_name}.${vpcflow_connections_table.this[0].table_name}."
  }

  assert {
    condition = (
      vpcflow_connections_table.this[0].parameters["projection.enabled"] == "true" &&
      vpcflow_connections_table.this[0].parameters["projection.dt.type"] == "date" &&
      vpcflow_connections_table.this[0].parameters["projection.dt.range"] == "2024-06-01,NOW" &&
      vpcflow_connections_table.this[0].parameters["projection.hour.range"] == "0,23" &&
      vpcflow_connections_table.this[0].parameters["storage.location.template"] == "s3://${var.output_bucket}/parquet/dt=$${dt}/hour=$${hour}/"
    )
    error_message = "Partition projection of the table read back from Glue: ${jsonencode(vpcflow_connections_table.this[0].parameters)}"
  }

  assert {
    condition     = vpcflow_connections_table.this[0].format == "parquet" && vpcflow_connections_table.this[0].location == "s3://${var.output_bucket}/parquet"
    error_message = "The table reads ${vpcflow_connections_table.this[0].format} at ${vpcflow_connections_table.this[0].location}."
  }

  # The columns are the enricher's: those of the shipped DDL, lower case.
  assert {
    condition = [for c in vpcflow_connections_table.this[0].columns : c.name] == [
      for m in regexall("(?m)^  `([A-Za-z]+)` ", regex("(?s)CREATE EXTERNAL TABLE IF NOT EXISTS vpcflow_connections_parquet \\((.*?)\\n\\)", file("${path.module}/../../internal/pipeline/enrich/athena/table.sql"))[0]) : lower(m[0])
    ]
    error_message = "Columns: ${jsonencode(vpcflow_connections_table.this[0].columns)}"
  }

  assert {
    condition     = output.athena_table_sql == vpcflow_connections_table.this[0].ddl && strcontains(output.athena_table_sql, "STORED AS PARQUET")
    error_message = "athena_table_sql: ${output.athena_table_sql}"
  }

  assert {
    condition = (
      toset(keys(vpcflow_connection_queries.this[0].queries)) == toset([for f in fileset("${path.module}/../../internal/pipeline/queries", "*.sql") : trimsuffix(f, ".sql")]) &&
      alltrue([for f in fileset("${path.module}/../../internal/pipeline/queries", "*.sql") :
        vpcflow_connection_queries.this[0].queries[trimsuffix(f, ".sql")].sql == replace(replace(replace(file("${path.module}/../../internal/pipeline/queries/${f}"),
        "{{table}}", "vpcflow_connections_parquet"), "{{now}}", "current_timestamp"), "{{app}}", "'web'")
      ])
    )
    error_message = "The named queries saved in Athena differ from internal/pipeline/queries/*.sql over the table."
  }

  assert {
    condition     = alltrue([for q in values(vpcflow_connection_queries.this[0].queries) : q.id != "" && q.description != ""]) && length(output.athena_named_query_ids) == 5
    error_message = "Named query IDs: ${jsonencode(output.athena_named_query_ids)}"
  }

  assert {
    condition     = output.athena_workgroup == "vpcflow-catalog" && vpcflow_connection_queries.this[0].database == "vpcflow_catalog"
    error_message = "Queries in workgroup ${output.athena_workgroup}, database ${vpcflow_connection_queries.this[0].database}."
  }

  assert {
    condition     = vpcflow_connection_queries.this[0].bytes_scanned_cutoff_per_query == 10000000000 && vpcflow_connection_queries.this[0].output_location == "s3://${var.output_bucket}/athena-results/"
    error_message = "Workgroup: limit ${coalesce(vpcflow_connection_queries.this[0].bytes_scanned_cutoff_per_query, 0)}, results at ${coalesce(vpcflow_connection_queries.this[0].output_location, "null")}."
  }
}

# A plan refreshes the table and the queries from Glue and Athena: every
# named query is found again under its ID (one gone would be planned anew,
# its ID unknown), and the table under its ARN.
run "read_back" {
  command = plan

  assert {
    condition     = output.athena_named_query_ids == run.apply.athena_named_query_ids && output.glue_table_arn == run.apply.glue_table_arn
    error_message = "The named queries or the table read back differ from those applied."
  }
}
