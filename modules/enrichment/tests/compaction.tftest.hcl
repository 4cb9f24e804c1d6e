# Compaction, on by default: the enricher stages its rows, and the enricher
# in compact mode merges them on a schedule. Then with compaction off, the
# rows go straight under the prefix and no compaction is deployed.

variables {
  name            = "vpcflow-compact"
  log_group_names = [var.fixture_log_groups[0]]
  output_prefix   = "connections/"
  output_format   = "parquet"
  inventory_rules = []
  tags            = { team = "network" }
}

run "default" {
  assert {
    condition     = vpcflow_enricher_function.enricher.output_staging && vpcflow_enricher_function.compaction[0].mode == "compact"
    error_message = "The enricher does not stage its rows (${vpcflow_enricher_function.enricher.output_staging}), or no compaction function."
  }

  assert {
    condition = (
      vpcflow_enricher_function.compaction[0].output_bucket == var.fixture_bucket
      && vpcflow_enricher_function.compaction[0].output_prefix == "connections/"
      && vpcflow_enricher_function.compaction[0].environment["VPCFLOW_OUTPUT_FORMAT"] == "parquet"
      && vpcflow_enricher_function.compaction[0].compaction_grace == "1h"
    )
    error_message = "The compaction does not merge s3://${var.fixture_bucket}/connections/_staging/ into Parquet after 1h."
  }

  assert {
    condition     = vpcflow_enricher_function.compaction[0].reserved_concurrent_executions == 1 && vpcflow_enricher_function.compaction[0].timeout == 900 && vpcflow_enricher_function.compaction[0].memory_size == 1024
    error_message = "The compaction function may overlap, or its limits are not the defaults."
  }

  # Its role lists, reads, writes and deletes under the prefix, and no more.
  assert {
    condition = alltrue([for s in [
      "s3:ListBucket", "s3:GetObject", "s3:DeleteObject", "s3:PutObject",
      "arn:aws:s3:::${var.fixture_bucket}/connections/*", "\"s3:prefix\": \"connections/*\"",
    ] : strcontains(vpcflow_enricher_function.compaction[0].role_policy, s)]) && !strcontains(vpcflow_enricher_function.compaction[0].role_policy, "dynamodb:")
    error_message = "The compaction's role policy: ${vpcflow_enricher_function.compaction[0].role_policy}"
  }

  assert {
    condition     = vpcflow_compaction_schedule.this[0].function_arn == output.compaction_function_arn && vpcflow_compaction_schedule.this[0].schedule_expression == "rate(15 minutes)" && vpcflow_compaction_schedule.this[0].enabled
    error_message = "The schedule does not run the compaction every 15 minutes."
  }

  assert {
    condition     = output.compaction_rule_arn == vpcflow_compaction_schedule.this[0].rule_arn && endswith(output.compaction_rule_arn, ":rule/vpcflow-compact-compaction")
    error_message = "Rule: ${coalesce(output.compaction_rule_arn, "none")}."
  }
}

run "tuned" {
  variables {
    compaction = { schedule_expression = "rate(30 minutes)", grace = "45m", memory_size = 2048 }
  }

  assert {
    condition     = vpcflow_compaction_schedule.this[0].schedule_expression == "rate(30 minutes)" && vpcflow_enricher_function.compaction[0].compaction_grace == "45m" && vpcflow_enricher_function.compaction[0].memory_size == 2048
    error_message = "The compaction input is not applied."
  }
}

run "off" {
  variables {
    compaction = { enabled = false }
  }

  assert {
    condition     = !vpcflow_enricher_function.enricher.output_staging && length(vpcflow_enricher_function.compaction) == 0 && length(vpcflow_compaction_schedule.this) == 0
    error_message = "With compaction off the enricher still stages its rows, or a compaction is deployed."
  }

  assert {
    condition     = output.compaction_function_arn == null && output.compaction_rule_arn == null
    error_message = "Compaction outputs without compaction."
  }
}

run "bad_grace" {
  command = plan

  variables {
    compaction = { grace = "one hour" }
  }

  expect_failures = [var.compaction]
}
