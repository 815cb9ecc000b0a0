import { App } from "cdktf";
import { ConfigError, loadConfig } from "./src/config";
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
definePlatform(app, config);
app.synth();
