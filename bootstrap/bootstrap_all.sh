#!/usr/bin/env bash
# Bootstraps the three accounts in the design's order (prod, dev, then shared, which trusts both),
# configures the GitHub environments, and prints the terraform import commands that adopt what the
# CloudFormation stacks created.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# shellcheck source=lib/generated.sh
. "$HERE/lib/generated.sh"
# shellcheck source=lib/common.sh
. "$HERE/lib/common.sh"

usage() {
  cat <<EOF
Usage: $SCRIPT_NAME --shared-profile PROFILE --prod-profile PROFILE --dev-profile PROFILE
                    --github-org ORG --github-repo REPO [--region REGION] [--prefix PREFIX] [--skip-github]
                    [--replace-bucket-policy] [--administrator-arn ARN]...

Runs, in this order:
  1/4 bootstrap_account.sh --environment prod    (state bucket, lock table, github-oidc-prod: the OIDC
                                                  provider, the deploy role and the plan role)
  2/4 bootstrap_account.sh --environment dev     (the same for dev)
  3/4 bootstrap_account.sh --environment shared  (the same, the bucket's read grant for prod and dev,
                                                  and the vpc-peering-accepter and vpc-peering-reader
                                                  roles they assume)
  4/4 configure_github.sh                        (environments shared, prod, dev with their branch
                                                  policies and variables; the repository's variables)
then prints the terraform import commands of each environment (npm run import-commands) on stdout.

Options:
      --shared-profile PROFILE  AWS CLI profile of the shared account
      --prod-profile PROFILE    AWS CLI profile of the production account
      --dev-profile PROFILE     AWS CLI profile of the development account
      --github-org ORG          owner of the repository that deploys
      --github-repo REPO        name of that repository
  -r, --region REGION           region of the state and stacks (default $DEFAULT_REGION)
      --prefix PREFIX           the configuration's prefix (default $DEFAULT_PREFIX)
      --skip-github             leave out step 4 (run configure_github.sh later)
      --replace-bucket-policy   replace a state bucket policy that differs from the bootstrap's (e.g. one an
                                earlier bootstrap wrote, before the plan roles could read the shared state)
      --administrator-arn ARN   (repeatable) a person's IAM role, user or account root that may also assume
                                vpc-peering-accepter and read shared/terraform.tfstate, to operate prod and
                                dev by hand: the configuration's administrators (passed to step 3)
  -h, --help                    show this help

Needs the AWS CLI, Node and this project's dependencies (npm ci), and gh unless --skip-github.
Running it again changes nothing.
EOF
}

shared_profile="" prod_profile="" dev_profile="" github_org="" github_repo=""
region=$DEFAULT_REGION prefix=$DEFAULT_PREFIX skip_github=false replace=() administrators=()
while [[ $# -gt 0 ]]; do
  if [[ $1 == --*=* ]]; then set -- "${1%%=*}" "${1#*=}" "${@:2}"; fi
  case $1 in
    -h | --help) usage; exit 0 ;;
    --shared-profile) need_value "$@"; shared_profile=$2; shift 2 ;;
    --prod-profile) need_value "$@"; prod_profile=$2; shift 2 ;;
    --dev-profile) need_value "$@"; dev_profile=$2; shift 2 ;;
    --github-org) need_value "$@"; github_org=$2; shift 2 ;;
    --github-repo) need_value "$@"; github_repo=$2; shift 2 ;;
    -r | --region) need_value "$@"; region=$2; shift 2 ;;
    --prefix) need_value "$@"; prefix=$2; shift 2 ;;
    --skip-github) skip_github=true; shift ;;
    --replace-bucket-policy) replace=(--replace-bucket-policy); shift ;;
    --administrator-arn) need_value "$@"; check_administrator_arn --administrator-arn "$2"; administrators+=(--administrator-arn "$2"); shift 2 ;;
    *) usage_error "unknown argument '$1'" ;;
  esac
done

for flag in shared prod dev; do
  variable="${flag}_profile"
  [[ -n ${!variable} ]] || usage_problem "--$flag-profile is required"
