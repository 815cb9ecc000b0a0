# Local deployment end to end (npm run test:local): without moto_server, the AWS CLI or Terraform the test
# would only be skipped, so their absence fails here. Sourced by .ci/run; a subshell keeps its names out of
# the caller's shell.
(
  for tool in moto_server aws terraform; do
    if ! command -v "$tool" >/dev/null; then
      echo "$tool is not on PATH: npm run test:local cannot run" >&2
      exit 1
    fi
  done
)
