# The shortest working configuration: a VPC's flow log to CloudWatch Logs,
# with its log group and delivery role, checked at plan time.
terraform {
  required_version = ">= 1.8"

  required_providers {
    vpcflow = {
      source  = "vpcflow/vpcflow"
      version = "~> 0.1"
    }
  }
}

provider "vpcflow" {
  region = "eu-west-1"
}

variable "vpc_id" {
  type        = string
  description = "ID of the VPC to log, e.g. vpc-0123456789abcdef0."
}

resource "vpcflow_log_group" "flow_logs" {
  name              = "/aws/vpc/flow-logs/${var.vpc_id}"
  retention_in_days = 90
}

resource "vpcflow_delivery_role" "flow_logs" {
  name           = "vpc-flow-logs-${var.vpc_id}"
  log_group_arns = [vpcflow_log_group.flow_logs.arn]
}

resource "vpcflow_flow_log" "this" {
  vpc_id          = var.vpc_id
  traffic_type    = "ALL"
  log_destination = vpcflow_log_group.flow_logs.arn
  iam_role_arn    = vpcflow_delivery_role.flow_logs.arn
}

# Fail every plan while a flow log of this region delivers nothing, including
# flow logs made outside this configuration.
data "vpcflow_coverage" "region" {
  fail_on = ["FAILING"]
}
