# A mapping is imported by its UUID.
terraform import vpcflow_event_source_mapping.enricher 14e0db71-5d35-4eb5-b481-8945cf9d10c2
