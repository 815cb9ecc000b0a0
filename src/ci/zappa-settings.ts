import { readFileSync } from "node:fs";
import { APPLICATION_ENVIRONMENTS, type ApplicationEnvironment, loadConfig, type PlatformConfig } from "../config";
import { CheckError, parseCommandLine, runCommand, UsageError } from "./cli";

/** The application stack outputs a Lambda deploy reads, and their shapes. */
export const LAMBDA_OUTPUTS = {
  lambda_role_name: "string",
  lambda_role_arn: "string",
  zappa_bucket: "string",
  lambda_subnet_ids: "list",
  lambda_security_group_id: "string",
  database_url_secret_arn: "string",
  django_secret_key_arn: "string",
  ecr_repository_url: "string",
} as const;

type LambdaOutputs = { [name in keyof typeof LAMBDA_OUTPUTS]: (typeof LAMBDA_OUTPUTS)[name] extends "list" ? string[] : string };

const USAGE = `usage: npm run --silent zappa-settings -- --env <${APPLICATION_ENVIRONMENTS.join("|")}> --django-settings <module> <outputs.json>

Prints zappa_settings.json for the environment's stage from its stack outputs (outputs.json is the output of
terraform output -json in cdktf.out/stacks/<env>) and the platform configuration (COALITION_CONFIG and the
COALITION_* variables, as for npm run synth). The stage is the environment; the function is <prefix>-<env>.`;

/** Reads `terraform output -json`: each required output present, with its shape. */
export function readLambdaOutputs(file: string, environment: ApplicationEnvironment): LambdaOutputs {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UsageError(`cannot read ${file}: no such file`, false);
    throw new UsageError(`${file} is not JSON (${(error as Error).message}); give the output of terraform output -json`, false);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json) || Object.values(json).some((output) => !isOutput(output))) {
    throw new UsageError(`${file} is not the output of terraform output -json (an object of {value, type, sensitive} by output name)`, false);
  }
  const outputs = json as Record<string, { value: unknown }>;
  const missing = Object.keys(LAMBDA_OUTPUTS).filter((name) => !(name in outputs));
  if (missing.length > 0) {
    throw new CheckError(
      `the ${environment} stack has no output${missing.length === 1 ? "" : "s"} ${missing.join(", ")}: apply the ${environment} stack (Terraform CI/CD) before deploying the Lambda`,
    );
  }
  const wrong = Object.entries(LAMBDA_OUTPUTS).flatMap(([name, shape]) => {
    const value = outputs[name].value;
    const ok = shape === "list" ? Array.isArray(value) && value.length > 0 && value.every(isText) : isText(value);
    return ok ? [] : [`${name} must be ${shape === "list" ? "a non-empty list of strings" : "a non-empty string"}, not ${JSON.stringify(value)}`];
  });
  if (wrong.length > 0) throw new UsageError(`${file}: ${wrong.join("; ")}`, false);
  return Object.fromEntries(Object.keys(LAMBDA_OUTPUTS).map((name) => [name, outputs[name].value])) as LambdaOutputs;
}

/** The Zappa settings of one stage, deployed from a container image (zappa deploy/update -d <image>). */
export function zappaSettings(config: PlatformConfig, environment: ApplicationEnvironment, outputs: LambdaOutputs, djangoSettings: string) {
  return {
    [environment]: {
      // Zappa names the function, its API and its CloudFormation stack <project_name>-<stage>, under the
      // prefix the deploy role may manage.
      project_name: config.prefix,
      aws_region: config.region,
      django_settings: djangoSettings,
      lambda_description: `Coalition Builder (${environment})`,
      role_name: outputs.lambda_role_name,
      role_arn: outputs.lambda_role_arn,
      manage_roles: false,
      s3_bucket: outputs.zappa_bucket,
      vpc_config: { SubnetIds: outputs.lambda_subnet_ids, SecurityGroupIds: [outputs.lambda_security_group_id] },
      aws_environment_variables: {
        ENVIRONMENT: environment,
        DATABASE_URL_SECRET_ARN: outputs.database_url_secret_arn,
        DJANGO_SECRET_KEY_ARN: outputs.django_secret_key_arn,
      },
      // Keep-warm pings cost invocations around the clock; dev is used now and then.
      keep_warm: environment !== "dev",
      tags: { ...config.tags, Environment: environment, ManagedBy: "zappa" },
    },
  };
}

export function zappaSettingsCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): string | undefined {
  const { values, positionals } = parseCommandLine(
    argv,
    { env: { type: "string" }, "django-settings": { type: "string" }, help: { type: "boolean", short: "h" } },
    true,
  );
  if (values.help) return undefined;
  const environment = values.env;
  const djangoSettings = values["django-settings"];
  if (environment === undefined) throw new UsageError("--env is required");
  if (!(APPLICATION_ENVIRONMENTS as readonly string[]).includes(environment)) {
    throw new UsageError(`--env must be one of ${APPLICATION_ENVIRONMENTS.join(", ")}, not ${JSON.stringify(environment)}`);
  }
  if (djangoSettings === undefined || djangoSettings === "") throw new UsageError("--django-settings is required (the Django settings module, e.g. coalition.settings)");
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(djangoSettings)) {
    throw new UsageError(`--django-settings must be a Python module path such as coalition.settings, not ${JSON.stringify(djangoSettings)}`);
  }
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? "the outputs file (terraform output -json) is required" : `give one outputs file, not ${positionals.length}`);
  }
  const outputs = readLambdaOutputs(positionals[0], environment as ApplicationEnvironment);
  const config = loadConfig(env);
  return `${JSON.stringify(zappaSettings(config, environment as ApplicationEnvironment, outputs, djangoSettings), null, 2)}\n`;
}

function isOutput(value: unknown): boolean {
  return value !== null && typeof value === "object" && "value" in value && "type" in value;
}

function isText(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}

if (require.main === module) runCommand("zappa-settings", USAGE, (argv) => zappaSettingsCommand(argv));
