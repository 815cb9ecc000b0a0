# An application stack applied before it published the Lambda outputs.
output "vpc_id" {
  value = "vpc-0a1b2c3d4e5f60004"
}

output "lambda_subnet_ids" {
  value = []
}
