# vpc_ids left null: every VPC of the region, read at plan time by
# vpcflow_coverage, less the default VPC (moto has one) and exclude_vpc_ids.

run "every_vpc_but_one" {
  variables {
    name            = "fl-test-every-vpc"
    vpc_ids         = null
    exclude_vpc_ids = [var.fixture_vpc_ids[1]]
  }

  assert {
    condition     = jsonencode(output.vpc_ids) == jsonencode([var.fixture_vpc_ids[0]])
    error_message = "Expected only ${var.fixture_vpc_ids[0]} (the default VPC and ${var.fixture_vpc_ids[1]} left out), got ${jsonencode(output.vpc_ids)}."
  }

  assert {
    condition     = jsonencode(keys(output.flow_log_ids)) == jsonencode([var.fixture_vpc_ids[0]])
    error_message = "Flow logs: ${jsonencode(output.flow_log_ids)}."
  }
}

# The coverage scan, read after apply, finds the VPC covered by the flow log
# the module created, delivering to the module's log group.
run "coverage" {
  module {
    source = "./tests/read-back"
  }

  variables {
    role_arn      = run.every_vpc_but_one.delivery_role_arn
    log_group_arn = run.every_vpc_but_one.log_group_arn
    vpc_ids       = [var.fixture_vpc_ids[0]]
  }

  assert {
    condition     = length(output.uncovered) == 0
    error_message = "vpcflow_coverage finds these VPCs without a flow log: ${jsonencode(output.uncovered)}."
  }

  assert {
    condition     = jsonencode(output.flow_log_ids[var.fixture_vpc_ids[0]]) == jsonencode([run.every_vpc_but_one.flow_log_ids[var.fixture_vpc_ids[0]]])
    error_message = "vpcflow_coverage lists other flow logs for ${var.fixture_vpc_ids[0]}: ${jsonencode(output.flow_log_ids)}."
  }
}
