variable "name" {
  description = "Prefix of every name the module gives: the functions `NAME-enricher` and `NAME-inventory`, the table `NAME-inventory`, the stream `NAME-flow-logs`, the Logs destination `NAME-flow-logs`, the subscription filters `NAME-enricher`."
  type        = string
  default     = "vpcflow"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,39}$", var.name))
    error_message = "name must be 1 to 39 letters, digits, - and _ (it prefixes function, role, rule and table names)."
  }
}

variable "output_bucket" {
  description = "Name of the S3 bucket the enricher writes connection rows to, under `output_prefix`. The bucket is not created here; the enricher's role may only `s3:PutObject` under the prefix."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.output_bucket))
    error_message = "output_bucket must be an S3 bucket name (3 to 63 lower-case letters, digits, . and -), not an ARN or URL."
  }
}

variable "output_prefix" {
  description = "Key prefix of the rows, ending with `/`. Rows go to `s3://BUCKET/PREFIXdt=YYYY-MM-DD/hour=HH/`; keep one format under one prefix."
  type        = string
  default     = "connections/"

  validation {
    condition     = var.output_prefix == "" || (endswith(var.output_prefix, "/") && !startswith(var.output_prefix, "/"))
    error_message = "output_prefix must be empty or end with / and not begin with / (e.g. connections/)."
  }
}

variable "output_format" {
  description = "Format of the rows: `ndjson` (gzip NDJSON, table `vpcflow_connections`) or `parquet` (table `vpcflow_connections_parquet`)."
  type        = string
  default     = "ndjson"

  validation {
    condition     = contains(["ndjson", "parquet"], var.output_format)
    error_message = "output_format must be ndjson or parquet."
  }
}

variable "log_group_names" {
  description = "Flow log groups of this account to subscribe to the enricher (the `flow-logs` module's `log_group_name`). CloudWatch Logs allows two subscription filters per group; the plan fails, naming the filters there, if there is no room."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for n in var.log_group_names : can(regex("^[A-Za-z0-9_./#-]{1,512}$", n))])
    error_message = "log_group_names must be log group names (letters, digits and _ - / . #), not ARNs."
  }
}

variable "delivery" {
  description = "How records reach the enricher: `direct` (the subscription filter invokes the function) or `kinesis` (through a Kinesis data stream and an event source mapping, in batches: cheaper at volume, and needed for other accounts' log groups)."
  type        = string
  default     = "direct"

  validation {
    condition     = contains(["direct", "kinesis"], var.delivery)
    error_message = "delivery must be direct or kinesis."
  }

  validation {
    condition     = var.delivery == "kinesis" || (length(var.source_account_ids) == 0 && var.organization_id == null)
    error_message = "Other accounts' log groups reach the enricher through a Logs destination, which targets a stream: set delivery = \"kinesis\"."
  }
}

variable "kinesis_role_arn" {
  description = "Role CloudWatch Logs assumes to put records into the stream, for `delivery = \"kinesis\"`: it must trust `logs.amazonaws.com` (with `aws:SourceArn` conditions for the subscribing log groups or the destination) and allow `kinesis:PutRecord` on the stream `NAME-flow-logs`. The plan reads it and fails if it could not."
  type        = string
  default     = null

  validation {
    condition     = var.kinesis_role_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.kinesis_role_arn))
    error_message = "kinesis_role_arn must be an IAM role ARN: arn:aws:iam::ACCOUNT:role/NAME."
  }

  validation {
    condition     = (var.delivery == "kinesis") == (var.kinesis_role_arn != null)
    error_message = "kinesis_role_arn is required when delivery is \"kinesis\", and only then."
  }
}

variable "kinesis_stream_mode" {
  description = "Capacity mode of the stream: `ON_DEMAND` (scales with the flow logs) or `PROVISIONED` (needs `kinesis_shard_count`)."
  type        = string
  default     = "ON_DEMAND"

  validation {
    condition     = contains(["ON_DEMAND", "PROVISIONED"], var.kinesis_stream_mode)
    error_message = "kinesis_stream_mode must be ON_DEMAND or PROVISIONED."
  }
}

