#!/usr/bin/env bash
# The main job on a local AWS (moto), with the provider built from this
# checkout (make demo builds it first):
#   1. a flow log with a broken delivery role refused at plan time, the fix;
#   2. examples/complete applied: flow logs, the Kinesis stream, the enricher
#      and inventory functions, the inventory table and rules;
#   3. a synthetic estate's flow log records pushed through the pipeline it
#      deployed, the named queries answered on the rows in S3 and checked
#      against the ground truth, and an HTML report drawn.
# Everything it starts is stopped on exit, also on Ctrl-C.
#
# DEMO_HOURS (default 8) sizes the traffic: hours a day over two months;
# DEMO_DIR (default ./demo-output) receives the rows and report.html.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib.sh
source "$root/scripts/lib.sh"

hours=${DEMO_HOURS:-8}
out=${DEMO_DIR:-$root/demo-output}
provider_dir="$root/bin"
[ -x "$provider_dir/terraform-provider-vpcflow" ] || { echo "demo: no provider in $provider_dir: run 'make demo'" >&2; exit 2; }

began=$SECONDS
work=$(mktemp -d -t vpcflow-demo-XXXXXX)
cleanup() {
  [ -z "${build_pid:-}" ] || kill "$build_pid" 2>/dev/null || true
  stop_moto
  rm -rf "$work"
  [ -n "${TF_CLI_CONFIG_FILE:-}" ] && rm -f "$TF_CLI_CONFIG_FILE"
}
trap cleanup EXIT
trap 'echo; echo "demo: interrupted; cleaning up" >&2; exit 130' INT TERM

elapsed() { printf '    (%ds)\n' $((SECONDS - $1)); }

# The programs of stage 3 build while stage 1 runs: the runner with the
# provider's build settings, so from its build cache; the answers with cgo,
# which DuckDB needs.
(CGO_ENABLED=0 go build -C "$root" -trimpath -o "$work/vpcflow-demo" ./internal/cmd/demo &&
  CGO_ENABLED=1 go build -C "$root" -trimpath -o "$work/vpcflow-answers" ./internal/cmd/answers) >"$work/build.log" 2>&1 &
build_pid=$!

step "1/3 the failure users fear: a broken delivery role, refused at plan time (examples/broken-role)"
t=$SECONDS
VPCFLOW_PROVIDER_DIR="$provider_dir" "$root/examples/broken-role/demo.sh"
elapsed $t

step "2/3 provisioning examples/complete on a local AWS"
t=$SECONDS
echo "    building the demo's programs (waiting for go build of internal/cmd/demo and internal/cmd/answers)"
if ! wait "$build_pid"; then
  cat "$work/build.log" >&2
  echo "demo: building the demo's programs failed" >&2
  exit 1
fi
echo "    starting moto (waiting for moto_server to answer)"
start_moto
use_local_provider "$provider_dir"
# The example refers to ../../modules: copy both, keeping the layout.
mkdir -p "$work/tf/examples"
cp -R "$root/modules" "$work/tf/"
cp -R "$root/examples/complete" "$work/tf/examples/"
cd "$work/tf/examples/complete"
./setup-moto.sh >moto.auto.tfvars
"$work/vpcflow-demo" setup >demo.auto.tfvars.json
sed 's/^/    /' moto.auto.tfvars
echo "    other flow logs' log groups: $(python3 -c 'import json,sys; print(", ".join(sorted(json.load(open(sys.argv[1]))["other_flow_log_groups"])))' demo.auto.tfvars.json)"
echo "    terraform get (waiting for terraform to install the local modules)"
if ! terraform get -no-color >init.log 2>&1; then
  cat init.log >&2
  echo "demo: terraform get of examples/complete failed" >&2
  exit 1
fi
echo "    terraform apply (waiting for terraform: every plan-time check, then the resources)"
if ! terraform apply -auto-approve -input=false -no-color >apply.log 2>&1; then
  cat apply.log >&2
  echo "demo: terraform apply of examples/complete failed" >&2
  exit 1
fi
grep -E '^Apply complete' apply.log | sed 's/^/    /'
terraform output -json deliver_logs_status |
  python3 -c 'import json,sys; [print(f"    flow log of {v}: DeliverLogsStatus={s}") for v, s in sorted(json.load(sys.stdin).items())]'
function=$(terraform output -raw enricher_function_name)
group=$(terraform output -raw log_group_name)
elapsed $t

step "3/3 the pipeline it deployed, on a synthetic estate with known answers ($hours hours of traffic a day)"
t=$SECONDS
rm -rf "$out"
"$work/vpcflow-demo" run -function "$function" -log-group "$group" -hours "$hours" -dir "$out"
"$work/vpcflow-answers" -dir "$out" -stage 6/6
elapsed $t

printf '\ndemo: done in %ds; the rows are in %s, the report is %s\n' $((SECONDS - began)) "$out/rows" "$out/report.html"
