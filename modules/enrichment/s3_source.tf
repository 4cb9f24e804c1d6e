# Flow logs delivered to S3 (log_destination_type = "s3"), the delivery large
# estates choose because it costs less than CloudWatch Logs ingestion: the
# bucket tells a queue of every new flow log file, and a second enricher, in
# s3 mode, reads the files the queue names (plain text or Parquet,
# Hive-compatible prefixes or not) into the same rows as the CloudWatch Logs
# path, each file counted once however often its notification arrives.
#
# It runs beside the CloudWatch Logs path, which stays idle without
# log_group_names: one module can enrich flow logs of both deliveries.
#
# The queue resource writes the bucket's notification configuration by
# reading it, replacing its own queue configuration and writing the rest
# back; another tool that writes the whole document (aws_s3_bucket_notification)
# would remove it, and the next plan shows it coming back.

variable "s3_source" {
  description = "Flow log files in S3 to enrich: `bucket` (where the flow logs deliver, the bucket of their `log_destination`), `prefix` (what comes before `AWSLogs/`, ending in `/`; the flow log's `log_destination` is `arn:aws:s3:::BUCKET/PREFIX`; it must not cover `output_prefix` in the same bucket), `batch_size` (files per invocation, 1 to 10000, default 10) and `max_receive_count` (receives of a notification before it goes to the dead-letter queue, default 5). `null` (the default) enriches no files."
  type = object({
    bucket            = string
    prefix            = optional(string)
    batch_size        = optional(number, 10)
    max_receive_count = optional(number, 5)
  })
  default = null

  validation {
    condition     = var.s3_source == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.s3_source.bucket))
    error_message = "s3_source.bucket must be an S3 bucket name."
  }

  validation {
    condition     = try(var.s3_source.prefix == null || (endswith(var.s3_source.prefix, "/") && !startswith(var.s3_source.prefix, "/")), true)
    error_message = "s3_source.prefix must end with / and not start with one, as the prefix of a flow log's log_destination arn:aws:s3:::BUCKET/PREFIX does."
  }

  validation {
    condition = try(var.s3_source.bucket != var.output_bucket || (
      (var.s3_source.prefix == null ? "" : var.s3_source.prefix) != "" &&
      !startswith(var.output_prefix, var.s3_source.prefix == null ? "" : var.s3_source.prefix) &&
      !startswith(var.s3_source.prefix == null ? "" : var.s3_source.prefix, var.output_prefix)
    ), true)
    error_message = "s3_source reads the bucket the rows are written to, and its prefix covers output_prefix or the reverse: the enricher would read its own output. Give the flow log files a prefix of their own, such as \"flow-logs/\"."
  }

  validation {
    condition     = try(var.s3_source.batch_size >= 1 && var.s3_source.batch_size <= 10000, true)
    error_message = "s3_source.batch_size must be 1 to 10000 files."
  }
}

locals {
  s3_source = var.s3_source != null
  s3_prefix = try(var.s3_source.prefix == null ? "" : var.s3_source.prefix, "")
}

resource "vpcflow_flow_log_queue" "s3" {
  count = local.s3_source ? 1 : 0

  name   = "${var.name}-flow-log-files"
  bucket = var.s3_source.bucket
  prefix = var.s3_source.prefix
  # Lambda's advice: six times the function's timeout.
  visibility_timeout_seconds = min(6 * var.timeout, 43200)
  max_receive_count          = var.s3_source.max_receive_count
}

resource "vpcflow_enricher_function" "s3" {
  count = local.s3_source ? 1 : 0

  function_name                  = "${var.name}-enricher-s3"
  description                    = "vpcflow enricher: flow log files of s3://${var.s3_source.bucket}/${local.s3_prefix} into connections under ${local.location}"
  mode                           = "s3"
  architecture                   = var.architecture
  memory_size                    = var.memory_size
  timeout                        = var.timeout
  reserved_concurrent_executions = var.reserved_concurrent_executions
  inventory_table_arn            = vpcflow_inventory_table.this.arn
  output_bucket                  = var.output_bucket
  output_prefix                  = var.output_prefix
  window                         = var.window
  source_queue_arn               = vpcflow_flow_log_queue.s3[0].arn
  source_bucket                  = var.s3_source.bucket
  source_prefix                  = var.s3_source.prefix
  environment                    = local.enricher_environment
  log_retention_in_days          = var.function_log_retention_in_days
  permissions_boundary           = var.permissions_boundary
  tags                           = var.tags
}

resource "vpcflow_event_source_mapping" "s3" {
  count = local.s3_source ? 1 : 0

  function_name    = vpcflow_enricher_function.s3[0].function_name
  event_source_arn = vpcflow_flow_log_queue.s3[0].arn
  batch_size       = var.s3_source.batch_size
}

output "s3_source_queue_arn" {
  description = "ARN of the queue of new flow log files (`s3_source`), or null."
  value       = local.s3_source ? vpcflow_flow_log_queue.s3[0].arn : null
}

output "s3_source_failed_queue_arn" {
  description = "ARN of the dead-letter queue of the notifications of files the enricher failed on `max_receive_count` times, or null: redrive them once the cause is fixed, nothing is counted twice."
  value       = local.s3_source ? vpcflow_flow_log_queue.s3[0].failed_queue_arn : null
}

output "s3_source_function_arn" {
  description = "ARN of the enricher of flow log files (`s3_source`), or null."
  value       = local.s3_source ? vpcflow_enricher_function.s3[0].arn : null
}

output "s3_source_log_destination" {
  description = "The `log_destination` of flow logs whose files `s3_source` enriches (with `log_destination_type = \"s3\"`), or null."
  value       = local.s3_source ? "arn:aws:s3:::${var.s3_source.bucket}/${local.s3_prefix}" : null
}
