resource "vpcflow_kinesis_stream" "flows" {
  name = "vpcflow-flows"
}

# In the central account: where the flow log groups of the organization's
# accounts subscribe. The role must let CloudWatch Logs put records into the
# stream; the plan checks it.
resource "vpcflow_log_destination" "flows" {
  name            = "vpcflow-flows"
  target_arn      = vpcflow_kinesis_stream.flows.arn
  role_arn        = "arn:aws:iam::999988887777:role/cwl-to-kinesis"
  organization_id = "o-a1b2c3d4e5"
}

# Or for a list of accounts.
resource "vpcflow_log_destination" "partners" {
  name               = "vpcflow-flows-partners"
  target_arn         = vpcflow_kinesis_stream.flows.arn
  role_arn           = "arn:aws:iam::999988887777:role/cwl-to-kinesis"
  source_account_ids = ["111122223333", "222233334444"]
}

output "destination_arn" {
  value = vpcflow_log_destination.flows.arn
}
