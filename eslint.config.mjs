import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** Provider packages whose index loads every resource class (2,200 modules, ~23 s and 1.4 GB). */
export const PROVIDER_BARRELS = ["@cdktf/provider-aws", "@cdktf/provider-github"];

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "cdktf.out/", "**/.terraform/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: PROVIDER_BARRELS.map((name) => ({
            name,
            message: `Import the resource by its deep path (${name}/lib/<resource>): the package index loads every resource of the provider.`,
          })),
        },
      ],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
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
  },
);
