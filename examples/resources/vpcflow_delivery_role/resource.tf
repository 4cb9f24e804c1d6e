resource "vpcflow_log_group" "flow_logs" {
  name = "/aws/vpc/flow-logs/prod"
}

# The role VPC Flow Logs assumes to write to the log group. Its trust policy
# and least-privilege inline policy are written by the provider.
resource "vpcflow_delivery_role" "flow_logs" {
  name           = "vpc-flow-logs-prod"
  description    = "VPC Flow Logs delivery to /aws/vpc/flow-logs/prod"
  log_group_arns = [vpcflow_log_group.flow_logs.arn]

  tags = {
    team = "network"
  }
}

# Flow logs of two regions into their own groups, under an organisation's
# permissions boundary; the plan fails if the boundary denies delivery.
resource "vpcflow_delivery_role" "multi_region" {
  name_prefix = "vpc-flow-logs-"
  path        = "/network/"
  log_group_arns = [
    "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/vpc/flow-logs",
    "arn:aws:logs:eu-central-1:111122223333:log-group:/aws/vpc/flow-logs",
  ]
  source_regions       = ["eu-west-1", "eu-central-1"]
  permissions_boundary = "arn:aws:iam::111122223333:policy/workload-boundary"
}

output "delivery_role_arn" {
  value = vpcflow_delivery_role.flow_logs.arn
}
