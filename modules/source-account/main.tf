# What a source account contributes to the central pipeline: its flow log
# groups subscribed to the central CloudWatch Logs destination, the
# read-only role the central inventory function assumes (only with the
# external ID), and EventBridge rules forwarding its inventory events to the
# central event bus.
#
# Apply it with a provider configured for the source account (an alias with
# assume_role, for example). The plan checks the subscription filter quota
# of each group and the forwarding role against the central bus.

resource "vpcflow_source_account_role" "this" {
  name                   = var.role_name
  path                   = var.role_path
  description            = "vpcflow: read-only inventory of this account's network interfaces for the central account"
  trusted_principal_arns = var.trusted_principal_arns
  external_id            = var.external_id
  permissions_boundary   = var.permissions_boundary
  tags                   = var.tags
}

resource "vpcflow_subscription" "this" {
  for_each = toset(var.log_group_names)

  log_group_name  = each.key
  name            = "${var.name}-central"
  destination_arn = var.destination_arn
}

resource "vpcflow_inventory_rules" "forward" {
  count = var.central_event_bus_arn != null ? 1 : 0

  name                 = "${var.name}-inventory"
  rules                = var.inventory_rules
  target_event_bus_arn = var.central_event_bus_arn
  role_arn             = var.event_forwarding_role_arn
  tags                 = var.tags
}
