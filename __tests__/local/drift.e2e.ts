import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { driftReportCli, emulatedConfiguration, listedAddresses, RUN_URL, terraformIn } from "../ci/drift-support";
import { Moto } from "../support/moto";
import { have } from "../support/prerequisites";
import { synthPlatform } from "../support/synth";
import { terraformEnvironment } from "../support/terraform";

// The drift check's proof on the emulator (in npm run test:local: a Terraform apply with the AWS provider is
// too dear for the unit suite).
describe.skipIf(!have("terraform", "moto_server", "aws"))("drift made behind Terraform's back on the emulator", () => {
  let moto: Moto;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const aws = (...args: string[]) => {
    const result = spawnSync("aws", [...args, "--output", "json"], { env, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`aws ${args.join(" ")}: ${result.stderr}`);
    return result.stdout.trim() === "" ? {} : JSON.parse(result.stdout);
  };
  const tf = (args: string[]) => {
    const result = terraformIn(dir, args, env);
    if (result.status !== 0) throw new Error(`terraform ${args.join(" ")}: ${result.output}`);
    return result.stdout;
  };

  beforeAll(async () => {
    moto = await Moto.start();
    env = { ...terraformEnvironment(), ...moto.clientEnvironment(), TF_LOG: "" };
    dir = mkdtempSync(path.join(tmpdir(), "coalition-drift-moto-"));
    // The provider version the stacks pin, which the mirror holds.
    writeFileSync(path.join(dir, "main.tf"), emulatedConfiguration(moto.endpoint, synthPlatform().prod.terraform.required_providers.aws.version));
    tf(["init", "-input=false"]);
    tf(["apply", "-auto-approve", "-input=false"]);
  }, 120_000);

  afterAll(async () => moto?.stop());

  it("is planned with exit code 2, and the report names exactly the retagged VPC and the changed rule", () => {
    const state = JSON.parse(tf(["show", "-json"])).values.root_module.resources as { address: string; values: Record<string, any> }[];
    const value = (address: string, name: string) => state.find((resource) => resource.address === address)!.values[name];
    aws("ec2", "create-tags", "--resources", value("aws_vpc.main", "id"), "--tags", "Key=Name,Value=renamed-in-the-console");
    const rule = value("aws_vpc_security_group_ingress_rule.https", "security_group_rule_id");
    aws(
      "ec2",
      "modify-security-group-rules",
      "--group-id",
      value("aws_security_group.web", "id"),
      "--security-group-rules",
      `SecurityGroupRuleId=${rule},SecurityGroupRule={IpProtocol=tcp,FromPort=22,ToPort=22,CidrIpv4=0.0.0.0/0}`,
    );

    // The drift workflow's plan step.
    const plan = terraformIn(dir, ["plan", "-input=false", "-lock=false", "-refresh=true", "-detailed-exitcode", "-out=tfplan"], env);
    expect(plan.status, plan.output).toBe(2);
    const planFile = path.join(dir, "plan.json");
    writeFileSync(planFile, tf(["show", "-json", "tfplan"]));

    const report = driftReportCli(["--stack", "prod", "--run-url", RUN_URL, planFile]);
    expect(report.stderr).toBe("");
    expect(report.status).toBe(0);
    expect(listedAddresses(report.stdout)).toEqual(["aws_vpc.main", "aws_vpc_security_group_ingress_rule.https"]);
    expect(report.stdout).toMatch(/^- `aws_vpc\.main` — .*`tags`.*\*\*changed outside Terraform\*\*/m);
    expect(report.stdout).toMatch(/^- `aws_vpc_security_group_ingress_rule\.https` — .*`from_port`.*\*\*changed outside Terraform\*\*/m);
  }, 120_000);
});
