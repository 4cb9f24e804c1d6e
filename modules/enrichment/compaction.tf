# Large objects by construction: the enricher stages each invocation's rows
# under OUTPUT_PREFIX_staging/, which Athena skips, and the enricher in
# compact mode, run on a schedule, merges each hour partition once it is
# closed into objects of up to 128 MiB under OUTPUT_PREFIX, where the table
# reads them. Without it a busy shard makes up to 86,400 objects a day per
# partition. The table's location stays OUTPUT_PREFIX.

locals {
  compaction = var.compaction.enabled
}

resource "vpcflow_enricher_function" "compaction" {
  count = local.compaction ? 1 : 0

  function_name    = "${var.name}-compaction"
  description      = "vpcflow compaction: staged connections merged into large objects under ${local.location}"
  mode             = "compact"
  architecture     = var.architecture
  memory_size      = var.compaction.memory_size
  timeout          = var.compaction.timeout
  output_bucket    = var.output_bucket
  output_prefix    = var.output_prefix
  compaction_grace = var.compaction.grace
  # The compacted objects are in the format of the staged rows, which the
  # table reads.
  environment = { VPCFLOW_OUTPUT_FORMAT = var.output_format }
  # Runs must not overlap: a run takes the objects another is writing for
  # those of a run that stopped.
  reserved_concurrent_executions = 1
  on_failure_destination_arn     = var.on_failure_destination_arn
  log_retention_in_days          = var.function_log_retention_in_days
  permissions_boundary           = var.permissions_boundary
  tags                           = var.tags
}

resource "vpcflow_compaction_schedule" "this" {
  count = local.compaction ? 1 : 0

  name                = "${var.name}-compaction"
  function_arn        = vpcflow_enricher_function.compaction[0].arn
  schedule_expression = var.compaction.schedule_expression
  tags                = var.tags
}

variable "compaction" {
  description = "Compaction of the enriched rows into large objects, on by default: the enricher writes each invocation's rows under `OUTPUT_PREFIX_staging/` (skipped by Athena), and the enricher in `compact` mode (function `NAME-compaction`, reserved concurrency 1) run by a `vpcflow_compaction_schedule` (rule `NAME-compaction`) merges every hour partition `grace` after its hour ended into objects of up to 128 MiB under `OUTPUT_PREFIX`, one per partition, plus one per later run that finds late rows. Rows are in the table only once compacted, so up to an hour plus `grace` plus the schedule's interval after their window. Fields: `enabled` (false writes every invocation's rows straight under `OUTPUT_PREFIX`, as small objects); `schedule_expression`; `grace`, a Go duration; `memory_size` in MB (a 128 MiB object is built in memory); `timeout` of a run in seconds."
  type = object({
    enabled             = optional(bool, true)
    schedule_expression = optional(string, "rate(15 minutes)")
    grace               = optional(string, "1h")
    memory_size         = optional(number, 1024)
    timeout             = optional(number, 900)
  })
  default  = {}
  nullable = false

  validation {
    condition     = can(regex("^(rate\\([0-9]+ (minute|minutes|hour|hours|day|days)\\)|cron\\(.+\\))$", var.compaction.schedule_expression))
    error_message = "compaction.schedule_expression must be rate(N unit) or cron(...), e.g. rate(15 minutes)."
  }

  validation {
    condition     = can(regex("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$", var.compaction.grace))
    error_message = "compaction.grace must be a duration such as 1h, 45m or 1h30m."
  }

  validation {
    condition     = var.compaction.memory_size >= 256 && var.compaction.memory_size <= 10240
    error_message = "compaction.memory_size must be between 256 and 10240 MB."
  }

  validation {
    condition     = var.compaction.timeout >= 60 && var.compaction.timeout <= 900
    error_message = "compaction.timeout must be between 60 and 900 seconds."
  }
}

output "compaction_function_arn" {
  description = "ARN of the compaction function (the enricher in `compact` mode); null when `compaction.enabled` is false."
  value       = local.compaction ? vpcflow_enricher_function.compaction[0].arn : null
}

output "compaction_rule_arn" {
  description = "ARN of the EventBridge rule that runs the compaction; null when `compaction.enabled` is false."
  value       = local.compaction ? vpcflow_compaction_schedule.this[0].rule_arn : null
}
