# Inventory rules are imported as EVENT_BUS_NAME|NAME; the rules that exist,
# their target and state are read back.
terraform import vpcflow_inventory_rules.inventory 'default|vpcflow-inventory'
