# A check block that fails while any VPC of the region has no flow log or
# any flow log delivers nothing. Terraform runs it on every plan and apply
# and prints a failing assertion as a warning; HCP Terraform's health
# assessments run it on a schedule between applies, which is when flow
# logs break (a role or key policy edited, a log group deleted, a VPC
# created outside Terraform).
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

variable "exclude_vpc_ids" {
  description = "VPCs deliberately without flow logs, such as unused default VPCs."
  type        = list(string)
  default     = []
}

variable "traffic_type" {
  description = "Traffic every VPC's flow logs must record: ALL, ACCEPT or REJECT."
  type        = string
  default     = "ALL"

  validation {
    condition     = contains(["ALL", "ACCEPT", "REJECT"], var.traffic_type)
    error_message = "traffic_type must be ALL, ACCEPT or REJECT."
  }
}

check "vpc_flow_logs" {
  # Scoped to the check: a failing scan is a warning, not a failed run.
  data "vpcflow_coverage" "region" {
    traffic_type    = var.traffic_type
    exclude_vpc_ids = var.exclude_vpc_ids
  }

  assert {
    condition     = length(data.vpcflow_coverage.region.vpcs_without_flow_logs) == 0
    error_message = "VPCs without a flow log recording ${var.traffic_type} traffic: ${join(", ", data.vpcflow_coverage.region.vpcs_without_flow_logs)}."
  }

  assert {
    condition = length(data.vpcflow_coverage.region.failing_flow_logs) == 0
    error_message = join("\n\n", [
      for f in data.vpcflow_coverage.region.failing_flow_logs :
      "${f.flow_log_id} (${f.resource_id}) delivers nothing: ${f.root_cause}"
    ])
  }
}
