import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";

export const FIXTURES = path.join(__dirname, "drift");
export const fixture = (name: string) => path.join(FIXTURES, name);
export const readJson = (file: string) => JSON.parse(readFileSync(file, "utf8"));
export const RUN_URL = "https://github.com/civic-org/coalition-builder/actions/runs/42";

/** The drift-report command, run as the workflow runs it, or directly (faster) when viaNpm is false. */
export function driftReportCli(args: string[], viaNpm = false) {
  const [command, argv] = viaNpm
    ? ["npm", ["run", "--silent", "drift-report", "--", ...args]]
    : [process.execPath, ["scripts/app.cjs", "src/ci/drift-report", ...args]];
  return spawnSync(command, argv, { encoding: "utf8" });
}

/** The addresses a report lists, one per bullet. */
export const listedAddresses = (report: string) => [...report.matchAll(/^- `([^`]+)`/gm)].map((match) => match[1]).sort();

export function terraformIn(dir: string, args: string[], env: NodeJS.ProcessEnv): { status: number | null; stdout: string; output: string } {
  const result = spawnSync("terraform", [...args, "-no-color"], { cwd: dir, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout, output: `${result.stdout}${result.stderr}` };
}


/** A VPC with a Name tag and a security group with one ingress rule, on the emulator, as local mode points providers at it. */
export function emulatedConfiguration(endpoint: string, providerVersion: string): string {
  return `terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "${providerVersion}" }
  }
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  s3_use_path_style           = true
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {
    ec2 = "${endpoint}"
    iam = "${endpoint}"
    sts = "${endpoint}"
  }
}

resource "aws_vpc" "main" {
  cidr_block = "10.9.0.0/16"
  tags       = { Name = "drift-check" }
}

resource "aws_security_group" "web" {
  name   = "drift-check-web"
  vpc_id = aws_vpc.main.id
}

resource "aws_vpc_security_group_ingress_rule" "https" {
  security_group_id = aws_security_group.web.id
  cidr_ipv4         = "10.9.0.0/16"
  from_port         = 443
  to_port           = 443
  ip_protocol       = "tcp"
}
`;
}
