# The shared environment as the HCL implementation deploys it, reduced to what holds data (and the network and
# deploy role it sits in): its module addresses, its physical names, its state key. The migration end-to-end test
# applies it to the emulator, then takes its state over with the shared stack. Random suffixes are written out.

terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
  backend "s3" {}
}

variable "endpoint" {
  type        = string
  description = "The emulator's URL"
}

variable "domain_name" {
  type    = string
  default = "example.org"
}

provider "aws" {
  region            = "us-east-1"
  profile           = "shared"
  s3_use_path_style = true
  endpoints {
    ec2            = var.endpoint
    iam            = var.endpoint
    kms            = var.endpoint
    logs           = var.endpoint
    rds            = var.endpoint
    route53        = var.endpoint
    s3             = var.endpoint
    secretsmanager = var.endpoint
    sts            = var.endpoint
  }
  default_tags {
    tags = { Project = "coalition-builder", Environment = "shared", ManagedBy = "terraform" }
  }
}

module "networking" {
  source = "./modules/networking"
}

module "security" {
  source = "./modules/security"
  vpc_id = module.networking.vpc_id
}

module "database" {
  source               = "./modules/database"
  db_subnet_ids        = module.networking.private_db_subnet_ids
  db_security_group_id = module.security.db_security_group_id
}

module "monitoring" {
  source = "./modules/monitoring"
}

module "github_oidc" {
  source = "./modules/github_oidc"
}

resource "aws_route53_zone" "main" {
  name = var.domain_name
  tags = { Name = var.domain_name }
}

resource "aws_route53_record" "apex" {
  zone_id = aws_route53_zone.main.zone_id
  name    = var.domain_name
  type    = "A"
  ttl     = 300
  records = ["76.76.21.21"]
}

resource "aws_route53_record" "google_workspace_mx" {
  zone_id = aws_route53_zone.main.zone_id
  name    = var.domain_name
  type    = "MX"
  ttl     = 300
  records = ["1 smtp.google.com"]
}

resource "aws_route53_record" "www" {
  zone_id = aws_route53_zone.main.zone_id
  name    = "www.${var.domain_name}"
  type    = "CNAME"
  ttl     = 300
  records = ["cname.vercel-dns.com"]
}

resource "aws_route53_record" "test" {
  zone_id = aws_route53_zone.main.zone_id
  name    = "test.${var.domain_name}"
  type    = "CNAME"
  ttl     = 300
  records = ["cname.vercel-dns.com"]
}
