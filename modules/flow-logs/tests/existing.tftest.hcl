# A log group and role that already exist: the module creates neither, and
# the flow logs' plan reads the role from AWS and checks it before apply.

variables {
  vpc_ids = var.fixture_vpc_ids
}

run "fixtures" {
  module {
    source = "./tests/existing"
  }
}

run "apply" {
  variables {
    name              = "fl-test-existing"
    log_group_arn     = run.fixtures.log_group_arn
    delivery_role_arn = run.fixtures.role_arn
  }

  assert {
    condition     = length(vpcflow_log_group.this) == 0 && length(vpcflow_delivery_role.this) == 0
    error_message = "The module created a log group or role although both were given."
  }

  assert {
    condition     = output.log_group_name == "/shared/flow-logs" && output.delivery_role_arn == run.fixtures.role_arn && output.delivery_role_name == null
    error_message = "Outputs do not name the given log group and role: ${output.log_group_name}, ${output.delivery_role_arn}."
  }

  assert {
    condition     = alltrue([for fl in vpcflow_flow_log.this : fl.log_destination == run.fixtures.log_group_arn && fl.iam_role_arn == run.fixtures.role_arn])
    error_message = "A flow log does not use the given log group and role."
  }
}
