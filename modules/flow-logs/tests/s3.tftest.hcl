# Flow logs of two VPCs to S3 as Parquet with Hive-compatible partitions.
# The bucket and its policy come from tests/setup.sh (fixture_bucket_arn);
# the plan checks the policy against the keys AWS will write.

variables {
  vpc_ids = var.fixture_vpc_ids
}

run "apply" {
  variables {
    name                          = "fl-test-s3"
    destination_type              = "s3"
    s3_destination_arn            = var.fixture_bucket_arn
    s3_file_format                = "parquet"
    s3_hive_compatible_partitions = true
    max_aggregation_interval      = 60
    traffic_type                  = "REJECT"
  }

  assert {
    condition     = length(output.flow_log_ids) == 2
    error_message = "Expected one flow log per VPC, got ${jsonencode(output.flow_log_ids)}."
  }

  assert {
    condition     = output.log_destination == var.fixture_bucket_arn
    error_message = "Flow logs deliver to ${output.log_destination}."
  }

  assert {
    condition     = output.log_group_arn == null && output.delivery_role_arn == null && length(vpcflow_log_group.this) == 0 && length(vpcflow_delivery_role.this) == 0
    error_message = "An S3 destination needs no log group and no role."
  }

  assert {
    condition = alltrue([for fl in vpcflow_flow_log.this :
      fl.log_destination_type == "s3" && fl.traffic_type == "REJECT" && fl.max_aggregation_interval == 60 &&
      fl.destination_options.file_format == "parquet" && fl.destination_options.hive_compatible_partitions
    ])
    error_message = "A flow log does not have the S3 settings given."
  }
}
