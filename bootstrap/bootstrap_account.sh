#!/usr/bin/env bash
# Bootstraps one AWS account for Terraform: the state bucket, the lock table, the GitHub OIDC stack (deploy and
# plan roles), and in the shared account the state bucket's read grant for prod and dev and the
# vpc-peering-accepter stack (the accepter and reader roles).
# Idempotent: what exists already is checked and left as it is; nothing is ever deleted.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/generated.sh
. "$HERE/lib/generated.sh"
# shellcheck source=lib/common.sh
. "$HERE/lib/common.sh"

usage() {
  cat <<EOF
Usage: $SCRIPT_NAME --environment <$(IFS='|' && echo "${ENVIRONMENTS[*]}")> --github-org ORG --github-repo REPO --profile PROFILE
                   [--region REGION] [--prefix PREFIX]
                   [--prod-account-id ID --dev-account-id ID]   (required for shared, only for shared)
                   [--administrator-arn ARN]...                 (shared only)
                   [--shared-account-id ID]                     (prod and dev only)
                   [--replace-bucket-policy]

Creates, in the account PROFILE's credentials reach:
  - the state bucket PREFIX-terraform-state-ACCOUNT (versioned, encrypted, public access blocked,
    TLS-only policy; in shared, read access to shared/terraform.tfstate for the prod and dev deploy and
    plan roles)
  - the lock table PREFIX-terraform-locks (pay per request)
  - the stack github-oidc-ENVIRONMENT ($GITHUB_OIDC_TEMPLATE): GitHub's OIDC provider, the deploy role
    github-actions-ENVIRONMENT with the inline policies terraform-state and infrastructure, and the
    read-only plan role github-actions-ENVIRONMENT-plan with terraform-state-read and read-only
  - in shared, the stack $PEERING_ACCEPTER_STACK ($PEERING_ACCEPTER_TEMPLATE): the role
    $PEERING_ACCEPTER_ROLE, trusted by github-actions-prod and github-actions-dev, and the role
    $PEERING_READER_ROLE, trusted by github-actions-prod-plan and github-actions-dev-plan

Options:
  -e, --environment ENV      shared, prod or dev
      --github-org ORG       owner of the repository that deploys
      --github-repo REPO     name of that repository
  -p, --profile PROFILE      AWS CLI profile of the account
  -r, --region REGION        region of the state and stacks (default $DEFAULT_REGION)
      --prefix PREFIX        the configuration's prefix (default $DEFAULT_PREFIX)
      --prod-account-id ID   production account (shared only)
      --dev-account-id ID    development account (shared only)
      --administrator-arn ARN  (shared only, repeatable) a person's IAM role, user or account root that may
                             also assume $PEERING_ACCEPTER_ROLE and read shared/terraform.tfstate, to operate
                             prod and dev by hand: the configuration's administrators
      --shared-account-id ID shared account (prod and dev): lets the roles read the shared state and
                             assume $PEERING_ACCEPTER_ROLE (the plan role: $PEERING_READER_ROLE), as the
                             Terraform stacks declare it
      --replace-bucket-policy  replace a state bucket policy that differs from the bootstrap's
  -h, --help                 show this help

Progress goes to stderr; stdout gets NAME=VALUE lines (ACCOUNT_ID, STATE_BUCKET, LOCK_TABLE,
OIDC_ROLE_ARN, PLAN_ROLE_ARN and, in shared, PEERING_ACCEPTER_ROLE_ARN and PEERING_READER_ROLE_ARN).
Running it again changes nothing.
EOF
}

environment="" github_org="" github_repo="" profile="" region=$DEFAULT_REGION prefix=$DEFAULT_PREFIX
prod_account_id="" dev_account_id="" shared_account_id="" replace_bucket_policy=false administrator_arns=()
while [[ $# -gt 0 ]]; do
  if [[ $1 == --*=* ]]; then set -- "${1%%=*}" "${1#*=}" "${@:2}"; fi
  case $1 in
    -h | --help) usage; exit 0 ;;
    -e | --environment) need_value "$@"; environment=$2; shift 2 ;;
    --github-org) need_value "$@"; github_org=$2; shift 2 ;;
    --github-repo) need_value "$@"; github_repo=$2; shift 2 ;;
    -p | --profile) need_value "$@"; profile=$2; shift 2 ;;
    -r | --region) need_value "$@"; region=$2; shift 2 ;;
    --prefix) need_value "$@"; prefix=$2; shift 2 ;;
    --prod-account-id) need_value "$@"; prod_account_id=$2; shift 2 ;;
    --dev-account-id) need_value "$@"; dev_account_id=$2; shift 2 ;;
    --shared-account-id) need_value "$@"; shared_account_id=$2; shift 2 ;;
    --administrator-arn) need_value "$@"; administrator_arns+=("$2"); shift 2 ;;
    --replace-bucket-policy) replace_bucket_policy=true; shift ;;
    *) usage_error "unknown argument '$1'" ;;
  esac
