#!/usr/bin/env bash
# Creates the repository's GitHub environments shared, prod and dev, each deployable only from the branches
# its deploy role trusts, with the variables the workflows read (AWS_ACCOUNT_ID, ENVIRONMENT, AWS_REGION),
# and sets the repository variables the synthesis reads (COALITION_*_ACCOUNT_ID, COALITION_REGION), through
# the REST API with `gh api`. Idempotent: it reads first, writes only what is missing or different, and
# deletes nothing.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/generated.sh
. "$HERE/lib/generated.sh"
# shellcheck source=lib/common.sh
. "$HERE/lib/common.sh"

usage() {
  cat <<EOF
Usage: $SCRIPT_NAME --repo OWNER/NAME --shared-account-id ID --prod-account-id ID --dev-account-id ID
                    [--region REGION]

Creates the GitHub environments $(IFS=, && echo "${ENVIRONMENTS[*]}") of the repository (if missing), lets only
their branches deploy (shared and prod: main; dev: development and main), and sets their variables
AWS_ACCOUNT_ID, ENVIRONMENT and AWS_REGION (default region $DEFAULT_REGION); then sets the repository
variables COALITION_SHARED_ACCOUNT_ID, COALITION_PROD_ACCOUNT_ID, COALITION_DEV_ACCOUNT_ID and
COALITION_REGION. Reviewers are not touched (the CDKTF bootstrap stack manages those); no branch rule or
variable is deleted. Needs gh, authenticated (gh auth login, or GH_TOKEN) for a user who administers the
repository.
EOF
}

repo="" region=$DEFAULT_REGION shared_account_id="" prod_account_id="" dev_account_id=""
while [[ $# -gt 0 ]]; do
  if [[ $1 == --*=* ]]; then set -- "${1%%=*}" "${1#*=}" "${@:2}"; fi
  case $1 in
    -h | --help) usage; exit 0 ;;
    --repo) need_value "$@"; repo=$2; shift 2 ;;
    --shared-account-id) need_value "$@"; shared_account_id=$2; shift 2 ;;
    --prod-account-id) need_value "$@"; prod_account_id=$2; shift 2 ;;
    --dev-account-id) need_value "$@"; dev_account_id=$2; shift 2 ;;
    -r | --region) need_value "$@"; region=$2; shift 2 ;;
    *) usage_error "unknown argument '$1'" ;;
  esac
done

check_github_repo --repo "$repo"
# account_id ENV: the account id given for ENV (bash 3.2 has no associative arrays).
account_id() {
  local variable="${1}_account_id"
  printf '%s' "${!variable}"
}
for env in "${ENVIRONMENTS[@]}"; do
  check_account_id "--$env-account-id" "$(account_id "$env")"
done
check_region --region "$region"
if [[ -n $shared_account_id && -n $prod_account_id && -n $dev_account_id ]] &&
  [[ $shared_account_id == "$prod_account_id" || $shared_account_id == "$dev_account_id" || $prod_account_id == "$dev_account_id" ]]; then
  usage_problem "the three account ids must be different"
fi
report_usage_problems
require_command gh "install the GitHub CLI (https://cli.github.com)"

# gh_api METHOD PATH [gh api flags...]: one REST call, its body left in GH_OUT; stops the script
# with gh's message when it fails, except that a 404 of a GET returns 1 (the thing does not exist).
gh_api() {
  local method=$1 path=$2 status=0
  shift 2
  GH_OUT=$(gh api --method "$method" "$path" "$@" </dev/null 2>"$WORK_DIR/gh.err") || status=$?
  [[ $status -eq 0 ]] && return 0
  local error
  error=$(<"$WORK_DIR/gh.err")
  if [[ $method == GET && $error == *"(HTTP 404)"* ]]; then return 1; fi
  if [[ $error == *"(HTTP 401)"* || $error == *"gh auth login"* ]]; then
    die "gh is not authenticated: run gh auth login, or set GH_TOKEN ($error)"
  fi
  die "gh api --method $method $path failed: $error"
}

# deployment_branches ENV: the branches that may deploy to ENV, one per line: the branch its deploy role
# trusts, and main, from which Terraform CI/CD applies every stack (deploymentBranches in
# src/bootstrap/github-environments.ts, which the CDKTF bootstrap stack uses; a test keeps them equal).
deployment_branches() {
  case $1 in
    dev) printf '%s\n' main development ;;
    *) printf '%s\n' main ;;
  esac
}