done
check_github_owner --github-org "$github_org"
check_github_repo_name --github-repo "$github_repo"
check_region --region "$region"
check_prefix --prefix "$prefix"
report_usage_problems
require_command aws "install the AWS CLI"
require_command npm "Node is needed to print the terraform import commands"
[[ -d $ROOT/node_modules ]] || die "the project's dependencies are not installed; run npm ci in $ROOT first"
[[ $skip_github == true ]] || require_command gh "install the GitHub CLI, or pass --skip-github and run configure_github.sh later"

step "accounts"
account_of() {
  AWS_ARGS=(--profile "$1" --region "$region")
  aws_run sts get-caller-identity --query Account --output text
}
shared_account_id=$(account_of "$shared_profile")
prod_account_id=$(account_of "$prod_profile")
dev_account_id=$(account_of "$dev_profile")
log "shared $shared_account_id ($shared_profile), prod $prod_account_id ($prod_profile), dev $dev_account_id ($dev_profile)"
if [[ $shared_account_id == "$prod_account_id" || $shared_account_id == "$dev_account_id" || $prod_account_id == "$dev_account_id" ]]; then
  die "the three profiles must reach three different accounts"
fi

common=(--github-org "$github_org" --github-repo "$github_repo" --region "$region" --prefix "$prefix" ${replace[@]+"${replace[@]}"})

step "Step 1/4: prod"
"$HERE/bootstrap_account.sh" --environment prod --profile "$prod_profile" "${common[@]}" \
  --shared-account-id "$shared_account_id" >"$WORK_DIR/prod.out"
step "Step 2/4: dev"
"$HERE/bootstrap_account.sh" --environment dev --profile "$dev_profile" "${common[@]}" \
  --shared-account-id "$shared_account_id" >"$WORK_DIR/dev.out"
step "Step 3/4: shared"
"$HERE/bootstrap_account.sh" --environment shared --profile "$shared_profile" "${common[@]}" \
  --prod-account-id "$prod_account_id" --dev-account-id "$dev_account_id" ${administrators[@]+"${administrators[@]}"} >"$WORK_DIR/shared.out"

step "Step 4/4: GitHub environments"
if [[ $skip_github == true ]]; then
  log "skipped (--skip-github); later run:"
  log "  $HERE/configure_github.sh --repo $github_org/$github_repo --shared-account-id $shared_account_id --prod-account-id $prod_account_id --dev-account-id $dev_account_id --region $region"
else
  "$HERE/configure_github.sh" --repo "$github_org/$github_repo" --region "$region" \
    --shared-account-id "$shared_account_id" --prod-account-id "$prod_account_id" --dev-account-id "$dev_account_id"
fi

step "roles"
for env in shared prod dev; do
  log "$env: $(sed -n 's/^OIDC_ROLE_ARN=//p' "$WORK_DIR/$env.out") (plan: $(sed -n 's/^PLAN_ROLE_ARN=//p' "$WORK_DIR/$env.out"))"
done
log "peering accepter: $(sed -n 's/^PEERING_ACCEPTER_ROLE_ARN=//p' "$WORK_DIR/shared.out")"
log "peering reader: $(sed -n 's/^PEERING_READER_ROLE_ARN=//p' "$WORK_DIR/shared.out")"

step "terraform import commands (stdout), to adopt the bootstrap's OIDC provider, deploy and plan roles and their policies"
for env in shared prod dev; do
  account_variable="${env}_account_id"
  (
    cd "$ROOT"
    COALITION_SHARED_ACCOUNT_ID=$shared_account_id COALITION_PROD_ACCOUNT_ID=$prod_account_id \
      COALITION_DEV_ACCOUNT_ID=$dev_account_id COALITION_PREFIX=$prefix COALITION_REGION=$region \
      COALITION_GITHUB_REPO=$github_org/$github_repo \
      npm run --silent import-commands -- --env "$env" --account-id "${!account_variable}"
  ) || die "npm run import-commands failed for $env (the accounts are bootstrapped; run it again by hand)"
done
