# A delivery role is imported by its name; log_group_arns, source_account,
# source_regions and allow_create_log_group are read back from its documents.
terraform import vpcflow_delivery_role.flow_logs vpc-flow-logs-prod
