# By the EventBridge rule's name.
terraform import vpcflow_compaction_schedule.this vpcflow-compaction
