import { App } from "cdktf";
import { CheckError, environmentFlag, parseCommandLine, runCommand, UsageError } from "../ci/cli";
import { ENVIRONMENTS, type Environment, loadConfig } from "../config";
import { CostInputError, estimateStack, planCost, planRegion, resolveVariables, type SynthesizedStack } from "../cost/estimate";
import { formatPlanCost, formatStackEstimate } from "../cost/format";
import { PriceError } from "../cost/prices";
import { readPlanJson } from "../ci/terraform-plan";
import { definePlatform } from "../../stacks/platform";

const USAGE = `usage: npm run --silent cost -- --stack <${ENVIRONMENTS.join("|")}> [--var name=value]...
       npm run --silent cost -- --plan <plan.json>

--stack synthesizes the stack from the project configuration (the example, COALITION_CONFIG and the COALITION_*
variables) and prints its fixed monthly cost per resource type, with the stack's Terraform variables at their
defaults unless --var sets them, ending with total_monthly_usd=<n>.
--plan reads the output of terraform show -json <planfile> and prints each change's monthly price before and
after, the stack's total after the plan, and ends with delta_monthly_usd=<n>.
Prices: src/cost/prices.ts (on-demand list prices, 730 hours a month).`;

/** Synthesizes one stack of the platform as Terraform JSON, from the project configuration in `env`. */
export function synthesizeStack(stack: Environment, env: NodeJS.ProcessEnv): SynthesizedStack {
  const { stacks } = definePlatform(new App({ skipValidation: true }), loadConfig(env));
  const found = stacks.find((candidate) => candidate.node.id === stack);
  if (!found) throw new CheckError(`the platform defines no stack ${stack}`);
  return found.toTerraform() as SynthesizedStack;
}

/** Reads `--var name=value` flags into a record, refusing malformed and repeated names. */
export function parseVariableFlags(flags: readonly string[]): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const flag of flags) {
    const match = /^([A-Za-z_][\w-]*)=(.*)$/s.exec(flag);
    if (!match) throw new UsageError(`--var must be name=value, not ${JSON.stringify(flag)}`);
    if (match[1] in variables) throw new UsageError(`--var ${match[1]} is given twice`);
    variables[match[1]] = match[2];
  }
  return variables;
}

/** The command: the text for stdout, or undefined after --help. */
export function costCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): string | undefined {
  const { values, positionals } = parseCommandLine(
    argv,
    { stack: { type: "string" }, var: { type: "string", multiple: true }, plan: { type: "string" }, help: { type: "boolean", short: "h" } },
    true,
  );
  if (values.help) return undefined;
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  if ((values.stack === undefined) === (values.plan === undefined)) throw new UsageError("give either --stack or --plan");
  const variables = parseVariableFlags(values.var ?? []);
  try {
    if (values.plan !== undefined) {
      if (values.var) throw new UsageError("--var goes with --stack; a plan already has its variables");
      const plan = readPlanJson(values.plan);
      return formatPlanCost(planCost(plan, planRegion(plan) ?? loadConfig(env).region));
    }
    const stack = environmentFlag("--stack", values.stack);
    const json = synthesizeStack(stack, env);
    let resolved: Map<string, unknown>;
    try {
      resolved = resolveVariables(json, variables);
    } catch (error) {
      if (error instanceof CostInputError) throw new UsageError(`--var: ${error.message}`);
      throw error;
    }
    return formatStackEstimate(stack, estimateStack(json, variables), resolved);
  } catch (error) {
    if (error instanceof CostInputError) throw new UsageError(`${values.plan ?? values.stack}: ${error.message}`, false);
    if (error instanceof PriceError) throw new CheckError(error.message);
    throw error;
  }
}

if (require.main === module) runCommand("cost", USAGE, (argv) => costCommand(argv));
