#!/usr/bin/env bash
# Fails with the exact install line when a tool the tests need is missing.
set -euo pipefail
missing=0
need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "missing: $1 — install it with: $2" >&2
    missing=1
  fi
}
need go "https://go.dev/doc/install (Go 1.26 or later)"
need terraform "install Terraform >= 1.11 on the PATH (https://developer.hashicorp.com/terraform/install), e.g. apt-get install terraform from HashiCorp's apt repository"
need moto_server "pip install 'moto[server]>=5.0'"
need aws "pip install awscli"
need git "apt-get install -y git"
need gcc "apt-get install -y gcc (cgo: DuckDB in the demo and its tests)"
# Chromium takes the report's screenshot; installed here when it can be.
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing chromium" >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >&2 || true
fi
need chromium "apt-get update && apt-get install -y chromium"
exit $missing
