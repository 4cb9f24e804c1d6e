# The flow log coverage watchdog on its own, without the enrichment
# pipeline: the enricher function in watchdog mode (with its own execution
# role, checked at plan time) run on a schedule. Each run scans the given
# accounts and regions for VPCs without flow logs and flow logs that deliver
# nothing, publishes CloudWatch metrics (VPCsWithoutFlowLogs,
# FlowLogsFailingDelivery, ...) and sends one EventBridge event per flow log
# that starts failing or recovers. Alarm on the metrics or route the events:
# existing flow logs, made by any tool, can then no longer fail silently.

resource "vpcflow_enricher_function" "watchdog" {
  function_name              = var.name
  description                = "vpcflow watchdog: flow log coverage and delivery, ${var.schedule_expression}"
  mode                       = "watchdog"
  architecture               = var.architecture
  timeout                    = var.timeout
  metric_namespace           = var.metric_namespace
  event_bus_name             = var.event_bus_name
  state_bucket               = var.state_bucket
  state_prefix               = var.state_prefix
  scan_targets               = var.scan_targets
  traffic_type               = var.traffic_type
  exclude_vpc_ids            = var.exclude_vpc_ids
  on_failure_destination_arn = var.on_failure_destination_arn
  log_retention_in_days      = var.log_retention_in_days
  permissions_boundary       = var.permissions_boundary
  tags                       = var.tags
}

resource "vpcflow_watchdog" "this" {
  name                = var.name
  function_arn        = vpcflow_enricher_function.watchdog.arn
  schedule_expression = var.schedule_expression
  enabled             = var.enabled
  tags                = var.tags
}
