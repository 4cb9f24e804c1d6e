#!/usr/bin/env bash
# Terraform-level tests of modules/ and examples/, with the provider built
# from this checkout (dev_overrides, see lib.sh) and a local AWS (moto).
#
#   scripts/module-tests.sh test [MODULE | examples/NAME ...]
#       For each module (default: every modules/*/ with a tests/ folder),
#       against a fresh moto:
#         1. tests/setup.sh, if present, creates what the tests need with the
#            AWS CLI (VPCs, buckets) and prints Terraform variables;
#         2. terraform test, with those variables (-var-file);
#         3. nothing the tests created is left in moto (destroy was clean);
#         4. a consumer configuration that calls the module by relative path
#            with only its required inputs (read from the module, as its
#            README is) runs terraform plan.
#       Then each example with a setup-moto.sh (default: all; none when
#       modules are named), against a fresh moto: the script creates what
#       the example expects, then apply, a second plan that must change
#       nothing and whose checks pass, destroy, and nothing left behind.
#   scripts/module-tests.sh validate
#       terraform fmt -check over modules/ and examples/, and terraform
#       validate of every module and example configuration.
#
# Why dev_overrides and `terraform get` rather than `terraform init`: with a
# provider under dev_overrides, `terraform init` still asks the registry for
# it and fails offline, while `terraform test`, `validate` and `plan` use the
# override directly and need only the modules, which `terraform get`
# installs (test-only modules included).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib.sh
source "$root/scripts/lib.sh"

bin="$root/bin"
inspect="$bin/terraform-config-inspect"
export PATH="$bin:$PATH"

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 2; }

need_inspect() {
  [ -x "$inspect" ] || { echo "missing $inspect: run 'make $inspect' (pinned in GNUmakefile)" >&2; exit 1; }
}

build_provider() {
  step "build the provider (make build)"
  make -C "$root" --no-print-directory build >/dev/null
  use_local_provider "$bin"
}

# tf runs terraform without colour and without the dev_overrides warning,
# which every command would otherwise repeat.
tf() {
  terraform "$@" -no-color 2>&1 | awk '
    /Warning: Provider development overrides are in effect/ { skip = 1; next }
    skip { if ($0 ~ /releases\.$/) skip = 0; next }
    { print }'
}

# inventory lists, one per line, what exists in the local AWS of the kinds
# the modules create, to tell what a test left behind: in the credentials'
# account and in every other account named in the variables file $1 (as
# moto lets any role be assumed, through one role name in each).
inventory() {
  python3 - "${1:-/dev/null}" <<'PY'
import re, sys
import boto3, botocore.exceptions as be

def each(fn):
    try:
        yield from fn()
    except (be.ClientError, be.EndpointConnectionError, KeyError):
        return

def pages(client, op, key, **kw):
    for page in client.get_paginator(op).paginate(**kw):
        yield from page.get(key, [])

def listing(s):
    c = s.client
    found = []
    found += ["flow-log " + f["FlowLogId"] for f in each(lambda: pages(c("ec2"), "describe_flow_logs", "FlowLogs"))]
    found += ["log-group " + g["logGroupName"] for g in each(lambda: pages(c("logs"), "describe_log_groups", "logGroups"))]
    found += ["logs-destination " + d["destinationName"] for d in each(lambda: pages(c("logs"), "describe_destinations", "destinations"))]
    found += ["role " + r["Arn"] for r in each(lambda: pages(c("iam"), "list_roles", "Roles"))]
    found += ["lambda " + f["FunctionName"] for f in each(lambda: pages(c("lambda"), "list_functions", "Functions"))]
    found += ["event-source-mapping " + m["UUID"] for m in each(lambda: pages(c("lambda"), "list_event_source_mappings", "EventSourceMappings"))]
    found += ["dynamodb " + t for t in each(lambda: pages(c("dynamodb"), "list_tables", "TableNames"))]
    found += ["kinesis " + n for n in each(lambda: c("kinesis").list_streams()["StreamNames"])]
    found += ["event-rule " + r["Name"] for r in each(lambda: c("events").list_rules()["Rules"])]
    found += ["event-bus " + b["Name"] for b in each(lambda: c("events").list_event_buses()["EventBuses"])]
    found += ["bucket " + b["Name"] for b in each(lambda: c("s3").list_buckets()["Buckets"])]
    found += ["glue-database " + d["Name"] for d in each(lambda: pages(c("glue"), "get_databases", "DatabaseList"))]
    found += ["athena-workgroup " + w["Name"] for w in each(lambda: c("athena").list_work_groups()["WorkGroups"])]
    return found

own = boto3.session.Session()
me = own.client("sts").get_caller_identity()["Account"]
accounts = sorted(set(re.findall(r'"([0-9]{12})"', open(sys.argv[1]).read())) - {me})
found = [me + " " + x for x in listing(own)]
for account in accounts:
    creds = own.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole", RoleSessionName="inventory")["Credentials"]
    s = boto3.session.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                              aws_session_token=creds["SessionToken"], region_name=own.region_name)
    found += [account + " " + x for x in listing(s)]