variable "kinesis_shard_count" {
  description = "Shards of a `PROVISIONED` stream; each takes 1 MB/s or 1000 records/s."
  type        = number
  default     = null

  validation {
    condition     = (var.kinesis_stream_mode == "PROVISIONED") == (var.kinesis_shard_count != null)
    error_message = "kinesis_shard_count is required for a PROVISIONED stream, and only then."
  }

  validation {
    condition     = var.kinesis_shard_count == null || try(var.kinesis_shard_count >= 1 && floor(var.kinesis_shard_count) == var.kinesis_shard_count, false)
    error_message = "kinesis_shard_count must be a whole number of at least 1."
  }
}

variable "kinesis_retention_hours" {
  description = "Hours a record stays in the stream, 24 to 8760: longer lets the enricher catch up after an outage."
  type        = number
  default     = 24

  validation {
    condition     = var.kinesis_retention_hours >= 24 && var.kinesis_retention_hours <= 8760
    error_message = "kinesis_retention_hours must be between 24 and 8760."
  }
}

variable "source_account_ids" {
  description = "Other accounts whose flow log groups may subscribe, through the CloudWatch Logs destination `NAME-flow-logs` the module creates (the `source-account` module subscribes them). Needs `delivery = \"kinesis\"`."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.source_account_ids : can(regex("^[0-9]{12}$", id))])
    error_message = "source_account_ids must be 12-digit account IDs."
  }
}

variable "organization_id" {
  description = "AWS Organizations ID (`o-...`) instead of `source_account_ids`: any account of the organization may subscribe through the destination."
  type        = string
  default     = null

  validation {
    condition     = var.organization_id == null || can(regex("^o-[a-z0-9]{10,32}$", var.organization_id))
    error_message = "organization_id must look like o-a1b2c3d4e5."
  }

  validation {
    condition     = var.organization_id == null || length(var.source_account_ids) == 0
    error_message = "Set source_account_ids or organization_id, not both."
  }
}

variable "source_account_role_arns" {
  description = "Roles of other accounts (the `source-account` module's `role_arn`) the inventory function may assume to describe their network interfaces."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.source_account_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", arn))])
    error_message = "source_account_role_arns must be IAM role ARNs."
  }
}

variable "source_account_external_ids" {
  description = "External ID each role of `source_account_role_arns` requires (`sts:ExternalId`), by role ARN: the `source-account` module's `external_id` of that account. The role's trust policy refuses the inventory function without it. Sensitive: passed to the function as a sensitive attribute, never in a plain environment map."
  type        = map(string)
  default     = {}
  nullable    = false
  sensitive   = true

  validation {
    condition     = alltrue([for arn in keys(var.source_account_external_ids) : contains(var.source_account_role_arns, arn)])
    error_message = "source_account_external_ids must be keyed by role ARNs listed in source_account_role_arns."
  }

  validation {
    condition     = alltrue([for id in values(var.source_account_external_ids) : length(id) >= 2 && length(id) <= 1224 && can(regex("^[A-Za-z0-9+=,.@:/-]+$", id))])
    error_message = "Each external ID must be 2 to 1224 letters, digits and +=,.@:/-."
  }
}

variable "inventory_rules" {
  description = "EventBridge rules that keep the inventory current between syncs, on `inventory_event_bus_name`: any of `tag-changes`, `api-calls` (EC2 calls that create, delete, attach, detach or re-address interfaces; needs a CloudTrail trail recording management events, which the plan checks), `instance-state`. Empty for none."
  type        = set(string)
  default     = ["tag-changes", "api-calls", "instance-state"]

  validation {
    condition     = alltrue([for k in var.inventory_rules : contains(["tag-changes", "api-calls", "instance-state"], k)])
    error_message = "inventory_rules may contain only tag-changes, api-calls and instance-state."
  }
}

variable "inventory_event_bus_name" {
  description = "Event bus of the inventory rules. `default` receives this account's AWS events and, when its policy lets them, the events the `source-account` module forwards from other accounts."
  type        = string
  default     = "default"

  validation {
    condition     = can(regex("^[A-Za-z0-9._/-]{1,256}$", var.inventory_event_bus_name))
    error_message = "inventory_event_bus_name must be an event bus name."
  }
}

variable "architecture" {
  description = "Instruction set of both functions: `arm64` (Graviton, cheaper per GB-second) or `x86_64`."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "memory_size" {
  description = "Memory of the enricher in MB, 128 to 10240; Lambda gives CPU in proportion."
  type        = number
  default     = 256

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240
    error_message = "memory_size must be between 128 and 10240."
  }
}

