import { APPLICATION_ENVIRONMENTS, ENVIRONMENTS, type Environment, type PlatformConfig } from "../config";
import { forgetCachedCredentials, writeProfiles } from "./aws";
import { type LocalCommand, requireTools, runLocalCommand } from "./command";
import { localConfig } from "./config";
import { liveTaggedResources } from "./inventory";
import { type EmulatorRecord, forgetEmulator, recordedEmulator, runningEmulator, stopEmulator } from "./emulator";
import { type Progress, type Step, StepFailure, together } from "./progress";
import { synthesizeLocal } from "./synthesize";
import { findProviderSource, initStacks, outcomeLine, type ProviderSource, TERRAFORM_PARALLELISM, terraformEnvironment } from "./terraform";
import { stackDir, type Workspace } from "./workspace";

const USAGE = `Usage: npm run local:down

Destroys what npm run local:up deployed on the emulator, in reverse order (prod and dev, then shared), checks that
nothing the stacks created is left in any of the three accounts, and stops the emulator.
The workspace (cdktf.out/local, or COALITION_LOCAL_DIR) keeps the logs.`;

export const localDown: LocalCommand = {
  name: "local:down",
  usage: USAGE,
  async prepare(space) {
    const recorded = recordedEmulator(space);
    if (!recorded) return `no emulator is recorded in ${space.dir}: nothing to destroy.`;
    const running = await runningEmulator(space);
    if (!running) {
      forgetEmulator(space);
      return `the emulator recorded in ${space.dir} (pid ${recorded.pid}, ${recorded.endpoint}) no longer runs, and what it held went with it: nothing to destroy.`;
    }
    const config = localConfig(process.env, running.endpoint);
    return (progress) => down(progress, space, running, config);
  },
};

/**
 * Destroys one stack without refreshing it first: its state is what local:up wrote against this same emulator,
 * which nothing else manages, so a refresh of every resource would only cost time. A resource deleted by hand
 * meanwhile is a "not found" the provider counts as deleted, and anything left is found by the check after.
 */
async function destroy(step: Step, space: Workspace, source: ProviderSource, stack: Environment): Promise<void> {
  const env = terraformEnvironment(space, source, stack);
  const { stdout } = await step.capture("terraform", [`-chdir=${stackDir(space, stack)}`, "destroy", "-auto-approve", "-input=false", "-no-color", "-refresh=false", `-parallelism=${TERRAFORM_PARALLELISM}`], { env });
  step.report(outcomeLine(stdout) ?? "destroyed");
}

async function down(progress: Progress, space: Workspace, emulator: EmulatorRecord, config: PlatformConfig): Promise<string[]> {
  const source = await progress.step("tools", async (step) => {
    step.report(requireTools(["terraform", "aws"]).join(", "));
    return findProviderSource(space, process.env);
  });
  await progress.step("AWS profiles", async () => writeProfiles(space, config));
  await progress.step("synthesize (local mode)", async () => {
    synthesizeLocal(config, space);
  });
  await initStacks(progress, space, source);

  // The application stacks read shared's state and peer with its VPC, so they go first (side by side, as
  // local:up applies them), and shared last.
  await together(APPLICATION_ENVIRONMENTS.map((stack) => progress.step(`destroy ${stack}`, (step) => destroy(step, space, source, stack))));
  await progress.step("destroy shared", (step) => destroy(step, space, source, "shared"));

  await progress.step("check the emulator is empty", async (step) => {
    const states = await Promise.all(
      ENVIRONMENTS.map(async (stack) => {
        const { stdout } = await step.capture("terraform", [`-chdir=${stackDir(space, stack)}`, "state", "list"], { env: terraformEnvironment(space, source, stack) });
        return stdout.split("\n").filter((line) => line.trim() !== "").map((address) => `${stack}: ${address} is still in the state`);
      }),
    );
    const left = await Promise.all(ENVIRONMENTS.map(async (env) => (await liveTaggedResources(step, space, emulator.endpoint, env)).map((arn) => `${env}: ${arn}`)));
    const problems = [...states.flat(), ...left.flat()];
    if (problems.length > 0) {
      throw new StepFailure(`the destroy left ${problems.length} thing${problems.length === 1 ? "" : "s"} behind (the emulator keeps running, to look at them):\n${problems.join("\n")}`, step.log);
    }
    step.report("every stack's state is empty, and no account holds a live resource tagged ManagedBy=terraform");
  });

  await progress.step("stop the emulator", async (step) => {
    await stopEmulator(space, emulator);
    forgetCachedCredentials(space);
    step.report(`moto_server (pid ${emulator.pid}) stopped; everything it held, the bootstrap's state buckets and lock tables included, is gone`);
  });
  return [`Nothing is left of the local deployment; run npm run local:up to start again.`];
}

if (require.main === module) {
  void runLocalCommand(localDown);
}
