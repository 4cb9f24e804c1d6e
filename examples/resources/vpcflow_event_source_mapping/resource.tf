resource "vpcflow_kinesis_stream" "flows" {
  name = "vpcflow-flows"
}

resource "vpcflow_enricher_function" "enricher" {
  function_name      = "vpcflow-enricher"
  mode               = "kinesis"
  kinesis_stream_arn = vpcflow_kinesis_stream.flows.arn
  output_bucket      = "flows-enriched"

  # The mapping's on-failure destination is sent to with the function's role.
  on_failure_destination_arn = "arn:aws:sqs:eu-west-1:111122223333:vpcflow-failed"
}

# Batches of up to 1000 records, waiting up to 30 seconds to fill, four per
# shard at a time; the enricher reports failed records and only those are
# retried.
resource "vpcflow_event_source_mapping" "enricher" {
  function_name                      = vpcflow_enricher_function.enricher.function_name
  event_source_arn                   = vpcflow_kinesis_stream.flows.arn
  batch_size                         = 1000
  maximum_batching_window_in_seconds = 30
  parallelization_factor             = 4
  tumbling_window_in_seconds         = 60
  function_response_types            = ["ReportBatchItemFailures"]
  on_failure_destination_arn         = "arn:aws:sqs:eu-west-1:111122223333:vpcflow-failed"
}