variable "timeout" {
  description = "Seconds an enricher invocation may run, 1 to 900."
  type        = number
  default     = 60

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900
    error_message = "timeout must be between 1 and 900."
  }
}

variable "window" {
  description = "Aggregation window of connections, as a Go duration such as `60s` or `5m`."
  type        = string
  default     = "60s"

  validation {
    condition     = can(regex("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$", var.window))
    error_message = "window must be a duration such as 60s, 5m or 1m30s."
  }
}

variable "log_format" {
  description = "Log format of the subscribed flow logs when it is not AWS's default (the `flow-logs` module's `log_format`), so the enricher can read the records."
  type        = string
  default     = null
}

variable "log_formats" {
  description = "Flow log format of each log group whose flow logs use another format than `log_format`, by log group name, as `$${field}` references. Passed to the enricher as `VPCFLOW_LOG_FORMATS` (JSON); these groups are subscribed too, with `log_group_names`."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for n in keys(var.log_formats) : can(regex("^[A-Za-z0-9_./#-]{1,512}$", n))])
    error_message = "log_formats keys must be log group names (letters, digits and _ - / . #), not ARNs."
  }

  validation {
    condition     = alltrue([for f in values(var.log_formats) : can(regex("^\\$\\{[a-z0-9-]+\\}( \\$\\{[a-z0-9-]+\\})*$", f))])
    error_message = "log_formats values must be flow log formats: $${field} references separated by single spaces, e.g. \"$${version} $${srcaddr} $${dstaddr}\"."
  }
}

variable "reserved_concurrent_executions" {
  description = "Concurrency reserved for the enricher, which also caps it. Null uses the account's unreserved pool."
  type        = number
  default     = null

  validation {
    condition     = var.reserved_concurrent_executions == null || try(var.reserved_concurrent_executions >= 0, false)
    error_message = "reserved_concurrent_executions must be 0 or more."
  }
}

variable "on_failure_destination_arn" {
  description = "Where a batch of flow log records that failed all its retries is recorded: an SQS queue (recommended), SNS topic, Lambda function or EventBridge bus for `delivery = \"direct\"` (the functions' asynchronous invocations), an SQS queue or SNS topic for `delivery = \"kinesis\"` (the event source mapping, and the functions). The functions' roles are allowed to send there (`sqs:SendMessage`, `sns:Publish`, ...). Without it Lambda drops a failed batch with no trace, and the plan warns."
  type        = string
  default     = null

  validation {
    condition     = var.on_failure_destination_arn == null || can(regex("^arn:aws[a-z-]*:(sqs|sns|lambda|events):[a-z0-9-]+:[0-9]{12}:.+$", var.on_failure_destination_arn))
    error_message = "on_failure_destination_arn must be the ARN of an SQS queue, SNS topic, Lambda function or EventBridge event bus."
  }

  validation {
    condition     = var.on_failure_destination_arn == null || var.delivery != "kinesis" || can(regex("^arn:aws[a-z-]*:(sqs|sns):", var.on_failure_destination_arn))
    error_message = "With delivery = \"kinesis\" the event source mapping sends failed batches to on_failure_destination_arn, and it takes only an SQS queue or SNS topic."
  }
}

variable "function_log_retention_in_days" {
  description = "Days the functions' own log groups keep their events."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.function_log_retention_in_days)
    error_message = "function_log_retention_in_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ... 3653)."
  }
}

variable "permissions_boundary" {
  description = "ARN of a managed policy that bounds the functions' execution roles. The plan fails, on the function at fault, if it denies anything a function needs."
  type        = string
  default     = null

  validation {
    condition     = var.permissions_boundary == null || can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/.+$", var.permissions_boundary))
    error_message = "permissions_boundary must be a managed policy ARN."
  }
}

variable "inventory_point_in_time_recovery" {
  description = "Point-in-time recovery of the inventory table: the history of who owned an address."
  type        = bool
  default     = true
}

variable "inventory_deletion_protection" {
  description = "Deletion protection of the inventory table; `terraform destroy` fails until it is set back to `false`."
  type        = bool
  default     = false
}

variable "athena_query_app" {
  description = "Value of the `app` tag the `app_peers` named query (and `athena_queries`) is about. Any text: it is written into the query as a SQL string (`provider::vpcflow::sql_string`). Null leaves `{{app}}` in that query, to replace with a SQL string (such as `'web'`) before running it."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags of every resource the module creates."
  type        = map(string)
  default     = {}
}

