import { App } from "cdktf";
import { BootstrapStack } from "../../stacks/bootstrap-stack";
import { ConfigError, loadConfig } from "../config";
import { BootstrapSettingsError, loadBootstrapSettings } from "./settings";

// The bootstrap app: one stack, kept apart from main.ts's shared, prod and dev (npm run bootstrap:synth).
let config;
let settings;
try {
  config = loadConfig(process.env);
  settings = loadBootstrapSettings(process.env);
} catch (error) {
  if (!(error instanceof ConfigError || error instanceof BootstrapSettingsError)) throw error;
  console.error(error.message);
  process.exit(1);
}
const app = new App();
new BootstrapStack(app, { config, ...settings });
app.synth();
