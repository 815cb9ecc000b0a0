# Runs for the prod stack; the harness adds the mocked providers (its own account and the shared one)
# and the shared remote state.

run "apply" {
  command = apply

  assert {
    condition     = aws_vpc_peering_connection.peering_connection.peer_vpc_id == data.terraform_remote_state.shared.outputs.vpc_id
    error_message = "prod should request peering with the VPC that shared publishes."
  }
  assert {
    condition     = aws_route.peering_requester_route.destination_cidr_block == data.terraform_remote_state.shared.outputs.vpc_cidr
    error_message = "prod's app route table should reach the shared VPC."
  }
  assert {
    condition     = aws_route.peering_accepter_route.route_table_id == data.terraform_remote_state.shared.outputs.db_route_table_id && aws_route.peering_accepter_route.destination_cidr_block == "10.1.0.0/16"
    error_message = "The shared database route table should reach prod's VPC."
  }
  assert {
    condition     = aws_vpc_endpoint.network_email_endpoint.private_dns_enabled && aws_vpc_endpoint.network_email_endpoint.service_name == "com.amazonaws.us-east-1.email"
    error_message = "prod should have the SES endpoint with private DNS."
  }
  assert {
    condition     = jsondecode(aws_iam_role.github_oidc_role.assume_role_policy).Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"] == ["repo:your-org/coalition-builder:environment:prod", "repo:your-org/coalition-builder:ref:refs/heads/main"]
    error_message = "prod's role should trust the prod environment and main only."
  }
  assert {
    condition     = contains([for s in jsondecode(aws_iam_role_policy.github_oidc_infrastructure_policy.policy).Statement : s.Sid], "AssumePeeringAccepter")
    error_message = "prod's deploy role should be able to assume the shared accepter role."
  }
  assert {
    condition     = length(aws_api_gateway_domain_name.api_domain) == 0 && length(aws_wafv2_web_acl_association.waf_api_stage) == 0
    error_message = "Without enable_api_custom_domain there is no API domain and nothing to attach the WAF to."
  }
  assert {
    condition     = aws_wafv2_web_acl.waf_web_acl.scope == "REGIONAL" && aws_acm_certificate.dns_certificate.subject_alternative_names == toset(["*.example.org"])
    error_message = "The WAF should be regional and the certificate cover the wildcard."
  }
}

run "edge_with_api_domain" {
  command = apply

  variables {
    enable_api_custom_domain = true
  }

  assert {
    condition     = aws_api_gateway_domain_name.api_domain[0].domain_name == "api.example.org" && aws_api_gateway_domain_name.api_domain[0].regional_certificate_arn == aws_acm_certificate_validation.dns_certificate_validation.certificate_arn
    error_message = "api.example.org should use the validated certificate."
  }
  assert {
    condition     = aws_wafv2_web_acl_association.waf_api_stage[0].web_acl_arn == aws_wafv2_web_acl.waf_web_acl.arn && endswith(aws_wafv2_web_acl_association.waf_api_stage[0].resource_arn, "/stages/prod")
    error_message = "The WAF should be attached to the API's prod stage."
  }
  assert {
    condition     = aws_route53_record.api_alias[0].name == "api.example.org"
    error_message = "api.example.org should point at the API."
  }
}

run "pull_request_plan_reads_shared_through_the_reader" {
  command = plan

  variables {
    shared_role_name = "vpc-peering-reader"
  }
}

run "shared_role_name_is_the_accepter_or_the_reader" {
  command = plan

  variables {
    shared_role_name = "OrganizationAccountAccessRole"
  }

  expect_failures = [var.shared_role_name]
}
