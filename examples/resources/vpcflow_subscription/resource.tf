resource "vpcflow_log_group" "flow_logs" {
  name = "/aws/vpc/flow-logs/prod"
}

resource "vpcflow_enricher_function" "enricher" {
  function_name = "vpcflow-enricher"
  output_bucket = "flows-enriched"
}

# Every flow log record of the group to the enricher; the provider adds the
# permission that lets CloudWatch Logs invoke it for this group only.
resource "vpcflow_subscription" "enricher" {
  log_group_name  = vpcflow_log_group.flow_logs.name
  destination_arn = vpcflow_enricher_function.enricher.arn
}

# Through a Kinesis stream instead, with a role CloudWatch Logs assumes
# (checked at plan time).
resource "vpcflow_kinesis_stream" "flows" {
  name = "vpcflow-flows"
}

resource "vpcflow_log_group" "staging" {
  name = "/aws/vpc/flow-logs/staging"
}

resource "vpcflow_subscription" "staging" {
  log_group_name  = vpcflow_log_group.staging.name
  destination_arn = vpcflow_kinesis_stream.flows.arn
  role_arn        = "arn:aws:iam::111122223333:role/cwl-to-kinesis"
}

# From a source account, to the central account's destination.
resource "vpcflow_subscription" "central" {
  log_group_name  = "/aws/vpc/flow-logs/shared"
  name            = "vpcflow-central"
  destination_arn = "arn:aws:logs:eu-west-1:999988887777:destination:vpcflow-flows"
}
