import * as path from "node:path";
import { projectRoot } from "../config";

/** Names the folder local mode works in, instead of `cdktf.out/local` in the project. */
export const LOCAL_DIR_VARIABLE = "COALITION_LOCAL_DIR";

/** Where local mode keeps what it needs between `local:up` and `local:down` (all of it disposable). */
export interface Workspace {
  readonly dir: string;
  /** The running emulator: its process id and URL. */
  readonly emulatorRecord: string;
  /** The emulator's own log. */
  readonly emulatorLog: string;
  /** Synthesis output: `stacks/<env>/cdk.tf.json`, where Terraform runs. */
  readonly synthDir: string;
  /** AWS CLI configuration: the three profiles, their dummy keys, and a HOME for the CLI's credential cache. */
  readonly awsDir: string;
  /** Terraform's CLI configuration (the provider mirror) and plugin cache. */
  readonly terraformDir: string;
  /** One folder of logs per run. */
  readonly logsDir: string;
  readonly root: string;
}

export function workspace(env: Readonly<Record<string, string | undefined>>, root = projectRoot()): Workspace {
  const chosen = env[LOCAL_DIR_VARIABLE];
  const dir = chosen ? path.resolve(chosen) : path.join(root, "cdktf.out", "local");
  return {
    dir,
    emulatorRecord: path.join(dir, "emulator.json"),
    emulatorLog: path.join(dir, "emulator.log"),
    synthDir: dir,
    awsDir: path.join(dir, "aws"),
    terraformDir: path.join(dir, "terraform"),
    logsDir: path.join(dir, "logs"),
    root,
  };
}

/** A stack's folder in the workspace. */
export function stackDir(space: Workspace, stack: string): string {
  return path.join(space.synthDir, "stacks", stack);
}
