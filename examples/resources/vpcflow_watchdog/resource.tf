# The enricher deployed in watchdog mode (its role allows the scan, the
# metrics, the events and the state object; the plan checks it) runs every
# hour, and an alarm fires when a VPC has no flow log or a flow log stops
# delivering - or when the watchdog itself stops reporting.
resource "vpcflow_watchdog" "flow_logs" {
  name                = "vpcflow-watchdog"
  function_arn        = "arn:aws:lambda:eu-west-1:111122223333:function:vpcflow-watchdog" # vpcflow_enricher_function.arn in mode "watchdog"
  schedule_expression = "rate(1 hour)"
}

resource "aws_cloudwatch_metric_alarm" "failing_flow_logs" {
  alarm_name          = "vpc-flow-logs-failing"
  namespace           = "VPCFlow"
  metric_name         = "FlowLogsFailingDelivery"
  dimensions          = { Account = "111122223333", Region = "eu-west-1" }
  statistic           = "Maximum"
  period              = 3600
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "breaching" # a watchdog that cannot scan publishes nothing
}

# One notification per flow log that starts failing, with its root cause.
resource "aws_cloudwatch_event_rule" "flow_log_failed" {
  name = "vpc-flow-log-delivery-failed"
  event_pattern = jsonencode({
    source      = ["vpcflow.watchdog"]
    detail-type = ["Flow Log Delivery Failed"]
  })
}
