import type { Construct } from "constructs";
import type { PlatformConfig } from "../src/config";
import { declareSharedOutputs } from "../src/contract/shared-outputs";
import { GitHubOidc } from "../src/constructs/github-oidc";
import { Networking } from "../src/constructs/networking";
import { AccountStack } from "../src/core/account-stack";

/** The shared account: the network the database lives in, published to prod and dev through its state, and its deploy role. */
export class SharedStack extends AccountStack {
  readonly network: Networking;
  readonly githubOidc: GitHubOidc;

  constructor(scope: Construct, config: PlatformConfig) {
    super(scope, { config, environment: "shared" });
    const { network } = this.account;

    this.network = new Networking(this, "network", {
      namePrefix: this.resourceName(),
      region: config.region,
      vpcCidr: network.vpcCidr,
      availabilityZones: network.availabilityZones,
      publicSubnetCidrs: network.publicSubnetCidrs,
      privateSubnetCidrs: network.privateSubnetCidrs,
      privateTier: "db",
      interfaceEndpoints: network.interfaceEndpoints,
    });

    this.githubOidc = new GitHubOidc(this, "github_oidc", this.githubOidcProps());

    declareSharedOutputs(this, {
      vpc_id: this.network.vpc.id,
      vpc_cidr: this.network.vpc.cidrBlock,
      db_subnet_ids: this.network.privateSubnets.map((subnet) => subnet.id),
      db_subnet_cidrs: this.network.privateSubnets.map((subnet) => subnet.cidrBlock),
      db_route_table_id: this.network.privateRouteTable.id,
    });
  }
}
