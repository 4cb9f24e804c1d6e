#!/usr/bin/env bash
# Builds an estate that drifted after apply, in the AWS the environment
# names (meant for a local AWS such as moto): a VPC whose flow log works, a
# VPC without one, a flow log whose role was later repurposed for EC2, and
# a flow log whose log group was later deleted. Writes terraform.tfvars
# with the region's default VPCs excluded.
set -euo pipefail
cd "$(dirname "$0")"
if [ -z "${AWS_ENDPOINT_URL:-}" ] && [ "${ALLOW_REAL_AWS:-}" != 1 ]; then
  echo "setup.sh creates VPCs, log groups, an IAM role and flow logs; it is meant for a local AWS." >&2
  echo "Set AWS_ENDPOINT_URL (e.g. http://127.0.0.1:5000 for moto_server), or ALLOW_REAL_AWS=1 to use a real account." >&2
  exit 1
fi
account=$(aws sts get-caller-identity --query Account --output text)
region=${AWS_REGION:-$(aws configure get region)}

trust=$(cat <<JSON
{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"vpc-flow-logs.amazonaws.com"},
 "Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"$account"},
 "ArnLike":{"aws:SourceArn":"arn:aws:ec2:$region:$account:vpc-flow-log/*"}}}]}
JSON
)
permissions=$(cat <<JSON
{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
 "Action":["logs:CreateLogStream","logs:PutLogEvents","logs:DescribeLogStreams"],
 "Resource":"arn:aws:logs:$region:$account:log-group:/vpc/*:*"},
 {"Effect":"Allow","Action":"logs:DescribeLogGroups","Resource":"arn:aws:logs:$region:$account:log-group:*"}]}
JSON
)
role() {
  aws iam create-role --role-name "$1" --assume-role-policy-document "$trust" --query Role.Arn --output text
  aws iam put-role-policy --role-name "$1" --policy-name deliver --policy-document "$permissions"
}
vpc() { aws ec2 create-vpc --cidr-block 10.0.0.0/16 --tag-specifications "ResourceType=vpc,Tags=[{Key=Name,Value=$1}]" --query Vpc.VpcId --output text; }
flow_log() {
  aws logs create-log-group --log-group-name "$2"
  aws ec2 create-flow-logs --resource-type VPC --resource-ids "$1" --traffic-type ALL \
    --log-group-name "$2" --deliver-logs-permission-arn "$3" --query 'FlowLogIds[0]' --output text
}

shared=$(role flow-logs-shared)
reused=$(role flow-logs-reused)
flow_log "$(vpc web)" /vpc/web "$shared"
vpc batch >/dev/null
flow_log "$(vpc data)" /vpc/data "$reused"
flow_log "$(vpc legacy)" /vpc/legacy "$shared"

# After apply, out of band: the role is reused for EC2 instances, and the
# legacy log group is deleted.
aws iam update-assume-role-policy --role-name flow-logs-reused --policy-document \
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
aws logs delete-log-group --log-group-name /vpc/legacy

defaults=$(aws ec2 describe-vpcs --filters Name=is-default,Values=true --query 'Vpcs[].VpcId' --output json | tr -d ' \n')
echo "exclude_vpc_ids = $defaults" >terraform.tfvars
cat terraform.tfvars
