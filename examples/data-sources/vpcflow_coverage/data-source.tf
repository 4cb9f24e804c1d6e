# Every VPC of the provider's region, and every flow log with what fails.
data "vpcflow_coverage" "this" {}

output "vpcs_without_flow_logs" {
  value = data.vpcflow_coverage.this.vpcs_without_flow_logs
}

output "failing_flow_logs" {
  value = {
    for f in data.vpcflow_coverage.this.failing_flow_logs : f.flow_log_id => f.root_cause
  }
}

# Member accounts through a role each trusts, the REJECT traffic CIS asks
# for at least, and unused default VPCs left out of the count.
data "vpcflow_coverage" "organization" {
  traffic_type    = "REJECT"
  exclude_vpc_ids = ["vpc-0a1b2c3d4e5f60718"]

  accounts = [
    { account_id = "111122223333" },
    {
      account_id  = "444455556666"
      role_arn    = "arn:aws:iam::444455556666:role/vpcflow-coverage-reader"
      external_id = "vpcflow-coverage"
    },
  ]
}

# Fail a pipeline step on the summary, or alert on it.
output "coverage_summary" {
  value = data.vpcflow_coverage.organization.summary
}
