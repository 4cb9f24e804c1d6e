terraform {
  required_providers {
    vpcflow = {
      source = "vpcflow/vpcflow"
    }
  }
}

variable "app" {
  description = "Value of the app tag to ask about; any text."
  type        = string
  default     = "O'Brien's app"
}

# A query for Athena with the value in it: sql_string writes the value as
# a string expression that cannot end early, so a quote, a line break or
# "--" in it stays part of the value.
output "app_query" {
  value = replace(
    "SELECT count(*) FROM vpcflow_connections WHERE client.tags['app'] = {{app}}",
    "{{app}}", provider::vpcflow::sql_string(var.app)
  )
  # SELECT count(*) FROM vpcflow_connections WHERE client.tags['app'] = 'O''Brien''s app'
}

output "line_break" {
  value = provider::vpcflow::sql_string("first\nsecond")
  # concat('first', chr(10), 'second')
}
