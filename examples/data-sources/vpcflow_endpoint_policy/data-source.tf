# Interface endpoints that reach only the account's own log groups and
# event buses, while the pipeline's writes still go through.
data "vpcflow_endpoint_policy" "logs" {
  service              = "logs"
  writer_role_arn      = "arn:aws:iam::111122223333:role/vpcflow-enricher"
  writer_resource_arns = ["arn:aws:logs:eu-west-1:111122223333:log-group:/vpcflow/rows"]
}

data "vpcflow_endpoint_policy" "events" {
  service         = "events"
  writer_role_arn = "arn:aws:iam::111122223333:role/vpcflow-enricher"
  # The watchdog also sends to a central account's bus.
  additional_resource_arns = ["arn:aws:events:eu-west-1:999988887777:event-bus/security"]
  writer_resource_arns = [
    "arn:aws:events:eu-west-1:111122223333:event-bus/default",
    "arn:aws:events:eu-west-1:999988887777:event-bus/security",
  ]
}

resource "aws_vpc_endpoint" "logs" {
  vpc_id              = "vpc-0a1b2c3d4e5f60718"
  service_name        = data.vpcflow_endpoint_policy.logs.service_name
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = ["subnet-0a1b2c3d4e5f60718"]
  policy              = data.vpcflow_endpoint_policy.logs.json
}

resource "aws_vpc_endpoint" "events" {
  vpc_id              = "vpc-0a1b2c3d4e5f60718"
  service_name        = data.vpcflow_endpoint_policy.events.service_name
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = ["subnet-0a1b2c3d4e5f60718"]
  policy              = data.vpcflow_endpoint_policy.events.json
}

# Refuse the apply if the policy would stop the pipeline's writes.
check "endpoint_policies_let_the_pipeline_write" {
  assert {
    condition = data.vpcflow_endpoint_policy.logs.writes_allowed && data.vpcflow_endpoint_policy.events.writes_allowed
    error_message = join("\n", [
      for f in concat(data.vpcflow_endpoint_policy.logs.findings, data.vpcflow_endpoint_policy.events.findings) : "${f.message} Fix: ${f.fix}"
    ])
  }
}
