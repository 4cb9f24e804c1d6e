# The queries are imported by WORKGROUP:DATABASE:TABLE: the named queries of
# the workgroup, in that database, with the names this provider gives them.
terraform import vpcflow_connection_queries.connections vpcflow:vpcflow:vpcflow_connections
