#!/usr/bin/env bash
# Prints the root of a local filesystem mirror holding hashicorp/aws 5.100.0 (the folder that
# contains registry.terraform.io/), for TERRAFORM_PROVIDER_MIRROR. Exits 1 when there is none.
set -euo pipefail

if [ "$#" -gt 0 ]; then
  echo "usage: $(basename "$0")   (takes no arguments)" >&2
  exit 2
fi

found=$(find / -maxdepth 9 \( -path /proc -o -path /sys -o -path /dev -o -name node_modules -o -name .terraform -o -name .git \) -prune \
  -o -type f -path '*/registry.terraform.io/hashicorp/aws/5.100.0/*/terraform-provider-aws_*' -print -quit 2>/dev/null || true)
if [ -z "$found" ]; then
  echo "no filesystem mirror of hashicorp/aws 5.100.0 found on this machine" >&2
  exit 1
fi
echo "${found%%/registry.terraform.io/*}"
