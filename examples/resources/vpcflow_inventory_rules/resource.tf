resource "vpcflow_inventory_table" "inventory" {
  name = "vpcflow-inventory"
}

resource "vpcflow_enricher_function" "inventory" {
  function_name       = "vpcflow-inventory"
  mode                = "inventory"
  inventory_table_arn = vpcflow_inventory_table.inventory.arn
}

# Tag changes, interface API calls and instance state changes to the
# inventory function. The plan warns when no CloudTrail trail records the
# management events the api-calls rule needs.
resource "vpcflow_inventory_rules" "inventory" {
  name         = "vpcflow-inventory"
  function_arn = vpcflow_enricher_function.inventory.arn
}

# In a source account: forward the same events to the central account's bus.
resource "vpcflow_inventory_rules" "forward" {
  name                 = "vpcflow-inventory-forward"
  target_event_bus_arn = "arn:aws:events:eu-west-1:999988887777:event-bus/vpcflow-inventory"
  role_arn             = "arn:aws:iam::111122223333:role/vpcflow-forward-events"
}
