#!/usr/bin/env bash
# Creates what the flow-logs tests need in the local AWS and prints it as
# Terraform variables (scripts/module-tests.sh passes them with -var-file):
# two VPCs, and a bucket whose policy lets the log delivery service write
# flow log files. (moto looks an S3 destination with a prefix up as a bucket
# named "BUCKET/PREFIX", so the tests deliver to the bucket's root.)
set -euo pipefail

account=$(aws sts get-caller-identity --query Account --output text)
region=${AWS_REGION:-us-east-1}

vpc() { aws ec2 create-vpc --cidr-block "$1" --query Vpc.VpcId --output text; }
vpc_a=$(vpc 10.10.0.0/16)
vpc_b=$(vpc 10.20.0.0/16)

bucket=vpcflow-module-test-$account
aws s3api create-bucket --bucket "$bucket" >/dev/null
aws s3api put-bucket-policy --bucket "$bucket" --policy "$(cat <<JSON
{"Version":"2012-10-17","Statement":[
 {"Sid":"AWSLogDeliveryWrite","Effect":"Allow","Principal":{"Service":"delivery.logs.amazonaws.com"},
  "Action":"s3:PutObject","Resource":"arn:aws:s3:::$bucket/AWSLogs/*",
  "Condition":{"StringEquals":{"aws:SourceAccount":"$account","s3:x-amz-acl":"bucket-owner-full-control"},
               "ArnLike":{"aws:SourceArn":"arn:aws:logs:$region:$account:*"}}},
 {"Sid":"AWSLogDeliveryAclCheck","Effect":"Allow","Principal":{"Service":"delivery.logs.amazonaws.com"},
  "Action":["s3:GetBucketAcl","s3:ListBucket"],"Resource":"arn:aws:s3:::$bucket",
  "Condition":{"StringEquals":{"aws:SourceAccount":"$account"},"ArnLike":{"aws:SourceArn":"arn:aws:logs:$region:$account:*"}}}]}
JSON
)"

cat <<TFVARS
fixture_vpc_ids    = ["$vpc_a", "$vpc_b"]
fixture_bucket_arn = "arn:aws:s3:::$bucket"
TFVARS
