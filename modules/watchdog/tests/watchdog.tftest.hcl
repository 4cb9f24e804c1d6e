# The watchdog deployed alone: no output bucket, no pipeline, no state bucket.

variables {
  name = "vpcflow-watchdog-alone"
  tags = { team = "network" }
}

run "apply" {
  assert {
    condition     = vpcflow_enricher_function.watchdog.mode == "watchdog" && output.function_name == "vpcflow-watchdog-alone"
    error_message = "Watchdog function: ${output.function_name} in mode ${vpcflow_enricher_function.watchdog.mode}."
  }

  assert {
    condition     = vpcflow_watchdog.this.function_arn == output.function_arn && vpcflow_watchdog.this.schedule_expression == "rate(15 minutes)" && vpcflow_watchdog.this.enabled
    error_message = "The schedule does not run the watchdog every 15 minutes: ${vpcflow_watchdog.this.function_arn}, ${vpcflow_watchdog.this.schedule_expression}."
  }

  assert {
    condition     = endswith(output.rule_arn, ":rule/vpcflow-watchdog-alone") && output.metric_namespace == "VPCFlow"
    error_message = "Rule ${output.rule_arn}, namespace ${output.metric_namespace}."
  }

  # Without scan targets the role scans this account itself, and it has no
  # S3 permission, since there is no state bucket.
  assert {
    condition     = strcontains(vpcflow_enricher_function.watchdog.role_policy, "ec2:DescribeFlowLogs") && !strcontains(vpcflow_enricher_function.watchdog.role_policy, "s3:PutObject")
    error_message = "The watchdog's role policy: ${vpcflow_enricher_function.watchdog.role_policy}"
  }
}

run "state_prefix_needs_a_bucket" {
  command = plan

  variables {
    state_prefix = "watchdog/"
  }

  expect_failures = [var.state_prefix]
}
