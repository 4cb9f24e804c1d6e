#!/usr/bin/env bash
# Writes the requirements, inputs and outputs tables of each modules/*/README.md
# from the module itself, read with hashicorp/terraform-config-inspect, between
#   <!-- BEGIN_TF_DOCS -->  and  <!-- END_TF_DOCS -->
# Text outside the markers is hand-written and left alone.
#
#   scripts/module-readmes.sh            rewrite the tables
#   scripts/module-readmes.sh --check    fail if a table is not what the module says
set -euo pipefail
shopt -s inherit_errexit
root=$(cd "$(dirname "$0")/.." && pwd)
inspect="$root/bin/terraform-config-inspect"
[ -x "$inspect" ] || { echo "missing $inspect: run 'make $inspect' (pinned in GNUmakefile)" >&2; exit 1; }

check=0
[ "${1:-}" = "--check" ] && check=1

begin='<!-- BEGIN_TF_DOCS -->'
end='<!-- END_TF_DOCS -->'

# tables prints the generated block of one module.
tables() {
  "$inspect" --json "$1" | jq -r --arg open "$begin" --arg close "$end" '
    def cell: tostring | gsub("\r?\n\\s*"; " ") | gsub("\\|"; "\\|");
    def code: "`" + cell + "`";
    def default_of: if .required then "n/a" else (.default | tojson | code) end;
    $open,
    "## Requirements",
    "",
    "| Name | Version |",
    "|------|---------|",
    (if (.required_core // []) | length > 0 then "| terraform | \(.required_core | join(", ") | code) |" else empty end),
    (.required_providers // {} | to_entries | sort_by(.key)[]
      | "| \(.key) (`\(.value.source // ("hashicorp/" + .key))`) | \((.value.version_constraints // []) | if length > 0 then join(", ") | code else "any" end) |"),
    "",
    "## Inputs",
    "",
    "| Name | Description | Type | Default | Required |",
    "|------|-------------|------|---------|:--------:|",
    (.variables // {} | [.[]] | sort_by([(if .required then 0 else 1 end), .name])[]
      | "| `\(.name)` | \(.description | cell) | \((if .type == "" then "any" else .type end) | code) | \(default_of) | \(if .required then "yes" else "no" end) |"),
    "",
    "## Outputs",
    "",
    "| Name | Description |",
    "|------|-------------|",
    (.outputs // {} | [.[]] | sort_by(.name)[] | "| `\(.name)` | \(.description | cell) |"),
    $close'
}

# render prints README $1 with its block replaced by the block of module $2
# (appended when the README has no markers yet).
render() {
  local readme=$1 module=$2 block
  block=$(tables "$module")
  if [ -f "$readme" ] && grep -qF "$begin" "$readme"; then
    awk -v begin="$begin" -v end="$end" -v block="$block" '
      $0 == begin { print block; skip = 1; next }
      skip && $0 == end { skip = 0; next }
      !skip' "$readme"
  else
    [ -f "$readme" ] && { cat "$readme"; echo; }
    printf '%s\n' "$block"
  fi
}

stale=0
for module in "$root"/modules/*/; do
  module=${module%/}
  readme="$module/README.md"
  new=$(render "$readme" "$module")
  if [ $check -eq 1 ]; then
    if ! diff -u --label "${readme#"$root"/}" --label "${readme#"$root"/} (generated)" "$readme" <(printf '%s\n' "$new") >/dev/null 2>&1; then
      diff -u --label "${readme#"$root"/}" --label "${readme#"$root"/} (generated)" "$readme" <(printf '%s\n' "$new") || true
      stale=1
    fi
  else
    printf '%s\n' "$new" >"$readme"
    echo "wrote ${readme#"$root"/}"
  fi
done
if [ $stale -eq 1 ]; then
  echo "module READMEs are stale: run 'make module-docs' and commit the result" >&2
  exit 1
fi
