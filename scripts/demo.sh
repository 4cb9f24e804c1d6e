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
python3 - "$work/connections.ndjson" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
conns = [r for r in rows if "Client" in r and "Server" in r]
conns.sort(key=lambda r: r.get("Uploaded", 0) + r.get("Downloaded", 0), reverse=True)
def who(e):
    name = (e.get("Tags") or {}).get("app") or (e.get("Tags") or {}).get("Name") or e.get("AwsService") or ""
    return f'{e.get("Type", "?")} {name} {e.get("Addr", "")}'.strip()
print(f"{len(conns)} connections; the largest:")
print(f'{"client":48} {"server":48} {"port":>5} {"up":>9} {"down":>9}')
for r in conns[:8]:
    print(f'{who(r["Client"]):48.48} {who(r["Server"]):48.48} {r.get("ServerPort", 0):>5} {r.get("Uploaded", 0):>9} {r.get("Downloaded", 0):>9}')
print("\nthe largest, as written to S3:")
print(json.dumps(conns[0], indent=2))
PY
