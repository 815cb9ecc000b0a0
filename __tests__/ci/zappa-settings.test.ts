import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CheckError, UsageError } from "../../src/ci/cli";
import { zappaSettingsCommand } from "../../src/ci/zappa-settings";
import { terraformEnvironment } from "../support/terraform";
import { terraformAvailable } from "./plan-fixtures";

/** `terraform output -json` after applying one of the configurations in outputs/. */
function terraformOutputs(config: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "coalition-outputs-"));
  copyFileSync(path.join(__dirname, "outputs", config), path.join(dir, "main.tf"));
  const env = terraformEnvironment();
  for (const args of [["init", "-input=false"], ["apply", "-auto-approve", "-input=false"]]) {
    const result = spawnSync("terraform", [...args, "-no-color"], { cwd: dir, env, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`terraform ${args[0]} failed: ${result.stdout}${result.stderr}`);
  }
  const output = spawnSync("terraform", ["output", "-json"], { cwd: dir, env, encoding: "utf8" });
  const file = path.join(dir, "outputs.json");
  writeFileSync(file, output.stdout);
  return file;
}


describe.skipIf(!terraformAvailable)("zappa-settings, from terraform output -json", () => {
  let outputs: string;
  let beforeLambda: string;
  beforeAll(() => {
    outputs = terraformOutputs("application.tf");
    beforeLambda = terraformOutputs("before-lambda.tf");
  }, 60_000);

  it("builds the stage from the stack outputs and the configuration", () => {
    const settings = JSON.parse(zappaSettingsCommand(["--env", "dev", "--django-settings", "coalition.settings", outputs], { COALITION_PREFIX: "cb", COALITION_REGION: "eu-west-1" })!);
    expect(Object.keys(settings)).toEqual(["dev"]);
    expect(settings.dev).toEqual({
      project_name: "cb",
      aws_region: "eu-west-1",
      django_settings: "coalition.settings",
      lambda_description: "Coalition Builder (dev)",
      role_name: "coalition-dev-lambda",
      role_arn: "arn:aws:iam::333333333333:role/coalition-dev-lambda",
      manage_roles: false,
      s3_bucket: "coalition-dev-zappa-deployments",
      vpc_config: { SubnetIds: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"], SecurityGroupIds: ["sg-0a1b2c3d4e5f60003"] },
      aws_environment_variables: {
        ENVIRONMENT: "dev",
        DATABASE_URL_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:333333333333:secret:coalition/dev/database-url-AbCdEf",
        DJANGO_SECRET_KEY_ARN: "arn:aws:secretsmanager:us-east-1:333333333333:secret:coalition/dev/django-secret-key-GhIjKl",
      },
      keep_warm: false,
      tags: { Project: "coalition-builder", Environment: "dev", ManagedBy: "zappa" },
    });
  });

  it("keeps prod warm and names it prod", () => {
    const settings = JSON.parse(zappaSettingsCommand(["--env", "prod", "--django-settings", "app.settings.production", outputs], {})!);
    expect(settings.prod).toMatchObject({ project_name: "coalition", aws_region: "us-east-1", keep_warm: true, django_settings: "app.settings.production" });
    expect(settings.prod.aws_environment_variables.ENVIRONMENT).toBe("prod");
  });

  it("exits 1 listing every missing output when the stack was applied before it had them", () => {
    const run = () => zappaSettingsCommand(["--env", "prod", "--django-settings", "coalition.settings", beforeLambda], {});
    expect(run).toThrow(CheckError);
    expect(run).toThrow(
      "the prod stack has no outputs lambda_role_name, lambda_role_arn, zappa_bucket, lambda_security_group_id, database_url_secret_arn, django_secret_key_arn, ecr_repository_url: apply the prod stack",
    );
  });

  it("refuses an output of the wrong shape", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "coalition-outputs-"));
    const file = path.join(dir, "empty-subnets.json");
    const real = JSON.parse(readFileSync(outputs, "utf8"));
    const before = JSON.parse(readFileSync(beforeLambda, "utf8"));
    writeFileSync(file, JSON.stringify({ ...real, lambda_subnet_ids: before.lambda_subnet_ids }));
    expect(() => zappaSettingsCommand(["--env", "dev", "--django-settings", "s", file], {})).toThrow("lambda_subnet_ids must be a non-empty list of strings, not []");
  });

  it("prints the settings from the npm script, and nothing but an error on a bad configuration", () => {
    const run = (env: Record<string, string>) =>
      spawnSync("npm", ["run", "--silent", "zappa-settings", "--", "--env", "dev", "--django-settings", "coalition.settings", outputs], {
        encoding: "utf8",
        env: { ...process.env, ...env },
      });
    const ok = run({});
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).dev.s3_bucket).toBe("coalition-dev-zappa-deployments");
    const bad = run({ COALITION_PREFIX: "Not A Prefix" });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toContain("prefix (from COALITION_PREFIX): must be 2-20 characters");
  });
});

describe("zappa-settings input errors", () => {
  it.each([
    [["--django-settings", "s", "o.json"], "--env is required"],
    [["--env", "shared", "--django-settings", "s", "o.json"], '--env must be one of prod, dev, not "shared"'],
    [["--env", "dev", "o.json"], "--django-settings is required"],
    [["--env", "dev", "--django-settings", "coalition/settings.py", "o.json"], "--django-settings must be a Python module path"],
    [["--env", "dev", "--django-settings", "s"], "the outputs file (terraform output -json) is required"],
    [["--env", "dev", "--django-settings", "s", "no/such/outputs.json"], "cannot read no/such/outputs.json: no such file"],
    [["--env", "dev", "--django-settings", "s", "README.md"], "README.md is not JSON"],
    [["--env", "dev", "--django-settings", "s", "package.json"], "package.json is not the output of terraform output -json"],
  ])("rejects %j", (argv, message) => {
    expect(() => zappaSettingsCommand(argv, {})).toThrow(UsageError);
    expect(() => zappaSettingsCommand(argv, {})).toThrow(message);
  });

  it("exits 2 with nothing on stdout", () => {
    const result = spawnSync(process.execPath, ["scripts/app.cjs", "src/ci/zappa-settings", "--env", "qa"], { encoding: "utf8" });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain('zappa-settings: --env must be one of prod, dev, not "qa"');
  });
});
