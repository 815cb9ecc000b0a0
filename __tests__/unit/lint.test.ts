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
