variable "inventory_external_id" {
  type      = string
  sensitive = true
}

# In each source account: the role the central inventory function assumes to
# describe network interfaces and read tags, only with the external ID.
resource "vpcflow_source_account_role" "inventory" {
  name                   = "vpcflow-inventory-read"
  trusted_principal_arns = ["arn:aws:iam::999988887777:role/vpcflow/vpcflow-inventory"]
  external_id            = var.inventory_external_id
}

output "source_account_role_arn" {
  value = vpcflow_source_account_role.inventory.arn
}
