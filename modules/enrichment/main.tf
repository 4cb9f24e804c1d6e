# The central enrichment pipeline: flow log records of subscribed log groups
# (of this account, or of other accounts through a CloudWatch Logs
# destination) reach the enricher function directly or through a Kinesis
# stream; it attributes both ends of each connection with the inventory
# table, kept current by the inventory function from EventBridge events,
# and writes connection rows to S3 for Athena. Optionally, the watchdog
# function scans flow log coverage on a schedule and publishes CloudWatch
# metrics and EventBridge events when a flow log stops delivering.
#
# Each resource checks what AWS would accept and then fail on: the
# functions' roles against what their mode needs, the stream role against
# the stream, the subscription filter quota of each log group.

locals {
  kinesis       = var.delivery == "kinesis"
  cross_account = length(var.source_account_ids) > 0 || var.organization_id != null
  stream_name   = "${var.name}-flow-logs"

  enricher_environment = merge(
    { VPCFLOW_OUTPUT_FORMAT = var.output_format },
    var.log_format == null ? {} : { VPCFLOW_LOG_FORMAT = var.log_format },
    length(var.log_formats) == 0 ? {} : { VPCFLOW_LOG_FORMATS = jsonencode(var.log_formats) },
  )

  # Every group in log_formats is subscribed too.
  subscribed_log_groups = toset(concat(var.log_group_names, keys(var.log_formats)))

  watchdog = var.watchdog.enabled

  # Each scan target with the external ID of its role, from the sensitive
  # watchdog_external_ids: only that attribute of a target is sensitive.
  watchdog_scan_targets = var.watchdog.scan_targets == null ? null : [
    for t in var.watchdog.scan_targets : {
      account_id  = t.account_id
      region      = t.region
      role_arn    = t.role_arn
      external_id = t.role_arn == null ? null : lookup(var.watchdog_external_ids, t.role_arn, null)
    }
  ]

  table_name = var.output_format == "parquet" ? "vpcflow_connections_parquet" : "vpcflow_connections"
  location   = "s3://${var.output_bucket}/${var.output_prefix}"
}

resource "vpcflow_inventory_table" "this" {
  name                   = "${var.name}-inventory"
  point_in_time_recovery = var.inventory_point_in_time_recovery
  deletion_protection    = var.inventory_deletion_protection
  tags                   = var.tags
}

# Keeps the inventory current from EventBridge events (network interfaces
# created and deleted, tags changed), in this account and, through their
# roles, in the source accounts.
resource "vpcflow_enricher_function" "inventory" {
  function_name            = "${var.name}-inventory"
  description              = "vpcflow inventory: network interfaces and tags into ${vpcflow_inventory_table.this.name}"
  mode                     = "inventory"
  architecture             = var.architecture
  inventory_table_arn      = vpcflow_inventory_table.this.arn
  source_account_role_arns = length(var.source_account_role_arns) > 0 ? var.source_account_role_arns : null
  # Sensitive: set on the function by the provider, never in a plain
  # environment map.
  source_account_external_ids = length(var.source_account_external_ids) > 0 ? var.source_account_external_ids : null
  on_failure_destination_arn  = var.on_failure_destination_arn
  log_retention_in_days       = var.function_log_retention_in_days
  permissions_boundary        = var.permissions_boundary
  tags                        = var.tags
}

resource "vpcflow_inventory_rules" "this" {
  count = length(var.inventory_rules) > 0 ? 1 : 0

  name           = "${var.name}-inventory"
  event_bus_name = var.inventory_event_bus_name
  rules          = var.inventory_rules
  function_arn   = vpcflow_enricher_function.inventory.arn
  tags           = var.tags
}

