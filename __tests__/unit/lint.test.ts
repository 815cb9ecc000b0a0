import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const lint = async (code: string) => {
  const [result] = await new ESLint({ cwd: process.cwd() }).lintText(code, { filePath: "src/constructs/example.ts" });
  return result.messages.filter((message) => message.ruleId === "no-restricted-imports").map((message) => message.message);
};

describe("the provider import rule", () => {
  it.each(["@cdktf/provider-aws", "@cdktf/provider-github"])("rejects the %s barrel", async (name) => {
    expect(await lint(`import { Vpc } from "${name}";\nexport const x = Vpc;\n`)).toEqual([expect.stringContaining(`${name}/lib/<resource>`)]);
  });

  it("accepts deep imports", async () => {
    expect(await lint('import { Vpc } from "@cdktf/provider-aws/lib/vpc";\nexport const x = Vpc;\n')).toEqual([]);
  });
});

describe("the layering rule", () => {
  const lintAt = async (filePath: string, source: string) => {
    const [result] = await new ESLint({ cwd: process.cwd() }).lintText(`import { x } from "${source}";\nexport const y = x;\n`, { filePath });
    return result.messages.filter((message) => message.ruleId === "no-restricted-imports").map((message) => message.message);
  };

  it.each([
    ["src/core/account-stack.ts", "../local/emulated-stack"],
    ["src/core/state-backend.ts", "../ci/cli"],
    ["src/constructs/networking.ts", "../tools/audit"],
    ["src/constructs/nested/thing.ts", "../../local"],
    ["src/policies/lambda.ts", "../../src/ci/terraform-plan"],
  ])("rejects %s importing %s", async (file, source) => {
    expect(await lintAt(file, source)).toEqual([expect.stringContaining("dependencies point down")]);
  });

  it.each([
    ["src/local/emulated-stack.ts", "../core/account-stack"],
    ["src/ci/plan-comment.ts", "../policies/lambda"],
    ["src/constructs/networking.ts", "../policies/s3"],
    ["src/core/account-stack.ts", "../guardrails/aspect"],
    ["main.ts", "./src/local/emulated-stack"],
  ])("accepts %s importing %s", async (file, source) => {
    expect(await lintAt(file, source)).toEqual([]);
  });

  it("still rejects the provider barrel in the lower layers", async () => {
    expect(await lintAt("src/constructs/networking.ts", "@cdktf/provider-aws")).toEqual([expect.stringContaining("deep path")]);
  });
});
