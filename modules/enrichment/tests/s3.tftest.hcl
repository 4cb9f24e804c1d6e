# Flow log files in S3: the queue of the bucket's notifications, the
# enricher in s3 mode and the mapping of the queue to it, beside the idle
# CloudWatch Logs path. fixture_* variables and output_bucket come from
# tests/setup.sh.

variables {
  name          = "vpcflow-s3"
  output_prefix = "connections/"
  s3_source = {
    bucket = var.fixture_bucket
    prefix = "flow-logs/"
  }
}

run "apply" {
  assert {
    condition     = vpcflow_enricher_function.s3[0].mode == "s3" && vpcflow_enricher_function.s3[0].source_queue_arn == output.s3_source_queue_arn
    error_message = "The s3 enricher does not read the module's queue: ${vpcflow_enricher_function.s3[0].mode}, ${coalesce(vpcflow_enricher_function.s3[0].source_queue_arn, "null")}."
  }

  assert {
    condition     = vpcflow_enricher_function.s3[0].source_bucket == var.fixture_bucket && vpcflow_enricher_function.s3[0].source_prefix == "flow-logs/"
    error_message = "The s3 enricher reads s3://${vpcflow_enricher_function.s3[0].source_bucket}/${coalesce(vpcflow_enricher_function.s3[0].source_prefix, "")}."
  }

  assert {
    condition     = vpcflow_enricher_function.s3[0].output_bucket == var.fixture_bucket && vpcflow_enricher_function.s3[0].output_prefix == "connections/" && vpcflow_enricher_function.s3[0].inventory_table_arn == output.inventory_table_arn
    error_message = "The s3 enricher does not write where the other enricher writes, with the module's inventory."
  }

  assert {
    condition     = vpcflow_flow_log_queue.s3[0].bucket == var.fixture_bucket && vpcflow_flow_log_queue.s3[0].prefix == "flow-logs/" && vpcflow_flow_log_queue.s3[0].notified
    error_message = "The bucket does not notify the queue of files under flow-logs/."
  }

  assert {
    condition     = vpcflow_flow_log_queue.s3[0].visibility_timeout_seconds == 360 && vpcflow_flow_log_queue.s3[0].max_receive_count == 5
    error_message = "Queue settings: visibility ${vpcflow_flow_log_queue.s3[0].visibility_timeout_seconds}, max receives ${vpcflow_flow_log_queue.s3[0].max_receive_count}."
  }

  assert {
    condition     = vpcflow_event_source_mapping.s3[0].event_source_arn == output.s3_source_queue_arn && vpcflow_event_source_mapping.s3[0].batch_size == 10 && contains(vpcflow_event_source_mapping.s3[0].function_response_types, "ReportBatchItemFailures")
    error_message = "The mapping does not feed the queue to the s3 enricher, ten files at a time, with batch item failures."
  }

  assert {
    condition     = output.s3_source_log_destination == "arn:aws:s3:::${var.fixture_bucket}/flow-logs/"
    error_message = "log_destination for the flow logs: ${output.s3_source_log_destination}."
  }

  assert {
    condition     = length(vpcflow_subscription.this) == 0 && length(vpcflow_event_source_mapping.this) == 0
    error_message = "The CloudWatch Logs path subscribes nothing without log_group_names."
  }
}

run "reads_its_own_output" {
  command = plan

  variables {
    s3_source = {
      bucket = var.fixture_bucket
      prefix = null
    }
  }

  expect_failures = [var.s3_source]
}

run "prefix_without_slash" {
  command = plan

  variables {
    s3_source = {
      bucket = var.fixture_bucket
      prefix = "flow-logs"
    }
  }

  expect_failures = [var.s3_source]
}
