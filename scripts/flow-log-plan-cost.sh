#!/usr/bin/env bash
# What the plan-time delivery check costs: plans N flow logs (default 200)
# that share one role and one log group against moto, with the provider's
# validation on ("error") and "off", RUNS times each (default 5, alternating),
# and prints the median plan time of each and their ratio.
#
#   scripts/flow-log-plan-cost.sh            # N=200 RUNS=5
#   N=500 RUNS=3 scripts/flow-log-plan-cost.sh
#
# The AWS calls of such a plan are counted by TestAccFlowLog_planCostSharedRole.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

N=${N:-200}
RUNS=${RUNS:-5}
python3 -c 'import boto3' 2>/dev/null || { echo "python3 with boto3 is needed (it comes with moto): pip install boto3" >&2; exit 1; }

work=$(mktemp -d -t vpcflow-plan-cost-XXXXXX)
cleanup() { stop_moto; rm -rf "$work"; }
trap cleanup EXIT

step "building the provider from this checkout"
go build -o "$work/bin/terraform-provider-vpcflow" .
use_local_provider "$work/bin"
start_moto

step "creating $N VPCs, a log group and a delivery role in moto"
python3 - "$N" "$work/config/terraform.tfvars.json" <<'PY'
import json, os, sys
import boto3

n, out = int(sys.argv[1]), sys.argv[2]
account, region = "123456789012", os.environ["AWS_REGION"]
ec2, logs, iam = boto3.client("ec2"), boto3.client("logs"), boto3.client("iam")
vpcs = [ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"] for _ in range(n)]
logs.create_log_group(logGroupName="/vpc/flow-logs")
group = f"arn:aws:logs:{region}:{account}:log-group:/vpc/flow-logs"
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
         "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"aws:SourceAccount": account},
         "ArnLike": {"aws:SourceArn": f"arn:aws:ec2:{region}:{account}:vpc-flow-log/*"}}}]}
role = iam.create_role(RoleName="flow-logs", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
iam.put_role_policy(RoleName="flow-logs", PolicyName="deliver", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], "Resource": group + ":*"},
    {"Effect": "Allow", "Action": "logs:DescribeLogGroups", "Resource": f"arn:aws:logs:{region}:{account}:log-group:*"}]}))
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, "w") as f:
    json.dump({"vpc_ids": vpcs, "log_group_arn": group, "role_arn": role}, f)
PY

cat >"$work/config/main.tf" <<'TF'
terraform {
  required_providers {
    vpcflow = { source = "vpcflow/vpcflow" }
  }
}

variable "validation" { type = string }
variable "vpc_ids" { type = list(string) }
variable "log_group_arn" { type = string }
variable "role_arn" { type = string }

provider "vpcflow" {
  validation = var.validation
}

resource "vpcflow_flow_log" "this" {
  count           = length(var.vpc_ids)
  vpc_id          = var.vpc_ids[count.index]
  traffic_type    = "ALL"
  log_destination = var.log_group_arn
  iam_role_arn    = var.role_arn
}
TF

plan_seconds() {
  local start end
  start=$(date +%s.%N)
  terraform -chdir="$work/config" plan -no-color -input=false -lock=false -var "validation=$1" >"$work/plan-$1.log" 2>&1 ||
    { cat "$work/plan-$1.log" >&2; return 1; }
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}

median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }

step "planning $N flow logs, $RUNS times with validation on and off"
plan_seconds off >/dev/null # warm-up: Terraform's first run reads the provider schema cold
: >"$work/error.times"
: >"$work/off.times"
for _ in $(seq 1 "$RUNS"); do
  plan_seconds error >>"$work/error.times"
  plan_seconds off >>"$work/off.times"
done
grep -q "Plan: $N to add" "$work/plan-error.log" || { echo "unexpected plan:" >&2; tail -20 "$work/plan-error.log" >&2; exit 1; }

on=$(median <"$work/error.times")
off=$(median <"$work/off.times")
printf '\nflow logs: %s, runs: %s each\n' "$N" "$RUNS"
printf 'validation = "error": median %.2fs  (runs: %s)\n' "$on" "$(tr '\n' ' ' <"$work/error.times")"
printf 'validation = "off":   median %.2fs  (runs: %s)\n' "$off" "$(tr '\n' ' ' <"$work/off.times")"
printf 'ratio on/off: %.3f\n' "$(echo "$on / $off" | bc -l)"
