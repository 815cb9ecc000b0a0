terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

resource "aws_vpc" "main" {
  count                = 1
  cidr_block           = "10.0.0.0/16"
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = { Name = "coalition-vpc" }
}

resource "aws_subnet" "public_a" {
  count                   = 1
  vpc_id                  = aws_vpc.main[0].id
  cidr_block              = "10.0.1.0/24"
  availability_zone       = "us-east-1a"
  map_public_ip_on_launch = true
  tags                    = { Name = "coalition-public-a" }
}

resource "aws_subnet" "public_b" {
  count                   = 1
  vpc_id                  = aws_vpc.main[0].id
  cidr_block              = "10.0.2.0/24"
  availability_zone       = "us-east-1b"
  map_public_ip_on_launch = true
  tags                    = { Name = "coalition-public-b" }
}

resource "aws_subnet" "private_db_a" {
  count             = 1
  vpc_id            = aws_vpc.main[0].id
  cidr_block        = "10.0.5.0/24"
  availability_zone = "us-east-1a"
  tags              = { Name = "coalition-private-db-a" }
}

resource "aws_subnet" "private_db_b" {
  count             = 1
  vpc_id            = aws_vpc.main[0].id
  cidr_block        = "10.0.6.0/24"
  availability_zone = "us-east-1b"
  tags              = { Name = "coalition-private-db-b" }
}

resource "aws_internet_gateway" "igw" {
  count  = 1
  vpc_id = aws_vpc.main[0].id
  tags   = { Name = "coalition-igw" }
}

resource "aws_route_table" "public" {
  count  = 1
  vpc_id = aws_vpc.main[0].id
  tags   = { Name = "coalition-public-rt" }
}

resource "aws_route" "public_internet_gateway_new" {
  count                  = 1
  route_table_id         = aws_route_table.public[0].id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.igw[0].id
}

resource "aws_route_table" "private_db" {
  count  = 1
  vpc_id = aws_vpc.main[0].id
  tags   = { Name = "coalition-private-db-rt" }
}

resource "aws_route_table_association" "public_a" {
  count          = 1
  subnet_id      = aws_subnet.public_a[0].id
  route_table_id = aws_route_table.public[0].id
}

resource "aws_route_table_association" "public_b" {
  count          = 1
  subnet_id      = aws_subnet.public_b[0].id
  route_table_id = aws_route_table.public[0].id
}

resource "aws_route_table_association" "private_db_a" {
  count          = 1
  subnet_id      = aws_subnet.private_db_a[0].id
  route_table_id = aws_route_table.private_db[0].id
}

resource "aws_route_table_association" "private_db_b" {
  count          = 1
  subnet_id      = aws_subnet.private_db_b[0].id
  route_table_id = aws_route_table.private_db[0].id
}

resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.main[0].id
  service_name      = "com.amazonaws.us-east-1.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.public[0].id, aws_route_table.private_db[0].id]
  tags              = { Name = "coalition-s3-endpoint" }
}

output "vpc_id" {
  value = aws_vpc.main[0].id
}

output "private_db_subnet_ids" {
  value = [aws_subnet.private_db_a[0].id, aws_subnet.private_db_b[0].id]
}
