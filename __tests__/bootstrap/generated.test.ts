import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { BOOTSTRAP_DIR, bootstrapFiles, staleBootstrapFiles } from "../../src/bootstrap/generate";
import { INPUT_PATTERNS, PREFIX_LENGTH } from "../../src/bootstrap/inputs";
import { parseConfig } from "../../src/config";
import { names } from "../../src/naming/names";
import { stateBucketPolicy } from "../../src/policies/state-bucket";
import { exampleTree } from "../support/config";

const ROOT = path.join(__dirname, "..", "..");

describe("generated bootstrap files", () => {
  it("are committed exactly as npm run gen:bootstrap writes them", () => {
    expect(staleBootstrapFiles(), "run npm run gen:bootstrap and commit the result").toEqual([]);
  });

  it("are found stale when one differs by a character", () => {
    const copy = mkdtempSync(path.join(tmpdir(), "coalition-bootstrap-"));
    cpSync(BOOTSTRAP_DIR, copy, { recursive: true });
    const file = path.join(copy, "github-oidc-role.cfn.yml");
    writeFileSync(file, readFileSync(file, "utf8").replace("github-actions-${Environment}", "github-actions-x-${Environment}"));
    expect(staleBootstrapFiles(copy)).toEqual(["github-oidc-role.cfn.yml"]);
  });

  it("are checked by npm run gen:bootstrap -- --check, which rejects unknown arguments", () => {
    const check = spawnSync("npm", ["run", "--silent", "gen:bootstrap", "--", "--check"], { cwd: ROOT, encoding: "utf8" });
    expect(check.status, check.stderr).toBe(0);
    const bad = spawnSync("npm", ["run", "--silent", "gen:bootstrap", "--", "--force"], { cwd: ROOT, encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("unknown argument --force");
  });

  it("give bash the names of src/naming/names.ts", () => {
    const script = [
      `. ${JSON.stringify(path.join(BOOTSTRAP_DIR, "lib", "generated.sh"))}`,
      "state_bucket_name civic 123456789012",
      "lock_table_name civic",
      "state_key dev",
      "github_actions_role prod",
      "github_actions_plan_role dev",
      "github_oidc_provider_arn 123456789012",
      'echo "$PEERING_ACCEPTER_ROLE"',
      'echo "$PEERING_READER_ROLE"',
      "github_environment_variables prod 123456789012 eu-west-1",
    ].join("\n");
    const result = spawnSync("bash", ["-c", script], { encoding: "utf8" });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.split("\n")).toEqual([
      names.stateBucket("civic", "123456789012"),
      names.lockTable("civic"),
      names.stateKey("dev"),
      names.githubActionsRole("prod"),
      names.githubActionsPlanRole("dev"),
      names.githubOidcProviderArn("123456789012"),
      names.peeringAccepterRole,
      names.peeringReaderRole,
      "AWS_ACCOUNT_ID=123456789012",
      "ENVIRONMENT=prod",
      "AWS_REGION=eu-west-1",
      "",
    ]);
  });

  it("give bash the bucket policies of the builder, with placeholders bash replaces (all of them: the shared one names the deploy and plan roles)", () => {
    const script = `. ${JSON.stringify(path.join(BOOTSTRAP_DIR, "lib", "generated.sh"))}
p=$SHARED_STATE_BUCKET_POLICY
p=\${p//'\${ProdAccountId}'/200000000002}; p=\${p//'\${DevAccountId}'/300000000003}
p=\${p//'\${ResourcePrefix}'/civic}; p=\${p//'\${AWS::AccountId}'/100000000001}
printf '%s' "$p"`;
    const result = spawnSync("bash", ["-c", script], { encoding: "utf8" });
    expect(result.stdout).not.toContain("${");
    expect(result.stdout).toContain("role/github-actions-dev-plan");
    expect(JSON.parse(result.stdout)).toEqual(
      stateBucketPolicy({
        prefix: "civic",
        accountId: "100000000001",
        sharedStateReaders: [
          { environment: "prod", accountId: "200000000002" },
          { environment: "dev", accountId: "300000000003" },
        ],
      }),
    );
  });

  it("cover every file the generator writes", () => {
    expect(Object.keys(bootstrapFiles()).sort()).toEqual(["github-oidc-role.cfn.yml", "lib/generated.sh", "peering-accepter-role.cfn.yml"]);
  });
});

/** Whether the configuration accepts a value for one field (other problems ignored). */
function configAccepts(field: string[], value: string): boolean {
  const tree = exampleTree();
  let node = tree;
  for (const key of field.slice(0, -1)) node = node[key];
  node[field[field.length - 1]] = value;
  try {
    parseConfig(tree);
    return true;
  } catch (error: any) {
    return !error.problems.some((problem: string) => problem.startsWith(`${field.join(".")}:`) || problem.startsWith(`${field.join(".")} `));
  }
}

const matches = (pattern: string, value: string) => new RegExp(pattern).test(value);

describe("the bootstrap's input rules agree with the configuration's", () => {
  it.each(["coalition", "ab", "civic-data", "a1-b2-c3", "x".repeat(20), "A", "a", "-ab", "ab-", "a--b", "1ab", "x".repeat(21), "a_b", "ab c"])(
    "prefix %j",
    (value) => {
      const bootstrap = matches(INPUT_PATTERNS.prefix, value) && value.length >= PREFIX_LENGTH.min && value.length <= PREFIX_LENGTH.max;
      expect(bootstrap).toBe(configAccepts(["prefix"], value));
    },
  );

  it.each(["us-east-1", "eu-west-2", "us-gov-west-1", "cn-north-1", "US-EAST-1", "us-east", "mars-1", "us-east-1a"])("region %j", (value) => {
    expect(matches(INPUT_PATTERNS.region, value)).toBe(configAccepts(["region"], value));
  });

  it.each([
    ["your-org", "coalition-builder"],
    ["a", "b"],
    ["Org-1", "repo.name_2"],
    ["x".repeat(39), "r"],
    ["x".repeat(40), "r"],
    ["-org", "r"],
    ["org", "a b"],
    ["o rg", "r"],
    ["org", "x".repeat(101)],
  ])("repository %s/%s", (owner, name) => {
    const bootstrap = matches(INPUT_PATTERNS.githubOwner, owner) && matches(INPUT_PATTERNS.githubRepoName, name);
    expect(bootstrap).toBe(configAccepts(["github", "repo"], `${owner}/${name}`));
  });

  it.each(["123456789012", "12345678901", "1234567890123", "12345678901a"])("account id %j", (value) => {
    expect(matches(INPUT_PATTERNS.accountId, value)).toBe(configAccepts(["accounts", "prod", "accountId"], value));
  });

  it.each([
    "arn:aws:iam::111111111111:role/Admin",
    "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0a1b",
    "arn:aws:iam::111111111111:user/ops",
    "arn:aws:iam::111111111111:root",
    "arn:aws:iam::111111111111:role/Admin*",
    "arn:aws:iam::*:role/Admin",
    "arn:aws-cn:iam::111111111111:role/Admin",
    "arn:aws:iam::1111:role/Admin",
    "arn:aws:iam::111111111111:group/admins",
    "arn:aws:sts::111111111111:assumed-role/Admin/alice",
    "arn:aws:iam::111111111111:role/a b",
    "111111111111",
  ])("administrator %j", (value) => {
    const tree = exampleTree();
    tree.administrators = [value];
    let accepted = true;
    try {
      parseConfig(tree);
    } catch {
      accepted = false;
    }
    expect(matches(INPUT_PATTERNS.administratorArn, value)).toBe(accepted);
  });
});
