# A destination is imported by its name; who may subscribe is read back from
# its access policy.
terraform import vpcflow_log_destination.flows vpcflow-flows
