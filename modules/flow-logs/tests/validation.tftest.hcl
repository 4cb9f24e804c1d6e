# Impossible combinations stop at plan time, on the variable at fault.

variables {
  vpc_ids = var.fixture_vpc_ids
}

run "s3_without_bucket" {
  command = plan

  variables {
    destination_type = "s3"
  }

  expect_failures = [var.s3_destination_arn]
}

run "bucket_with_cloudwatch" {
  command = plan

  variables {
    s3_destination_arn = var.fixture_bucket_arn
  }

  expect_failures = [var.s3_destination_arn]
}

run "role_with_s3" {
  command = plan

  variables {
    destination_type   = "s3"
    s3_destination_arn = var.fixture_bucket_arn
    delivery_role_arn  = "arn:aws:iam::123456789012:role/flow-logs"
  }

  expect_failures = [var.delivery_role_arn]
}

run "duplicate_vpc" {
  command = plan

  variables {
    vpc_ids = [var.fixture_vpc_ids[0], var.fixture_vpc_ids[0]]
  }

  expect_failures = [var.vpc_ids]
}

run "bad_retention" {
  command = plan

  variables {
    retention_in_days = 42
  }

  expect_failures = [var.retention_in_days]
}

run "bad_interval" {
  command = plan

  variables {
    max_aggregation_interval = 300
  }

  expect_failures = [var.max_aggregation_interval]
}

run "empty_vpc_list" {
  command = plan

  variables {
    vpc_ids = []
  }

  expect_failures = [var.vpc_ids]
}

run "exclude_with_list" {
  command = plan

  variables {
    exclude_vpc_ids = [var.fixture_vpc_ids[0]]
  }

  expect_failures = [var.exclude_vpc_ids]
}
