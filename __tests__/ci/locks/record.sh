#!/usr/bin/env bash
# Records the fixtures of this folder: what Terraform prints when another run holds the state lock of an S3
# backend, locked by a DynamoDB table or by an S3 lock file (use_lockfile), with and without colour, and what
# the project's cdktf CLI prints around it (`cdktf diff`, as `npm run diff` runs it), against moto_server on
# 127.0.0.1. A live holder is a `terraform apply` waiting at its prompt; a stale one (what a cancelled job
# leaves) is a lock written by hand. The holder's user@host becomes operator@workstation. The tests list each
# fixture's lock: after recording again, update them.
set -euo pipefail

if [ "$#" -gt 1 ] || [ "${1:-}" = --help ]; then
  echo "usage: $(basename "$0") [port]   (moto_server listens on 127.0.0.1:port, default 5123)" >&2
  exit 2
fi
port=${1:-5123}
endpoint="http://127.0.0.1:$port"
out=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$out/../../.." && pwd)
work=$(mktemp -d)
bucket=coalition-terraform-state-222222222222
table=coalition-terraform-locks

export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_CLI_CONFIG_FILE="$work/empty.tfrc"
: > "$TF_CLI_CONFIG_FILE"

moto_server -H 127.0.0.1 -p "$port" > "$work/moto.log" 2>&1 &
moto=$!
holders=()
answers=()
# Each holder is answered "no", so it releases its lock, before the emulator stops.
cleanup() {
  for fd in "${answers[@]}"; do echo no >&"$fd" || true; done
  for pid in "${holders[@]}"; do wait "$pid" || true; done
  kill "$moto" 2> /dev/null || true
  wait "$moto" || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 50); do
  curl -s -o /dev/null "$endpoint" && break
  sleep 0.2
done

aws --endpoint-url "$endpoint" s3api create-bucket --bucket "$bucket" > /dev/null
aws --endpoint-url "$endpoint" dynamodb create-table --table-name "$table" --billing-mode PAY_PER_REQUEST \
  --attribute-definitions AttributeName=LockID,AttributeType=S --key-schema AttributeName=LockID,KeyType=HASH > /dev/null

# A configuration with one built-in resource (no provider to install), its state at <key>, locked by <locking>.
configure() {
  local dir="$work/$1" key=$2 locking=$3
  mkdir -p "$dir"
  cat > "$dir/main.tf" << EOF
terraform {
  backend "s3" {
    bucket                      = "$bucket"
    key                         = "$key"
    region                      = "us-east-1"
    $locking
    use_path_style              = true
    skip_credentials_validation = true
    skip_requesting_account_id  = true
    skip_metadata_api_check     = true
    skip_region_validation      = true
    endpoints = {
      s3       = "$endpoint"
      dynamodb = "$endpoint"
    }
  }
}

resource "terraform_data" "example" {
  input = "held"
}
EOF
  terraform -chdir="$dir" init -input=false -no-color > /dev/null
}

# Starts an apply in <dir> that holds the lock while it waits for its answer, and waits until it holds it.
hold() {
  local dir="$work/$1" fd
  mkfifo "$dir/answer"
  terraform -chdir="$dir" apply < "$dir/answer" > "$dir/holder.log" 2>&1 &
  holders+=("$!")
  exec {fd}> "$dir/answer"
  answers+=("$fd")
  for _ in $(seq 100); do
    grep -q "Enter a value" "$dir/holder.log" 2> /dev/null && return 0
    sleep 0.2
  done
  echo "the apply in $1 never reached its prompt:" >&2
  cat "$dir/holder.log" >&2
  exit 1
}

# Runs terraform in <dir> with <args>, expecting it to fail, and saves what it printed as <fixture>.
record() {
  local fixture=$1 dir="$work/$2"
  shift 2
  if terraform -chdir="$dir" "$@" > "$work/output" 2>&1; then
    echo "terraform $* succeeded in $dir: no lock held" >&2
    exit 1
  fi
  sed "s/$(id -un)@$(hostname)/operator@workstation/g" "$work/output" > "$out/$fixture"
  echo "recorded $fixture"
}

