#!/usr/bin/env bash
# Applies the two fixes the plan names to the role flow-logs-broken:
# role/trust-fixed.json and role/permissions-fixed.json.
set -euo pipefail
cd "$(dirname "$0")"
account=$(aws sts get-caller-identity --query Account --output text)
region=${AWS_REGION:-$(aws configure get region)}
render() { sed -e "s/ACCOUNT_ID/$account/g" -e "s/REGION/$region/g" "$1"; }

aws iam update-assume-role-policy --role-name flow-logs-broken --policy-document "$(render role/trust-fixed.json)"
aws iam put-role-policy --role-name flow-logs-broken --policy-name deliver \
  --policy-document "$(render role/permissions-fixed.json)"
