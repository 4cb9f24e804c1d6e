# A flow log is imported by its ID.
terraform import vpcflow_flow_log.vpc fl-0123456789abcdef0
