# Runs for the shared stack; the harness adds the mocked provider.

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
  assert {
    condition     = aws_iam_role.github_oidc_role.name == "github-actions-shared" && output.github_oidc_role_arn == aws_iam_role.github_oidc_role.arn
    error_message = "shared should have its github-actions role and output its ARN."
  }
  assert {
    condition     = !strcontains(aws_iam_role_policy.github_oidc_infrastructure_policy.policy, "sts:AssumeRole")
    error_message = "The shared deploy role assumes no other role."
  }
  assert {
    condition     = !aws_db_instance.database_instance.publicly_accessible && aws_db_instance.database_instance.storage_encrypted && aws_db_instance.database_instance.kms_key_id == aws_kms_key.database_encryption_key.arn
    error_message = "The database should be private and encrypted with its own key."
  }
  assert {
    condition     = aws_db_instance.database_instance.backup_retention_period == 14 && aws_db_instance.database_instance.deletion_protection && aws_db_instance.database_instance.manage_master_user_password
    error_message = "The database should keep 14 days of backups, be protected, and let RDS manage the master password."
  }
  assert {
    condition     = contains([for p in aws_db_parameter_group.database_parameters.parameter : "${p.name}=${p.value}"], "rds.force_ssl=1")
    error_message = "The database should accept TLS connections only."
  }
  assert {
    condition     = toset([for r in [aws_vpc_security_group_ingress_rule.database_client_10_1_3_0_24, aws_vpc_security_group_ingress_rule.database_client_10_2_4_0_24] : r.from_port]) == toset([5432])
    error_message = "prod and dev app subnets should reach PostgreSQL."
  }
  assert {
    condition     = aws_vpc_security_group_ingress_rule.database_client_bastion.referenced_security_group_id == aws_security_group.bastion_security_group.id
    error_message = "The bastion should reach the database."
  }
  assert {
    condition     = aws_instance.bastion_instance.metadata_options[0].http_tokens == "required" && aws_instance.bastion_instance.root_block_device[0].encrypted
    error_message = "The bastion should require IMDSv2 and encrypt its root volume."
  }
  assert {
    condition     = output.alert_topic_arn == aws_sns_topic.monitoring_topic.arn && aws_sns_topic.monitoring_topic.kms_master_key_id == aws_kms_key.monitoring_encryption_key.arn
    error_message = "Alerts should go to the encrypted topic published as alert_topic_arn."
  }
}
