import { App } from "cdktf";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { ENVIRONMENTS, type Environment, type PlatformConfig } from "../config";
import { definePlatform } from "../../stacks/platform";
import { applyLocalMode, LOCAL_MODE_METADATA, type LocalModeMetadata } from "./emulated-stack";
import { stackDir, type Workspace } from "./workspace";

/**
 * Synthesizes the three stacks from a local-mode configuration into the workspace, as `npm run synth` would
 * (the same app, the same guardrails), and returns what local mode left out of each.
 */
export function synthesizeLocal(config: PlatformConfig, space: Workspace): Record<Environment, LocalModeMetadata> {
  if (!config.local?.endpoint) throw new Error("internal: the configuration is not in local mode (local.endpoint is not set)");
  const app = new App({ outdir: space.synthDir });
  applyLocalMode(definePlatform(app, config).stacks);
  app.synth();
  return Object.fromEntries(
    ENVIRONMENTS.map((env) => {
      const json = JSON.parse(readFileSync(path.join(stackDir(space, env), "cdk.tf.json"), "utf8")) as { "//"?: Record<string, unknown> };
      const metadata = json["//"]?.[LOCAL_MODE_METADATA] as LocalModeMetadata | undefined;
      if (!metadata) throw new Error(`internal: the synthesized ${env} stack is not in local mode`);
      return [env, metadata];
    }),
  ) as Record<Environment, LocalModeMetadata>;
}
