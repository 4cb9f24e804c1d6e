#!/usr/bin/env bash
# Runs this example end to end on moto with the provider built from this
# checkout: setup, a plan that fails and creates nothing, the fix, an apply.
# The README's output comes from this script.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=../../scripts/lib.sh
source "$root/scripts/lib.sh"

work=$(mktemp -d -t vpcflow-broken-role-XXXXXX)
cleanup() { stop_moto; rm -rf "$work"; }
trap cleanup EXIT

# VPCFLOW_PROVIDER_DIR names a directory with a provider already built
# (make demo's); otherwise it is built here.
provider_dir=${VPCFLOW_PROVIDER_DIR:-}
if [ -z "$provider_dir" ]; then
  provider_dir="$work/bin"
  go build -C "$root" -o "$provider_dir/terraform-provider-vpcflow" .
fi
use_local_provider "$provider_dir"
start_moto
# A copy, so state and tfvars stay out of the example directory.
cp -R "$here/main.tf" "$here/role" "$here/setup.sh" "$here/fix-role.sh" "$work/"
cd "$work"

step "./setup.sh"
./setup.sh

step "terraform plan"
if terraform plan -no-color -input=false; then
  echo "demo: the plan was expected to fail" >&2
  exit 1
fi

step "aws ec2 describe-flow-logs --query 'FlowLogs[].FlowLogId'"
aws ec2 describe-flow-logs --query 'FlowLogs[].FlowLogId'

step "./fix-role.sh && terraform apply -auto-approve"
./fix-role.sh
terraform apply -auto-approve -no-color -input=false

step "aws ec2 describe-flow-logs --query 'FlowLogs[].[FlowLogId,DeliverLogsStatus]'"
aws ec2 describe-flow-logs --query 'FlowLogs[].[FlowLogId,DeliverLogsStatus]' --output text