resource "vpcflow_enricher_function" "enricher" {
  function_name                  = "${var.name}-enricher"
  description                    = "vpcflow enricher: flow log records into connections under ${local.location}"
  mode                           = local.kinesis ? "kinesis" : "subscription"
  architecture                   = var.architecture
  memory_size                    = var.memory_size
  timeout                        = var.timeout
  reserved_concurrent_executions = var.reserved_concurrent_executions
  inventory_table_arn            = vpcflow_inventory_table.this.arn
  output_bucket                  = var.output_bucket
  output_prefix                  = var.output_prefix
  output_staging                 = local.compaction # compaction.tf
  window                         = var.window
  kinesis_stream_arn             = local.kinesis ? vpcflow_kinesis_stream.this[0].arn : null
  on_failure_destination_arn     = var.on_failure_destination_arn
  environment                    = local.enricher_environment
  log_retention_in_days          = var.function_log_retention_in_days
  permissions_boundary           = var.permissions_boundary
  tags                           = var.tags
}

resource "vpcflow_kinesis_stream" "this" {
  count = local.kinesis ? 1 : 0

  name             = local.stream_name
  stream_mode      = var.kinesis_stream_mode
  shard_count      = var.kinesis_shard_count
  retention_period = var.kinesis_retention_hours
  tags             = var.tags
}

# A batch the enricher keeps failing on goes to on_failure_destination_arn
# after its retries; without one, Lambda drops it with no trace (the plan
# warns).
resource "vpcflow_event_source_mapping" "this" {
  count = local.kinesis ? 1 : 0

  function_name              = vpcflow_enricher_function.enricher.function_name
  event_source_arn           = vpcflow_kinesis_stream.this[0].arn
  on_failure_destination_arn = var.on_failure_destination_arn
}

# Subscription filters of this account's flow log groups.
resource "vpcflow_subscription" "this" {
  for_each = local.subscribed_log_groups

  log_group_name  = each.key
  name            = "${var.name}-enricher"
  destination_arn = local.kinesis ? vpcflow_kinesis_stream.this[0].arn : vpcflow_enricher_function.enricher.arn
  role_arn        = local.kinesis ? var.kinesis_role_arn : null
}

# Where other accounts' flow log groups subscribe (the source-account
# module's destination_arn).
resource "vpcflow_log_destination" "this" {
  count = local.cross_account ? 1 : 0

  name               = local.stream_name
  target_arn         = vpcflow_kinesis_stream.this[0].arn
  role_arn           = var.kinesis_role_arn
  source_account_ids = length(var.source_account_ids) > 0 ? var.source_account_ids : null
  organization_id    = var.organization_id
  tags               = var.tags
}

# The coverage watchdog: the enricher in watchdog mode, with its own
# execution role (made and checked as the other functions' are), run on a
# schedule. Each run publishes the metrics VPCsWithoutFlowLogs,
# FlowLogsFailingDelivery and others, and one event per flow log that
# starts failing or recovers.
resource "vpcflow_enricher_function" "watchdog" {
  count = local.watchdog ? 1 : 0

  function_name              = "${var.name}-watchdog"
  description                = "vpcflow watchdog: flow log coverage and delivery, ${var.watchdog.schedule_expression}"
  mode                       = "watchdog"
  architecture               = var.architecture
  timeout                    = var.watchdog.timeout
  metric_namespace           = var.watchdog.metric_namespace
  event_bus_name             = var.watchdog.event_bus_name
  state_bucket               = var.watchdog.state_bucket
  state_prefix               = var.watchdog.state_prefix
  scan_targets               = local.watchdog_scan_targets
  traffic_type               = var.watchdog.traffic_type
  exclude_vpc_ids            = var.watchdog.exclude_vpc_ids
  on_failure_destination_arn = var.on_failure_destination_arn
  log_retention_in_days      = var.function_log_retention_in_days
  permissions_boundary       = var.permissions_boundary
  tags                       = var.tags
}

resource "vpcflow_watchdog" "this" {
  count = local.watchdog ? 1 : 0

  name                = "${var.name}-watchdog"
  function_arn        = vpcflow_enricher_function.watchdog[0].arn
  schedule_expression = var.watchdog.schedule_expression
  tags                = var.tags
}
