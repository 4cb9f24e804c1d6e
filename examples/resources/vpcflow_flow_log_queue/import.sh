# A queue is imported by its name; the bucket is read from its policy.
terraform import vpcflow_flow_log_queue.files vpcflow-flow-log-files
