# Check a role that already exists: its trust policy, inline and attached
# policies and permissions boundary are read from AWS.
data "vpcflow_delivery_check" "existing" {
  destination_type = "cloud-watch-logs"
  destination_arn  = "arn:aws:logs:eu-west-1:111122223333:log-group:/vpc/flow-logs"
  role_arn         = "arn:aws:iam::111122223333:role/flow-logs-delivery"
}

# Check documents before they exist: with every document inline, no AWS call is made.
data "vpcflow_delivery_check" "draft" {
  destination_type = "cloud-watch-logs"
  destination_arn  = "arn:aws:logs:eu-west-1:111122223333:log-group:/vpc/flow-logs"
  flow_log_account = "111122223333"
  flow_log_region  = "eu-west-1"
  trust_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "vpc-flow-logs.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = {
        StringEquals = { "aws:SourceAccount" = "111122223333" }
        ArnLike      = { "aws:SourceArn" = "arn:aws:ec2:eu-west-1:111122223333:vpc-flow-log/*" }
      }
    }]
  })
  permission_policies = [jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"]
      Resource = "arn:aws:logs:eu-west-1:111122223333:log-group:/vpc/flow-logs:*"
    }]
  })]
  permissions_boundary = ""
  kms_key_arn          = ""
}

# Fail the run with every finding when delivery would not work.
check "flow_log_delivery" {
  assert {
    condition     = data.vpcflow_delivery_check.existing.valid
    error_message = join("\n", [for f in data.vpcflow_delivery_check.existing.findings : "${f.code}: ${f.message} Fix: ${f.fix}"])
  }
}

output "findings" {
  value = data.vpcflow_delivery_check.draft.findings
}