done

check_environment --environment "$environment"
check_github_owner --github-org "$github_org"
check_github_repo_name --github-repo "$github_repo"
[[ -n $profile ]] || usage_problem "--profile is required"
check_region --region "$region"
check_prefix --prefix "$prefix"
if [[ $environment == shared ]]; then
  check_account_id --prod-account-id "$prod_account_id"
  check_account_id --dev-account-id "$dev_account_id"
  if [[ -n $prod_account_id && $prod_account_id == "$dev_account_id" ]]; then
    usage_problem "--prod-account-id and --dev-account-id must be different accounts"
  fi
  [[ -z $shared_account_id ]] || usage_problem "--shared-account-id is for prod and dev, not shared"
  for arn in ${administrator_arns[@]+"${administrator_arns[@]}"}; do check_administrator_arn --administrator-arn "$arn"; done
else
  [[ ${#administrator_arns[@]} -eq 0 ]] || usage_problem "--administrator-arn is only for --environment shared"
  [[ -z $prod_account_id ]] || usage_problem "--prod-account-id is only for --environment shared"
  [[ -z $dev_account_id ]] || usage_problem "--dev-account-id is only for --environment shared"
  [[ -z $shared_account_id ]] || check_account_id --shared-account-id "$shared_account_id"
fi
report_usage_problems
require_command aws "install the AWS CLI"

AWS_ARGS=(--profile "$profile" --region "$region")

step "$environment: account"
account_id=$(aws_run sts get-caller-identity --query Account --output text)
log "profile $profile is account $account_id"
for other in "$prod_account_id" "$dev_account_id" "$shared_account_id"; do
  [[ $other != "$account_id" ]] || die "profile $profile is account $account_id, which is also given as another environment's account"
done

bucket=$(state_bucket_name "$prefix" "$account_id")
table=$(lock_table_name "$prefix")

# The bucket policy this account's state bucket should have, placeholders replaced.
# shellcheck disable=SC2016 # the placeholders are literal text
desired_bucket_policy() {
  local policy=$STATE_BUCKET_POLICY
  if [[ $environment == shared ]]; then
    policy=$SHARED_STATE_BUCKET_POLICY
    if [[ ${#administrator_arns[@]} -gt 0 ]]; then
      local principals
      printf -v principals '%s","' "${administrator_arns[@]}"
      policy=$SHARED_STATE_BUCKET_POLICY_WITH_ADMINISTRATORS
      policy=${policy//'${AdministratorArns}'/${principals%'","'}}
    fi
    policy=${policy//'${ProdAccountId}'/$prod_account_id}
    policy=${policy//'${DevAccountId}'/$dev_account_id}
  fi
  policy=${policy//'${ResourcePrefix}'/$prefix}
  policy=${policy//'${AWS::AccountId}'/$account_id}
  [[ $policy != *'${'* ]] || die "internal: unreplaced placeholder in the bucket policy: $policy"
  printf '%s' "$policy"
}

ensure_state_bucket() {
  step "$environment: state bucket $bucket"
  if aws_try s3api head-bucket --bucket "$bucket" --expected-bucket-owner "$account_id"; then
    log "exists"
  elif [[ $AWS_ERR == *"(404)"* || $AWS_ERR == *"Not Found"* ]]; then
    local location=()
    [[ $region == us-east-1 ]] || location=(--create-bucket-configuration "LocationConstraint=$region")
    aws_run s3api create-bucket --bucket "$bucket" ${location[@]+"${location[@]}"} >/dev/null
    log "created"
  elif [[ $AWS_ERR == *"(403)"* || $AWS_ERR == *Forbidden* ]]; then
    die "bucket $bucket exists but is not this account's, or denies it access: $AWS_ERR"
  else
    die "cannot check bucket $bucket: $AWS_ERR"
  fi

  if [[ $(aws_run s3api get-bucket-versioning --bucket "$bucket" --query Status --output text) == Enabled ]]; then
    log "versioning: enabled"
  else
    aws_run s3api put-bucket-versioning --bucket "$bucket" --versioning-configuration Status=Enabled
    log "versioning: enabled now"
  fi

  if aws_try s3api get-bucket-encryption --bucket "$bucket" \
    --query 'ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm' --output text; then
    log "encryption: $AWS_OUT"
  elif [[ $AWS_ERR == *ServerSideEncryptionConfigurationNotFoundError* ]]; then
    aws_run s3api put-bucket-encryption --bucket "$bucket" --server-side-encryption-configuration \
      '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"},"BucketKeyEnabled":true}]}'
    log "encryption: AES256 now"
  else
    die "cannot read the encryption of $bucket: $AWS_ERR"
  fi

  local blocks="" all_blocked=$'True\tTrue\tTrue\tTrue'
  if aws_try s3api get-public-access-block --bucket "$bucket" --output text \
    --query 'PublicAccessBlockConfiguration.[BlockPublicAcls,IgnorePublicAcls,BlockPublicPolicy,RestrictPublicBuckets]'; then
    blocks=$AWS_OUT
  elif [[ $AWS_ERR != *NoSuchPublicAccessBlockConfiguration* ]]; then
    die "cannot read the public access block of $bucket: $AWS_ERR"
  fi
  if [[ $blocks == "$all_blocked" ]]; then
    log "public access: blocked"
  else
    aws_run s3api put-public-access-block --bucket "$bucket" --public-access-block-configuration \
      BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
    log "public access: blocked now"
  fi

  local desired current=""
  desired=$(desired_bucket_policy)
  if aws_try s3api get-bucket-policy --bucket "$bucket" --query Policy --output text; then
    current=$AWS_OUT
  elif [[ $AWS_ERR != *NoSuchBucketPolicy* ]]; then
    die "cannot read the policy of $bucket: $AWS_ERR"
  fi
  # S3 hands the policy back as it was given, less whitespace.
  if [[ -n $current && ${current//[[:space:]]/} == "$desired" ]]; then
    log "bucket policy: as it should be"
  elif [[ -z $current || $replace_bucket_policy == true ]]; then
    aws_run s3api put-bucket-policy --bucket "$bucket" --policy "$desired"
    log "bucket policy: ${current:+replaced, }TLS only${prod_account_id:+, shared state readable by the prod and dev deploy and plan roles}"
  else
    die "bucket $bucket has a policy that differs from the bootstrap's. Current:
$current
Bootstrap's:
$desired
Merge them by hand, or run again with --replace-bucket-policy to replace it."
  fi
}

ensure_lock_table() {
  step "$environment: lock table $table"
  if aws_try dynamodb describe-table --table-name "$table" --output text \
    --query 'Table.[KeySchema[0].AttributeName,KeySchema[0].KeyType,length(KeySchema)]'; then
    [[ $AWS_OUT == $'LockID\tHASH\t1' ]] || die "table $table exists but its key is not LockID (string hash key) alone: $AWS_OUT"
    log "exists"
  elif [[ $AWS_ERR == *ResourceNotFoundException* ]]; then
    aws_run dynamodb create-table --table-name "$table" --billing-mode PAY_PER_REQUEST \
      --attribute-definitions AttributeName=LockID,AttributeType=S --key-schema AttributeName=LockID,KeyType=HASH \
      --deletion-protection-enabled >/dev/null
    aws_run dynamodb wait table-exists --table-name "$table"
    log "created"
  else
    die "cannot check table $table: $AWS_ERR"
  fi
}

# The outputs of the stack ensure_stack last saw, as KEY<tab>VALUE lines.
STACK_OUTPUTS=""

# ensure_stack STACK TEMPLATE KEY=VALUE...: creates or updates the stack unless it already runs this
# template with these parameters, and leaves its outputs in STACK_OUTPUTS. (The values were validated, so they
# need no JSON escaping.)
ensure_stack() {
  local stack=$1 template=$2
  shift 2
  step "$environment: stack $stack"
  local status described=""
  # One read for the status, the parameters and the outputs, as rows tagged S, P and O.
  # shellcheck disable=SC2016 # backticks are JMESPath literals
  if aws_try cloudformation describe-stacks --stack-name "$stack" --output text --query \
    'Stacks[0].[[[`"S"`,StackStatus]],(Parameters||`[]`)[].[`"P"`,ParameterKey,ParameterValue],(Outputs||`[]`)[].[`"O"`,OutputKey,OutputValue]]'; then
    described=$AWS_OUT
    status=$(sed -n $'s/^S\t//p' <<<"$described")
    STACK_OUTPUTS=$(sed -n $'s/^O\t//p' <<<"$described")
  elif [[ $AWS_ERR == *"does not exist"* ]]; then
    status=NONE
  else
    die "cannot check stack $stack: $AWS_ERR"
  fi
  case $status in
    NONE) ;;
    CREATE_COMPLETE | UPDATE_COMPLETE | UPDATE_ROLLBACK_COMPLETE | IMPORT_COMPLETE | IMPORT_ROLLBACK_COMPLETE)
      local body parameters wanted
      body=$(aws_run cloudformation get-template --stack-name "$stack" --query TemplateBody --output text)
      # A list parameter reads back as "a,b" from AWS; moto writes it as a Python list ['a', 'b'].
      parameters=$(sed -n $'s/^P\t//p' <<<"$described" |
        sed -e $'s/\t\\[\\]$/\t/' -e $'s/\t\\[\'/\t/' -e $'s/\'\\]$//' -e "s/', '/,/g" | sort)
      wanted=$(for pair in "$@"; do printf '%s\t%s\n' "${pair%%=*}" "${pair#*=}"; done | sort)
      if [[ $body == "$(<"$template")" && $parameters == "$wanted" ]]; then
        log "up to date ($status)"
        return 0
      fi
      ;;
    *) die "stack $stack is $status; resolve that in the CloudFormation console (this script deletes nothing), then run it again" ;;
  esac
  local parameters_file=$WORK_DIR/$stack.parameters.json separator="" pair
  {
    printf '['
    for pair in "$@"; do
      printf '%s{"ParameterKey":"%s","ParameterValue":"%s"}' "$separator" "${pair%%=*}" "${pair#*=}"
      separator=,
    done
    printf ']'
  } >"$parameters_file"
  local action=create
  [[ $status == NONE ]] || action=update
  if ! aws_try cloudformation "$action-stack" --stack-name "$stack" --template-body "file://$template" \
    --parameters "file://$parameters_file" --capabilities CAPABILITY_NAMED_IAM; then
    # A template that differs only in comments changes nothing CloudFormation deploys.
    if [[ $action == update && $AWS_ERR == *"No updates are to be performed"* ]]; then
      log "no changes to deploy"
      return 0
    fi
    die "aws cloudformation $action-stack $stack failed: $AWS_ERR"
  fi
  log "${action}: waiting for CloudFormation"
  aws_try cloudformation wait "stack-$action-complete" --stack-name "$stack" ||
    die "the $action of stack $stack failed; see its events:
  aws cloudformation describe-stack-events --stack-name $stack --profile $profile --region $region"
  log "${action}d"
  STACK_OUTPUTS=$(aws_run cloudformation describe-stacks --stack-name "$stack" --output text \
    --query 'Stacks[0].Outputs[].[OutputKey,OutputValue]')
}

# stack_output KEY: the output KEY of the stack ensure_stack last handled.
stack_output() {
  local key value
  while IFS=$'\t' read -r key value; do
    if [[ $key == "$1" ]]; then printf '%s\n' "$value"; fi
  done <<<"$STACK_OUTPUTS"
}

ensure_state_bucket
ensure_lock_table

oidc_stack=$(github_oidc_stack "$environment")
ensure_stack "$oidc_stack" "$HERE/$GITHUB_OIDC_TEMPLATE" \
  "Environment=$environment" "GitHubOrg=$github_org" "GitHubRepo=$github_repo" \
  "SharedAccountId=$shared_account_id" "ResourcePrefix=$prefix"
oidc_role_arn=$(stack_output RoleArn)
plan_role_arn=$(stack_output PlanRoleArn)

if [[ $environment == shared ]]; then
  ensure_stack "$PEERING_ACCEPTER_STACK" "$HERE/$PEERING_ACCEPTER_TEMPLATE" \
    "ProdAccountId=$prod_account_id" "DevAccountId=$dev_account_id" "AdministratorArns=$(IFS=, && echo "${administrator_arns[*]}")"
  peering_role_arn=$(stack_output RoleArn)
  reader_role_arn=$(stack_output ReaderRoleArn)
fi

step "$environment: done"
log "state bucket  $bucket"
log "lock table    $table"
log "deploy role   $oidc_role_arn"
log "plan role     $plan_role_arn"
if [[ $environment == shared ]]; then
  log "accepter role $peering_role_arn"
  log "reader role   $reader_role_arn"
fi

printf 'ACCOUNT_ID=%s\nSTATE_BUCKET=%s\nLOCK_TABLE=%s\nOIDC_ROLE_ARN=%s\nPLAN_ROLE_ARN=%s\n' "$account_id" "$bucket" "$table" "$oidc_role_arn" "$plan_role_arn"
[[ $environment != shared ]] || printf 'PEERING_ACCEPTER_ROLE_ARN=%s\nPEERING_READER_ROLE_ARN=%s\n' "$peering_role_arn" "$reader_role_arn"
