import * as path from "node:path";
import { APPLICATION_ENVIRONMENTS, ENVIRONMENTS, type Environment, loadConfig } from "../config";
import { forgetCachedCredentials, writeProfiles } from "./aws";
import { bootstrapFingerprint, repairBootstrap, runBootstrap } from "./bootstrap";
import { type LocalCommand, requireTools, runLocalCommand } from "./command";
import { localConfig } from "./config";
import { recordBootstrap, runningEmulator, startEmulator } from "./emulator";
import { lockingTerraform } from "./locking";
import { type Progress, type Step, StepFailure, together } from "./progress";
import { replanStacks } from "./replan";
import { synthesizeLocal } from "./synthesize";
import { missingImports } from "./adopt";
import { findKilledApplies, finishRecovery, stageAdoption } from "./recover";
import { forgetAllRuns } from "./runs";
import { findProviderSource, initStacks, outcomeLine, type ProviderSource, TERRAFORM_PARALLELISM, terraformEnvironment } from "./terraform";
import { UNSUPPORTED_TYPES } from "./unsupported";
import type { Workspace } from "./workspace";

const USAGE = `Usage: npm run local:up

Deploys the platform onto an AWS emulator (moto_server) on this machine, with no AWS account:
  starts the emulator on 127.0.0.1 and a free port (or reuses the one an earlier local:up left running),
  bootstraps the three accounts with bootstrap/bootstrap_all.sh (unless the emulator already holds that
  bootstrap: same scripts, templates and settings), synthesizes the stacks in local mode,
  applies shared, then prod and dev, and re-plans every stack: any change left fails the command.
Running it again converges with no changes. npm run local:down destroys everything and stops the emulator.
After an interrupted run it carries on: a stack lock left by a killed run of this workspace is released, and
what a killed apply created without recording it is adopted, not created twice (docs/local-mode.md).
Ctrl-C stops Terraform cleanly (it writes its state and releases its lock); a second Ctrl-C stops at once.

The configuration is the project's (src/config/example.yaml, COALITION_CONFIG, COALITION_* variables) in
local mode. Needs moto_server, the AWS CLI and Terraform >= 1.10; the AWS provider comes from
TERRAFORM_PROVIDER_MIRROR, a mirror scripts/find-provider-mirror.sh finds, or the registry.
COALITION_LOCAL_DIR moves the workspace (default cdktf.out/local). COALITION_TERRAFORM_LOG_DIR=<folder> makes every
Terraform command on a stack append its debug log to <folder>/<stack>.log, for npm run iam:coverage (a few
megabytes a stack).`;

/**
 * Applies one stack; resolves with whether anything changed. After a killed apply of the stack, what that run
 * created but had not written to the state is adopted by import blocks (recover.ts); an import whose object turns
 * out not to exist (its creation was cut before AWS made it) is dropped, and the apply runs again.
 */
async function apply(step: Step, space: Workspace, source: ProviderSource, stack: Environment, endpoint: string): Promise<boolean> {
  const env = terraformEnvironment(space, source, stack);
  const recovery = await findKilledApplies(step, space, env, stack, endpoint);
  let imports = recovery?.plan.imports ?? [];
  for (;;) {
    stageAdoption(space, stack, recovery && { ...recovery, plan: { ...recovery.plan, imports } });
    try {
      const { stdout } = await lockingTerraform(step, space, env, stack, ["apply", "-auto-approve", "-input=false", `-parallelism=${TERRAFORM_PARALLELISM}`]);
      finishRecovery(space, stack, recovery);
      // Terraform says "No changes." only when neither a resource nor an output changes.
      const changed = !/^No changes\./m.test(stdout);
      step.report(changed ? (outcomeLine(stdout) ?? "applied") : "no changes");
      return changed;
    } catch (error) {
      const missing = error instanceof StepFailure && error.output ? missingImports(error.output) : [];
      if (missing.length === 0 || !missing.every((address) => imports.some(({ to }) => to === address))) throw error;
      step.announce(`not adopted, as nothing exists under the ID the killed apply was creating it with: ${missing.join(", ")}`);
      imports = imports.filter(({ to }) => !missing.includes(to));
    }
  }
}

export const localUp: LocalCommand = {
  name: "local:up",
  usage: USAGE,
  async prepare(space) {
    loadConfig(process.env); // a bad configuration stops here, before anything is started
    return (progress) => up(progress, space);
  },
};

