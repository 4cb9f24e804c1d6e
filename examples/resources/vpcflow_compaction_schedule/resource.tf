# The functions that read flow log records stage their rows under
# connections/_staging/, which Athena skips; the same enricher in compact
# mode merges each closed hour into large objects under connections/, where
# the table reads them, every 15 minutes.
resource "vpcflow_enricher_function" "enricher" {
  function_name      = "vpcflow-enricher"
  mode               = "kinesis"
  kinesis_stream_arn = "arn:aws:kinesis:eu-west-1:111122223333:stream/vpcflow-flow-logs"
  output_bucket      = "vpcflow-connections-111122223333"
  output_staging     = true
}

resource "vpcflow_enricher_function" "compaction" {
  function_name                  = "vpcflow-compaction"
  mode                           = "compact"
  output_bucket                  = "vpcflow-connections-111122223333"
  compaction_grace               = "1h"
  memory_size                    = 1024 # a 128 MiB object is built in memory
  timeout                        = 900
  reserved_concurrent_executions = 1 # runs must not overlap
}

resource "vpcflow_compaction_schedule" "this" {
  name                = "vpcflow-compaction"
  function_arn        = vpcflow_enricher_function.compaction.arn
  schedule_expression = "rate(15 minutes)"
}
