terraform {
  required_providers {
    vpcflow = {
      source = "vpcflow/vpcflow"
    }
  }
}

locals {
  flow_logs_trust = jsonencode({
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
}

# A role created in the same configuration (here with the hashicorp/aws
# provider) is checked before it is created:
#
# resource "aws_iam_role" "flow_logs" {
#   name               = "flow-logs-delivery"
#   assume_role_policy = local.flow_logs_trust
#   lifecycle {
#     precondition {
#       condition     = provider::vpcflow::check_trust_policy(local.flow_logs_trust)
#       error_message = "The trust policy does not let VPC Flow Logs assume the role."
#     }
#   }
# }

output "trust_policy_ok" {
  value = provider::vpcflow::check_trust_policy(local.flow_logs_trust)
}
