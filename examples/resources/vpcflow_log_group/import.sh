# A log group is imported by its name.
terraform import vpcflow_log_group.flow_logs /aws/vpc/flow-logs/prod
