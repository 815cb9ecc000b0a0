import { parseArgs, type ParseArgsConfig } from "node:util";
import { ConfigError, ENVIRONMENTS, type Environment } from "../config";

/** Bad flags, arguments or input files: exit 2, the message on stderr, nothing on stdout. */
export class UsageError extends Error {
  /** Whether the command's usage text helps (it does for flags, not for a broken input file). */
  constructor(
    message: string,
    readonly showUsage = true,
  ) {
    super(message);
  }
}

/** Good input that fails a check, such as a GitHub environment pointing at another account: exit 1. */
export class CheckError extends Error {}

/** parseArgs with strict options, its errors turned into UsageErrors. */
export function parseCommandLine<T extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], options: T, allowPositionals: boolean) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Reads a required flag that names a stack's environment: shared, prod or dev. */
export function environmentFlag(flag: string, value: string | undefined): Environment {
  if (value === undefined) throw new UsageError(`${flag} is required`);
  if (!(ENVIRONMENTS as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${ENVIRONMENTS.join(", ")}, not ${JSON.stringify(value)}`);
  return value as Environment;
}

/** Reads a flag that must be a positive whole number. */
export function positiveInteger(flag: string, value: string | undefined, fallback: number, minimum = 1): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < minimum) {
    throw new UsageError(`${flag} must be a whole number of at least ${minimum}, not ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/**
 * Runs a command whose whole output is computed first, so that a failure leaves stdout empty.
 * `produce` returns the text for stdout, or undefined after --help.
 */
export function runCommand(name: string, usage: string, produce: (argv: string[]) => string | undefined): void {
  try {
    const output = produce(process.argv.slice(2));
    process.stdout.write(output ?? `${usage}\n`);
    process.exitCode = 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${name}: ${error.message}\n${error.showUsage ? `\n${usage}\n` : ""}`);
      process.exitCode = 2;
    } else if (error instanceof CheckError || error instanceof ConfigError) {
      process.stderr.write(`${name}: ${error.message}\n`);
      process.exitCode = 1;
    } else {
      throw error;
    }
  }
}
