# The flow log coverage watchdog on its own: a scheduled function that
# publishes how many VPCs have no flow log and how many flow logs deliver
# nothing, and sends an EventBridge event when one starts failing or
# recovers. It needs no enrichment pipeline.
terraform {
  required_version = ">= 1.11"
  required_providers {
    vpcflow = {
      source = "vpcflow/vpcflow"
    }
  }
}

# Region, credentials and endpoint come from the environment (AWS_REGION,
# AWS_ENDPOINT_URL for a local AWS).
provider "vpcflow" {}

variable "state_bucket" {
  description = "Bucket where the watchdog remembers what it announced; null announces every failing flow log at every run."
  type        = string
  default     = null
}

module "watchdog" {
  source = "../../modules/watchdog"

  schedule_expression = "rate(15 minutes)"
  state_bucket        = var.state_bucket
  exclude_vpc_ids     = []
}

output "metric_namespace" {
  description = "CloudWatch namespace of the watchdog's metrics, for alarms."
  value       = module.watchdog.metric_namespace
}
