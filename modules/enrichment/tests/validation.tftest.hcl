# Impossible combinations stop at plan time, on the variable at fault.

run "kinesis_without_role" {
  command = plan

  variables {
    delivery = "kinesis"
  }

  expect_failures = [var.kinesis_role_arn]
}

run "role_without_kinesis" {
  command = plan

  variables {
    kinesis_role_arn = var.fixture_kinesis_role_arn
  }

  expect_failures = [var.kinesis_role_arn]
}

run "other_accounts_without_kinesis" {
  command = plan

  variables {
    source_account_ids = [var.fixture_source_account]
  }

  expect_failures = [var.delivery]
}

run "bucket_arn_for_name" {
  command = plan

  variables {
    output_bucket = "arn:aws:s3:::${var.fixture_bucket}"
  }

  expect_failures = [var.output_bucket]
}

run "prefix_without_slash" {
  command = plan

  variables {
    output_prefix = "connections"
  }

  expect_failures = [var.output_prefix]
}

run "provisioned_without_shards" {
  command = plan

  variables {
    delivery            = "kinesis"
    kinesis_role_arn    = var.fixture_kinesis_role_arn
    kinesis_stream_mode = "PROVISIONED"
  }

  expect_failures = [var.kinesis_shard_count]
}

run "log_group_arn_for_name" {
  command = plan

  variables {
    log_group_names = ["arn:aws:logs:us-east-1:123456789012:log-group:/aws/vpc/flow-logs/direct"]
  }

  expect_failures = [var.log_group_names]
}

run "unknown_inventory_rule" {
  command = plan

  variables {
    inventory_rules = ["tag-changes", "network-interfaces"]
  }

  expect_failures = [var.inventory_rules]
}

run "watchdog_bad_schedule" {
  command = plan

  variables {
    watchdog = { schedule_expression = "every 15 minutes" }
  }

  expect_failures = [var.watchdog]
}

run "watchdog_state_prefix_without_bucket" {
  command = plan

  variables {
    watchdog = { state_prefix = "watchdog/" }
  }

  expect_failures = [var.watchdog]
}

run "log_formats_not_a_format" {
  command = plan

  variables {
    log_formats = { (var.fixture_log_groups[2]) = "version srcaddr dstaddr" }
  }

  expect_failures = [var.log_formats]
}

run "log_formats_arn_for_name" {
  command = plan

  variables {
    log_formats = { "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vpc/flow-logs/custom" = "$${version} $${srcaddr}" }
  }

  expect_failures = [var.log_formats]
}

run "failure_destination_not_an_arn" {
  command = plan

  variables {
    on_failure_destination_arn = "vpcflow-failed-batches"
  }

  expect_failures = [var.on_failure_destination_arn]
}

run "kinesis_failure_destination_a_function" {
  command = plan

  variables {
    delivery                   = "kinesis"
    kinesis_role_arn           = var.fixture_kinesis_role_arn
    on_failure_destination_arn = "arn:aws:lambda:us-east-1:123456789012:function:failed-batches"
  }

  expect_failures = [var.on_failure_destination_arn]
}

run "external_id_of_an_unknown_role" {
  command = plan

  variables {
    source_account_external_ids = { "arn:aws:iam::111122223333:role/vpcflow-inventory-reader" = "vpcflow-7c1d0e" }
  }

  expect_failures = [var.source_account_external_ids]
}

run "watchdog_external_id_in_the_plain_variable" {
  command = plan

  variables {
    watchdog = {
      scan_targets = [{ role_arn = "arn:aws:iam::111122223333:role/vpcflow-watchdog-read", external_id = "vpcflow" }]
    }
  }

  expect_failures = [var.watchdog]
}
