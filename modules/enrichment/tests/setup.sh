#!/usr/bin/env bash
# Creates what the enrichment tests need in the local AWS and prints it as
# Terraform variables: the output bucket (also the watchdog's state bucket),
# three flow log groups to subscribe, the ARN of a queue for failed batches,
# the role CloudWatch Logs assumes to put records into the stream (no
# resource of the provider creates that role; the module takes its ARN), and
# a trail recording management events, which the api-calls inventory rule
# needs (the plan warns without one).
set -euo pipefail

account=$(aws sts get-caller-identity --query Account --output text)
region=${AWS_REGION:-us-east-1}
# The account the cross-account test lets subscribe.
source_account=111122223333

bucket=vpcflow-enriched-$account
aws s3api create-bucket --bucket "$bucket" >/dev/null

aws s3api create-bucket --bucket "cloudtrail-$account" >/dev/null
aws cloudtrail create-trail --name management-events --s3-bucket-name "cloudtrail-$account" --is-multi-region-trail >/dev/null
aws cloudtrail start-logging --name management-events

aws logs create-log-group --log-group-name /aws/vpc/flow-logs/direct
aws logs create-log-group --log-group-name /aws/vpc/flow-logs/kinesis
# Flow logs of a custom format (log_formats).
aws logs create-log-group --log-group-name /aws/vpc/flow-logs/custom

# The queue that records batches the enricher failed on
# (on_failure_destination_arn). Moto's Lambda stores a destination without
# reading it, so the queue is named, not created.
queue_arn=arn:aws:sqs:$region:$account:vpcflow-failed-batches

role=vpcflow-logs-to-kinesis
aws iam create-role --role-name "$role" --assume-role-policy-document "$(cat <<JSON
{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"logs.amazonaws.com"},
 "Action":"sts:AssumeRole",
 "Condition":{"StringLike":{"aws:SourceArn":["arn:aws:logs:$region:$account:*","arn:aws:logs:$region:$source_account:*"]}}}]}
JSON
)" >/dev/null
aws iam put-role-policy --role-name "$role" --policy-name put-records --policy-document "$(cat <<JSON
{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kinesis:PutRecord","kinesis:PutRecords"],
 "Resource":"arn:aws:kinesis:$region:$account:stream/*"}]}
JSON
)"

cat <<TFVARS
fixture_bucket           = "$bucket"
fixture_log_groups       = ["/aws/vpc/flow-logs/direct", "/aws/vpc/flow-logs/kinesis", "/aws/vpc/flow-logs/custom"]
fixture_kinesis_role_arn = "arn:aws:iam::$account:role/$role"
fixture_source_account   = "$source_account"
fixture_failure_queue    = "$queue_arn"
output_bucket            = "$bucket"
TFVARS
