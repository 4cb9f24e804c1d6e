# On-demand: scales with the flow logs without shard planning.
resource "vpcflow_kinesis_stream" "flows" {
  name             = "vpcflow-flows"
  retention_period = 48
  kms_key_id       = "alias/aws/kinesis"
}

# Provisioned, for a steady volume.
resource "vpcflow_kinesis_stream" "steady" {
  name        = "vpcflow-flows-steady"
  stream_mode = "PROVISIONED"
  shard_count = 4
}
