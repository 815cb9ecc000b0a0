# Applies the bootstrap stack's AWS part against mocked providers; the test adds the mock_provider blocks.

run "apply" {
  command = apply

  assert {
    condition     = aws_s3_bucket.shared_state_bucket.bucket == "coalition-terraform-state-111111111111" && aws_s3_bucket.dev_state_bucket.bucket == "coalition-terraform-state-333333333333"
    error_message = "Each account's state bucket is named after its account."
  }
  assert {
    condition     = aws_s3_bucket_versioning.prod_state_versioning.versioning_configuration[0].status == "Enabled" && aws_s3_bucket_versioning.prod_state_versioning.bucket == aws_s3_bucket.prod_state_bucket.id
    error_message = "The prod state bucket is versioned."
  }
  assert {
    condition     = [for s in jsondecode(aws_s3_bucket_policy.shared_state_policy.policy).Statement : s.Sid] == ["DenyInsecureTransport", "SharedStateBucketList", "SharedStateRead"]
    error_message = "Only the shared bucket lets prod and dev read the shared state."
  }
  assert {
    condition     = [for s in jsondecode(aws_s3_bucket_policy.prod_state_policy.policy).Statement : s.Sid] == ["DenyInsecureTransport"]
    error_message = "The prod bucket only denies insecure transport."
  }
  assert {
    condition     = aws_dynamodb_table.dev_state_lock_table.hash_key == "LockID" && aws_dynamodb_table.dev_state_lock_table.billing_mode == "PAY_PER_REQUEST"
    error_message = "The lock table is keyed by LockID and paid per request."
  }
  assert {
    condition     = aws_iam_role_policy.peering_accepter_policy.role == aws_iam_role.peering_accepter_role.name && aws_iam_role.peering_accepter_role.name == "vpc-peering-accepter"
    error_message = "The accepter role carries its inline policy."
  }
  assert {
    condition     = aws_iam_role_policy.peering_reader_policy.role == aws_iam_role.peering_reader_role.name && aws_iam_role.peering_reader_role.name == "vpc-peering-reader"
    error_message = "The reader role carries its inline policy."
  }
  assert {
    condition     = [for arn in jsondecode(aws_s3_bucket_policy.shared_state_policy.policy).Statement[2].Condition.ArnEquals["aws:PrincipalArn"] : split("/", arn)[1]] == ["github-actions-prod", "github-actions-dev", "github-actions-prod-plan", "github-actions-dev-plan"]
    error_message = "The prod and dev deploy and plan roles read the shared state."
  }
  assert {
    condition     = aws_iam_openid_connect_provider.prod_github_oidc_provider.url == "https://token.actions.githubusercontent.com"
    error_message = "Each account has GitHub's OIDC provider."
  }
}
