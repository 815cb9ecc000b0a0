# Helpers shared by the bootstrap scripts: messages, argument checks, and aws calls whose errors the
# caller inspects. Sourced, never run.
# shellcheck shell=bash

SCRIPT_NAME=$(basename "$0")
USAGE_PROBLEMS=()

log() { printf '%s\n' "$*" >&2; }
step() { printf '\n==> %s\n' "$*" >&2; }
warn() { printf '%s: warning: %s\n' "$SCRIPT_NAME" "$*" >&2; }
die() {
  printf '%s: error: %s\n' "$SCRIPT_NAME" "$*" >&2
  exit 1
}

# Records a problem with the arguments; report_usage_problems prints them all at once.
usage_problem() { USAGE_PROBLEMS+=("$*"); }

# Exits with status 2 and every recorded problem, before anything has been done.
report_usage_problems() {
  [[ ${#USAGE_PROBLEMS[@]} -eq 0 ]] && return 0
  printf '%s: invalid arguments:\n' "$SCRIPT_NAME" >&2
  printf '  - %s\n' "${USAGE_PROBLEMS[@]}" >&2
  printf 'Run %s --help for usage.\n' "$SCRIPT_NAME" >&2
  exit 2
}

# usage_error MESSAGE: an argument the parser cannot go on from (unknown flag, flag without value).
usage_error() {
  usage_problem "$*"
  report_usage_problems
}

# need_value FLAG ARGS...: the flag's value is the next argument, which must exist and not be a flag.
need_value() {
  if [[ $# -lt 2 || -z $2 || $2 == --* ]]; then usage_error "$1 needs a value"; fi
}

# check FLAG VALUE PATTERN DESCRIPTION: records a problem unless VALUE matches PATTERN.
check() {
  local flag=$1 value=$2 pattern=$3 description=$4
  if [[ -z $value ]]; then
    usage_problem "$flag is required"
  elif ! [[ $value =~ $pattern ]]; then
    usage_problem "$flag must be $description, not '$value'"
  fi
}

check_account_id() { check "$1" "$2" "$ACCOUNT_ID_PATTERN" "a 12-digit AWS account id"; }
check_region() { check "$1" "$2" "$REGION_PATTERN" "an AWS region such as us-east-1"; }
check_environment() { check "$1" "$2" "^($(IFS='|' && echo "${ENVIRONMENTS[*]}"))$" "one of ${ENVIRONMENTS[*]}"; }
check_github_owner() { check "$1" "$2" "$GITHUB_OWNER_PATTERN" "a GitHub organization or user name"; }
check_github_repo_name() { check "$1" "$2" "$GITHUB_REPO_NAME_PATTERN" "a GitHub repository name (without the owner)"; }

# check_administrator_arn FLAG VALUE: a full IAM role, user or root ARN of the aws partition, no wildcard.
check_administrator_arn() {
  if [[ $2 == *[*?]* ]]; then
    usage_problem "$1 must not contain a wildcard (* or ?): name each principal, not '$2'"
  elif [[ ! $2 =~ $ADMINISTRATOR_ARN_PATTERN ]]; then
    usage_problem "$1 must be the full ARN of an IAM role, user or account root in the aws partition, not '$2'"
  fi
}
check_prefix() {
  check "$1" "$2" "$PREFIX_PATTERN" "lower-case letters, digits and single inner hyphens, starting with a letter"
  if [[ -n $2 && (${#2} -lt $PREFIX_MIN_LENGTH || ${#2} -gt $PREFIX_MAX_LENGTH) ]]; then
    usage_problem "$1 must be $PREFIX_MIN_LENGTH to $PREFIX_MAX_LENGTH characters long, not ${#2}"
  fi
}

# check_github_repo FLAG VALUE: owner/name.
check_github_repo() {
  local flag=$1 value=$2
  if [[ -z $value ]]; then
    usage_problem "$flag is required"
  elif [[ $value != */* ]]; then
    usage_problem "$flag must be owner/name, not '$value'"
  else
    check "$flag (owner)" "${value%%/*}" "$GITHUB_OWNER_PATTERN" "a GitHub organization or user name"
    check "$flag (name)" "${value#*/}" "$GITHUB_REPO_NAME_PATTERN" "a GitHub repository name"
  fi
}

require_command() {
  command -v "$1" >/dev/null 2>&1 || die "$1 is not installed or not on PATH${2:+: $2}"
}

# A scratch folder for this run, removed on exit.
WORK_DIR=$(mktemp -d)
trap 'rm -rf "$WORK_DIR"' EXIT

# Arguments every aws call of the script gets (--profile, --region).
AWS_ARGS=()

# aws_try ARGS...: runs aws; its output is left in AWS_OUT and its error text in AWS_ERR, and its
# status is returned, so the caller can tell "not found" from a real failure.
aws_try() {
  local status=0
  # ${a[@]+...}: an empty array is "unbound" to set -u in bash before 4.4 (macOS has 3.2).
  AWS_OUT=$(aws ${AWS_ARGS[@]+"${AWS_ARGS[@]}"} "$@" 2>"$WORK_DIR/aws.err") || status=$?
  AWS_ERR=$(<"$WORK_DIR/aws.err")
  return "$status"
}

# aws_run ARGS...: runs aws and stops the script, with aws's message, if it fails.
aws_run() {
  aws_try "$@" || die "aws $1 $2 failed: $AWS_ERR"
  if [[ -n $AWS_OUT ]]; then printf '%s\n' "$AWS_OUT"; fi
}
