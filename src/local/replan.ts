import * as path from "node:path";
import { summarizePlan } from "../ci/terraform-plan";
import type { Environment } from "../config";
import { indent } from "./command";
import { lockingTerraform } from "./locking";
import { type Progress, StepFailure, together } from "./progress";
import { type ProviderSource, terraformEnvironment } from "./terraform";
import { stackDir, type Workspace } from "./workspace";

/** The plan file a re-plan leaves in the stack's folder, for `terraform show`. */
export const REPLAN_FILE = "replan";

/**
 * Plans every stack again after the applies (`terraform plan -detailed-exitcode`), side by side. Any stack that
 * would still change fails the step, listing what would change in each, from `terraform show -json` of the plan.
 */
export async function replanStacks(progress: Progress, space: Workspace, source: ProviderSource, stacks: readonly Environment[]): Promise<void> {
  const drift = await together(
    stacks.map((stack) =>
      progress.step(`re-plan ${stack}`, async (step) => {
        const env = terraformEnvironment(space, source, stack);
        const { code } = await lockingTerraform(step, space, env, stack, ["plan", "-input=false", "-detailed-exitcode", `-out=${REPLAN_FILE}`], [0, 2]);
        if (code === 0) {
          step.report("no changes");
          return [];
        }
        const { stdout } = await step.capture("terraform", [`-chdir=${stackDir(space, stack)}`, "show", "-json", REPLAN_FILE], { env, quiet: true });
        const changes = driftOf(JSON.parse(stdout), `the re-plan of ${stack}`);
        step.report(`${changes.length} change${changes.length === 1 ? "" : "s"} left`);
        return changes.length > 0 ? changes : ["(terraform plan reported changes it does not list)"];
      }),
    ),
  );
  const drifting = stacks.map((stack, i) => ({ stack, changes: drift[i] })).filter(({ changes }) => changes.length > 0);
  if (drifting.length === 0) return;
  const failure = new StepFailure(
    `after the apply, terraform plan still changes ${drifting.map(({ stack }) => stack).join(", ")}, so the deployment did not converge:\n` +
      drifting.map(({ stack, changes }) => `${stack} (plan: ${path.join(stackDir(space, stack), REPLAN_FILE)}):\n${indent(changes.join("\n"))}`).join("\n"),
  );
  failure.step = "re-plan";
  throw failure;
}

/**
 * What a re-plan would still change, one line per resource instance (`update aws_x.y (attribute, …)`) and per
 * output, from `terraform show -json <planfile>`; empty when it changes nothing. Reads of data sources are not
 * changes.
 */
export function driftOf(plan: unknown, source: string): string[] {
  const summary = summarizePlan(plan, source);
  const resources = summary.changes
    .filter((change) => change.kind !== "read")
    .map((change) => {
      const detail = change.attributes ?? change.forcedBy;
      return `${change.kind} ${change.address}${detail && detail.length > 0 ? ` (${detail.join(", ")})` : ""}`;
    });
  return [...resources, ...summary.outputs.map((output) => `${output.action} output ${output.name}`)];
}
