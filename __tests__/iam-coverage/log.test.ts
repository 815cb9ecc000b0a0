import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readLoggedEntries, parseFields } from "../../src/iam-coverage/log";
import { trimLogs } from "../../src/iam-coverage/trim";
import { json, logFile, query, responseLine } from "./log-lines";

async function entries(text: string) {
  const found = [];
  for await (const entry of readLoggedEntries(logFile(text))) found.push(entry);
  return found;
}

describe("reading Terraform's debug log", () => {
  it("reads hclog fields: bare, Go-quoted with spaces and escapes, bracketed lists, and multi-line values", () => {
    expect(
      parseFields([
        ' rpc.service="Secrets Manager" rpc.method=CreateSecret http.response.header.server=["Werkzeug/3.1.8 Python/3.11.7", amazon.com] note="say \\"hi\\""',
        "  http.request.body=",
        '  | {"Name":"coalition/prod/x",',
        '  |  "Description":""}',
        "   http.method=POST tf_req_id=58297b27",
      ]),
    ).toEqual({
      "rpc.service": "Secrets Manager",
      "rpc.method": "CreateSecret",
      "http.response.header.server": '["Werkzeug/3.1.8 Python/3.11.7", amazon.com]',
      note: 'say "hi"',
      "http.request.body": '{"Name":"coalition/prod/x",\n "Description":""}',
      "http.method": "POST",
      tf_req_id: "58297b27",
    });
  });

  it("keeps the AWS requests and answers, with their logger and line, and nothing else", async () => {
    const text = [
      "2026-01-01T00:00:00.000Z [INFO]  Terraform version: 1.11.4\n",
      "2026-01-01T00:00:00.100Z [DEBUG] provider.terraform-provider-aws_v5.100.0_x5: setting endpoint: rpc.service=EC2 rpc.method=CreateVpc\n",
      query("EC2", "ec2", "CreateVpc", { CidrBlock: "10.1.0.0/16" }),
      "2026-01-01T00:00:00.200Z [WARN]  Provider produced an invalid plan, but we are tolerating it:\n      - .tags_all: planned value for a non-computed attribute\n",
      responseLine({ service: "STS", operation: "AssumeRole", body: "<AssumeRoleResponse/>", logger: "backend-s3.aws-base" }),
    ].join("");
    const found = await entries(text);
    expect(found.map(({ kind, service, operation, logger, line }) => ({ kind, service, operation, logger, line }))).toEqual([
      { kind: "request", service: "EC2", operation: "CreateVpc", logger: "provider.terraform-provider-aws_v5.100.0_x5", line: 3 },
      { kind: "response", service: "STS", operation: "AssumeRole", logger: "backend-s3.aws-base", line: 9 },
    ]);
    expect(found[0].fields["http.request.body"]).toBe("Action=CreateVpc&CidrBlock=10.1.0.0%2F16&Version=2016-11-15");
  });
});

describe("trimming a log to what iam:coverage reads", () => {
  const assumed = (key: string) =>
    responseLine({
      service: "STS",
      operation: "AssumeRole",
      fields: { tf_req_id: "r1" },
      body: `<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>${key}</AccessKeyId><SecretAccessKey>wJalr********EXAMPLE</SecretAccessKey><SessionToken>FQoGZXIvYXdzEXAMPLE</SessionToken></Credentials><AssumedRoleUser><Arn>arn:aws:sts::111111111111:assumed-role/vpc-peering-accepter/s</Arn></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>`,
    });
  const assume = query("STS", "sts", "AssumeRole", { RoleArn: "arn:aws:iam::111111111111:role/vpc-peering-accepter", RoleSessionName: "s" }, { fields: { tf_req_id: "r1" } });
  const log = [
    assume,
    assumed("ASIA************KEY1"),
    query("EC2", "ec2", "CreateRoute", { RouteTableId: "rtb-0a1b2c3d" }, { key: "ASIA************KEY1" }),
    // A second session of the same role, making the same call: kept once.
    assume,
    assumed("ASIA************KEY2"),
    query("EC2", "ec2", "CreateRoute", { RouteTableId: "rtb-0a1b2c3d" }, { key: "ASIA************KEY2" }),
    query("RDS", "rds", "CreateDBInstance", { DBInstanceIdentifier: "db", MasterUserPassword: "hunter2hunter2" }),
    json("Secrets Manager", "secretsmanager", "PutSecretValue", { SecretId: "coalition/prod/x", SecretString: "postgres://u:hunter2@db/x", Description: "x".repeat(500) }),
  ].join("");

  it("keeps every call once, signed as the session that made it, and the credentials' role, but no secret", async () => {
    const trimmed = await trimLogs([logFile(log)]);
    expect(trimmed).not.toMatch(/hunter2|SecretAccessKey|SessionToken|FQoG|Signature/);
    expect(trimmed.match(/rpc.method=CreateRoute/g)).toHaveLength(1);
    expect(trimmed.match(/rpc.method=AssumeRole/g)).toHaveLength(2); // one session: its request and its answer
    expect(trimmed).toContain("<AccessKeyId>ASIA************KEY1</AccessKeyId><Arn>arn:aws:sts::111111111111:assumed-role/vpc-peering-accepter/s</Arn>");
    expect(trimmed).toContain('"Description":"(500 characters)"');
    const again = await entries(trimmed);
    expect(again.filter((e) => e.kind === "request").map((e) => e.operation)).toEqual(["AssumeRole", "CreateRoute", "CreateDBInstance", "PutSecretValue"]);
  });

  it("keeps the committed fixtures in the form it writes", () => {
    const fixture = readFileSync(`${__dirname}/logs/prod.log`, "utf8");
    expect(fixture).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z \[DEBUG\] [\w.-]+: HTTP Request Sent: rpc.service=/);
    expect(fixture).toContain("rpc.method=AcceptVpcPeeringConnection");
  });
});
