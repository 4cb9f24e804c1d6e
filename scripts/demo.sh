#!/usr/bin/env bash
# The main job on a local AWS (moto): a flow log with a broken delivery role
# refused at plan time, the fix applied, then flow log records enriched into
# connections. Everything it starts is stopped on exit, also on Ctrl-C.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib.sh
source "$root/scripts/lib.sh"

step "1/2 plan-time delivery checks (examples/broken-role)"
"$root/examples/broken-role/demo.sh"

step "2/2 enrichment: raw flow log records -> connections (internal/cmd/enricher)"
work=$(mktemp -d -t vpcflow-demo-XXXXXX)
trap 'rm -rf "$work"' EXIT
go build -C "$root" -o "$work/enricher" ./internal/cmd/enricher
data="$root/internal/enrich/testdata"
echo "input: $(wc -l <"$data/default.log") flow log lines, inventory of $(grep -c '"NetworkInterfaceId"' "$data/network-interfaces.json") network interfaces"
"$work/enricher" enrich --enis "$data/network-interfaces.json" --tags "$data/get-resources.json" \
  --ip-ranges "$data/ip-ranges.json" <"$data/default.log" >"$work/connections.ndjson"
echo "first enriched connection:"
head -1 "$work/connections.ndjson" | python3 -m json.tool
