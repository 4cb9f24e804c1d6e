# Flow logs of two VPCs to a log group and delivery role the module creates.
# fixture_* variables come from tests/setup.sh.

variables {
  vpc_ids           = var.fixture_vpc_ids
  name              = "fl-test-cloudwatch"
  retention_in_days = 30
  tags              = { team = "network" }
}

run "apply" {
  assert {
    condition     = length(output.flow_log_ids) == 2 && alltrue([for id in values(output.flow_log_ids) : startswith(id, "fl-")])
    error_message = "Expected one flow log per VPC, got ${jsonencode(output.flow_log_ids)}."
  }

  assert {
    condition     = toset(keys(output.flow_log_ids)) == toset(var.vpc_ids)
    error_message = "Flow logs are keyed by VPC ID: got ${jsonencode(keys(output.flow_log_ids))}."
  }

  assert {
    condition     = alltrue([for s in values(output.deliver_logs_status) : s == "SUCCESS"])
    error_message = "Delivery status: ${jsonencode(output.deliver_logs_status)}."
  }

  assert {
    condition     = output.log_group_name == "/aws/vpc/flow-logs/fl-test-cloudwatch"
    error_message = "Log group name: ${output.log_group_name}."
  }

  assert {
    condition     = output.log_destination == output.log_group_arn && endswith(output.log_group_arn, ":log-group:/aws/vpc/flow-logs/fl-test-cloudwatch")
    error_message = "Flow logs deliver to ${output.log_destination}, not the log group ${output.log_group_arn}."
  }

  assert {
    condition     = vpcflow_log_group.this[0].retention_in_days == 30 && vpcflow_log_group.this[0].tags["team"] == "network"
    error_message = "The log group does not have the retention and tags given."
  }

  assert {
    condition     = output.delivery_role_name == "fl-test-cloudwatch" && output.delivery_role_arn == vpcflow_delivery_role.this[0].arn
    error_message = "Delivery role: ${output.delivery_role_arn}."
  }

  assert {
    condition     = alltrue([for fl in vpcflow_flow_log.this : fl.iam_role_arn == output.delivery_role_arn && fl.traffic_type == "ALL" && fl.max_aggregation_interval == 600])
    error_message = "A flow log does not use the module's role and settings."
  }

  # The role is scoped to this log group and its streams, nothing else.
  assert {
    condition = contains(
      flatten([for s in jsondecode(vpcflow_delivery_role.this[0].policy).Statement : s.Resource]),
      "${output.log_group_arn}:*"
    )
    error_message = "The delivery role's policy does not name ${output.log_group_arn}:*: ${vpcflow_delivery_role.this[0].policy}"
  }
}

# Read back from AWS: the role as IAM holds it, evaluated against the log
# group, lets delivery work; the coverage scan finds each VPC covered by one
# flow log delivering to the log group.
run "read_back" {
  module {
    source = "./tests/read-back"
  }

  variables {
    role_arn      = run.apply.delivery_role_arn
    log_group_arn = run.apply.log_group_arn
  }

  assert {
    condition     = output.valid
    error_message = "The delivery role read back from AWS fails the check: ${join("; ", output.findings)}"
  }

  assert {
    condition     = length(output.uncovered) == 0
    error_message = "vpcflow_coverage finds these VPCs without a flow log: ${jsonencode(output.uncovered)}."
  }

  assert {
    condition     = alltrue([for vpc, id in run.apply.flow_log_ids : jsonencode(output.flow_log_ids[vpc]) == jsonencode([id])])
    error_message = "vpcflow_coverage lists other flow logs than the module's: ${jsonencode(output.flow_log_ids)}."
  }

  assert {
    condition     = alltrue([for vpc in var.vpc_ids : jsonencode(output.flow_log_destinations[vpc]) == jsonencode([run.apply.log_group_arn])])
    error_message = "vpcflow_coverage finds the flow logs delivering elsewhere: ${jsonencode(output.flow_log_destinations)}."
  }
}

# A second plan after apply changes nothing.
run "stable" {
  command = plan

  assert {
    condition     = length(output.flow_log_ids) == 2
    error_message = "The second plan lost flow logs."
  }
}
