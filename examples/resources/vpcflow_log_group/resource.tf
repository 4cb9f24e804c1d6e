# A destination for flow logs: kept a year by default, not forever.
resource "vpcflow_log_group" "flow_logs" {
  name = "/aws/vpc/flow-logs/prod"

  tags = {
    team = "network"
  }
}

# Encrypted with a customer managed key. The plan reads the key policy and
# fails with the statement to add if CloudWatch Logs may not use the key.
resource "vpcflow_log_group" "encrypted" {
  name              = "/aws/vpc/flow-logs/restricted"
  retention_in_days = 731
  kms_key_id        = aws_kms_key.logs.arn
  skip_destroy      = true
}

# Never expire: both settings are needed, so a variable defaulting to 0
# cannot turn expiry off by accident.
resource "vpcflow_log_group" "archive" {
  name_prefix  = "/aws/vpc/flow-logs/archive-"
  never_expire = true
}

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

resource "aws_kms_key" "logs" {
  description = "flow logs"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "EnableIAMUserPermissions"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "AllowCloudWatchLogs"
        Effect    = "Allow"
        Principal = { Service = "logs.${data.aws_region.current.name}.amazonaws.com" }
        Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
        Condition = {
          ArnEquals = {
            "kms:EncryptionContext:aws:logs:arn" = "arn:aws:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:/aws/vpc/flow-logs/restricted"
          }
        }
      },
    ]
  })
}