variable "watchdog" {
  description = "The flow log coverage watchdog: the enricher in `watchdog` mode (function `NAME-watchdog`, with its own execution role, checked at plan time as the other functions' are) run by a `vpcflow_watchdog` schedule (rule `NAME-watchdog`). Each run scans for VPCs without flow logs and flow logs that fail to deliver, publishes CloudWatch metrics (`VPCsWithoutFlowLogs`, `FlowLogsFailingDelivery`, ... with dimensions `Account` and `Region`) and sends an EventBridge event (`source = \"vpcflow.watchdog\"`) per flow log that starts failing or recovers. Fields: `enabled` deploys it (true once the object is set); `schedule_expression`; `metric_namespace` (`VPCFlow` when null); `event_bus_name`, a name or ARN (`default` when null); `state_bucket` and `state_prefix` (`vpcflow-watchdog/` when null), where it remembers what it announced, without which every run announces every failing flow log; `scan_targets` (`account_id`, `region`, `role_arn`; the external IDs of their roles go in `watchdog_external_ids`, which is sensitive), this account and region when null; `traffic_type` (`ALL`, `ACCEPT` or `REJECT`) a VPC's flow logs must capture; `exclude_vpc_ids`; `timeout` of a run in seconds."
  type = object({
    enabled             = optional(bool, true)
    schedule_expression = optional(string, "rate(15 minutes)")
    metric_namespace    = optional(string)
    event_bus_name      = optional(string)
    state_bucket        = optional(string)
    state_prefix        = optional(string)
    scan_targets = optional(list(object({
      account_id  = optional(string)
      region      = optional(string)
      role_arn    = optional(string)
      external_id = optional(string)
    })))
    traffic_type    = optional(string)
    exclude_vpc_ids = optional(set(string))
    timeout         = optional(number, 300)
  })
  default  = { enabled = false }
  nullable = false

  validation {
    condition     = can(regex("^(rate\\([0-9]+ (minute|minutes|hour|hours|day|days)\\)|cron\\(.+\\))$", var.watchdog.schedule_expression))
    error_message = "watchdog.schedule_expression must be rate(N unit) or cron(...), e.g. rate(15 minutes)."
  }

  validation {
    condition     = var.watchdog.traffic_type == null || contains(["ALL", "ACCEPT", "REJECT"], coalesce(var.watchdog.traffic_type, "ALL"))
    error_message = "watchdog.traffic_type must be ALL, ACCEPT or REJECT."
  }

  validation {
    condition     = var.watchdog.state_prefix == null || var.watchdog.state_bucket != null
    error_message = "watchdog.state_prefix needs watchdog.state_bucket."
  }

  validation {
    condition     = alltrue([for t in(var.watchdog.scan_targets == null ? [] : var.watchdog.scan_targets) : t.external_id == null])
    error_message = "watchdog.scan_targets[*].external_id is not sensitive and would show in plans and logs: give the external IDs in watchdog_external_ids, by role ARN, instead."
  }

  validation {
    condition     = var.watchdog.timeout >= 1 && var.watchdog.timeout <= 900
    error_message = "watchdog.timeout must be between 1 and 900."
  }
}

variable "watchdog_external_ids" {
  description = "External ID each role of `watchdog.scan_targets` requires (`sts:ExternalId`), by role ARN. Sensitive: passed to the watchdog as the sensitive `scan_targets[*].external_id` of its function."
  type        = map(string)
  default     = {}
  nullable    = false
  sensitive   = true

  validation {
    condition     = alltrue([for arn in keys(var.watchdog_external_ids) : contains([for t in(var.watchdog.scan_targets == null ? [] : var.watchdog.scan_targets) : t.role_arn if t.role_arn != null], arn)])
    error_message = "watchdog_external_ids must be keyed by role ARNs of watchdog.scan_targets."
  }

  validation {
    condition     = alltrue([for id in values(var.watchdog_external_ids) : length(id) >= 2 && length(id) <= 1224 && can(regex("^[A-Za-z0-9+=,.@:/_-]+$", id))])
    error_message = "Each external ID must be 2 to 1224 letters, digits and _+=,.@:/-."
  }
}