# Runs `cdktf diff` on a stack named prod whose state is <key>, locked by DynamoDB, and saves what it printed.
record_cdktf() {
  local fixture=$1 key=$2 dir="$work/cdktf"
  mkdir -p "$dir"
  echo '{"language": "typescript", "app": "node app.js", "sendCrashReports": "false"}' > "$dir/cdktf.json"
  cat > "$dir/app.js" << APP
const { App, S3Backend, TerraformOutput, TerraformStack } = require("$root/node_modules/cdktf");
const app = new App();
const stack = new TerraformStack(app, "prod");
new S3Backend(stack, {
  bucket: "$bucket", key: "$key", region: "us-east-1", dynamodbTable: "$table", usePathStyle: true,
  skipCredentialsValidation: true, skipRequestingAccountId: true, skipMetadataApiCheck: true, skipRegionValidation: true,
  endpoints: { s3: "$endpoint", dynamodb: "$endpoint" },
});
new TerraformOutput(stack, "example", { value: "held" });
app.synth();
APP
  if (cd "$dir" && "$root/node_modules/.bin/cdktf" diff prod > "$work/output" 2>&1); then
    echo "cdktf diff succeeded: no lock held" >&2
    exit 1
  fi
  sed "s/$(id -un)@$(hostname)/operator@workstation/g" "$work/output" > "$out/$fixture"
  echo "recorded $fixture"
}

# The lock a cancelled CI job leaves behind, as Terraform writes it.
stale_lock() {
  local path=$1
  printf '{"ID":"6f1c0a9e-3b7d-4e25-9d41-7a8c2b5e0f13","Operation":"OperationTypeApply","Info":"","Who":"runner@fv-az512-17","Version":"1.11.4","Created":"2026-11-30T09:15:02.123456789Z","Path":"%s"}' "$path"
}

configure dynamodb prod/terraform.tfstate "dynamodb_table = \"$table\""
configure lockfile prod/terraform.tfstate "use_lockfile   = true"
configure both dev/terraform.tfstate "use_lockfile   = true
    dynamodb_table = \"$table\""
configure stale-dynamodb shared/terraform.tfstate "dynamodb_table = \"$table\""
configure stale-lockfile dev/terraform.tfstate "use_lockfile   = true"
configure missing-table shared/terraform.tfstate 'dynamodb_table = "no-such-table"'

hold dynamodb
record dynamodb-plan.txt dynamodb plan -input=false -lock-timeout=2s -detailed-exitcode -out=tfplan
record dynamodb-plan-no-color.txt dynamodb plan -input=false -no-color
record_cdktf cdktf-diff.txt prod/terraform.tfstate

hold lockfile
record lockfile-plan.txt lockfile plan -input=false -lock-timeout=2s -detailed-exitcode -out=tfplan
record lockfile-plan-no-color.txt lockfile plan -input=false -no-color

hold both
record both-plan-no-color.txt both plan -input=false -no-color

aws --endpoint-url "$endpoint" dynamodb put-item --table-name "$table" --item "$(
  jq -n --arg id "$bucket/shared/terraform.tfstate" --arg info "$(stale_lock "$bucket/shared/terraform.tfstate")" \
    '{LockID: {S: $id}, Info: {S: $info}}'
)"
record dynamodb-stale-plan.txt stale-dynamodb plan -input=false -lock-timeout=2s -detailed-exitcode -out=tfplan

terraform -chdir="$work/stale-lockfile" plan -input=false -lock=false -out=tfplan -no-color > /dev/null
stale_lock "$bucket/dev/terraform.tfstate" > "$work/tflock"
aws --endpoint-url "$endpoint" s3 cp "$work/tflock" "s3://$bucket/dev/terraform.tfstate.tflock" > /dev/null
record lockfile-stale-apply.txt stale-lockfile apply -input=false -lock-timeout=2s tfplan

record missing-table-no-color.txt missing-table plan -input=false -no-color
