import { ENVIRONMENTS } from "../config";
import { runCommand } from "./cli";
import { parseDriftArgs, readDriftFile, renderDriftReport } from "./drift";

const USAGE = `usage: npm run --silent drift-report -- --stack <${ENVIRONMENTS.join("|")}> [--run-url <url>] <plan.json>

Prints the Markdown body of the GitHub issue that reports a stack's drift; plan.json is the output of
terraform show -json <planfile> for a refreshed plan of the stack as deployed. The first line is a hidden
marker unique to the stack, so the drift workflow finds and updates its own issue. --run-url is the
workflow run that made the plan.`;

/** The whole command: its stdout text, or undefined for --help. */
export function driftReport(argv: string[]): string | undefined {
  const args = parseDriftArgs(argv);
  if (args === "help") return undefined;
  return renderDriftReport(readDriftFile(args.planFile), args);
}

if (require.main === module) runCommand("drift-report", USAGE, driftReport);
