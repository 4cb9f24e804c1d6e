terraform {
  # 1.9: variable validations may refer to other variables.
  required_version = ">= 1.9"

  required_providers {
    vpcflow = {
      source  = "vpcflow/vpcflow"
      version = ">= 0.1.0"
    }
  }
}
