output "log_destination_arn" {
  description = "The central CloudWatch Logs destination the workload accounts subscribe to."
  value       = module.central.log_destination_arn
}

output "workload_flow_log_ids" {
  description = "Flow logs of each workload account, by VPC."
  value = {
    a = module.workload_a_flow_logs.flow_log_ids
    b = module.workload_b_flow_logs.flow_log_ids
  }
}

output "output_location" {
  description = "Where the enriched rows of all accounts are written."
  value       = module.central.output_location
}

output "athena_table_sql" {
  description = "The Athena table over the rows; run it once in the central account."
  value       = module.central.athena_table_sql
}
