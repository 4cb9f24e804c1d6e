# Flow logs for a set of VPCs (given, or every VPC of the region), delivered
# to a log group (created here or given) through a delivery role (created
# here or given), or to S3.
#
# Every part is checked before AWS can fail silently: variable validations
# reject impossible combinations, vpcflow_log_group checks its key policy
# and vpcflow_delivery_role its permissions boundary at plan time, and
# vpcflow_flow_log evaluates the role, bucket policy and key policy it will
# use (at plan time when they exist, during apply before creating anything
# when they are created in the same run).

# Every VPC the account owns in the region, when no list is given. The
# delivery checker is off: only the VPC list is used here.
data "vpcflow_coverage" "region" {
  count = var.vpc_ids == null ? 1 : 0

  check_delivery = false
}

locals {
  vpc_ids = var.vpc_ids != null ? var.vpc_ids : [
    for v in data.vpcflow_coverage.region[0].vpcs : v.vpc_id
    if !contains(var.exclude_vpc_ids, v.vpc_id) && (var.include_default_vpc || !v.is_default)
  ]

  cloudwatch       = var.destination_type == "cloud-watch-logs"
  create_log_group = local.cloudwatch && var.log_group_arn == null
  create_role      = local.cloudwatch && var.delivery_role_arn == null

  log_group_arn = (
    !local.cloudwatch ? null :
    local.create_log_group ? vpcflow_log_group.this[0].arn :
    trimsuffix(var.log_group_arn, ":*")
  )
  # A role created in this run is checked by each flow log during apply,
  # before the flow log is created; later plans check it as it is in AWS.
  delivery_role_arn = (
    !local.cloudwatch ? null :
    local.create_role ? vpcflow_delivery_role.this[0].arn :
    var.delivery_role_arn
  )
  log_destination = local.cloudwatch ? local.log_group_arn : var.s3_destination_arn
}

resource "vpcflow_log_group" "this" {
  count = local.create_log_group ? 1 : 0

  name              = coalesce(var.log_group_name, "/aws/vpc/flow-logs/${var.name}")
  retention_in_days = var.retention_in_days
  kms_key_id        = var.kms_key_arn
  log_group_class   = var.log_group_class
  skip_destroy      = var.log_group_skip_destroy
  tags              = var.tags
}

resource "vpcflow_delivery_role" "this" {
  count = local.create_role ? 1 : 0

  name                 = var.name
  path                 = var.role_path
  description          = "VPC Flow Logs delivery to ${local.log_group_arn}"
  log_group_arns       = [local.log_group_arn]
  permissions_boundary = var.role_permissions_boundary
  tags                 = var.tags
}

resource "vpcflow_flow_log" "this" {
  for_each = toset(local.vpc_ids)

  vpc_id                   = each.key
  traffic_type             = var.traffic_type
  log_destination_type     = var.destination_type
  log_destination          = local.log_destination
  iam_role_arn             = local.delivery_role_arn
  log_format               = var.log_format
  max_aggregation_interval = var.max_aggregation_interval
  tags                     = merge(var.tags, { Name = "${var.name}-${each.key}" })

  dynamic "destination_options" {
    for_each = local.cloudwatch ? [] : [1]
    content {
      file_format                = var.s3_file_format
      hive_compatible_partitions = var.s3_hive_compatible_partitions
      per_hour_partition         = var.s3_per_hour_partition
    }
  }
}

check "vpcs" {
  assert {
    condition     = length(local.vpc_ids) > 0
    error_message = "No VPC to log: vpc_ids is null and the region has no VPC besides those excluded."
  }
}

# After apply, every plan reads AWS's delivery status: a flow log that
# started failing (role edited, log group deleted) is reported here with
# the provider's root cause, instead of delivering nothing in silence.
check "delivery" {
  assert {
    condition = alltrue([for fl in vpcflow_flow_log.this : fl.deliver_logs_status != "FAILED"])
    error_message = join("\n", [
      for vpc, fl in vpcflow_flow_log.this : "${fl.id} (${vpc}): ${coalesce(fl.deliver_logs_root_cause, fl.deliver_logs_error, "delivery failed")}"
      if fl.deliver_logs_status == "FAILED"
    ])
  }
}
