terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

variable "vpc_id" {
  type = string
}

resource "aws_security_group" "db_sg" {
  count       = 1
  name        = "coalition-db-sg"
  description = "Allow PostgreSQL inbound traffic"
  vpc_id      = var.vpc_id
}

output "db_security_group_id" {
  value = aws_security_group.db_sg[0].id
}
