import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { ConfigError, EXAMPLE_CONFIG_PATH, parseConfig } from "../../src/config";

/** The example configuration as a plain tree, to be changed by a test. */
export function exampleTree(): any {
  return parseYaml(readFileSync(EXAMPLE_CONFIG_PATH, "utf8"));
}

/** The problems validation reports for the example configuration after `change`: none when it passes. */
export function configProblems(change: (tree: any) => void): string[] {
  const tree = exampleTree();
  change(tree);
  try {
    parseConfig(tree);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}
