import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { KeyPair } from "@cdktf/provider-aws/lib/key-pair";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";
import { serviceTrustPolicy } from "../policies";
import { POSTGRES_PORT } from "./database";

export interface BastionProps {
  /** Name of the instance, its role, security group and key pair, e.g. `coalition-shared-bastion`. */
  readonly name: string;
  readonly vpcId: string;
  /** A public subnet: Session Manager needs a route out (there is no NAT). */
  readonly subnetId: string;
  /** Graviton types (t4g, m7g, ...) get the arm64 image, others x86_64. */
  readonly instanceType: string;
  /** Sources allowed to SSH in; none means no inbound rule at all. */
  readonly sshCidrs: readonly string[];
  /** OpenSSH public key for a key pair; none means no key pair. */
  readonly publicKey?: string;
  /** Ranges the bastion may reach on the PostgreSQL port. */
  readonly databaseCidrs: readonly string[];
  /** The database's PostgreSQL major version, e.g. "16": the bastion gets a matching psql. */
  readonly postgresVersion: string;
  /** The account's permissions boundary, which the instance role carries. */
  readonly permissionsBoundaryArn: string;
}

/** Amazon Linux 2023 packages psql from PostgreSQL 15 on; a newer psql works with an older server. */
const OLDEST_PACKAGED_PSQL = 15;

function psqlVersion(postgresVersion: string): number {
  return Math.max(Number(postgresVersion), OLDEST_PACKAGED_PSQL);
}

/**
 * A small instance to reach the database through: latest Amazon Linux 2023 from the public SSM
 * parameter, IMDSv2 only, encrypted root volume, Session Manager access, SSH only from listed sources.
 */
export class Bastion extends Construct {
  readonly instance: Instance;
  readonly securityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: BastionProps) {
    super(scope, id);
    if (props.sshCidrs.some((cidr) => cidr.endsWith("/0"))) throw new Error("Bastion: sshCidrs must not open SSH to the whole internet");
    if (props.sshCidrs.length > 0 && !props.publicKey) throw new Error("Bastion: sshCidrs need a publicKey to log in with");
    const architecture = /^[a-z]+\d+g[a-z]*\./.test(props.instanceType) ? "arm64" : "x86_64";
    const image = new DataAwsSsmParameter(this, "image", {
      name: `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${architecture}`,
    });

    this.securityGroup = new SecurityGroup(this, "security_group", {
      name: props.name,
      description: `Bastion ${props.name}`,
      vpcId: props.vpcId,
      tags: { Name: props.name },
    });
    for (const cidr of props.sshCidrs) {
      new VpcSecurityGroupIngressRule(this, `ssh_${cidr.replace(/[./]/g, "_")}`, {
        securityGroupId: this.securityGroup.id,
        description: `SSH from ${cidr}`,
        ipProtocol: "tcp",
        fromPort: 22,
        toPort: 22,
        cidrIpv4: cidr,
      });
    }
    new VpcSecurityGroupEgressRule(this, "https_out", {
      securityGroupId: this.securityGroup.id,
      description: "HTTPS to Systems Manager and package repositories",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4: "0.0.0.0/0",
    });
    for (const cidr of props.databaseCidrs) {
      new VpcSecurityGroupEgressRule(this, `postgres_${cidr.replace(/[./]/g, "_")}`, {
        securityGroupId: this.securityGroup.id,
        description: `PostgreSQL to ${cidr}`,
        ipProtocol: "tcp",
        fromPort: POSTGRES_PORT,
        toPort: POSTGRES_PORT,
        cidrIpv4: cidr,
      });
    }

    const role = new IamRole(this, "role", {
      name: props.name,
      description: "Bastion instance: Systems Manager Session Manager only",
      assumeRolePolicy: JSON.stringify(serviceTrustPolicy("ec2.amazonaws.com")),
      permissionsBoundary: props.permissionsBoundaryArn,
      tags: { Name: props.name },
    });
    new IamRolePolicyAttachment(this, "session_manager", {
      role: role.name,
      policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
    });
    const profile = new IamInstanceProfile(this, "instance_profile", { name: props.name, role: role.name });
    const keyPair = props.publicKey
      ? new KeyPair(this, "key_pair", { keyName: props.name, publicKey: props.publicKey, tags: { Name: props.name } })
      : undefined;

    this.instance = new Instance(this, "instance", {
      ami: image.value,
      instanceType: props.instanceType,
      subnetId: props.subnetId,
      vpcSecurityGroupIds: [this.securityGroup.id],
      iamInstanceProfile: profile.name,
      associatePublicIpAddress: true,
      keyName: keyPair?.keyName,
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
      rootBlockDevice: { encrypted: true, volumeType: "gp3", volumeSize: 8, deleteOnTermination: true },
      userData: `#!/bin/bash\ndnf install -y postgresql${psqlVersion(props.postgresVersion)}\n`,
      userDataReplaceOnChange: true,
      // A new image is published every few weeks; replacing the bastion is a deliberate act, not a plan side effect.
      lifecycle: { ignoreChanges: ["ami"] },
      tags: { Name: props.name },
    });
  }
}
