output "vpc_ids" {
  description = "VPCs logged: `vpc_ids`, or every VPC found in the region when it is null."
  value       = sort(local.vpc_ids)
}

output "flow_log_ids" {
  description = "ID of each flow log (`fl-...`), by VPC ID."
  value       = { for vpc, fl in vpcflow_flow_log.this : vpc => fl.id }
}

output "flow_log_arns" {
  description = "ARN of each flow log, by VPC ID: the `aws:SourceArn` the delivery service presents."
  value       = { for vpc, fl in vpcflow_flow_log.this : vpc => fl.arn }
}

output "deliver_logs_status" {
  description = "Delivery status AWS reports for each flow log (`SUCCESS` or `FAILED`), by VPC ID, read on every refresh."
  value       = { for vpc, fl in vpcflow_flow_log.this : vpc => fl.deliver_logs_status }
}

output "log_destination" {
  description = "ARN the flow logs deliver to: the log group, or the bucket with its prefix."
  value       = local.log_destination
}

output "log_group_arn" {
  description = "ARN of the log group (created or given), without `:*`; null for an S3 destination."
  value       = local.log_group_arn
}

output "log_group_name" {
  description = "Name of the log group (created or given), for a subscription of the enrichment pipeline; null for an S3 destination."
  value       = local.log_group_arn == null ? null : regex(":log-group:(.+)$", local.log_group_arn)[0]
}

output "delivery_role_arn" {
  description = "ARN of the delivery role (created or given); null for an S3 destination."
  value       = local.delivery_role_arn
}

output "delivery_role_name" {
  description = "Name of the delivery role the module created; null when none was created."
  value       = local.create_role ? vpcflow_delivery_role.this[0].id : null
}

output "log_format" {
  description = "Log format of the flow logs (`log_format`), for the enrichment module's `log_format`; null for AWS's default format."
  value       = var.log_format
}
