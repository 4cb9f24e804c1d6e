# The pipeline through a Kinesis stream, with a CloudWatch Logs destination
# for another account's log groups and Parquet rows.

variables {
  name               = "vpcflow-kinesis"
  delivery           = "kinesis"
  kinesis_role_arn   = var.fixture_kinesis_role_arn
  log_group_names    = [var.fixture_log_groups[1]]
  source_account_ids = [var.fixture_source_account]
  output_format      = "parquet"
  output_prefix      = "parquet/"
  inventory_rules    = ["tag-changes"]

  on_failure_destination_arn = var.fixture_failure_queue
}

run "apply" {
  assert {
    condition     = vpcflow_enricher_function.enricher.mode == "kinesis" && vpcflow_enricher_function.enricher.kinesis_stream_arn == output.kinesis_stream_arn
    error_message = "The enricher does not read the stream."
  }

  assert {
    condition     = endswith(output.kinesis_stream_arn, ":stream/vpcflow-kinesis-flow-logs") && vpcflow_kinesis_stream.this[0].stream_mode == "ON_DEMAND"
    error_message = "Stream: ${output.kinesis_stream_arn}."
  }

  assert {
    condition     = vpcflow_event_source_mapping.this[0].event_source_arn == output.kinesis_stream_arn && vpcflow_event_source_mapping.this[0].function_arn == output.enricher_function_arn
    error_message = "The event source mapping does not connect the stream to the enricher."
  }

  assert {
    condition     = vpcflow_event_source_mapping.this[0].on_failure_destination_arn == var.fixture_failure_queue
    error_message = "The event source mapping drops failed batches: on_failure_destination_arn is ${coalesce(vpcflow_event_source_mapping.this[0].on_failure_destination_arn, "null")}, want ${var.fixture_failure_queue}."
  }

  assert {
    condition     = vpcflow_enricher_function.enricher.on_failure_destination_arn == var.fixture_failure_queue && strcontains(vpcflow_enricher_function.enricher.role_policy, var.fixture_failure_queue) && strcontains(vpcflow_enricher_function.enricher.role_policy, "sqs:SendMessage")
    error_message = "The enricher's role may not send failed batches to the queue: ${vpcflow_enricher_function.enricher.role_policy}"
  }

  assert {
    condition     = vpcflow_subscription.this[var.fixture_log_groups[1]].destination_type == "kinesis" && vpcflow_subscription.this[var.fixture_log_groups[1]].role_arn == var.fixture_kinesis_role_arn
    error_message = "The subscription does not put records into the stream with the role."
  }

  assert {
    condition     = endswith(output.log_destination_arn, ":destination:vpcflow-kinesis-flow-logs") && vpcflow_log_destination.this[0].target_arn == output.kinesis_stream_arn
    error_message = "Destination: ${coalesce(output.log_destination_arn, "none")}."
  }

  assert {
    condition     = strcontains(vpcflow_log_destination.this[0].access_policy, var.fixture_source_account)
    error_message = "The destination's access policy does not let ${var.fixture_source_account} subscribe: ${vpcflow_log_destination.this[0].access_policy}"
  }

  assert {
    condition     = vpcflow_enricher_function.enricher.environment["VPCFLOW_OUTPUT_FORMAT"] == "parquet" && output.athena_table_name == "vpcflow_connections_parquet"
    error_message = "Parquet output is not configured."
  }

  assert {
    condition     = startswith(output.athena_table_sql, "CREATE EXTERNAL TABLE IF NOT EXISTS vpcflow_connections_parquet (") && strcontains(output.athena_table_sql, "STORED AS PARQUET") && strcontains(output.athena_table_sql, "s3://${var.fixture_bucket}/parquet/")
    error_message = "athena_table_sql: ${output.athena_table_sql}"
  }

  assert {
    condition     = jsonencode(keys(output.inventory_rule_arns)) == jsonencode(["tag-changes"])
    error_message = "Inventory rules: ${jsonencode(output.inventory_rule_arns)}."
  }

  assert {
    condition     = alltrue([for q in values(output.athena_queries) : strcontains(q, "FROM vpcflow_connections_parquet")])
    error_message = "The queries do not read the Parquet table."
  }
}

run "read_back" {
  command = plan

  assert {
    condition     = vpcflow_event_source_mapping.this[0].state != null && vpcflow_log_destination.this[0].arn == run.apply.log_destination_arn
    error_message = "The mapping or destination was not read back."
  }
}
