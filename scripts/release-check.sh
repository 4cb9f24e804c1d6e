#!/usr/bin/env bash
# Checks the release configuration and builds a snapshot release for this
# platform, then checks what the Registry and users would download:
#   1. goreleaser check
#   2. goreleaser release --snapshot --clean --skip=sign,publish, with the
#      builds narrowed to this GOOS/GOARCH (goreleaser v2.16's `release` has
#      no --single-target; the narrowed copy of .goreleaser.yml is in dist/)
#   3. the provider zip holds terraform-provider-vpcflow_vVERSION, built with
#      that version and with the Lambda zips embedded byte for byte;
#      SHA256SUMS lists the provider zip, the registry manifest and both
#      Lambda zips with the right sums; terraform init installs the zip from
#      a filesystem mirror, as from the Registry, and the provider serves its
#      schema.
#   4. each module of modules/ was split for the Registry at the release's
#      version (scripts/module-release.sh, a before hook): its archive holds
#      the module, README, LICENSE and examples at the root and is listed in
#      SHA256SUMS.
# goreleaser is installed into bin/ at GORELEASER_VERSION (GNUmakefile). If
# it cannot be installed, the check says so and skips the snapshot.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib.sh
source "$root/scripts/lib.sh"
cd "$root"

version=${GORELEASER_VERSION:?set GORELEASER_VERSION (make release-check does)}
gr="$root/bin/goreleaser"
if [ ! -x "$gr" ]; then
  step "install goreleaser $version into bin/"
  if ! GOBIN="$root/bin" go install "github.com/goreleaser/goreleaser/v2@$version"; then
    echo "SKIPPED release check: goreleaser $version could not be installed from the Go proxy;" \
      "neither 'goreleaser check' nor the snapshot release ran."
    exit 0
  fi
fi

step "goreleaser check"
"$gr" check

step "goreleaser release --snapshot --clean --skip=sign,publish ($(go env GOOS)/$(go env GOARCH) only)"
local_config=$(mktemp -t goreleaser-local-XXXXXX.yml)
trap 'rm -f "$local_config"' EXIT
GOOS_HOST=$(go env GOOS) GOARCH_HOST=$(go env GOARCH) python3 - .goreleaser.yml "$local_config" <<'PY'
import os, sys, yaml
cfg = yaml.safe_load(open(sys.argv[1]))
for b in cfg["builds"]:
    b["goos"], b["goarch"] = [os.environ["GOOS_HOST"]], [os.environ["GOARCH_HOST"]]
    b.pop("ignore", None)
yaml.safe_dump(cfg, open(sys.argv[2], "w"), sort_keys=False)
PY
"$gr" release -f "$local_config" --snapshot --clean --skip=sign,publish

step "check the snapshot"
meta=dist/metadata.json
release_version=$(jq -r .version "$meta")
name=$(jq -r .project_name "$meta")
os=$(go env GOOS) arch=$(go env GOARCH)
zip="dist/${name}_${release_version}_${os}_${arch}.zip"
sums="dist/${name}_${release_version}_SHA256SUMS"
binary="${name}_v${release_version}"
fail() { echo "release check: $*" >&2; exit 1; }

[ -f "$zip" ] || fail "no $zip"
unzip -Z1 "$zip" | grep -qx "$binary" || fail "$zip holds $(unzip -Z1 "$zip" | tr '\n' ' ')but no $binary"
work=$(mktemp -d -t vpcflow-release-XXXXXX)
trap 'rm -f "$local_config"; rm -rf "$work"' EXIT
unzip -q "$zip" -d "$work"
python3 - "$work/$binary" "$release_version" internal/pipeline/lambda/artifact/dist/*.zip <<'PY' ||
import sys
binary = open(sys.argv[1], "rb").read()
if sys.argv[2].encode() not in binary:
    sys.exit(f"{sys.argv[1]} does not carry its version {sys.argv[2]}")
for z in sys.argv[3:]:
    if open(z, "rb").read() not in binary:
        sys.exit(f"{z} is not embedded in {sys.argv[1]}")
PY
  fail "the provider binary is not the one the release should carry"

expect() { # FILE NAME: SHA256SUMS lists FILE's sum under NAME
  local sum
  sum=$(sha256sum "$1" | cut -d' ' -f1)
  grep -qx "$sum  $2" "$sums" || fail "$sums does not list $2 with the sum of $1 ($sum)"
}
expect "$zip" "$(basename "$zip")"
expect terraform-registry-manifest.json "${name}_${release_version}_manifest.json"
# Every Lambda package (NAME-ARCH.zip, one per lambdazip.Functions entry and
# architecture) is published as vpcflow-NAME-lambda_VERSION_ARCH.zip.
for lambda_zip in internal/pipeline/lambda/artifact/dist/*.zip; do
  base=$(basename "$lambda_zip" .zip)
  expect "$lambda_zip" "vpcflow-${base%-*}-lambda_${release_version}_${base##*-}.zip"
done
for module in modules/*/; do
  module=$(basename "$module")
  archive="build/modules/terraform-vpcflow-${module}_${release_version}.tar.gz"
  [ -f "$archive" ] || fail "no $archive: the before hook did not split modules/$module"
  listing=$(tar -tzf "$archive")
  for f in versions.tf README.md LICENSE; do
    grep -qx "$f" <<<"$listing" || fail "$archive has no $f at the root"
  done
  grep -q '^examples/.*\.tf$' <<<"$listing" || fail "$archive has no examples/"
  expect "$archive" "$(basename "$archive")"
done
[ "$(jq -c .metadata.protocol_versions terraform-registry-manifest.json)" = '["6.0"]' ] ||
  fail "terraform-registry-manifest.json does not declare protocol 6.0"

# Terraform installs the zip as it would from the Registry (a packed
# filesystem mirror holds the same file names).
mirror="$work/mirror/registry.terraform.io/vpcflow/vpcflow"
mkdir -p "$mirror" "$work/config"
cp "$zip" "$mirror/"
cat >"$work/config/main.tf" <<TF
terraform {
  required_providers {
    vpcflow = {
      source  = "vpcflow/vpcflow"
      version = "$release_version"
    }
  }
}
TF
cat >"$work/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["registry.terraform.io/vpcflow/vpcflow"]
  }
}
RC
(cd "$work/config" && TF_CLI_CONFIG_FILE="$work/terraformrc" CHECKPOINT_DISABLE=1 terraform init -input=false -no-color >/dev/null) ||
  fail "terraform init cannot install $zip from a mirror"
(cd "$work/config" && TF_CLI_CONFIG_FILE="$work/terraformrc" CHECKPOINT_DISABLE=1 terraform version -no-color) |
  grep -qx "+ provider registry.terraform.io/vpcflow/vpcflow v$release_version" ||
  fail "terraform does not report provider version $release_version"
(cd "$work/config" && TF_CLI_CONFIG_FILE="$work/terraformrc" CHECKPOINT_DISABLE=1 terraform providers schema -json) |
  jq -e '.provider_schemas["registry.terraform.io/vpcflow/vpcflow"].resource_schemas | has("vpcflow_flow_log")' >/dev/null ||
  fail "the released provider does not serve its schema"

echo "ok: $zip ($binary, version $release_version, Lambda zips embedded)"
echo "ok: terraform init installs it from a mirror as from the Registry; it serves its schema"
echo "ok: build/modules holds each module split for the Registry at $release_version"
echo "ok: $sums lists the provider zip, the manifest, the Lambda zips and the module archives:"
sed 's/^/    /' "$sums"
