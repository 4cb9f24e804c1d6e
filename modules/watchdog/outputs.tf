output "function_arn" {
  description = "ARN of the watchdog function."
  value       = vpcflow_enricher_function.watchdog.arn
}

output "function_name" {
  description = "Name of the watchdog function."
  value       = vpcflow_enricher_function.watchdog.function_name
}

output "role_arn" {
  description = "ARN of the function's execution role; grant it sts:AssumeRole on the scan_targets' roles."
  value       = vpcflow_enricher_function.watchdog.role_arn
}

output "rule_arn" {
  description = "ARN of the EventBridge rule that runs the watchdog."
  value       = vpcflow_watchdog.this.rule_arn
}

output "metric_namespace" {
  description = "CloudWatch namespace of the metrics to alarm on (VPCsWithoutFlowLogs, FlowLogsFailingDelivery)."
  value       = coalesce(var.metric_namespace, "VPCFlow")
}
