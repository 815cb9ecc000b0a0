# Applies the whole shared stack against a mocked AWS provider.
mock_provider "aws" {}

run "apply" {
  command = apply

  assert {
    condition     = aws_vpc.network_vpc.cidr_block == "10.0.0.0/16" && aws_vpc.network_vpc.enable_dns_hostnames
    error_message = "The shared VPC should be 10.0.0.0/16 with DNS hostnames."
  }
  assert {
    condition     = output.db_subnet_cidrs == ["10.0.5.0/24", "10.0.6.0/24"]
    error_message = "The shared stack should publish its database subnet ranges."
  }
  assert {
    condition     = output.db_route_table_id == aws_route_table.network_db_route_table.id && output.vpc_id == aws_vpc.network_vpc.id
    error_message = "The outputs prod and dev read should point at the shared network."
  }
  assert {
    condition     = aws_route.network_public_internet_route.destination_cidr_block == "0.0.0.0/0"
    error_message = "Only the public route table goes to the internet gateway."
  }
}

run "deploy_role" {
  command = apply

  assert {
    condition     = aws_iam_role.github_oidc_role.name == "github-actions-shared" && output.github_oidc_role_arn == aws_iam_role.github_oidc_role.arn
    error_message = "shared should have its github-actions role and output its ARN."
  }
  assert {
    condition     = !strcontains(aws_iam_role_policy.github_oidc_infrastructure_policy.policy, "sts:AssumeRole")
    error_message = "The shared deploy role assumes no other role."
  }
}
