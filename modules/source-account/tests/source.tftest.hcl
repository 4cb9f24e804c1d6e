# A source account: its flow log groups subscribe to the central Logs
# destination, the central inventory function may assume its read-only role
# with the external ID, and its inventory events go to the central bus.
# destination_arn, log_group_names, trusted_principal_arns, external_id and
# the fixture_* variables come from tests/setup.sh.

variables {
  central_event_bus_arn     = var.fixture_central_bus_arn
  event_forwarding_role_arn = var.fixture_forward_role_arn
  tags                      = { team = "network" }
}

run "apply" {
  assert {
    condition     = length(output.subscription_ids) == 2 && alltrue([for g, id in output.subscription_ids : id == "${g}|vpcflow-central"])
    error_message = "Subscriptions: ${jsonencode(output.subscription_ids)}."
  }

  assert {
    condition     = alltrue([for s in vpcflow_subscription.this : s.destination_type == "logs-destination" && s.destination_arn == var.destination_arn && s.role_arn == null])
    error_message = "A subscription does not send to the central destination."
  }

  assert {
    condition     = output.role_name == "vpcflow-inventory-reader" && endswith(output.role_arn, ":role/vpcflow-inventory-reader")
    error_message = "Inventory role: ${output.role_arn}."
  }

  # Only the central principal, and only with the external ID.
  assert {
    condition = alltrue([
      for s in jsondecode(nonsensitive(vpcflow_source_account_role.this.trust_policy)).Statement :
      s.Principal.AWS == var.trusted_principal_arns[0] || s.Principal.AWS == var.trusted_principal_arns
    ]) && strcontains(nonsensitive(vpcflow_source_account_role.this.trust_policy), "sts:ExternalId")
    error_message = "The inventory role's trust policy does not require the central principal and the external ID."
  }

  assert {
    condition     = toset(keys(output.forwarding_rule_arns)) == toset(["tag-changes", "api-calls", "instance-state"])
    error_message = "Forwarding rules: ${jsonencode(output.forwarding_rule_arns)}."
  }

  assert {
    condition     = vpcflow_inventory_rules.forward[0].target_event_bus_arn == var.fixture_central_bus_arn && length(vpcflow_inventory_rules.forward[0].lambda_permission_statement_ids) == 0
    error_message = "The rules do not forward to the central bus."
  }
}

run "read_back" {
  command = plan

  assert {
    condition     = length(vpcflow_inventory_rules.forward[0].rule_arns) == 3 && vpcflow_source_account_role.this.unique_id != ""
    error_message = "The rules or the role were not read back."
  }
}
