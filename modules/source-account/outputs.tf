output "role_arn" {
  description = "ARN of the inventory role, for the `enrichment` module's `source_account_role_arns` in the central account."
  value       = vpcflow_source_account_role.this.arn
}

output "role_name" {
  description = "Name of the inventory role."
  value       = vpcflow_source_account_role.this.id
}

output "subscription_ids" {
  description = "ID (`LOG_GROUP|FILTER`) of the subscription filter of each log group, by log group name."
  value       = { for name, s in vpcflow_subscription.this : name => s.id }
}

output "forwarding_rule_arns" {
  description = "ARN of each forwarding rule, by kind; empty without `central_event_bus_arn`."
  value       = var.central_event_bus_arn != null ? vpcflow_inventory_rules.forward[0].rule_arns : {}
}
