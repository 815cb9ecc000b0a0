import { describe, expect, it } from "vitest";
import { inlineCode, plainText } from "../../src/ci/markdown";
import { renderPlanComment } from "../../src/ci/plan-comment";
import { summarizePlan } from "../../src/ci/terraform-plan";

describe("inlineCode", () => {
  it.each([
    ["aws_s3_bucket.assets", "`aws_s3_bucket.assets`"],
    ['aws_route53_record.extra["a`b"]', '``aws_route53_record.extra["a`b"]``'],
    ["`edge", "`` `edge ``"],
    ["a\nb\r\tc", "`a\\nb\\r\\tc`"],
    ["nul\u0000 bell\u0007 line\u2028 paragraph\u2029", "`nul\\u0000 bell\\u0007 line\\u2028 paragraph\\u2029`"],
  ])("shows %j as %s", (text, expected) => expect(inlineCode(text)).toBe(expected));
});

describe("plainText", () => {
  it.each([
    ["replace because cannot update", "replace because cannot update"],
    ["<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert\\(1\\)&gt;"],
    // The newline's escape is shown as typed: its backslash escaped, as Markdown would otherwise consume it.
    ["</details>\n# Approved", "&lt;/details&gt;\\\\n\\# Approved"],
    ["**bold** [link](https://example.com) `code` a|b ~x~ !", "\\*\\*bold\\*\\* \\[link\\]\\(https://example.com\\) \\`code\\` a\\|b \\~x\\~ \\!"],
    ["&amp; stays text", "&amp;amp; stays text"],
  ])("shows %j as %s", (text, expected) => expect(plainText(text)).toBe(expected));
});

describe("the plan comment, on strings a plan could hold", () => {
  // Terraform escapes addresses today; a plan file is still input, and a comment must not let it add or end elements.
  const hostile = "\n</details>\n\n<img src=x onerror=alert(1)>\n# Approved";
  const plan = {
    format_version: "1.2",
    terraform_version: `1.11.4${hostile}`,
    planned_values: {},
    resource_changes: [
      { address: `aws_s3_bucket.a["${hostile}"]`, mode: "managed", action_reason: `replace_because${hostile}`, change: { actions: ["delete", "create"], replace_paths: [[`tag${hostile}`]] } },
      { address: "aws_s3_bucket.b", previous_address: `aws_s3_bucket.old${hostile}`, mode: "managed", change: { actions: ["no-op"] } },
      { address: "aws_s3_bucket.c", mode: "managed", deposed: `00${hostile}`, change: { actions: ["delete"] } },
    ],
    output_changes: { [`name${hostile}`]: { actions: ["create"] } },
  };
  const comment = renderPlanComment(summarizePlan(plan), { stack: "prod", environment: "prod" });

  it("keeps every value on its own line, so no line of the comment starts with what the plan wrote", () => {
    const lines = comment.split("\n");
    for (const line of lines) expect(line).not.toMatch(/^(<img|# Approved|<\/details>.+)/);
    expect(lines.filter((line) => line === "</details>")).toHaveLength(1);
    expect(lines.filter((line) => line.includes("<details>"))).toHaveLength(1);
  });

  it("shows the plan's HTML as text wherever it is not inside code", () => {
    const outsideCode = comment.replace(/(`+)[\s\S]*?\1/g, "");
    expect(outsideCode).not.toMatch(/<img|<\/details>[^\n]/);
    expect(comment).toContain("Terraform 1.11.4\\\\n&lt;/details&gt;\\\\n\\\\n&lt;img src=x onerror=alert\\(1\\)&gt;\\\\n\\# Approved");
    expect(comment).toContain("`name\\n</details>\\n\\n<img src=x onerror=alert(1)>\\n# Approved`");
  });
});
