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
exit $missing
