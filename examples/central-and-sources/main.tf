# A central account that enriches the flow logs of two workload accounts.
#
#   workload accounts (each): flow logs of every VPC into a log group
#     (modules/flow-logs), subscribed to the central Logs destination, a
#     read-only inventory role the central account assumes with an external
#     ID, inventory events forwarded to the central bus
#     (modules/source-account);
#   central account: the Logs destination, a Kinesis stream, the enricher
#     and inventory functions, the inventory table and rules
#     (modules/enrichment), and a check that every VPC of every workload
#     account has a flow log that delivers.
#
# One provider configuration per account, each assuming a role there.
# setup-moto.sh creates, on a local AWS, what the example expects to exist.
terraform {
  required_version = ">= 1.9"

  required_providers {
    vpcflow = {
      source  = "vpcflow/vpcflow"
      version = ">= 0.1.0"
    }
  }
}

provider "vpcflow" {
  alias  = "central"
  region = var.region
  assume_role {
    role_arn     = "arn:aws:iam::${var.central_account_id}:role/${var.admin_role_name}"
    session_name = "vpcflow-central"
  }
}

provider "vpcflow" {
  alias  = "workload_a"
  region = var.region
  assume_role {
    role_arn     = "arn:aws:iam::${var.workload_account_ids.a}:role/${var.admin_role_name}"
    session_name = "vpcflow-workload-a"
  }
}

provider "vpcflow" {
  alias  = "workload_b"
  region = var.region
  assume_role {
    role_arn     = "arn:aws:iam::${var.workload_account_ids.b}:role/${var.admin_role_name}"
    session_name = "vpcflow-workload-b"
  }
}

locals {
  workload_account_ids = values(var.workload_account_ids)
  # The workload accounts' inventory roles, by the name the source-account
  # module gives them: built here rather than read from the modules, since
  # the roles trust the central inventory function's role in turn.
  inventory_reader_role_name = "vpcflow-inventory-reader"
  inventory_reader_role_arns = [for id in local.workload_account_ids : "arn:aws:iam::${id}:role/${local.inventory_reader_role_name}"]
  central_event_bus_arn      = "arn:aws:events:${var.region}:${var.central_account_id}:event-bus/default"
}

module "central" {
  source    = "../../modules/enrichment"
  providers = { vpcflow = vpcflow.central }

  name                     = "vpcflow"
  output_bucket            = var.output_bucket
  output_format            = "parquet"
  output_prefix            = "connections/"
  delivery                 = "kinesis"
  kinesis_role_arn         = "arn:aws:iam::${var.central_account_id}:role/${var.central_kinesis_role_name}"
  source_account_ids       = local.workload_account_ids
  source_account_role_arns = local.inventory_reader_role_arns
  # The workload accounts' inventory roles require the external ID.
  source_account_external_ids = { for arn in local.inventory_reader_role_arns : arn => var.external_id }
  tags                        = var.tags
}

# Workload account A.
module "workload_a_flow_logs" {
  source    = "../../modules/flow-logs"
  providers = { vpcflow = vpcflow.workload_a }

  tags = var.tags
}

module "workload_a" {
  source    = "../../modules/source-account"
  providers = { vpcflow = vpcflow.workload_a }

  destination_arn           = module.central.log_destination_arn
  log_group_names           = [module.workload_a_flow_logs.log_group_name]
  trusted_principal_arns    = [module.central.inventory_role_arn]
  external_id               = var.external_id
  role_name                 = local.inventory_reader_role_name
  central_event_bus_arn     = local.central_event_bus_arn
  event_forwarding_role_arn = "arn:aws:iam::${var.workload_account_ids.a}:role/${var.event_forwarding_role_name}"
  tags                      = var.tags
}

# Workload account B.
module "workload_b_flow_logs" {
  source    = "../../modules/flow-logs"
  providers = { vpcflow = vpcflow.workload_b }

  tags = var.tags
}

module "workload_b" {
  source    = "../../modules/source-account"
  providers = { vpcflow = vpcflow.workload_b }

  destination_arn           = module.central.log_destination_arn
  log_group_names           = [module.workload_b_flow_logs.log_group_name]
  trusted_principal_arns    = [module.central.inventory_role_arn]
  external_id               = var.external_id
  role_name                 = local.inventory_reader_role_name
  central_event_bus_arn     = local.central_event_bus_arn
  event_forwarding_role_arn = "arn:aws:iam::${var.workload_account_ids.b}:role/${var.event_forwarding_role_name}"
  tags                      = var.tags
}

# Every VPC of every workload account has a flow log that delivers, read
# from the central account on every plan: a role edited or a log group
# deleted in a workload account shows here, with its root cause.
check "workload_coverage" {
  data "vpcflow_coverage" "workloads" {
    provider = vpcflow.central

    exclude_vpc_ids = var.coverage_exclude_vpc_ids
    accounts = [for id in local.workload_account_ids : {
      account_id = id
      role_arn   = "arn:aws:iam::${id}:role/${var.admin_role_name}"
    }]
  }

  assert {
    condition     = data.vpcflow_coverage.workloads.compliant
    error_message = data.vpcflow_coverage.workloads.summary
  }
}
