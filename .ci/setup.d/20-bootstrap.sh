# Bootstrap tests: shellcheck lints the bootstrap scripts, gh runs configure_github.sh against a fake
# GitHub API, moto_server and the AWS CLI run the scripts end to end, cfn-lint checks the templates.
# Sourced by .ci/run; a subshell keeps its names out of the caller's shell.
(
  missing=()
  command -v shellcheck >/dev/null || missing+=(shellcheck)
  command -v gh >/dev/null || missing+=(gh)
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  shellcheck --version | sed -n 2p
  gh --version | head -n 1
  for tool in moto_server aws cfn-lint; do
    if ! command -v "$tool" >/dev/null; then
      echo "$tool is not on PATH: the bootstrap tests that need it cannot run" >&2
      exit 1
    fi
  done
  aws --version
  cfn-lint --version
)
