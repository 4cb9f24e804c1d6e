# The inventory the enricher attributes flow records with: which network
# interface owned an address when, and the tags of resources.
resource "vpcflow_inventory_table" "inventory" {
  name = "vpcflow-inventory"

  tags = {
    team = "network"
  }
}

output "inventory_table_arn" {
  value = vpcflow_inventory_table.inventory.arn
}