print("\n".join(sorted(found)))
PY
}

reset_moto() {
  curl -fsS -X POST -o /dev/null "$AWS_ENDPOINT_URL/moto-api/reset"
}

# consumer_config DIR MODULE_DIR writes a configuration into DIR that calls
# MODULE_DIR by relative path with only its required variables, each fed
# from a root variable of the same name and type.
consumer_config() {
  local dir=$1 module=$2 rel
  rel=$(realpath --relative-to="$dir" "$module")
  "$inspect" --json "$module" | jq -r --arg src "$rel" '
    [.variables[] | select(.required)] | sort_by(.name) as $req
    | "terraform {\n  required_providers {\n    vpcflow = {\n      source = \"vpcflow/vpcflow\"\n    }\n  }\n}\n",
      "provider \"vpcflow\" {}\n",
      ($req[] | "variable \"\(.name)\" {\n  type = \(if .type == "" then "any" else .type end)\n}\n"),
      "module \"under_test\" {\n  source = \"\(if ($src | startswith(".")) then $src else "./" + $src end)\"",
      ($req[] | "  \(.name) = var.\(.name)"),
      "}"'
}

# test_module runs the four steps for one module. It is called in a
# condition, where errexit does not apply, so each step returns on failure.
test_module() {
  local module=$1 name vars before after consumer required missing
  name=$(basename "$module")
  vars=$(mktemp -t "vpcflow-$name-XXXXXX.tfvars")
  reset_moto

  if [ -x "$module/tests/setup.sh" ]; then
    step "$name: fixtures (tests/setup.sh)"
    "$module/tests/setup.sh" >"$vars" || return 1
    sed 's/^/    /' "$vars"
  fi
  before=$(inventory "$vars") || return 1

  step "$name: terraform test"
  (cd "$module" && tf get >/dev/null && tf test -var-file="$vars") || return 1

  step "$name: nothing left in AWS after destroy"
  after=$(inventory "$vars") || return 1
  if [ "$before" != "$after" ]; then
    echo "$name: terraform test left these behind (or removed fixtures):" >&2
    diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") >&2 || true
    return 1
  fi
  echo "ok ($(printf '%s\n' "$after" | grep -c . || true) objects, the fixtures, as before the tests)"

  step "$name: a consumer plans with only the required inputs"
  consumer=$(mktemp -d -t "vpcflow-consumer-$name-XXXXXX")
  consumer_config "$consumer" "$module" >"$consumer/main.tf" || return 1
  required=$("$inspect" --json "$module" | jq -r '[.variables[] | select(.required) | .name] | sort | join(", ")') || return 1
  echo "required inputs: ${required:-none}"
  missing=""
  for v in ${required//,/ }; do
    grep -q "^$v[[:space:]]*=" "$vars" || missing+=" $v"
  done
  if [ -n "$missing" ]; then
    echo "$name: tests/setup.sh gives no value for the required input(s)$missing" >&2
    return 1
  fi
  local out
  if ! out=$(cd "$consumer" && tf fmt >/dev/null && tf get >/dev/null &&
    tf plan -input=false -lock=false -var-file="$vars" -compact-warnings); then
    printf '%s\n' "$out" >&2
    echo "$name: the consumer configuration in $consumer does not plan:" >&2
    cat "$consumer/main.tf" >&2
    return 1
  fi
  printf '%s\n' "$out" | grep -E '^(Plan:|No changes)'
  rm -rf "$consumer" "$vars"
}

# test_example applies one example in a copy of the tree it refers to
# (modules/ beside examples/), so no state lands in the checkout.
test_example() {
  local example=$1 name work vars before after out
  name=$(basename "$example")
  work=$(mktemp -d -t "vpcflow-example-$name-XXXXXX")
  cp -r "$root/modules" "$work/modules"
  mkdir -p "$work/examples"
  cp -r "$example" "$work/examples/$name"
  find "$work" -name .terraform -prune -exec rm -rf {} +
  vars="$work/moto.tfvars"
  reset_moto

  step "examples/$name: fixtures (setup-moto.sh)"
  "$example/setup-moto.sh" >"$vars" || return 1
  sed 's/^/    /' "$vars"
  before=$(inventory "$vars") || return 1

  step "examples/$name: apply"
  (cd "$work/examples/$name" && tf get >/dev/null &&
    tf apply -auto-approve -input=false -var-file="$vars" -compact-warnings | grep -E '^(Apply complete|Error)|^- ') || return 1

  step "examples/$name: a second plan changes nothing and its checks pass"
  out=$(cd "$work/examples/$name" && tf plan -input=false -var-file="$vars") || { printf '%s\n' "$out" >&2; return 1; }
  if ! grep -qE '^(No changes\.|Plan: 0 to add, 0 to change, 0 to destroy\.)' <<<"$out" || grep -q 'Check block assertion failed' <<<"$out"; then
    printf '%s\n' "$out" >&2
    echo "examples/$name: the plan after apply is not empty or a check fails" >&2
    return 1
  fi
  grep -E '^(No changes|Plan:)' <<<"$out"

  step "examples/$name: destroy"
  (cd "$work/examples/$name" && tf destroy -auto-approve -input=false -var-file="$vars" | grep -E '^(Destroy complete|Error)') || return 1
  after=$(inventory "$vars") || return 1
  if [ "$before" != "$after" ]; then
    echo "examples/$name: destroy left these behind:" >&2
    diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") >&2 || true
    return 1
  fi
  rm -rf "$work"
}

cmd_test() {
  need_inspect
  local modules=() examples=() m failed=() t0 t
  if [ $# -gt 0 ]; then
    for m in "$@"; do
      case $m in
        examples/*) examples+=("$root/${m%/}") ;;
        *) modules+=("$root/modules/${m#modules/}") ;;
      esac
    done
  else
    for m in "$root"/modules/*/; do [ -d "$m/tests" ] && modules+=("${m%/}"); done
    for m in "$root"/examples/*/setup-moto.sh; do [ -x "$m" ] && examples+=("$(dirname "$m")"); done
  fi
  build_provider
  step "start moto"
  start_moto
  trap stop_moto EXIT
  echo "moto at $AWS_ENDPOINT_URL"
  for m in "${modules[@]+"${modules[@]}"}"; do
    t0=$SECONDS
    if test_module "$m"; then
      t=$((SECONDS - t0)); echo "PASS $(basename "$m") (${t}s)"
    else
      t=$((SECONDS - t0)); echo "FAIL $(basename "$m") (${t}s)"; failed+=("$(basename "$m")")
    fi
  done
  for m in "${examples[@]+"${examples[@]}"}"; do
    t0=$SECONDS
    if test_example "$m"; then
      t=$((SECONDS - t0)); echo "PASS examples/$(basename "$m") (${t}s)"
    else
      t=$((SECONDS - t0)); echo "FAIL examples/$(basename "$m") (${t}s)"; failed+=("examples/$(basename "$m")")
    fi
  done
  if [ ${#failed[@]} -gt 0 ]; then
    echo "module tests failed: ${failed[*]}" >&2
    exit 1
  fi
  echo "module tests passed: ${#modules[@]} module(s), ${#examples[@]} example(s)"
}

# validate_dir validates one configuration. A tfplugindocs snippet has no
# terraform block, so it is validated in a copy that declares the provider's
# source; one that uses another provider (hashicorp/aws, not installable
# here) is reported and skipped.
validate_dir() {
  local dir=$1 json others work
  json=$("$inspect" --json "$dir")
  others=$(jq -r '[(.managed_resources // {}), (.data_resources // {})] | map(.[].provider.name) | unique | map(select(. != "vpcflow")) | join(", ")' <<<"$json")
  if [ -n "$others" ]; then
    echo "skip ${dir#"$root"/}: uses provider(s) $others, which cannot be installed here"
    return 0
  fi
  work=$dir
  if ! jq -e '.required_providers.vpcflow.source' <<<"$json" >/dev/null; then
    work=$(mktemp -d -t vpcflow-validate-XXXXXX)
    cp -r "$dir"/. "$work"/
    printf 'terraform {\n  required_providers {\n    vpcflow = {\n      source = "vpcflow/vpcflow"\n    }\n  }\n}\n' >"$work/zz_provider_source.tf"
  fi
  if (cd "$work" && tf get >/dev/null && tf validate >/dev/null); then
    echo "ok   ${dir#"$root"/}"
  else
    echo "FAIL ${dir#"$root"/}"
    (cd "$work" && tf validate) >&2 || true
    return 1
  fi
  [ "$work" = "$dir" ] || rm -rf "$work"
}

cmd_validate() {
  need_inspect
  local failed=0 dir
  build_provider
  step "terraform fmt -check (modules, examples)"
  for dir in "$root/modules" "$root/examples"; do
    tf fmt -check -recursive -diff "$dir" || failed=1
  done
  [ $failed -eq 0 ] && echo "ok"
  step "terraform validate (modules, their test fixtures, examples)"
  while IFS= read -r dir; do
    validate_dir "$dir" || failed=1
  done < <(find "$root/modules" "$root/examples" -name '*.tf' -not -path '*/.terraform/*' -printf '%h\n' | sort -u)
  [ $failed -eq 0 ] || { echo "terraform validate or fmt failed" >&2; exit 1; }
}

case "${1:-}" in
  test) shift; cmd_test "$@" ;;
  validate) shift; cmd_validate "$@" ;;
  *) usage ;;
esac
