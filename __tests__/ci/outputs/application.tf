# What an application stack publishes for the Lambda deploy, with values of the same shapes.
resource "terraform_data" "role" {
  input = "coalition-dev-lambda"
}

output "lambda_role_name" {
  value = terraform_data.role.output
}

output "lambda_role_arn" {
  value = "arn:aws:iam::333333333333:role/${terraform_data.role.output}"
}

output "zappa_bucket" {
  value = "coalition-dev-zappa-deployments"
}

output "lambda_subnet_ids" {
  value = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
}

output "lambda_security_group_id" {
  value = "sg-0a1b2c3d4e5f60003"
}

output "database_url_secret_arn" {
  value     = "arn:aws:secretsmanager:us-east-1:333333333333:secret:coalition/dev/database-url-AbCdEf"
  sensitive = true
}

output "django_secret_key_arn" {
  value = "arn:aws:secretsmanager:us-east-1:333333333333:secret:coalition/dev/django-secret-key-GhIjKl"
}

output "ecr_repository_url" {
  value = "333333333333.dkr.ecr.us-east-1.amazonaws.com/coalition-dev"
}

output "vpc_id" {
  value = "vpc-0a1b2c3d4e5f60004"
}
