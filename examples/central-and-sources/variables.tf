variable "region" {
  description = "Region of every account's flow logs and pipeline."
  type        = string
  default     = "us-east-1"
}

variable "central_account_id" {
  description = "Account that runs the enrichment pipeline."
  type        = string
}

variable "workload_account_ids" {
  description = "The two workload accounts whose flow logs are enriched centrally."
  type = object({
    a = string
    b = string
  })
}

variable "admin_role_name" {
  description = "Role Terraform assumes in every account (and the coverage check reads through)."
  type        = string
  default     = "OrganizationAccountAccessRole"
}

variable "output_bucket" {
  description = "Existing bucket of the central account for the enriched rows."
  type        = string
}

variable "central_kinesis_role_name" {
  description = "Existing role of the central account that CloudWatch Logs assumes to put the workload accounts' records into the stream (trusts logs.amazonaws.com for the workload accounts' log groups; kinesis:PutRecord on the stream)."
  type        = string
  default     = "vpcflow-logs-to-kinesis"
}

variable "event_forwarding_role_name" {
  description = "Existing role of each workload account that EventBridge assumes to forward inventory events to the central bus (trusts events.amazonaws.com; events:PutEvents on the bus). The central bus's policy must accept the workload accounts."
  type        = string
  default     = "vpcflow-forward-events"
}

variable "external_id" {
  description = "External ID the central inventory function passes when it assumes the workload accounts' inventory roles."
  type        = string
  sensitive   = true
}

variable "coverage_exclude_vpc_ids" {
  description = "VPCs the coverage check leaves out, such as the workload accounts' unused default VPCs."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags of every resource created."
  type        = map(string)
  default     = { team = "network" }
}
