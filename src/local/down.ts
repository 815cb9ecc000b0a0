import { APPLICATION_ENVIRONMENTS, ENVIRONMENTS, type Environment, type PlatformConfig } from "../config";
import { names } from "../naming/names";
import { missingImports } from "./adopt";
import { emulatorCli, forgetCachedCredentials, writeProfiles } from "./aws";
import { type LocalCommand, requireTools, runLocalCommand } from "./command";
import { localConfig } from "./config";
import { liveTaggedResources } from "./inventory";
import { type EmulatorRecord, forgetEmulator, recordedEmulator, runningEmulator, stopEmulator } from "./emulator";
import { lockingTerraform } from "./locking";
import { type Progress, type Step, StepFailure, together } from "./progress";
import { synthesizeLocal } from "./synthesize";
import { findKilledApplies, finishRecovery, stageAdoption } from "./recover";
import { forgetAllRuns } from "./runs";
import { findProviderSource, initStacks, outcomeLine, type ProviderSource, stateAddresses, TERRAFORM_PARALLELISM, terraformEnvironment } from "./terraform";
import type { Workspace } from "./workspace";

const USAGE = `Usage: npm run local:down

Destroys what npm run local:up deployed on the emulator, in reverse order (prod and dev, then shared), checks that
nothing the stacks created is left in any of the three accounts, and stops the emulator.
Works from any partial state: a failed or interrupted local:up (a stack's lock left by a killed run of this
workspace is released, and what a killed apply created is imported to be destroyed), an account never
bootstrapped, a stack never applied. The workspace (cdktf.out/local, or COALITION_LOCAL_DIR) keeps the logs.
COALITION_TERRAFORM_LOG_DIR=<folder> makes every Terraform command on a stack append its debug log to
<folder>/<stack>.log, for npm run iam:coverage (a few megabytes a stack).`;

