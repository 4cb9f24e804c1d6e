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

output "athena_table_sql" {
  description = "`CREATE EXTERNAL TABLE` statement of the table the module creates in the Glue Data Catalog (`vpcflow_connections_table`), over `output_location` with partition projection, for an account where the table is made by hand; null without `catalog.enabled`."
  value       = var.catalog.enabled ? vpcflow_connections_table.this[0].ddl : null
}

output "athena_queries" {
  description = "The named queries the module saves in Athena (`vpcflow_connection_queries`), the enricher's tested queries (`internal/pipeline/queries`), by name, over the table, ending at `current_timestamp`: `cross_az_share`, `app_peers` (about `athena_query_app`), `lb_bypass`, `lambda_rds_direct`, `destination_growth`. Each begins with a comment that says what it answers. Null without `catalog.enabled`."
  value       = var.catalog.enabled ? { for name, q in vpcflow_connection_queries.this[0].queries : name => q.sql } : null
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
