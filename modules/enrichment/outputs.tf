output "enricher_function_name" {
  description = "Name of the enricher function."
  value       = vpcflow_enricher_function.enricher.function_name
}

output "enricher_function_arn" {
  description = "ARN of the enricher function."
  value       = vpcflow_enricher_function.enricher.arn
}

output "enricher_role_arn" {
  description = "ARN of the enricher's execution role."
  value       = vpcflow_enricher_function.enricher.role_arn
}

output "enricher_source_code_hash" {
  description = "Base64 SHA-256 of the enricher's deployment package, as Lambda reports `CodeSha256`; it is the `vpcflow-enricher-lambda` zip of this provider release."
  value       = vpcflow_enricher_function.enricher.source_code_hash
}

output "inventory_function_arn" {
  description = "ARN of the inventory function, the target of inventory event rules."
  value       = vpcflow_enricher_function.inventory.arn
}

output "inventory_role_arn" {
  description = "ARN of the inventory function's execution role: the principal the source accounts' roles must trust."
  value       = vpcflow_enricher_function.inventory.role_arn
}

output "inventory_rule_arns" {
  description = "ARN of each inventory rule, by kind (`tag-changes`, `api-calls`, `instance-state`)."
  value       = length(var.inventory_rules) > 0 ? vpcflow_inventory_rules.this[0].rule_arns : {}
}

output "inventory_table_name" {
  description = "Name of the inventory table."
  value       = vpcflow_inventory_table.this.name
}

output "inventory_table_arn" {
  description = "ARN of the inventory table."
  value       = vpcflow_inventory_table.this.arn
}

output "kinesis_stream_arn" {
  description = "ARN of the Kinesis stream between CloudWatch Logs and the enricher; null for `delivery = \"direct\"`."
  value       = local.kinesis ? vpcflow_kinesis_stream.this[0].arn : null
}

output "log_destination_arn" {
  description = "ARN of the CloudWatch Logs destination other accounts subscribe to (the `source-account` module's `destination_arn`); null without `source_account_ids` or `organization_id`."
  value       = local.cross_account ? vpcflow_log_destination.this[0].arn : null
}

output "subscription_ids" {
  description = "ID (`LOG_GROUP|FILTER`) of the subscription filter of each subscribed log group (`log_group_names` and the keys of `log_formats`), by log group name."
  value       = { for name, s in vpcflow_subscription.this : name => s.id }
}

output "output_location" {
  description = "Where the rows are written: `s3://BUCKET/PREFIX`, partitioned `dt=YYYY-MM-DD/hour=HH/`."
  value       = local.location
}

output "athena_table_name" {
  description = "Name of the Athena table for `output_format`."
  value       = local.table_name
}

# No resource of this provider creates Glue tables or Athena named queries,
# so the module returns the statements to run (or to feed to the AWS
# provider's aws_glue_catalog_table / aws_athena_named_query).
output "athena_table_sql" {
  description = "`CREATE EXTERNAL TABLE` statement of the Athena table for `output_format` over `output_location`, with partition projection (no crawler or `MSCK REPAIR TABLE` needed)."
  value = one([
    for stmt in split(";\n", replace(file("${path.module}/athena/table.sql"), "s3://BUCKET/PREFIX/", local.location)) :
    "${trimspace(regex("(?s)(CREATE EXTERNAL TABLE.*)", stmt)[0])};"
    if strcontains(stmt, "CREATE EXTERNAL TABLE IF NOT EXISTS ${local.table_name} (")
  ])
}

output "athena_queries" {
  description = "The named queries of the enricher's tests (`internal/queries`), by name, over the table for `output_format`, ending at `current_timestamp`: `cross_az_share`, `app_peers` (about `athena_query_app`), `lb_bypass`, `lambda_rds_direct`, `destination_growth`. Each begins with a comment that says what it answers."
  # {{app}} stands where a string expression goes (never inside quotes or a
  # comment): provider::vpcflow::sql_string writes the value as one that
  # Athena reads back as the value, whatever it holds, with the same code
  # as the enricher's tests run the queries with. It is replaced last, so
  # that a value holding {{table}} or {{now}} stays as written.
  value = {
    for f in fileset("${path.module}/athena/queries", "*.sql") :
    trimsuffix(f, ".sql") => replace(replace(replace(
      file("${path.module}/athena/queries/${f}"),
      "{{table}}", local.table_name),
      "{{now}}", "current_timestamp"),
    "{{app}}", var.athena_query_app == null ? "{{app}}" : provider::vpcflow::sql_string(var.athena_query_app))
  }
}

output "watchdog_function_arn" {
  description = "ARN of the watchdog function; null unless `watchdog` is enabled."
  value       = local.watchdog ? vpcflow_enricher_function.watchdog[0].arn : null
}

output "watchdog_role_arn" {
  description = "ARN of the watchdog's execution role, the principal the `scan_targets` roles must trust; null unless `watchdog` is enabled."
  value       = local.watchdog ? vpcflow_enricher_function.watchdog[0].role_arn : null
}

output "watchdog_rule_arn" {
  description = "ARN of the EventBridge rule that runs the watchdog; null unless `watchdog` is enabled."
  value       = local.watchdog ? vpcflow_watchdog.this[0].rule_arn : null
}

output "watchdog_metric_namespace" {
  description = "CloudWatch namespace of the watchdog's metrics, to alarm on (with `treat_missing_data = \"breaching\"`: a run that cannot scan publishes nothing); null unless `watchdog` is enabled."
  value       = local.watchdog ? coalesce(var.watchdog.metric_namespace, "VPCFlow") : null
}
