import { exampleConfig } from "../support/synth";
import { describeStacksUnderTerraform } from "./harness";

// The same stacks with import blocks for the CloudFormation-bootstrapped OIDC provider, role and policies: the
// whole stack applies with them (the first run of each test file; the others do not depend on the imports).
describeStacksUnderTerraform(
  "adopting the bootstrap",
  exampleConfig((tree) => {
    for (const env of ["shared", "prod", "dev"]) tree.accounts[env].githubOidc = { adoptBootstrap: true };
  }),
  true,
);
