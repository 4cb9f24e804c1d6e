# Flow logs that cannot fail silently, enriched, in one account: every VPC
# of the region logs to a log group through a least-privilege delivery role
# (modules/flow-logs), and the central pipeline subscribes to that group,
# and to the log groups of flow logs made elsewhere, and writes connection
# rows to S3 for Athena (modules/enrichment), directly or through a Kinesis
# stream when a role for CloudWatch Logs to put records into it is given. A
# watchdog checks on a schedule that no flow log goes silent later.
terraform {
  required_version = ">= 1.9"

  required_providers {
    vpcflow = {
      source  = "vpcflow/vpcflow"
      version = ">= 0.1.0"
    }
  }
}

# Region and credentials come from the environment (AWS_REGION, a profile,
# AWS_ENDPOINT_URL for a local AWS); a failing delivery check fails the plan.
provider "vpcflow" {
  validation = "error"
}

variable "output_bucket" {
  description = "Existing S3 bucket the enriched connection rows are written to."
  type        = string
}

variable "vpc_ids" {
  description = "VPCs to log; null for every VPC of the region except the default VPC."
  type        = list(string)
  default     = null
}

variable "log_format" {
  description = "Format of the flow logs this configuration creates. The default has the version 5 fields the enricher uses: interface-id to count each direction once, tcp-flags to tell client from server, traffic-path for the route egress traffic took."
  type        = string
  default     = "$${version} $${account-id} $${interface-id} $${srcaddr} $${dstaddr} $${srcport} $${dstport} $${protocol} $${packets} $${bytes} $${start} $${end} $${action} $${log-status} $${vpc-id} $${subnet-id} $${tcp-flags} $${flow-direction} $${traffic-path}"
}

variable "other_flow_log_groups" {
  description = "Log groups of flow logs made elsewhere, to enrich as well: log group name to the format of its flow logs."
  type        = map(string)
  default     = {}
}

variable "kinesis_role_arn" {
  description = "Role CloudWatch Logs assumes to put records into the enricher's Kinesis stream; null subscribes the function directly."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags of every resource created."
  type        = map(string)
  default     = { team = "network" }
}

module "flow_logs" {
  source = "../../modules/flow-logs"

  name                     = "vpc-flow-logs"
  vpc_ids                  = var.vpc_ids
  retention_in_days        = 90
  log_format               = var.log_format
  max_aggregation_interval = 60
  tags                     = var.tags
}

module "enrichment" {
  source = "../../modules/enrichment"

  name             = "vpcflow"
  output_bucket    = var.output_bucket
  log_group_names  = [module.flow_logs.log_group_name]
  log_format       = module.flow_logs.log_format
  log_formats      = var.other_flow_log_groups
  delivery         = var.kinesis_role_arn == null ? "direct" : "kinesis"
  kinesis_role_arn = var.kinesis_role_arn
  # Every 15 minutes: VPCs without flow logs and flow logs failing delivery,
  # as CloudWatch metrics and EventBridge events, remembered in the bucket.
  watchdog = { state_bucket = var.output_bucket }
  # The rows' Glue table and the named queries, ready in Athena after apply,
  # in a workgroup that stops any query at 100 GB scanned.
  catalog = { bytes_scanned_cutoff_per_query = 100000000000 }
  tags    = var.tags
}

output "flow_log_ids" {
  description = "Flow log of each VPC."
  value       = module.flow_logs.flow_log_ids
}

output "deliver_logs_status" {
  description = "AWS's delivery status of each flow log, read on every refresh."
  value       = module.flow_logs.deliver_logs_status
}

output "log_group_name" {
  description = "The flow logs' log group."
  value       = module.flow_logs.log_group_name
}

output "enricher_function_name" {
  description = "The enricher function."
  value       = module.enrichment.enricher_function_name
}

output "output_location" {
  description = "Where the connection rows are written."
  value       = module.enrichment.output_location
}

output "athena_table_sql" {
  description = "The Athena table over the rows, as DDL; the module has created it in the Glue Data Catalog."
  value       = module.enrichment.athena_table_sql
}

output "glue_table_arn" {
  description = "The Glue table of the rows, with partition projection: query it in Athena as vpcflow.vpcflow_connections."
  value       = module.enrichment.glue_table_arn
}

output "athena_named_query_ids" {
  description = "The named queries saved in Athena's workgroup vpcflow, by name."
  value       = module.enrichment.athena_named_query_ids
}
