terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

resource "aws_iam_openid_connect_provider" "github" {
  count           = 1
  url             = "https://token.actions.githubusercontent.com"
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = ["ffffffffffffffffffffffffffffffffffffffff"]
  tags            = { Name = "github-actions-oidc" }
}

resource "aws_iam_role" "github_actions" {
  name = "github-actions-shared"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = aws_iam_openid_connect_provider.github[0].arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
        StringLike   = { "token.actions.githubusercontent.com:sub" = ["repo:your-org/coalition-builder:environment:shared", "repo:your-org/coalition-builder:ref:refs/heads/main"] }
      }
    }]
  })
  tags = { Name = "github-actions-shared", Environment = "shared" }
}
