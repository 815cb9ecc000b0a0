import { loadConfig, parseConfig, type PlatformConfig } from "../config";

/**
 * The configuration `local:up` deploys: the project's own (the example, COALITION_CONFIG and the COALITION_*
 * variables) with what deploying it onto the emulator takes:
 * - `local.endpoint`: the emulator, which turns local mode on;
 * - `database.deletionProtection: false`, so that `local:down` can destroy the database;
 * - `githubOidc.adoptBootstrap: true` in every account: the stacks adopt the OIDC provider, deploy and plan roles and
 *   inline policies the bootstrap created, as a first real deploy does;
 * - no `applications.{env}.hostedZoneId`: there is no registered zone to adopt, the stack creates one.
 */
export function localConfig(env: Readonly<Record<string, string | undefined>>, endpoint: string): PlatformConfig {
  const config = loadConfig(env);
  const accounts = Object.fromEntries(
    Object.entries(config.accounts).map(([name, account]) => [name, { ...account, githubOidc: { ...account.githubOidc, adoptBootstrap: true } }]),
  );
  const applications = Object.fromEntries(
    Object.entries(config.applications).map(([name, { hostedZoneId: _zone, ...application }]) => [name, application]),
  );
  return parseConfig({
    ...config,
    accounts,
    applications,
    database: { ...config.database, deletionProtection: false },
    local: { ...config.local, endpoint },
  });
}
