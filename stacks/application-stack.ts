import { TerraformVariable } from "cdktf";
import type { Construct } from "constructs";
import type { ApplicationEnvironment, PlatformConfig } from "../src/config";
import { SharedState } from "../src/contract/shared-outputs";
import { GitHubOidc } from "../src/constructs/github-oidc";
import { Networking } from "../src/constructs/networking";
import { VpcPeering } from "../src/constructs/vpc-peering";
import { AccountStack } from "../src/core/account-stack";
import { names } from "../src/naming/names";

/** An application account (prod or dev): its VPC, peered to the shared VPC that holds the database, and its deploy role. */
export class ApplicationStack extends AccountStack {
  readonly network: Networking;
  readonly peering: VpcPeering;
  readonly githubOidc: GitHubOidc;

  constructor(scope: Construct, config: PlatformConfig, environment: ApplicationEnvironment) {
    super(scope, { config, environment });
    const { network } = this.account;
    const sharedAccountId = config.accounts.shared.accountId;

    const shared = new SharedState(this, "shared", {
      bucket: names.stateBucket(config.prefix, sharedAccountId),
      key: names.stateKey("shared"),
      region: config.region,
    });

    const endpointsSwitch = network.switchableEndpoints
      ? new TerraformVariable(this, "enable_vpc_endpoints", {
          type: "bool",
          default: true,
          nullable: false,
          description: "Keep the interface VPC endpoints; false removes them to save their hourly cost (Lambda then cannot reach those services)",
        })
      : undefined;

    this.network = new Networking(this, "network", {
      namePrefix: this.resourceName(),
      region: config.region,
      vpcCidr: network.vpcCidr,
      availabilityZones: network.availabilityZones,
      publicSubnetCidrs: network.publicSubnetCidrs,
      privateSubnetCidrs: network.privateSubnetCidrs,
      privateTier: "app",
      interfaceEndpoints: network.interfaceEndpoints,
      interfaceEndpointsEnabled: endpointsSwitch?.booleanValue,
    });

    this.peering = new VpcPeering(this, "peering", {
      name: this.resourceName("to-shared"),
      requester: {
        vpcId: this.network.vpc.id,
        vpcCidr: network.vpcCidr,
        routeTableId: this.network.privateRouteTable.id,
      },
      accepter: {
        accountId: sharedAccountId,
        region: config.region,
        vpcId: shared.string("vpc_id"),
        vpcCidr: shared.string("vpc_cidr"),
        routeTableId: shared.string("db_route_table_id"),
      },
      accepterProvider: this.providerInAccount("shared", sharedAccountId, names.peeringAccepterRoleArn(sharedAccountId)),
    });

    this.githubOidc = new GitHubOidc(this, "github_oidc", {
      ...this.githubOidcProps(),
      peeringAccountIds: [sharedAccountId],
      sharedStateAccountId: sharedAccountId,
    });
  }
}
