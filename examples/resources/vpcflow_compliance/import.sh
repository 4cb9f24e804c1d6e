# By the Config rule's name; the document and roles follow from it.
terraform import vpcflow_compliance.vpc_flow_logs vpc-flow-logs-enabled
