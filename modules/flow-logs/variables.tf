variable "name" {
  description = "Name of the delivery role and, unless `log_group_name` is set, the last part of the log group name (`/aws/vpc/flow-logs/NAME`)."
  type        = string
  default     = "vpc-flow-logs"

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.name))
    error_message = "name must be 1 to 64 letters, digits and +=,.@_- (it names an IAM role)."
  }
}

variable "vpc_ids" {
  description = "VPCs to log, one flow log each; their IDs must be known at plan time. Null (the default) logs every VPC the account owns in the provider's region, listed at plan time by `vpcflow_coverage`, less `exclude_vpc_ids` and, unless `include_default_vpc` is set, the default VPC: a VPC created later gets its flow log at the next apply."
  type        = list(string)
  default     = null

  validation {
    condition     = var.vpc_ids == null || (length(coalesce(var.vpc_ids, [])) > 0 && alltrue([for id in coalesce(var.vpc_ids, []) : can(regex("^vpc-[0-9a-f]{8,17}$", id))]))
    error_message = "vpc_ids must list at least one VPC ID (vpc-0123456789abcdef0), or be null for every VPC of the region."
  }

  validation {
    condition     = var.vpc_ids == null || length(distinct(coalesce(var.vpc_ids, []))) == length(coalesce(var.vpc_ids, []))
    error_message = "vpc_ids lists a VPC more than once."
  }
}

variable "exclude_vpc_ids" {
  description = "VPCs left out when `vpc_ids` is null (every VPC of the region)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.exclude_vpc_ids : can(regex("^vpc-[0-9a-f]{8,17}$", id))])
    error_message = "exclude_vpc_ids must list VPC IDs (vpc-0123456789abcdef0)."
  }

  validation {
    condition     = var.vpc_ids == null || length(var.exclude_vpc_ids) == 0
    error_message = "exclude_vpc_ids applies only when vpc_ids is null (every VPC of the region); leave the VPC out of vpc_ids instead."
  }
}

variable "include_default_vpc" {
  description = "Also log the region's default VPC when `vpc_ids` is null."
  type        = bool
  default     = false
}

variable "destination_type" {
  description = "Where records go: `cloud-watch-logs` (a log group, which the enrichment pipeline subscribes to) or `s3` (the bucket in `s3_destination_arn`)."
  type        = string
  default     = "cloud-watch-logs"

  validation {
    condition     = contains(["cloud-watch-logs", "s3"], var.destination_type)
    error_message = "destination_type must be cloud-watch-logs or s3."
  }
}

variable "traffic_type" {
  description = "Traffic to log: `ALL`, `ACCEPT` or `REJECT`."
  type        = string
  default     = "ALL"

  validation {
    condition     = contains(["ALL", "ACCEPT", "REJECT"], var.traffic_type)
    error_message = "traffic_type must be ALL, ACCEPT or REJECT."
  }
}

variable "log_format" {
  description = "Fields of each record as `$${field}` references, e.g. `$${version} $${interface-id} $${srcaddr} $${dstaddr} $${action}`. Checked field by field at plan time. Null for AWS's default format."
  type        = string
  default     = null
}

variable "max_aggregation_interval" {
  description = "Longest time, in seconds, a flow is aggregated into one record: `60` or `600`."
  type        = number
  default     = 600

  validation {
    condition     = contains([60, 600], var.max_aggregation_interval)
    error_message = "max_aggregation_interval must be 60 or 600."
  }
}

variable "log_group_name" {
  description = "Name of the log group the module creates. Defaults to `/aws/vpc/flow-logs/NAME`. Ignored when `log_group_arn` is set or `destination_type` is `s3`."
  type        = string
  default     = null

  validation {
    condition     = var.log_group_name == null || can(regex("^[A-Za-z0-9_./#-]{1,512}$", var.log_group_name))
    error_message = "log_group_name must be 1 to 512 letters, digits and _ - / . #."
  }
}

variable "log_group_arn" {
  description = "ARN of an existing log group to deliver to instead of creating one (`arn:aws:logs:REGION:ACCOUNT:log-group:NAME`). The delivery role the module creates is scoped to it."
  type        = string
  default     = null

  validation {
    condition     = var.log_group_arn == null || can(regex("^arn:aws[a-z-]*:logs:[a-z0-9-]+:[0-9]{12}:log-group:[^:*]+(:\\*)?$", var.log_group_arn))
    error_message = "log_group_arn must be a log group ARN: arn:aws:logs:REGION:ACCOUNT:log-group:NAME."
  }

  validation {
    condition     = var.log_group_arn == null || var.destination_type == "cloud-watch-logs"
    error_message = "log_group_arn applies to destination_type = \"cloud-watch-logs\" only."
  }
}

