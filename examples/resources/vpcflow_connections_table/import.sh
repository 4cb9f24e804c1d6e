# A table is imported by CATALOG_ID:DATABASE:TABLE, or DATABASE:TABLE in the
# provider's account.
terraform import vpcflow_connections_table.connections 123456789012:vpcflow:vpcflow_connections
