variable "name" {
  description = "Name of the watchdog function and of its schedule rule."
  type        = string
  default     = "vpcflow-watchdog"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.name))
    error_message = "name must be 1 to 64 letters, digits, hyphens or underscores (a Lambda function name)."
  }
}

variable "schedule_expression" {
  description = "How often the watchdog runs: rate(N unit) or cron(...)."
  type        = string
  default     = "rate(15 minutes)"

  validation {
    condition     = can(regex("^(rate\\([0-9]+ (minute|minutes|hour|hours|day|days)\\)|cron\\(.+\\))$", var.schedule_expression))
    error_message = "schedule_expression must be rate(N unit) or cron(...), e.g. rate(15 minutes)."
  }
}

variable "enabled" {
  description = "Whether the schedule runs the watchdog."
  type        = bool
  default     = true
}

variable "metric_namespace" {
  description = "CloudWatch namespace of the watchdog's metrics; `VPCFlow` when null."
  type        = string
  default     = null
}

variable "event_bus_name" {
  description = "EventBridge bus (name or ARN) of the events of flow logs that start failing or recover; `default` when null."
  type        = string
  default     = null
}

variable "state_bucket" {
  description = "Bucket where the watchdog remembers what it announced; without it every run announces every failing flow log again. Optional: the watchdog needs no other bucket."
  type        = string
  default     = null
}

variable "state_prefix" {
  description = "Key prefix of the state in `state_bucket`; `vpcflow-watchdog/` when null."
  type        = string
  default     = null

  validation {
    condition     = var.state_prefix == null || var.state_bucket != null
    error_message = "state_prefix needs state_bucket."
  }
}

variable "scan_targets" {
  description = "Accounts and regions to scan (`account_id`, `region`, `role_arn`, `external_id`); the function's own account and region when null."
  type = list(object({
    account_id  = optional(string)
    region      = optional(string)
    role_arn    = optional(string)
    external_id = optional(string)
  }))
  default = null
}

variable "traffic_type" {
  description = "Traffic a VPC's flow logs must capture to count as covered: `ALL`, `ACCEPT` or `REJECT`; `ALL` when null."
  type        = string
  default     = null

  validation {
    condition     = var.traffic_type == null || contains(["ALL", "ACCEPT", "REJECT"], coalesce(var.traffic_type, "ALL"))
    error_message = "traffic_type must be ALL, ACCEPT or REJECT."
  }
}

variable "exclude_vpc_ids" {
  description = "VPCs left out of the coverage count, such as unused default VPCs."
  type        = set(string)
  default     = null
}

variable "timeout" {
  description = "Timeout of a run, in seconds."
  type        = number
  default     = 300

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900
    error_message = "timeout must be between 1 and 900."
  }
}

variable "architecture" {
  description = "Architecture of the function: `arm64` or `x86_64`."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "on_failure_destination_arn" {
  description = "Queue, topic, bus or function that receives runs that failed; none when null."
  type        = string
  default     = null
}

variable "log_retention_in_days" {
  description = "Retention of the function's log group, in days; the function resource's default when null."
  type        = number
  default     = null
}

variable "permissions_boundary" {
  description = "ARN of a permissions boundary for the function's execution role; none when null."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags of the function, its role and the schedule rule."
  type        = map(string)
  default     = {}
}
