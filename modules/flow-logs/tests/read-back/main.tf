# Reads back from AWS what the module created: the delivery role's trust
# policy and permissions as IAM stores them, checked against the log group.
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

data "vpcflow_delivery_check" "this" {
  destination_type = "cloud-watch-logs"
  destination_arn  = var.log_group_arn
  role_arn         = var.role_arn
}

output "valid" {
  value = data.vpcflow_delivery_check.this.valid
}

output "findings" {
  value = [for f in data.vpcflow_delivery_check.this.findings : "${f.code}: ${f.message}"]
}
