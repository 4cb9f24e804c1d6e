# Impossible combinations stop at plan time, on the variable at fault.

run "bus_without_role" {
  command = plan

  variables {
    central_event_bus_arn = var.fixture_central_bus_arn
  }

  expect_failures = [var.event_forwarding_role_arn]
}

run "kinesis_stream_for_destination" {
  command = plan

  variables {
    destination_arn = "arn:aws:kinesis:us-east-1:210987654321:stream/vpcflow-flow-logs"
  }

  expect_failures = [var.destination_arn]
}

run "short_external_id" {
  command = plan

  variables {
    external_id = "x"
  }

  expect_failures = [var.external_id]
}

run "user_as_trusted_principal" {
  command = plan

  variables {
    trusted_principal_arns = ["arn:aws:iam::210987654321:user/admin"]
  }

  expect_failures = [var.trusted_principal_arns]
}
