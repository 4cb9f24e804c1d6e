# The pipeline with the subscription filter invoking the enricher directly.
# fixture_* variables and output_bucket come from tests/setup.sh.

variables {
  name            = "vpcflow-direct"
  log_group_names = [var.fixture_log_groups[0]]
  output_prefix   = "connections/"
  tags            = { team = "network" }

  on_failure_destination_arn = var.fixture_failure_queue

  source_account_role_arns    = ["arn:aws:iam::111122223333:role/vpcflow-inventory-reader"]
  source_account_external_ids = { "arn:aws:iam::111122223333:role/vpcflow-inventory-reader" = "vpcflow-7c1d0e" }
}

run "apply" {
  assert {
    condition     = vpcflow_enricher_function.enricher.mode == "subscription" && vpcflow_enricher_function.inventory.mode == "inventory"
    error_message = "Modes: enricher ${vpcflow_enricher_function.enricher.mode}, inventory ${vpcflow_enricher_function.inventory.mode}."
  }

  assert {
    condition     = output.enricher_function_name == "vpcflow-direct-enricher" && output.inventory_table_name == "vpcflow-direct-inventory"
    error_message = "Names: ${output.enricher_function_name}, ${output.inventory_table_name}."
  }

  assert {
    condition     = vpcflow_enricher_function.enricher.inventory_table_arn == output.inventory_table_arn && vpcflow_enricher_function.inventory.inventory_table_arn == output.inventory_table_arn
    error_message = "The functions do not use the module's inventory table."
  }

  assert {
    condition     = vpcflow_enricher_function.enricher.output_bucket == var.fixture_bucket && vpcflow_enricher_function.enricher.output_prefix == "connections/"
    error_message = "The enricher does not write to s3://${var.fixture_bucket}/connections/."
  }

  assert {
    condition     = output.subscription_ids == { (var.fixture_log_groups[0]) = "${var.fixture_log_groups[0]}|vpcflow-direct-enricher" }
    error_message = "Subscriptions: ${jsonencode(output.subscription_ids)}."
  }

  assert {
    condition     = vpcflow_subscription.this[var.fixture_log_groups[0]].destination_type == "lambda" && vpcflow_subscription.this[var.fixture_log_groups[0]].destination_arn == output.enricher_function_arn
    error_message = "The subscription does not invoke the enricher."
  }

  assert {
    condition     = vpcflow_enricher_function.enricher.on_failure_destination_arn == var.fixture_failure_queue && vpcflow_enricher_function.inventory.on_failure_destination_arn == var.fixture_failure_queue
    error_message = "The functions' failed invocations are not sent to ${var.fixture_failure_queue}: enricher ${coalesce(vpcflow_enricher_function.enricher.on_failure_destination_arn, "null")}, inventory ${coalesce(vpcflow_enricher_function.inventory.on_failure_destination_arn, "null")}."
  }

  assert {
    condition     = nonsensitive(vpcflow_enricher_function.inventory.source_account_external_ids["arn:aws:iam::111122223333:role/vpcflow-inventory-reader"]) == "vpcflow-7c1d0e" && vpcflow_enricher_function.inventory.environment == null
    error_message = "The inventory function does not get the source role's external ID through its sensitive attribute."
  }

  assert {
    condition     = output.kinesis_stream_arn == null && output.log_destination_arn == null && length(vpcflow_event_source_mapping.this) == 0
    error_message = "Direct delivery needs no stream, mapping or destination."
  }

  assert {
    condition     = length(vpcflow_enricher_function.watchdog) == 0 && length(vpcflow_watchdog.this) == 0 && output.watchdog_function_arn == null && output.watchdog_rule_arn == null
    error_message = "The watchdog is deployed though the watchdog input is not set."
  }

  assert {
    condition     = !contains(keys(vpcflow_enricher_function.enricher.environment), "VPCFLOW_LOG_FORMATS")
    error_message = "VPCFLOW_LOG_FORMATS is set without log_formats: ${jsonencode(vpcflow_enricher_function.enricher.environment)}"
  }

  assert {
    condition     = toset(keys(output.inventory_rule_arns)) == toset(["tag-changes", "api-calls", "instance-state"]) && vpcflow_inventory_rules.this[0].function_arn == output.inventory_function_arn
    error_message = "Inventory rules: ${jsonencode(output.inventory_rule_arns)}."
  }

  assert {
    condition     = output.output_location == "s3://${var.fixture_bucket}/connections/"
    error_message = "Output location: ${output.output_location}."
  }

  # The role may write rows under the prefix, and nowhere else in the bucket.
  assert {
    condition     = strcontains(vpcflow_enricher_function.enricher.role_policy, "arn:aws:s3:::${var.fixture_bucket}/connections/*")
    error_message = "The enricher's role policy does not allow the output prefix: ${vpcflow_enricher_function.enricher.role_policy}"
  }

  assert {
    condition     = startswith(output.athena_table_sql, "CREATE EXTERNAL TABLE IF NOT EXISTS vpcflow_connections (") && strcontains(output.athena_table_sql, "LOCATION 's3://${var.fixture_bucket}/connections/'") && strcontains(output.athena_table_sql, "'storage.location.template' = 's3://${var.fixture_bucket}/connections/dt=$${dt}/hour=$${hour}/'") && !strcontains(output.athena_table_sql, "BUCKET")
    error_message = "athena_table_sql: ${output.athena_table_sql}"
  }

  assert {
    condition     = toset(keys(output.athena_queries)) == toset(["app_peers", "cross_az_share", "destination_growth", "lambda_rds_direct", "lb_bypass"])
    error_message = "athena_queries: ${jsonencode(keys(output.athena_queries))}."
  }

  assert {
    condition     = alltrue([for q in values(output.athena_queries) : strcontains(q, "FROM vpcflow_connections") && strcontains(q, "current_timestamp") && !strcontains(q, "{{table}}") && !strcontains(q, "{{now}}")])
    error_message = "A query still has {{table}} or {{now}}: ${jsonencode(output.athena_queries)}"
  }

  assert {
    condition     = strcontains(output.athena_queries["app_peers"], "{{app}}")
    error_message = "Without athena_query_app, app_peers keeps {{app}} to fill in."
  }
}

