#!/usr/bin/env bash
# Creates what the source-account tests need and prints it as Terraform
# variables. The module runs in this (the source) account; the central
# account is a second moto account reached with sts:AssumeRole, as a real
# one would be:
#   central: a Kinesis stream, the role CloudWatch Logs assumes to write to
#            it, a Logs destination whose access policy lets this account
#            subscribe, and a default event bus that accepts this account's
#            events;
#   source:  two flow log groups, a trail recording management events, and
#            the role EventBridge assumes to forward events to the central
#            bus (no resource of the provider creates these two roles).
set -euo pipefail

region=${AWS_REGION:-us-east-1}
source_account=$(aws sts get-caller-identity --query Account --output text)
central_account=210987654321

central() {
  local creds
  creds=$(aws sts assume-role --role-arn "arn:aws:iam::$central_account:role/OrganizationAccountAccessRole" \
    --role-session-name vpcflow-test-setup --query Credentials --output json)
  AWS_ACCESS_KEY_ID=$(jq -r .AccessKeyId <<<"$creds") \
    AWS_SECRET_ACCESS_KEY=$(jq -r .SecretAccessKey <<<"$creds") \
    AWS_SESSION_TOKEN=$(jq -r .SessionToken <<<"$creds") \
    aws "$@"
}

# Central account.
central kinesis create-stream --stream-name vpcflow-flow-logs --stream-mode-details StreamMode=ON_DEMAND
stream_arn="arn:aws:kinesis:$region:$central_account:stream/vpcflow-flow-logs"
central iam create-role --role-name vpcflow-logs-to-kinesis --assume-role-policy-document "$(cat <<JSON
{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"logs.amazonaws.com"},
 "Action":"sts:AssumeRole","Condition":{"StringLike":{"aws:SourceArn":["arn:aws:logs:$region:$source_account:*"]}}}]}
JSON
)" >/dev/null
central iam put-role-policy --role-name vpcflow-logs-to-kinesis --policy-name put-records --policy-document \
  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"kinesis:PutRecord\",\"Resource\":\"$stream_arn\"}]}"
destination_arn=$(central logs put-destination --destination-name vpcflow-flow-logs --target-arn "$stream_arn" \
  --role-arn "arn:aws:iam::$central_account:role/vpcflow-logs-to-kinesis" --query destination.arn --output text)
central logs put-destination-policy --destination-name vpcflow-flow-logs --access-policy "$(cat <<JSON
{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"$source_account"},
 "Action":"logs:PutSubscriptionFilter","Resource":"$destination_arn"}]}
JSON
)"
# moto (5.2) looks a Logs destination ARN given to PutSubscriptionFilter up
# as a log group of the destination's name in the destination's account;
# AWS looks up the destination. A group of that name lets moto accept it.
central logs create-log-group --log-group-name vpcflow-flow-logs
central events put-permission --event-bus-name default --action events:PutEvents --principal "$source_account" \
  --statement-id "source-$source_account"
bus_arn="arn:aws:events:$region:$central_account:event-bus/default"

# Source account.
aws logs create-log-group --log-group-name /aws/vpc/flow-logs/a
aws logs create-log-group --log-group-name /aws/vpc/flow-logs/b
aws s3api create-bucket --bucket "cloudtrail-$source_account" >/dev/null
aws cloudtrail create-trail --name management-events --s3-bucket-name "cloudtrail-$source_account" --is-multi-region-trail >/dev/null
aws cloudtrail start-logging --name management-events
aws iam create-role --role-name vpcflow-forward-events --assume-role-policy-document "$(cat <<JSON
{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},
 "Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"$source_account"},
 "ArnLike":{"aws:SourceArn":"arn:aws:events:$region:$source_account:rule/vpcflow-inventory-*"}}}]}
JSON
)" >/dev/null
aws iam put-role-policy --role-name vpcflow-forward-events --policy-name put-events --policy-document \
  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"events:PutEvents\",\"Resource\":\"$bus_arn\"}]}"

cat <<TFVARS
destination_arn           = "$destination_arn"
log_group_names           = ["/aws/vpc/flow-logs/a", "/aws/vpc/flow-logs/b"]
trusted_principal_arns    = ["arn:aws:iam::$central_account:role/vpcflow/vpcflow-inventory"]
external_id               = "vpcflow-test-external-id"
fixture_central_bus_arn   = "$bus_arn"
fixture_forward_role_arn  = "arn:aws:iam::$source_account:role/vpcflow-forward-events"
TFVARS
