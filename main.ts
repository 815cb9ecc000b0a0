import { App } from "cdktf";
import { ConfigError, loadConfig } from "./src/config";
import { applyLocalMode } from "./src/local/emulated-stack";
import { definePlatform } from "./stacks/platform";

let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
const app = new App();
// Local mode (config local.endpoint, set by npm run local:up) points the stacks at the emulator; otherwise a no-op.
applyLocalMode(definePlatform(app, config).stacks);
app.synth();
