# A subscription is imported as LOG_GROUP_NAME|FILTER_NAME.
terraform import vpcflow_subscription.enricher '/aws/vpc/flow-logs/prod|vpcflow-enricher'
