# An inventory table is imported by its name; the plan fails if its keys are
# not the inventory's (PK and SK).
terraform import vpcflow_inventory_table.inventory vpcflow-inventory
