# Runs for the dev stack, with the interface endpoints on and off; the harness adds the mocked providers
# and the shared remote state.

run "apply_with_endpoints" {
  command = apply

  assert {
    condition     = length(aws_vpc_endpoint.network_secretsmanager_endpoint) == 1 && length(aws_vpc_endpoint.network_logs_endpoint) == 1 && length(aws_vpc_endpoint.network_geo_places_endpoint) == 1
    error_message = "dev should have its three interface endpoints by default."
  }
  assert {
    condition     = aws_route.peering_requester_route.destination_cidr_block == data.terraform_remote_state.shared.outputs.vpc_cidr
    error_message = "dev's app route table should reach the shared VPC."
  }
}

run "apply_without_endpoints" {
  command = apply

  variables {
    enable_vpc_endpoints = false
  }

  assert {
    condition     = length(aws_vpc_endpoint.network_secretsmanager_endpoint) + length(aws_vpc_endpoint.network_logs_endpoint) + length(aws_vpc_endpoint.network_geo_places_endpoint) + length(aws_security_group.network_endpoint_security_group) == 0
    error_message = "enable_vpc_endpoints = false should remove the endpoints and their security group."
  }
  assert {
    condition     = aws_vpc_endpoint.network_s3_endpoint.vpc_endpoint_type == "Gateway"
    error_message = "The free S3 gateway endpoint stays."
  }
}
