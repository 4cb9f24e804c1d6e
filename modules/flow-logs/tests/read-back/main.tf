# Reads back from AWS what the module created: the delivery role's trust
# policy and permissions as IAM stores them, checked against the log group,
# and the flow logs the coverage scan finds on the VPCs.
terraform {
  required_providers {
    vpcflow = {
      source = "vpcflow/vpcflow"
    }
  }
}

variable "role_arn" {
  type = string
}

variable "log_group_arn" {
  type = string
}

variable "vpc_ids" {
  type = list(string)
}

data "vpcflow_delivery_check" "this" {
  destination_type = "cloud-watch-logs"
  destination_arn  = var.log_group_arn
  role_arn         = var.role_arn
}

data "vpcflow_coverage" "this" {
  check_delivery = false
}

locals {
  vpcs = { for v in data.vpcflow_coverage.this.vpcs : v.vpc_id => v if contains(var.vpc_ids, v.vpc_id) }
}

output "valid" {
  value = data.vpcflow_delivery_check.this.valid
}

output "findings" {
  value = [for f in data.vpcflow_delivery_check.this.findings : "${f.code}: ${f.message}"]
}

output "uncovered" {
  value = [for id in var.vpc_ids : id if !try(local.vpcs[id].covered, false)]
}

output "flow_log_ids" {
  value = { for id, v in local.vpcs : id => v.flow_log_ids }
}

output "flow_log_destinations" {
  value = { for f in data.vpcflow_coverage.this.flow_logs : f.resource_id => f.log_destination... if contains(var.vpc_ids, f.resource_id) }
}
