#!/usr/bin/env bash
# Creates on a local AWS (moto, AWS_ENDPOINT_URL) what this example expects
# to exist, and prints it as Terraform variables: two VPCs to log and the
# bucket the connection rows go to. Also a trail recording management
# events, which the api-calls inventory rule needs.
set -euo pipefail

account=$(aws sts get-caller-identity --query Account --output text)
aws ec2 create-vpc --cidr-block 10.10.0.0/16 >/dev/null
aws ec2 create-vpc --cidr-block 10.20.0.0/16 >/dev/null
aws s3api create-bucket --bucket "vpcflow-connections-$account" >/dev/null
aws s3api create-bucket --bucket "cloudtrail-$account" >/dev/null
aws cloudtrail create-trail --name management-events --s3-bucket-name "cloudtrail-$account" --is-multi-region-trail >/dev/null
aws cloudtrail start-logging --name management-events

echo "output_bucket = \"vpcflow-connections-$account\""
