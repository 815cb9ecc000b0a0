terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

variable "db_subnet_ids" {
  type = list(string)
}

variable "db_security_group_id" {
  type = string
}

resource "aws_kms_key" "rds" {
  description             = "KMS key for RDS encryption"
  deletion_window_in_days = 7
  enable_key_rotation     = true
  tags                    = { Name = "coalition-rds-kms-key" }
}

resource "aws_kms_alias" "rds" {
  name          = "alias/coalition-rds"
  target_key_id = aws_kms_key.rds.key_id
}

resource "aws_db_subnet_group" "main" {
  name       = "coalition-db-subnet"
  subnet_ids = var.db_subnet_ids
}

resource "aws_secretsmanager_secret" "db_master" {
  count       = 1
  name        = "coalition/database-master"
  description = "Master credentials for the coalition database"
  tags        = { Name = "coalition-db-master-secret" }
}

resource "aws_secretsmanager_secret_version" "db_master_initial" {
  count     = 1
  secret_id = aws_secretsmanager_secret.db_master[0].id
  secret_string = jsonencode({
    username = "coalition_admin"
    password = "correct-horse-battery-staple"
    host     = aws_db_instance.postgres.address
    port     = aws_db_instance.postgres.port
    dbname   = "postgres"
  })
}

resource "aws_db_parameter_group" "postgres" {
  count  = 1
  name   = "coalition-pg-16-prod"
  family = "postgres16"
}

resource "aws_db_instance" "postgres" {
  identifier                = "coalition-db"
  allocated_storage         = 20
  storage_type              = "gp3"
  engine                    = "postgres"
  engine_version            = "16"
  instance_class            = "db.t4g.micro"
  db_name                   = "coalition"
  username                  = "coalition_admin"
  password                  = "correct-horse-battery-staple"
  parameter_group_name      = aws_db_parameter_group.postgres[0].name
  db_subnet_group_name      = aws_db_subnet_group.main.name
  vpc_security_group_ids    = [var.db_security_group_id]
  skip_final_snapshot       = false
  final_snapshot_identifier = "coalition-final-snapshot"
  deletion_protection       = true
  multi_az                  = false
  backup_retention_period   = 14
  backup_window             = "03:00-04:00"
  maintenance_window        = "mon:04:30-mon:05:30" # mon:04:00 would touch the backup window, which the emulator refuses
  storage_encrypted         = true
  kms_key_id                = aws_kms_key.rds.arn
  publicly_accessible       = false
  tags                      = { Name = "coalition-db" }
}
