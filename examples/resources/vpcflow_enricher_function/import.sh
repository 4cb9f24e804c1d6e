# An enricher function is imported by its name; its role, log group,
# environment and on-failure destination are read back.
terraform import vpcflow_enricher_function.enricher vpcflow-enricher