export const localDown: LocalCommand = {
  name: "local:down",
  usage: USAGE,
  async prepare(space) {
    const recorded = recordedEmulator(space);
    if (!recorded) return `no emulator is recorded in ${space.dir}: nothing to destroy.`;
    const running = await runningEmulator(space);
    if (!running) {
      forgetEmulator(space);
      forgetAllRuns(space);
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
 * What a killed apply created but had not written to the state is imported first, so that it is destroyed too.
 */
async function destroy(step: Step, space: Workspace, source: ProviderSource, stack: Environment, endpoint: string): Promise<void> {
  const env = terraformEnvironment(space, source, stack);
  stageAdoption(space, stack, undefined);
  const recovery = await findKilledApplies(step, space, env, stack, endpoint);
  for (const { to, id } of recovery?.plan.imports ?? []) {
    try {
      await lockingTerraform(step, space, env, stack, ["import", "-input=false", to, id]);
    } catch (error) {
      if (!(error instanceof StepFailure && error.output && missingImports(error.output).includes(to))) throw error;
      step.announce(`${to} was not created by the killed apply: nothing to import`);
    }
  }
  if ((await stateAddresses(step, space, env, stack)).length === 0) {
    finishRecovery(space, stack, recovery);
    step.report("nothing in its state");
    return;
  }
  const { stdout } = await lockingTerraform(step, space, env, stack, ["destroy", "-auto-approve", "-input=false", "-refresh=false", `-parallelism=${TERRAFORM_PARALLELISM}`]);
  finishRecovery(space, stack, recovery);
  step.report(outcomeLine(stdout) ?? "destroyed");
}

/**
 * The stacks whose account holds its state bucket on this emulator. An account local:up never bootstrapped (it
 * failed early, or the emulator was restarted empty) holds no state, hence nothing a stack deployed.
 */
async function bootstrappedStacks(step: Step, space: Workspace, emulator: EmulatorRecord, config: PlatformConfig): Promise<Environment[]> {
  const found = await Promise.all(
    ENVIRONMENTS.map(async (stack) => {
      const bucket = names.stateBucket(config.prefix, config.accounts[stack].accountId);
      const { code } = await emulatorCli(step, space, emulator.endpoint, stack)(["s3api", "head-bucket", "--bucket", bucket], [0, 254, 255]);
      return code === 0 ? [stack] : [];
    }),
  );
  return found.flat();
}

async function down(progress: Progress, space: Workspace, emulator: EmulatorRecord, config: PlatformConfig): Promise<string[]> {
  const source = await progress.step("tools", async (step) => {
    step.report(requireTools(["terraform", "aws"]).join(", "));
    return findProviderSource(space, process.env);
  });
  await progress.step("AWS profiles", async () => writeProfiles(space, config));
  const stacks = await progress.step("state buckets", async (step) => {
    const found = await bootstrappedStacks(step, space, emulator, config);
    const missing = ENVIRONMENTS.filter((stack) => !found.includes(stack));
    step.report(missing.length === 0 ? "every account has its state bucket" : `no state bucket in ${missing.join(", ")}'s account: nothing of ${missing.length === 1 ? "that stack" : "those stacks"} to destroy`);
    return found;
  });
  if (stacks.length > 0) {
    await progress.step("synthesize (local mode)", async () => {
      synthesizeLocal(config, space);
    });
    await initStacks(progress, space, source, stacks);
  }

  // The application stacks read shared's state and peer with its VPC, so they go first (side by side, as
  // local:up applies them), and shared last.
  const applications = APPLICATION_ENVIRONMENTS.filter((stack) => stacks.includes(stack));
  await together(applications.map((stack) => progress.step(`destroy ${stack}`, (step) => destroy(step, space, source, stack, emulator.endpoint))));
  if (stacks.includes("shared")) await progress.step("destroy shared", (step) => destroy(step, space, source, "shared", emulator.endpoint));

  // What no stack's state holds (an object a killed run created and nothing could adopt) no destroy can remove:
  // it is listed, and goes with the emulator. What a state still holds keeps the emulator running, to retry.
  const untracked = await progress.step("check the emulator is empty", async (step) => {
    const states = await Promise.all(
      stacks.map(async (stack) => (await stateAddresses(step, space, terraformEnvironment(space, source, stack), stack)).map((address) => `${stack}: ${address} is still in the state`)),
    );
    const left = (await Promise.all(ENVIRONMENTS.map(async (env) => (await liveTaggedResources(step, space, emulator.endpoint, env)).map((arn) => `${env}: ${arn}`)))).flat();
    const problems = [...states.flat(), ...left];
    if (states.flat().length > 0) {
      throw new StepFailure(`the destroy left ${problems.length} thing${problems.length === 1 ? "" : "s"} behind (the emulator keeps running, to look at them):\n${problems.join("\n")}`, step.log);
    }
    step.report(
      left.length === 0
        ? "every stack's state is empty, and no account holds a live resource tagged ManagedBy=terraform"
        : `every stack's state is empty, but ${left.length} resource${left.length === 1 ? "" : "s"} tagged ManagedBy=terraform that no state holds ${left.length === 1 ? "is" : "are"} left`,
    );
    return left;
  });

  await progress.step("stop the emulator", async (step) => {
    await stopEmulator(space, emulator);
    forgetCachedCredentials(space);
    forgetAllRuns(space);
    step.report(`moto_server (pid ${emulator.pid}) stopped; everything it held, the bootstrap's state buckets and lock tables included, is gone`);
  });
  if (untracked.length > 0) {
    const failure = new StepFailure(
      `the accounts held ${untracked.length} resource${untracked.length === 1 ? "" : "s"} tagged ManagedBy=terraform that no stack's state held, so no destroy could remove ${untracked.length === 1 ? "it" : "them"} ` +
        `(created by an interrupted run and never adopted, or dropped from a state without being deleted). They went with the emulator, which is stopped:\n${untracked.join("\n")}`,
    );
    failure.step = "check the emulator is empty";
    throw failure;
  }
  return [`Nothing is left of the local deployment; run npm run local:up to start again.`];
}

if (require.main === module) {
  void runLocalCommand(localDown);
}
