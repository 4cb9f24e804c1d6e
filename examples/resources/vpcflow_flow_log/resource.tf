# A log group and the role VPC Flow Logs assumes to write to it.
resource "vpcflow_log_group" "flow_logs" {
  name = "/aws/vpc/flow-logs/prod"
}

resource "vpcflow_delivery_role" "flow_logs" {
  name           = "vpc-flow-logs-prod"
  log_group_arns = [vpcflow_log_group.flow_logs.arn]
}

# Every VPC traffic record to CloudWatch Logs. The plan reads the role and
# fails with the statement at fault if delivery would not work; with the
# role created in the same run, the check runs during apply instead,
# before the flow log is created.
resource "vpcflow_flow_log" "vpc" {
  vpc_id          = "vpc-0123456789abcdef0"
  traffic_type    = "ALL"
  log_destination = vpcflow_log_group.flow_logs.arn
  iam_role_arn    = vpcflow_delivery_role.flow_logs.arn

  tags = {
    team = "network"
  }
}

# Rejected traffic of one subnet to S3, as Parquet with Hive-compatible
# partitions, in a custom format. S3 delivery uses the bucket policy, which
# the plan checks for the key AWS will write
# (network/AWSLogs/aws-account-id=ACCOUNT/...).
resource "vpcflow_flow_log" "subnet_rejects" {
  subnet_id                = "subnet-0123456789abcdef0"
  traffic_type             = "REJECT"
  log_destination_type     = "s3"
  log_destination          = "arn:aws:s3:::central-flow-logs/network"
  max_aggregation_interval = 60
  log_format               = "$${version} $${account-id} $${vpc-id} $${subnet-id} $${srcaddr} $${dstaddr} $${srcport} $${dstport} $${protocol} $${action} $${flow-direction} $${reject-reason}"

  destination_options {
    file_format                = "parquet"
    hive_compatible_partitions = true
    per_hour_partition         = true
  }
}

# A transit gateway: all traffic, aggregated over 60 seconds (the only
# interval AWS accepts for transit gateways).
resource "vpcflow_flow_log" "transit_gateway" {
  transit_gateway_id       = "tgw-0123456789abcdef0"
  log_destination_type     = "s3"
  log_destination          = "arn:aws:s3:::central-flow-logs/transit-gateways"
  max_aggregation_interval = 60
}

# After apply, every plan reads AWS's delivery status. A failing flow log
# warns on its own; this check also names the root cause in the plan.
check "flow_log_delivery" {
  assert {
    condition     = vpcflow_flow_log.vpc.deliver_logs_status != "FAILED"
    error_message = "Flow log ${vpcflow_flow_log.vpc.id} delivers nothing: ${coalesce(vpcflow_flow_log.vpc.deliver_logs_root_cause, "unknown cause")}"
  }
}