async function up(progress: Progress, space: Workspace): Promise<string[]> {
  const source = await progress.step("tools", async (step) => {
    step.report(requireTools(["terraform", "aws", "moto"]).join(", "));
    const found = findProviderSource(space, process.env);
    step.report(`AWS provider from ${found.mirror ? `${found.mirror} (${found.origin})` : found.origin}`);
    return found;
  });

  const emulator = await progress.step("emulator", async (step) => {
    const running = await runningEmulator(space);
    if (running) {
      step.report(`reusing moto_server on ${running.endpoint} (pid ${running.pid}, started ${running.startedAt})`);
      return running;
    }
    forgetCachedCredentials(space);
    forgetAllRuns(space);
    const started = await startEmulator(space, process.env);
    step.report(`started moto_server on ${started.endpoint} (pid ${started.pid}; its log: ${space.emulatorLog})`);
    return started;
  });
  const config = localConfig(process.env, emulator.endpoint);

  await progress.step("AWS profiles", async (step) => {
    writeProfiles(space, config);
    step.report(ENVIRONMENTS.map((env) => `${env} → account ${config.accounts[env].accountId}`).join(", "));
  });
  const fingerprint = bootstrapFingerprint(space, config);
  if (emulator.bootstrapped === fingerprint) {
    await progress.step("bootstrap", async (step) =>
      step.report("skipped: this emulator already holds the bootstrap of these scripts, templates and settings (an earlier local:up ran it)"),
    );
  } else {
    await progress.step("bootstrap (bootstrap/bootstrap_all.sh)", (step) => runBootstrap(step, space, config, emulator.endpoint));
    await progress.step("bootstrap fix-ups for moto", async (step) => {
      const changes = await repairBootstrap(step, space, config, emulator.endpoint);
      for (const change of changes) step.record(change);
      step.report(changes.length === 0 ? "nothing to repair" : `${changes.length} repaired (listed in the log)`);
    });
    recordBootstrap(space, emulator, fingerprint);
  }

  const excluded = await progress.step("synthesize (local mode)", async (step) => {
    const metadata = synthesizeLocal(config, space);
    const types = [...new Set(ENVIRONMENTS.flatMap((env) => metadata[env].excludedTypes))].sort();
    const resources = ENVIRONMENTS.flatMap((env) => metadata[env].excludedResources.map((address) => `${env}: ${address}`));
    for (const resource of resources) step.record(`excluded ${resource}`);
    step.report(`${resources.length} resources of ${types.length} excluded types left out`);
    return types;
  });

  await initStacks(progress, space, source);
  const appliedShared = await progress.step("apply shared", (step) => apply(step, space, source, "shared", emulator.endpoint));
  const appliedApplications = await together(APPLICATION_ENVIRONMENTS.map((stack) => progress.step(`apply ${stack}`, (step) => apply(step, space, source, stack, emulator.endpoint))));

  // After any change, every stack is planned again. When no stack changed, each apply above was itself a plan
  // made after the last apply that found nothing to do: planning once more would prove nothing new.
  const changed = appliedShared || appliedApplications.some((applied) => applied);
  if (changed) {
    await replanStacks(progress, space, source, ENVIRONMENTS);
  } else {
    await progress.step("re-plan", async (step) => step.report("no stack had anything to apply, so the plans of the applies were the re-plan: no changes"));
  }

  const relative = (file: string) => (path.relative(process.cwd(), file).startsWith("..") ? file : path.relative(process.cwd(), file));
  return [
    `shared, prod and dev are deployed on the emulator at ${emulator.endpoint} (pid ${emulator.pid}), and a re-plan of each shows no changes.`,
    `Accounts: ${ENVIRONMENTS.map((env) => `${env} ${config.accounts[env].accountId}`).join(", ")}.`,
    `Excluded resource types (local mode only; see local.excludeUnsupported): ${excluded.length}${excluded.length > 0 ? ` — ${excluded.join(", ")}` : ""}.`,
    ...excluded.map((type) => `  ${type}: ${UNSUPPORTED_TYPES[type].reason}`),
    `Stacks: ${relative(path.join(space.synthDir, "stacks"))}/<stack>. The AWS CLI on the emulator, as one of the accounts:`,
    `  HOME=${path.join(space.awsDir, "home")} AWS_CONFIG_FILE=${path.join(space.awsDir, "config")} AWS_SHARED_CREDENTIALS_FILE=${path.join(space.awsDir, "credentials")} aws --endpoint-url ${emulator.endpoint} --profile <shared|prod|dev> …`,
    `Destroy it all and stop the emulator with: npm run local:down`,
  ];
}

if (require.main === module) {
  void runLocalCommand(localUp);
}