# Read back: a plan refreshes every resource from AWS, and what it reads is
# what was applied (the function's code is the package embedded in the
# provider, the function policy statement for the subscription exists).
run "read_back" {
  command = plan

  assert {
    condition     = vpcflow_enricher_function.enricher.source_code_hash == run.apply.enricher_source_code_hash && output.enricher_source_code_hash != ""
    error_message = "The enricher's code read back from Lambda is not the embedded package."
  }

  assert {
    condition     = vpcflow_subscription.this[var.fixture_log_groups[0]].lambda_permission_statement_id != null
    error_message = "The permission that lets CloudWatch Logs invoke the enricher was not read back."
  }

  assert {
    condition     = length(vpcflow_inventory_rules.this[0].rule_arns) == 3 && length(vpcflow_inventory_rules.this[0].lambda_permission_statement_ids) == 3
    error_message = "The inventory rules or their function permissions were not read back: ${jsonencode(vpcflow_inventory_rules.this[0].lambda_permission_statement_ids)}."
  }
}

# The table definition and queries the module returns are the ones the
# enricher's tests check against its rows and a synthetic data set: the
# module keeps no copy of them; they come from the provider's resources.
run "sql_in_step_with_enricher" {
  command = plan

  variables {
    athena_query_app = "O'Brien"
  }

  assert {
    condition     = length(fileset(path.module, "**/*.sql")) == 0
    error_message = "The module ships SQL files (${join(", ", fileset(path.module, "**/*.sql"))}): its table and queries come from vpcflow_connections_table and vpcflow_connection_queries."
  }

  assert {
    condition = output.athena_table_sql == replace(
      regex("(?s)(CREATE EXTERNAL TABLE IF NOT EXISTS vpcflow_connections \\(.*?\\);)", file("${path.module}/../../internal/pipeline/enrich/athena/table.sql"))[0],
      "s3://BUCKET/PREFIX/", "s3://${var.output_bucket}/connections/"
    )
    error_message = "athena_table_sql differs from the vpcflow_connections table of internal/pipeline/enrich/athena/table.sql: ${output.athena_table_sql}"
  }

  assert {
    condition = (
      toset(keys(output.athena_queries)) == toset([for f in fileset("${path.module}/../../internal/pipeline/queries", "*.sql") : trimsuffix(f, ".sql")]) &&
      alltrue([for f in fileset("${path.module}/../../internal/pipeline/queries", "*.sql") :
        output.athena_queries[trimsuffix(f, ".sql")] == replace(replace(replace(file("${path.module}/../../internal/pipeline/queries/${f}"),
        "{{table}}", "vpcflow_connections"), "{{now}}", "current_timestamp"), "{{app}}", provider::vpcflow::sql_string("O'Brien"))
      ])
    )
    error_message = "The named queries differ from internal/pipeline/queries/*.sql rendered for the table and app."
  }

  assert {
    condition     = strcontains(output.athena_queries["app_peers"], "'O''Brien'") && !strcontains(output.athena_queries["app_peers"], "{{app}}")
    error_message = "athena_query_app is not filled into app_peers, quoted: ${output.athena_queries["app_peers"]}"
  }
}

# A value of athena_query_app cannot leave its string: a line break, "--"
# and a placeholder in it stay part of the value, written as the provider's
# tests run the queries (provider::vpcflow::sql_string).
run "athena_query_app_stays_a_value" {
  command = plan

  variables {
    athena_query_app = "x'\nCREATE TABLE pwned AS -- {{now}}"
  }

  assert {
    condition = (
      length(regexall("client_app = concat\\('x''', chr\\(10\\), 'CREATE TABLE pwned AS -- \\{\\{now\\}\\}'\\)\n", output.athena_queries["app_peers"])) == 1 &&
      length(regexall("peer <> concat\\('x''', chr\\(10\\), 'CREATE TABLE pwned AS -- \\{\\{now\\}\\}'\\)\n", output.athena_queries["app_peers"])) == 1 &&
      length(regexall("(?m)^CREATE", output.athena_queries["app_peers"])) == 0 &&
      !strcontains(output.athena_queries["app_peers"], "{{app}}")
    )
    error_message = "athena_query_app is not written as a SQL string: ${output.athena_queries["app_peers"]}"
  }

  assert {
    condition     = strcontains(output.athena_queries["app_peers"], "-- The applications (app tag) that the application <app> talked to")
    error_message = "The comments of app_peers changed: ${output.athena_queries["app_peers"]}"
  }
}
