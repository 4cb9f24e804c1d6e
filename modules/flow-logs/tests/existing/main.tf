# A log group and delivery role that exist before the module runs, as when
# another team owns them.
terraform {
  required_providers {
    vpcflow = {
      source = "vpcflow/vpcflow"
    }
  }
}

resource "vpcflow_log_group" "this" {
  name              = "/shared/flow-logs"
  retention_in_days = 7
}

resource "vpcflow_delivery_role" "this" {
  name           = "shared-flow-logs-delivery"
  log_group_arns = [vpcflow_log_group.this.arn]
}

output "log_group_arn" {
  value = vpcflow_log_group.this.arn
}

output "role_arn" {
  value = vpcflow_delivery_role.this.arn
}
