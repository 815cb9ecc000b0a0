#!/usr/bin/env bash
# Writes backend.hcl for one environment's synthesized stack: the state bucket and lock table of the
# account the credentials reach, after checking that the bootstrap created them.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# shellcheck source=lib/generated.sh
. "$HERE/lib/generated.sh"
# shellcheck source=lib/common.sh
. "$HERE/lib/common.sh"

usage() {
  cat <<EOF
Usage: $SCRIPT_NAME <$(IFS='|' && echo "${ENVIRONMENTS[*]}")> [--profile PROFILE] [--region REGION] [--prefix PREFIX]
                         [--locking dynamodb|s3|both] [--stack-dir DIR]

Writes DIR/backend.hcl (DIR defaults to cdktf.out/stacks/ENVIRONMENT, made by npm run synth) for
  cd DIR && terraform init -backend-config=backend.hcl
naming the state bucket PREFIX-terraform-state-ACCOUNT, the key ENVIRONMENT/terraform.tfstate and,
unless --locking s3, the lock table PREFIX-terraform-locks. ACCOUNT is the account the credentials
(--profile, or the AWS CLI's default) reach; the bucket and table must exist (bootstrap_account.sh).

Options:
  -p, --profile PROFILE   AWS CLI profile of the environment's account (default: the default credentials)
  -r, --region REGION     region of the state (default $DEFAULT_REGION)
      --prefix PREFIX     the configuration's prefix (default $DEFAULT_PREFIX)
      --locking MODE      the configuration's state.locking: dynamodb (default), s3 or both
      --stack-dir DIR     where to write backend.hcl
  -h, --help              show this help
EOF
}

environment="" profile="" region=$DEFAULT_REGION prefix=$DEFAULT_PREFIX locking=dynamodb stack_dir=""
while [[ $# -gt 0 ]]; do
  if [[ $1 == --*=* ]]; then set -- "${1%%=*}" "${1#*=}" "${@:2}"; fi
  case $1 in
    -h | --help) usage; exit 0 ;;
    -p | --profile) need_value "$@"; profile=$2; shift 2 ;;
    -r | --region) need_value "$@"; region=$2; shift 2 ;;
    --prefix) need_value "$@"; prefix=$2; shift 2 ;;
    --locking) need_value "$@"; locking=$2; shift 2 ;;
    --stack-dir) need_value "$@"; stack_dir=$2; shift 2 ;;
    -*) usage_error "unknown argument '$1'" ;;
    *)
      [[ -z $environment ]] || usage_error "only one environment, not '$environment' and '$1'"
      environment=$1
      shift
      ;;
  esac
done

check_environment "the ENVIRONMENT argument" "$environment"
check_region --region "$region"
check_prefix --prefix "$prefix"
check --locking "$locking" '^(dynamodb|s3|both)$' "dynamodb, s3 or both"
[[ -n $stack_dir || -z $environment ]] || stack_dir="$ROOT/cdktf.out/stacks/$environment"
if [[ -n $stack_dir && ! -d $stack_dir ]]; then
  usage_problem "$stack_dir does not exist; run npm run synth first, or name another folder with --stack-dir"
fi
report_usage_problems
require_command aws "install the AWS CLI"

[[ -z $profile ]] || AWS_ARGS+=(--profile "$profile")
AWS_ARGS+=(--region "$region")
account_id=$(aws_run sts get-caller-identity --query Account --output text)
bucket=$(state_bucket_name "$prefix" "$account_id")
table=$(lock_table_name "$prefix")

aws_try s3api head-bucket --bucket "$bucket" --expected-bucket-owner "$account_id" ||
  die "state bucket $bucket of account $account_id is missing or not accessible; run bootstrap_account.sh first ($AWS_ERR)"
if [[ $locking != s3 ]]; then
  aws_try dynamodb describe-table --table-name "$table" --query Table.TableStatus --output text ||
    die "lock table $table of account $account_id is missing or not accessible; run bootstrap_account.sh first ($AWS_ERR)"
fi

{
  printf 'bucket  = "%s"\n' "$bucket"
  printf 'key     = "%s"\n' "$(state_key "$environment")"
  printf 'region  = "%s"\n' "$region"
  printf 'encrypt = true\n'
  [[ $locking == s3 ]] || printf 'dynamodb_table = "%s"\n' "$table"
  [[ $locking == dynamodb ]] || printf 'use_lockfile   = true\n'
} >"$stack_dir/.backend.hcl.tmp"
mv "$stack_dir/.backend.hcl.tmp" "$stack_dir/backend.hcl"
log "wrote $stack_dir/backend.hcl (account $account_id); next:"
log "  cd $stack_dir && terraform init -backend-config=backend.hcl"
