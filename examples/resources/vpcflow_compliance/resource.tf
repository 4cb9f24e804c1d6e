# Every VPC of the region gets a flow log, including VPCs created outside
# Terraform: AWS Config finds VPCs without one and an SSM Automation
# document creates it, to a log group with retention and a checked key.
resource "vpcflow_log_group" "remediated" {
  name              = "/aws/vpc/flow-logs"
  retention_in_days = 365
}

resource "vpcflow_compliance" "vpc_flow_logs" {
  name            = "vpc-flow-logs-enabled"
  traffic_type    = "ALL"
  log_destination = vpcflow_log_group.remediated.arn

  # Evaluate every six hours; a failed remediation is retried up to
  # maximum_automatic_attempts (5) times within retry_attempt_seconds (60).
  maximum_execution_frequency = "Six_Hours"
  remediation                 = "automatic"

  tags = {
    team = "network"
  }
}

# Flow logs to a central bucket instead: no delivery role; the plan checks
# the bucket policy for the log delivery service.
resource "vpcflow_compliance" "to_s3" {
  name                 = "vpc-flow-logs-enabled-s3"
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::central-flow-logs/vpc"
  traffic_type         = "REJECT"
}