variable "retention_in_days" {
  description = "Days the log group keeps each record. One of the values CloudWatch Logs accepts, from 1 to 3653."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.retention_in_days)
    error_message = "retention_in_days must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "kms_key_arn" {
  description = "ARN of a KMS key that encrypts the log group the module creates. The plan reads its key policy and fails with the statement to add if CloudWatch Logs may not use it. Null for CloudWatch Logs' own encryption."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN: arn:aws:kms:REGION:ACCOUNT:key/ID."
  }
}

variable "log_group_class" {
  description = "Log class of the log group the module creates: `STANDARD` or `INFREQUENT_ACCESS` (cheaper ingestion, but no subscription filters: the enrichment pipeline needs `STANDARD`)."
  type        = string
  default     = "STANDARD"

  validation {
    condition     = contains(["STANDARD", "INFREQUENT_ACCESS"], var.log_group_class)
    error_message = "log_group_class must be STANDARD or INFREQUENT_ACCESS."
  }
}

variable "log_group_skip_destroy" {
  description = "Keep the log group and its records in AWS when the module is destroyed."
  type        = bool
  default     = false
}

variable "delivery_role_arn" {
  description = "ARN of an existing role for VPC Flow Logs to assume instead of creating one. The plan reads its trust policy, permissions and boundary and fails with the statement at fault if delivery would not work."
  type        = string
  default     = null

  validation {
    condition     = var.delivery_role_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.delivery_role_arn))
    error_message = "delivery_role_arn must be an IAM role ARN: arn:aws:iam::ACCOUNT:role/NAME."
  }

  validation {
    condition     = var.delivery_role_arn == null || var.destination_type == "cloud-watch-logs"
    error_message = "delivery_role_arn applies to destination_type = \"cloud-watch-logs\" only: S3 delivery uses the bucket policy."
  }
}

variable "role_path" {
  description = "IAM path of the delivery role the module creates."
  type        = string
  default     = "/"

  validation {
    condition     = can(regex("^/([A-Za-z0-9+=,.@_-]+/)*$", var.role_path))
    error_message = "role_path must begin and end with / (e.g. /network/)."
  }
}

variable "role_permissions_boundary" {
  description = "ARN of a managed policy that bounds the delivery role the module creates. The plan fails if it denies anything delivery needs."
  type        = string
  default     = null

  validation {
    condition     = var.role_permissions_boundary == null || can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/.+$", var.role_permissions_boundary))
    error_message = "role_permissions_boundary must be a managed policy ARN: arn:aws:iam::ACCOUNT:policy/NAME."
  }
}

variable "s3_destination_arn" {
  description = "Bucket, with an optional key prefix, for `destination_type = \"s3\"`: `arn:aws:s3:::BUCKET` or `arn:aws:s3:::BUCKET/PREFIX`. The plan reads its bucket policy and fails if the delivery service may not write the keys AWS will use."
  type        = string
  default     = null

  validation {
    condition     = var.s3_destination_arn == null || can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$", var.s3_destination_arn))
    error_message = "s3_destination_arn must be a bucket ARN with an optional prefix: arn:aws:s3:::BUCKET/PREFIX."
  }

  validation {
    condition     = (var.destination_type == "s3") == (var.s3_destination_arn != null)
    error_message = "s3_destination_arn is required when destination_type is \"s3\", and only then."
  }
}

variable "s3_file_format" {
  description = "Format of the files of an S3 destination: `plain-text` or `parquet`."
  type        = string
  default     = "plain-text"

  validation {
    condition     = contains(["plain-text", "parquet"], var.s3_file_format)
    error_message = "s3_file_format must be plain-text or parquet."
  }
}

variable "s3_hive_compatible_partitions" {
  description = "Whether S3 keys use Hive-compatible prefixes (`AWSLogs/aws-account-id=ACCOUNT/...`); the bucket policy must allow those keys."
  type        = bool
  default     = false
}

variable "s3_per_hour_partition" {
  description = "Whether S3 files are partitioned per hour rather than per day."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags of every resource the module creates."
  type        = map(string)
  default     = {}
}
