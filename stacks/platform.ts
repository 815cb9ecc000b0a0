import type { App } from "cdktf";
import { APPLICATION_ENVIRONMENTS, type PlatformConfig } from "../src/config";
import { ApplicationStack } from "./application-stack";
import { SharedStack } from "./shared-stack";

/** The three account stacks; prod and dev deploy after shared, whose state they read. */
export function definePlatform(app: App, config: PlatformConfig) {
  const shared = new SharedStack(app, config);
  const applications = APPLICATION_ENVIRONMENTS.map((env) => {
    const stack = new ApplicationStack(app, config, env);
    stack.addDependency(shared);
    return stack;
  });
  return { shared, applications, stacks: [shared, ...applications] };
}
