# A stand-in for dev's switchable interface endpoints, to run the workflows' Terraform steps locally:
# the same variable, two resources behind it, and one that is not behind it but changes with it.
variable "enable_vpc_endpoints" {
  type     = bool
  default  = true
  nullable = false
}

resource "terraform_data" "endpoint" {
  count = var.enable_vpc_endpoints ? 1 : 0
}

resource "terraform_data" "endpoint_security_group" {
  count = var.enable_vpc_endpoints ? 1 : 0
}

# A targeted plan of the two above must leave this alone.
resource "terraform_data" "other" {
  input = var.enable_vpc_endpoints
}
