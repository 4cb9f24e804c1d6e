# The pipeline with the coverage watchdog, and a flow log group whose flow
# logs use another format than the others (log_formats).

variables {
  name            = "vpcflow-watch"
  log_group_names = [var.fixture_log_groups[0]]
  log_format      = "$${version} $${account-id} $${interface-id} $${srcaddr} $${dstaddr} $${srcport} $${dstport} $${protocol} $${packets} $${bytes} $${start} $${end} $${action} $${log-status}"
  log_formats = {
    (var.fixture_log_groups[2]) = "$${version} $${interface-id} $${srcaddr} $${dstaddr} $${srcport} $${dstport} $${protocol} $${packets} $${bytes} $${start} $${end} $${action} $${vpc-id} $${flow-direction}"
  }
  inventory_rules = []
  tags            = { team = "network" }
  watchdog = {
    metric_namespace = "Network/FlowLogs"
    state_bucket     = var.fixture_bucket
    scan_targets = [
      { role_arn = "arn:aws:iam::111122223333:role/vpcflow-watchdog-read" },
    ]
  }
  watchdog_external_ids = {
    "arn:aws:iam::111122223333:role/vpcflow-watchdog-read" = "vpcflow"
  }
}

run "apply" {
  assert {
    condition     = vpcflow_enricher_function.watchdog[0].mode == "watchdog" && vpcflow_enricher_function.watchdog[0].function_name == "vpcflow-watch-watchdog"
    error_message = "Watchdog function: ${vpcflow_enricher_function.watchdog[0].function_name} in mode ${vpcflow_enricher_function.watchdog[0].mode}."
  }

  assert {
    condition     = vpcflow_watchdog.this[0].function_arn == output.watchdog_function_arn && vpcflow_watchdog.this[0].schedule_expression == "rate(15 minutes)" && vpcflow_watchdog.this[0].enabled
    error_message = "The schedule does not run the watchdog every 15 minutes: ${vpcflow_watchdog.this[0].function_arn}, ${vpcflow_watchdog.this[0].schedule_expression}."
  }

  assert {
    condition     = output.watchdog_rule_arn == vpcflow_watchdog.this[0].rule_arn && endswith(output.watchdog_rule_arn, ":rule/vpcflow-watch-watchdog")
    error_message = "Rule: ${coalesce(output.watchdog_rule_arn, "none")}."
  }

  assert {
    condition     = output.watchdog_role_arn == vpcflow_enricher_function.watchdog[0].role_arn && output.watchdog_role_arn != output.enricher_role_arn && output.watchdog_metric_namespace == "Network/FlowLogs"
    error_message = "The watchdog's role or namespace: ${coalesce(output.watchdog_role_arn, "none")}, ${coalesce(output.watchdog_metric_namespace, "none")}."
  }

  assert {
    condition     = vpcflow_enricher_function.watchdog[0].timeout == 300 && vpcflow_enricher_function.watchdog[0].state_bucket == var.fixture_bucket && vpcflow_enricher_function.watchdog[0].tags["team"] == "network"
    error_message = "The watchdog function is not configured from the watchdog input."
  }

  # The role publishes in the namespace, keeps the state, assumes the
  # target's role; it scans nothing itself, as the only target has a role.
  assert {
    condition = alltrue([for s in [
      "cloudwatch:PutMetricData", "\"cloudwatch:namespace\": \"Network/FlowLogs\"", "event-bus/default",
      "arn:aws:s3:::${var.fixture_bucket}/vpcflow-watchdog/*", "\"arn:aws:s3:::${var.fixture_bucket}\"",
      "arn:aws:iam::111122223333:role/vpcflow-watchdog-read",
    ] : strcontains(vpcflow_enricher_function.watchdog[0].role_policy, s)]) && !strcontains(vpcflow_enricher_function.watchdog[0].role_policy, "ec2:DescribeVpcs")
    error_message = "The watchdog's role policy: ${vpcflow_enricher_function.watchdog[0].role_policy}"
  }

  assert {
    condition     = vpcflow_enricher_function.enricher.environment["VPCFLOW_LOG_FORMATS"] == jsonencode(var.log_formats) && vpcflow_enricher_function.enricher.environment["VPCFLOW_LOG_FORMAT"] == var.log_format
    error_message = "The enricher's log formats: ${jsonencode(vpcflow_enricher_function.enricher.environment)}"
  }

  assert {
    condition     = toset(keys(output.subscription_ids)) == toset([var.fixture_log_groups[0], var.fixture_log_groups[2]])
    error_message = "Subscribed: ${jsonencode(keys(output.subscription_ids))}; log_group_names and the groups of log_formats should be."
  }

  assert {
    condition     = vpcflow_subscription.this[var.fixture_log_groups[2]].destination_arn == output.enricher_function_arn
    error_message = "The group of log_formats does not deliver to the enricher."
  }
}

# Read back: the function, its environment and the schedule's permission
# are what was applied, and vpcflow_watchdog's check of the role the
# function now has finds nothing.
run "read_back" {
  command = plan

  assert {
    condition     = vpcflow_watchdog.this[0].lambda_permission_statement_id != null && nonsensitive(vpcflow_enricher_function.watchdog[0].scan_targets[0].external_id) == "vpcflow" && vpcflow_enricher_function.watchdog[0].scan_targets[0].role_arn == "arn:aws:iam::111122223333:role/vpcflow-watchdog-read"
    error_message = "The watchdog's schedule permission or targets were not read back."
  }

  assert {
    condition     = vpcflow_enricher_function.watchdog[0].source_code_hash != "" && vpcflow_enricher_function.watchdog[0].source_code_hash != vpcflow_enricher_function.enricher.source_code_hash
    error_message = "The watchdog does not run its own deployment package (watchdog), which links the coverage scan the enricher's package leaves out."
  }
}

run "reschedule" {
  variables {
    watchdog = {
      schedule_expression = "rate(1 hour)"
      exclude_vpc_ids     = ["vpc-0123456789abcdef0"]
    }
    watchdog_external_ids = {}
  }

  assert {
    condition     = vpcflow_watchdog.this[0].schedule_expression == "rate(1 hour)" && output.watchdog_metric_namespace == "VPCFlow" && vpcflow_enricher_function.watchdog[0].state_bucket == null
    error_message = "The new schedule or the defaults were not applied."
  }

  # Scanning its own account, the role now describes VPCs and flow logs,
  # and no longer keeps a state or assumes a role.
  assert {
    condition     = strcontains(vpcflow_enricher_function.watchdog[0].role_policy, "ec2:DescribeFlowLogs") && !strcontains(vpcflow_enricher_function.watchdog[0].role_policy, "sts:AssumeRole\"") && !strcontains(vpcflow_enricher_function.watchdog[0].role_policy, "s3:GetObject")
    error_message = "The watchdog's role policy: ${vpcflow_enricher_function.watchdog[0].role_policy}"
  }
}

run "without_watchdog" {
  variables {
    watchdog              = { enabled = false }
    watchdog_external_ids = {}
  }

  assert {
    condition     = length(vpcflow_enricher_function.watchdog) == 0 && length(vpcflow_watchdog.this) == 0 && output.watchdog_function_arn == null
    error_message = "The watchdog is still deployed with enabled = false."
  }
}
