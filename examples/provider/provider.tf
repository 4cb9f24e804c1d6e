provider "vpcflow" {
  region = "eu-west-1"

  # Fail the plan when a flow log would deliver nothing ("warn" or "off" to downgrade).
  validation = "error"

  # Optional: work in another account.
  # assume_role {
  #   role_arn     = "arn:aws:iam::210987654321:role/vpcflow-admin"
  #   external_id  = var.external_id
  #   session_name = "terraform"
  # }

  # For a local AWS such as moto; AWS_ENDPOINT_URL works too.
  # endpoint_url = "http://127.0.0.1:5000"
}
