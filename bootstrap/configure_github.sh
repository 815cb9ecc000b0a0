#!/usr/bin/env bash
# Creates the repository's GitHub environments shared, prod and dev, each with the variables the
# workflows read (AWS_ACCOUNT_ID, ENVIRONMENT, AWS_REGION), through the REST API with `gh api`.
# Idempotent: an existing environment is left as it is, a variable is written only when it differs.
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

Creates the GitHub environments $(IFS=, && echo "${ENVIRONMENTS[*]}") of the repository (if missing) and sets
their variables AWS_ACCOUNT_ID, ENVIRONMENT and AWS_REGION (default region $DEFAULT_REGION).
Protection rules (reviewers, deployment branches) are not touched; the CDKTF bootstrap stack manages
those. Needs gh, authenticated (gh auth login, or GH_TOKEN) for a user who administers the repository.
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

for env in "${ENVIRONMENTS[@]}"; do
  step "environment $env of $repo"
  if gh_api GET "repos/$repo/environments/$env" --silent; then
    log "exists"
  else
    gh_api PUT "repos/$repo/environments/$env" --silent
    log "created"
  fi
  while IFS='=' read -r name value; do
    if gh_api GET "repos/$repo/environments/$env/variables/$name" --jq .value; then
      if [[ $GH_OUT == "$value" ]]; then
        log "$name = $value"
        continue
      fi
      gh_api PATCH "repos/$repo/environments/$env/variables/$name" -f "name=$name" -f "value=$value" --silent
      log "$name = $value (was $GH_OUT)"
    else
      gh_api POST "repos/$repo/environments/$env/variables" -f "name=$name" -f "value=$value" --silent
      log "$name = $value (new)"
    fi
  done < <(github_environment_variables "$env" "$(account_id "$env")" "$region")
done

log ""
log "Settings: https://github.com/$repo/settings/environments"
