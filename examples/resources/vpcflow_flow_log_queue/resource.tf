# Flow logs delivered to S3, enriched as their files arrive: the flow log
# writes under flow-logs/, the bucket tells the queue of every new file, and
# the enricher in s3 mode reads the files the queue names.
resource "vpcflow_flow_log" "to_s3" {
  vpc_id               = var.vpc_id
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::${var.bucket}/flow-logs/"
}

resource "vpcflow_flow_log_queue" "files" {
  name   = "vpcflow-flow-log-files"
  bucket = var.bucket
  prefix = "flow-logs/"
}

resource "vpcflow_enricher_function" "files" {
  function_name       = "vpcflow-enricher-files"
  mode                = "s3"
  source_queue_arn    = vpcflow_flow_log_queue.files.arn
  source_bucket       = var.bucket
  source_prefix       = "flow-logs/"
  output_bucket       = var.bucket
  output_prefix       = "connections/"
  inventory_table_arn = var.inventory_table_arn
}

resource "vpcflow_event_source_mapping" "files" {
  function_name    = vpcflow_enricher_function.files.function_name
  event_source_arn = vpcflow_flow_log_queue.files.arn
  batch_size       = 10
}

variable "vpc_id" { type = string }
variable "bucket" { type = string }
variable "inventory_table_arn" { type = string }