# The repository variables the synthesis reads, one NAME=VALUE per line (githubRepositoryVariables in
# src/bootstrap/github-environments.ts; a test keeps them equal).
repository_variables() {
  printf '%s\n' "COALITION_SHARED_ACCOUNT_ID=$shared_account_id" "COALITION_PROD_ACCOUNT_ID=$prod_account_id" \
    "COALITION_DEV_ACCOUNT_ID=$dev_account_id" "COALITION_REGION=$region"
}

# Deployment branches chosen one by one (the deployment branch policies below), not "protected branches".
CUSTOM_BRANCHES='{"protected_branches":false,"custom_branch_policies":true}'
# From an existing environment, the PUT body that switches it to custom branches with its other rules as
# they are (GitHub takes the whole environment); nothing when it has custom branches already.
SWITCH_TO_CUSTOM_BRANCHES='if .deployment_branch_policy == '"$CUSTOM_BRANCHES"' then empty else {
  wait_timer: ([.protection_rules[]? | select(.type == "wait_timer") | .wait_timer][0] // 0),
  prevent_self_review: ([.protection_rules[]? | select(.type == "required_reviewers") | .prevent_self_review][0] // false),
  reviewers: ([.protection_rules[]? | select(.type == "required_reviewers") | .reviewers[]? | {type, id: .reviewer.id}]
    | if length == 0 then null else . end),
  deployment_branch_policy: '"$CUSTOM_BRANCHES"'
} end'

# set_variable COLLECTION NAME VALUE: creates the Actions variable NAME in COLLECTION (an environment's or
# the repository's variables), or updates it when its value differs.
set_variable() {
  local collection=$1 name=$2 value=$3 previous
  if gh_api GET "$collection/$name" --jq .value; then
    previous=$GH_OUT
    if [[ $previous == "$value" ]]; then
      log "$name = $value"
      return 0
    fi
    gh_api PATCH "$collection/$name" -f "name=$name" -f "value=$value" --silent
    log "$name = $value (was $previous)"
  else
    gh_api POST "$collection" -f "name=$name" -f "value=$value" --silent
    log "$name = $value (new)"
  fi
}

for env in "${ENVIRONMENTS[@]}"; do
  step "environment $env of $repo"
  environment="repos/$repo/environments/$env"
  if gh_api GET "$environment" --jq "$SWITCH_TO_CUSTOM_BRANCHES"; then
    if [[ -z $GH_OUT ]]; then
      log "exists"
    else
      printf '%s\n' "$GH_OUT" >"$WORK_DIR/environment.json"
      gh_api PUT "$environment" --input "$WORK_DIR/environment.json" --silent
      log "exists; now deployable from its own branches only (its reviewers and wait timer kept)"
    fi
  else
    printf '{"deployment_branch_policy":%s}\n' "$CUSTOM_BRANCHES" >"$WORK_DIR/environment.json"
    gh_api PUT "$environment" --input "$WORK_DIR/environment.json" --silent
    log "created"
  fi

  allowed=$(deployment_branches "$env")
  existing=""
  if gh_api GET "$environment/deployment-branch-policies" --paginate --jq '.branch_policies[] | select(.type != "tag") | .name'; then
    existing=$GH_OUT
  fi
  for branch in $allowed; do
    if grep -qxF "$branch" <<<"$existing"; then
      log "deployable from $branch"
    else
      gh_api POST "$environment/deployment-branch-policies" -f "name=$branch" -f type=branch --silent
      log "deployable from $branch (new)"
    fi
  done
  while IFS= read -r branch; do
    if [[ -n $branch ]] && ! grep -qxF "$branch" <<<"$allowed"; then
      warn "$env is also deployable from '$branch', which this script does not remove"
    fi
  done <<<"$existing"

  while IFS='=' read -r name value; do
    set_variable "$environment/variables" "$name" "$value"
  done < <(github_environment_variables "$env" "$(account_id "$env")" "$region")
done

step "repository variables of $repo"
while IFS='=' read -r name value; do
  set_variable "repos/$repo/actions/variables" "$name" "$value"
done < <(repository_variables)

log ""
log "Settings: https://github.com/$repo/settings/environments and https://github.com/$repo/settings/variables/actions"
