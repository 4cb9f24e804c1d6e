#!/usr/bin/env bash
# Creates what the example's flow log points at, in the AWS the environment
# names (meant for a local AWS such as moto): a VPC, the log group
# /vpc/flow-logs and the role flow-logs-broken with role/trust.json and
# role/permissions.json. Writes terraform.tfvars.
set -euo pipefail
cd "$(dirname "$0")"
if [ -z "${AWS_ENDPOINT_URL:-}" ] && [ "${ALLOW_REAL_AWS:-}" != 1 ]; then
  echo "setup.sh creates a VPC, a log group and an IAM role; it is meant for a local AWS." >&2
  echo "Set AWS_ENDPOINT_URL (e.g. http://127.0.0.1:5000 for moto_server), or ALLOW_REAL_AWS=1 to use a real account." >&2
  exit 1
fi
account=$(aws sts get-caller-identity --query Account --output text)
region=${AWS_REGION:-$(aws configure get region)}
render() { sed -e "s/ACCOUNT_ID/$account/g" -e "s/REGION/$region/g" "$1"; }

vpc=$(aws ec2 create-vpc --cidr-block 10.0.0.0/16 --query Vpc.VpcId --output text)
aws logs create-log-group --log-group-name /vpc/flow-logs
role=$(aws iam create-role --role-name flow-logs-broken \
  --assume-role-policy-document "$(render role/trust.json)" --query Role.Arn --output text)
aws iam put-role-policy --role-name flow-logs-broken --policy-name deliver \
  --policy-document "$(render role/permissions.json)"

cat >terraform.tfvars <<TFVARS
vpc_id        = "$vpc"
log_group_arn = "arn:aws:logs:$region:$account:log-group:/vpc/flow-logs"
role_arn      = "$role"
TFVARS
cat terraform.tfvars
