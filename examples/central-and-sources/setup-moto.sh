#!/usr/bin/env bash
# Creates on a local AWS (moto, AWS_ENDPOINT_URL) what this example expects
# to exist, and prints it as Terraform variables: a VPC in each workload
# account, the central output bucket, the roles CloudWatch Logs and
# EventBridge assume (no resource of the provider creates them), the central
# bus policy, and a trail per account for the api-calls inventory rules.
# moto lets any role be assumed, so the admin role needs no creating.
set -euo pipefail

region=${AWS_REGION:-us-east-1}
central=111111111111
a=222222222222
b=333333333333
admin=OrganizationAccountAccessRole

as() { # ACCOUNT aws ARGS...: run the AWS CLI in ACCOUNT through the admin role
  local account=$1 creds
  shift
  creds=$(aws sts assume-role --role-arn "arn:aws:iam::$account:role/$admin" \
    --role-session-name vpcflow-setup --query Credentials --output json)
  AWS_ACCESS_KEY_ID=$(jq -r .AccessKeyId <<<"$creds") \
    AWS_SECRET_ACCESS_KEY=$(jq -r .SecretAccessKey <<<"$creds") \
    AWS_SESSION_TOKEN=$(jq -r .SessionToken <<<"$creds") \
    "$@"
}

trail() {
  as "$1" aws s3api create-bucket --bucket "cloudtrail-$1" >/dev/null
  as "$1" aws cloudtrail create-trail --name management-events --s3-bucket-name "cloudtrail-$1" --is-multi-region-trail >/dev/null
  as "$1" aws cloudtrail start-logging --name management-events
}

# Central account.
as $central aws s3api create-bucket --bucket "vpcflow-connections-$central" >/dev/null
as $central aws iam create-role --role-name vpcflow-logs-to-kinesis --assume-role-policy-document "$(cat <<JSON
{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"logs.amazonaws.com"},
 "Action":"sts:AssumeRole","Condition":{"StringLike":{"aws:SourceArn":["arn:aws:logs:$region:$a:*","arn:aws:logs:$region:$b:*"]}}}]}
JSON
)" >/dev/null
as $central aws iam put-role-policy --role-name vpcflow-logs-to-kinesis --policy-name put-records --policy-document \
  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"kinesis:PutRecord\",\"Resource\":\"arn:aws:kinesis:$region:$central:stream/vpcflow-flow-logs\"}]}"
for account in $a $b; do
  as $central aws events put-permission --event-bus-name default --action events:PutEvents \
    --principal "$account" --statement-id "workload-$account"
done
# moto (5.2) looks a Logs destination ARN given to PutSubscriptionFilter up
# as a log group of the destination's name; AWS looks up the destination.
as $central aws logs create-log-group --log-group-name vpcflow-flow-logs
trail $central

# Workload accounts.
for account in $a $b; do
  as "$account" aws ec2 create-vpc --cidr-block 10.0.0.0/16 >/dev/null
  as "$account" aws iam create-role --role-name vpcflow-forward-events --assume-role-policy-document "$(cat <<JSON
{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},
 "Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"$account"},
 "ArnLike":{"aws:SourceArn":"arn:aws:events:$region:$account:rule/vpcflow-inventory-*"}}}]}
JSON
)" >/dev/null
  as "$account" aws iam put-role-policy --role-name vpcflow-forward-events --policy-name put-events --policy-document \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"events:PutEvents\",\"Resource\":\"arn:aws:events:$region:$central:event-bus/default\"}]}"
  trail "$account"
done

default_vpcs=$(for account in $a $b; do
  as "$account" aws ec2 describe-vpcs --filters Name=is-default,Values=true --query 'Vpcs[].VpcId' --output text
done | tr -s '[:space:]' '\n' | grep . | jq -R . | jq -sc .)

cat <<TFVARS
region                   = "$region"
central_account_id       = "$central"
workload_account_ids     = { a = "$a", b = "$b" }
output_bucket            = "vpcflow-connections-$central"
external_id              = "vpcflow-example-external-id"
coverage_exclude_vpc_ids = $default_vpcs
TFVARS
