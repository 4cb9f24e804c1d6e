resource "vpcflow_inventory_table" "inventory" {
  name = "vpcflow-inventory"
}

# The enricher, subscribed directly to flow log groups: reads the inventory,
# writes enriched connections under s3://flows-enriched/connections/.
resource "vpcflow_enricher_function" "enricher" {
  function_name       = "vpcflow-enricher"
  inventory_table_arn = vpcflow_inventory_table.inventory.arn
  output_bucket       = "flows-enriched"
  output_prefix       = "connections/"
  window              = "60s"
  memory_size         = 512

  # Failed asynchronous invocations are recorded instead of only logged.
  on_failure_destination_arn = "arn:aws:sqs:eu-west-1:111122223333:vpcflow-failed"

  tags = {
    team = "network"
  }
}

# The inventory function: EventBridge events into the table, and the network
# interfaces of source accounts through their read-only roles.
resource "vpcflow_enricher_function" "inventory" {
  function_name       = "vpcflow-inventory"
  mode                = "inventory"
  inventory_table_arn = vpcflow_inventory_table.inventory.arn
  source_account_role_arns = [
    "arn:aws:iam::222233334444:role/vpcflow-inventory-read",
  ]
}

output "enricher_arn" {
  value = vpcflow_enricher_function.enricher.arn
}

output "enricher_code_sha256" {
  value = vpcflow_enricher_function.enricher.source_code_hash
}

# The coverage watchdog: scans this account (two regions) and another
# account through its role, publishes CloudWatch metrics in its namespace
# and an EventBridge event per flow log that starts failing or recovers,
# and remembers what it announced in a bucket. Its role allows exactly
# those calls; vpcflow_watchdog runs it on a schedule.
resource "vpcflow_enricher_function" "watchdog" {
  function_name    = "vpcflow-watchdog"
  mode             = "watchdog"
  timeout          = 300
  metric_namespace = "Network/FlowLogs"
  event_bus_name   = "security"
  state_bucket     = "example-vpcflow-watchdog-state"
  traffic_type     = "ALL"
  exclude_vpc_ids  = ["vpc-0123456789abcdef0"]
  scan_targets = [
    { account_id = "111122223333" },
    { account_id = "111122223333", region = "eu-central-1" },
    { role_arn = "arn:aws:iam::222233334444:role/vpcflow-watchdog-read", external_id = "vpcflow" },
  ]
}

resource "vpcflow_watchdog" "flow_logs" {
  name                = "vpcflow-watchdog"
  function_arn        = vpcflow_enricher_function.watchdog.arn
  schedule_expression = "rate(15 minutes)"
}
