import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** Provider packages whose index loads every resource class (2,200 modules, ~23 s and 1.4 GB). */
export const PROVIDER_BARRELS = ["@cdktf/provider-aws", "@cdktf/provider-github"];

/** The lower layers, and the upper ones they must never import: dependencies point down. */
export const LOWER_LAYERS = ["src/core", "src/constructs", "src/policies"];
export const UPPER_LAYERS = ["local", "ci", "tools"];

const barrelImports = PROVIDER_BARRELS.map((name) => ({
  name,
  message: `Import the resource by its deep path (${name}/lib/<resource>): the package index loads every resource of the provider.`,
}));

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "cdktf.out/", "**/.terraform/", ".stryker-tmp/", "reports/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "no-restricted-imports": ["error", { paths: barrelImports }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    // The same rule again for the lower layers (a later block replaces the rule's options), with the layering.
    files: LOWER_LAYERS.map((dir) => `${dir}/**/*.ts`),
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: barrelImports,
          patterns: [
            {
              // From any depth below src/: `../local`, `../../ci/cli`, `../../src/tools/audit`.
              regex: `^(\\.\\./)+(src/)?(${UPPER_LAYERS.join("|")})(/|$)`,
              message: `${LOWER_LAYERS.join(", ")} must not depend on ${UPPER_LAYERS.map((layer) => `src/${layer}`).join(", ")}: dependencies point down. Apply local mode, CI or tool behaviour from above (the app entry, the tool itself).`,
            },
          ],
        },
      ],
    },
  },
  {
    // Tests walk synthesized JSON, whose shape is Terraform's, not ours.
    files: ["__tests__/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    files: ["**/*.cjs", "scripts/**/*.mjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly", require: "readonly", module: "writable", __dirname: "readonly" } },
    // CommonJS scripts load modules with require.
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
