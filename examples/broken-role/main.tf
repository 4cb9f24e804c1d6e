# A flow log whose delivery role was copied from a snippet with two
# mistakes (see role/trust.json and role/permissions.json). AWS would accept
# it and deliver nothing; the vpcflow provider fails the plan instead.
terraform {
  required_version = ">= 1.11"
  required_providers {
    vpcflow = {
      source = "vpcflow/vpcflow"
    }
  }
}

# Region, credentials and endpoint come from the environment (AWS_REGION,
# AWS_ENDPOINT_URL for a local AWS); validation defaults to "error".
provider "vpcflow" {}

variable "vpc_id" {
  description = "VPC whose traffic is logged."
  type        = string
}

variable "log_group_arn" {
  description = "Log group the records go to."
  type        = string
}

variable "role_arn" {
  description = "Role VPC Flow Logs assumes to write to the log group."
  type        = string
}

resource "vpcflow_flow_log" "this" {
  vpc_id          = var.vpc_id
  traffic_type    = "ALL"
  log_destination = var.log_group_arn
  iam_role_arn    = var.role_arn
}

output "delivery" {
  description = "AWS's delivery status of the flow log after apply."
  value       = vpcflow_flow_log.this.deliver_logs_status
}
