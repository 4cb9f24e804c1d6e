#!/usr/bin/env bash
# Runs this example on moto with the provider built from this checkout:
# an estate that drifted after apply, then a plan whose check block names
# what broke. The README's output comes from this script.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=../../scripts/lib.sh
source "$root/scripts/lib.sh"

work=$(mktemp -d -t vpcflow-coverage-check-XXXXXX)
cleanup() { stop_moto; rm -rf "$work"; }
trap cleanup EXIT

go build -C "$root" -o "$work/bin/terraform-provider-vpcflow" .
use_local_provider "$work/bin"
start_moto
# A copy, so state and tfvars stay out of the example directory.
cp "$here/main.tf" "$here/setup.sh" "$work/"
cd "$work"

step "./setup.sh"
./setup.sh >/dev/null
cat terraform.tfvars

step "terraform plan"
terraform plan -no-color -input=false 2>&1 | tee plan.out
grep -q 'Check block assertion failed' plan.out || { echo "demo: the check was expected to fail" >&2; exit 1; }
