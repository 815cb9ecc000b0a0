import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Testing } from "cdktf";
import { parseConfig, type PlatformConfig } from "../../src/config";
import { applyLocalMode } from "../../src/local/emulated-stack";
import { ReadableStack } from "../../src/naming/addresses";
import { definePlatform } from "../../stacks/platform";
import { exampleTree } from "./config";

/** A synthesized stack as Terraform reads it. */
export type StackJson = {
  resource: Record<string, Record<string, Record<string, any>>>;
  data?: Record<string, Record<string, Record<string, any>>>;
  output?: Record<string, { value: unknown }>;
  variable?: Record<string, Record<string, unknown>>;
  provider: Record<string, Record<string, any>[]>;
  terraform: Record<string, any>;
};

/** The example configuration, optionally changed first. */
export function exampleConfig(change: (tree: any) => void = () => {}): PlatformConfig {
  const tree = exampleTree();
  change(tree);
  return parseConfig(tree);
}

/**
 * The synthesized text of each stack by configuration. Synthesis is a function of the configuration alone, and
 * test files share a worker's modules (isolate: false), so the files that synthesize the same configuration
 * (most use the example) synthesize it once per worker.
 */
const synthesized = new Map<string, Record<"shared" | "prod" | "dev", string>>();

/** Synthesizes the three stacks as main.ts wires them; each call returns objects of its own. */
export function synthPlatform(config: PlatformConfig = exampleConfig()): Record<"shared" | "prod" | "dev", StackJson> {
  const key = JSON.stringify(config);
  let texts = synthesized.get(key);
  if (!texts) {
    const app = Testing.app();
    const { shared, applications, stacks } = definePlatform(app, config);
    applyLocalMode(stacks);
    const [prod, dev] = applications;
    texts = { shared: Testing.synth(shared), prod: Testing.synth(prod), dev: Testing.synth(dev) };
    synthesized.set(key, texts);
  }
  const json = (text: string) => JSON.parse(text) as StackJson;
  return { shared: json(texts.shared), prod: json(texts.prod), dev: json(texts.dev) };
}

/** Synthesizes whatever `build` puts into a stack with readable addresses and a plain AWS provider. */
export function synthConstruct(build: (stack: ReadableStack) => void): StackJson {
  const stack = new ReadableStack(Testing.app(), "test");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  build(stack);
  return JSON.parse(Testing.synth(stack)) as StackJson;
}

/** Every resource of one type, by name. */
export function resources(stack: StackJson, type: string): Record<string, Record<string, any>> {
  return stack.resource[type] ?? {};
}

/** Every `type.name` address of a stack, data sources as `data.type.name`. */
export function addresses(stack: StackJson): string[] {
  const list = (blocks: StackJson["resource"] | undefined, prefix: string) =>
    Object.entries(blocks ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${prefix}${type}.${name}`));
  return [...list(stack.resource, ""), ...list(stack.data, "data.")];
}
