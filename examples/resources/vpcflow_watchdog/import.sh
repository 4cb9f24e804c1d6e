# By the EventBridge rule's name.
terraform import vpcflow_watchdog.flow_logs vpcflow-watchdog
