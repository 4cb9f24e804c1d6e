# A stream is imported by its name.
terraform import vpcflow_kinesis_stream.flows vpcflow-flows
