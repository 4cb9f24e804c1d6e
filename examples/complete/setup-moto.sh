#!/usr/bin/env bash
# Creates on a local AWS (moto, AWS_ENDPOINT_URL) what this example expects
# to exist, and prints it as Terraform variables: two VPCs to log, the
# bucket the connection rows go to, and the role CloudWatch Logs assumes to
# put records into the enricher's stream (no resource of the provider
# creates it). Also a trail recording management events, which the
# api-calls inventory rule needs.
set -euo pipefail

region=${AWS_REGION:-us-east-1}
account=$(aws sts get-caller-identity --query Account --output text)
aws ec2 create-vpc --cidr-block 10.10.0.0/16 >/dev/null
aws ec2 create-vpc --cidr-block 10.20.0.0/16 >/dev/null
aws s3api create-bucket --bucket "vpcflow-connections-$account" >/dev/null
aws s3api create-bucket --bucket "cloudtrail-$account" >/dev/null
aws cloudtrail create-trail --name management-events --s3-bucket-name "cloudtrail-$account" --is-multi-region-trail >/dev/null
aws cloudtrail start-logging --name management-events
aws iam create-role --role-name vpcflow-logs-to-kinesis --assume-role-policy-document "$(cat <<JSON
{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"logs.amazonaws.com"},
 "Action":"sts:AssumeRole","Condition":{"StringLike":{"aws:SourceArn":"arn:aws:logs:$region:$account:*"}}}]}
JSON
)" >/dev/null
aws iam put-role-policy --role-name vpcflow-logs-to-kinesis --policy-name put-records --policy-document \
  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"kinesis:PutRecord\",\"Resource\":\"arn:aws:kinesis:$region:$account:stream/vpcflow-flow-logs\"}]}"

echo "output_bucket    = \"vpcflow-connections-$account\""
echo "kinesis_role_arn = \"arn:aws:iam::$account:role/vpcflow-logs-to-kinesis\""
