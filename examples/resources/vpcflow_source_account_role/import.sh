# A source account role is imported by its name; the trusted principals and
# the external ID are read back from its trust policy.
terraform import vpcflow_source_account_role.inventory vpcflow-inventory-read
