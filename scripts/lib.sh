#!/usr/bin/env bash
# Shared shell helpers: a local AWS (moto) and a Terraform CLI configuration
# that uses the provider built from this checkout.

# step prints a progress line.
step() { printf '\n==> %s\n' "$*"; }

# The checkout lib.sh belongs to, where start_moto builds its launcher.
lib_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# start_moto starts moto_server on a free loopback port with the launcher the
# Go tests use (internal/cmd/localaws, built here into a temporary directory)
# and exports the environment that points the AWS SDK, the AWS CLI and the
# provider at it. The launcher runs as a coproc whose input only this shell
# holds: moto stops with stop_moto, on the launcher's SIGINT or SIGTERM, or
# when this shell ends, however it ends. A missing moto_server fails with the
# line that installs it.
start_moto() {
  local out env=""
  MOTO_BIN_DIR=$(mktemp -d -t vpcflow-localaws-XXXXXX)
  if ! go build -C "$lib_root" -o "$MOTO_BIN_DIR/localaws" ./internal/cmd/localaws; then
    echo "start_moto: building internal/cmd/localaws failed" >&2
    return 1
  fi
  coproc LOCALAWS { exec "$MOTO_BIN_DIR/localaws" -stdin; }
  MOTO_PID=$LOCALAWS_PID
  out=${LOCALAWS[0]:-}
  # localaws closes its output once moto answers: everything up to the end
  # is the environment; nothing means it failed (its reason is on stderr).
  [ -z "$out" ] || IFS= read -r -d '' env <&"$out" || true
  if [ -z "$env" ]; then
    echo "start_moto: moto did not start" >&2
    stop_moto
    return 1
  fi
  eval "$env"
}

# stop_moto stops the moto start_moto started, if any, and waits for it.
stop_moto() {
  if [ -n "${MOTO_PID:-}" ]; then
    kill -TERM "$MOTO_PID" 2>/dev/null || true
    wait "$MOTO_PID" 2>/dev/null || true
    MOTO_PID=""
  fi
  if [ -n "${MOTO_BIN_DIR:-}" ]; then
    rm -rf "$MOTO_BIN_DIR"
    MOTO_BIN_DIR=""
  fi
}

# use_local_provider writes a CLI configuration whose dev_overrides point
# vpcflow/vpcflow at the binary in $1 (a directory), so Terraform never
# downloads it.
use_local_provider() {
  local dir=$1
  TF_CLI_CONFIG_FILE=$(mktemp -t vpcflow-tfrc-XXXXXX)
  cat >"$TF_CLI_CONFIG_FILE" <<RC
provider_installation {
  dev_overrides {
    "registry.terraform.io/vpcflow/vpcflow" = "$dir"
  }
  direct {}
}
RC
  export TF_CLI_CONFIG_FILE
  export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
}
