#!/usr/bin/env bash
# Shared shell helpers: a local AWS (moto) and a Terraform CLI configuration
# that uses the provider built from this checkout.

# step prints a progress line.
step() { printf '\n==> %s\n' "$*"; }

# start_moto starts moto_server on a free loopback port and exports the AWS
# environment that points the SDK, the AWS CLI and the provider at it.
start_moto() {
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  MOTO_LOG=$(mktemp -t moto-XXXXXX.log)
  moto_server -H 127.0.0.1 -p "$port" >"$MOTO_LOG" 2>&1 &
  MOTO_PID=$!
  export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
  export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
  export AWS_EC2_METADATA_DISABLED=true AWS_PAGER=""
  unset AWS_PROFILE AWS_SESSION_TOKEN
  local i
  for i in $(seq 1 300); do
    if curl -fsS -o /dev/null "$AWS_ENDPOINT_URL/moto-api/" 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "$MOTO_PID" 2>/dev/null; then
      echo "moto_server exited:" >&2; tail -20 "$MOTO_LOG" >&2; return 1
    fi
    sleep 0.1
  done
  echo "moto_server did not answer on $AWS_ENDPOINT_URL within 30s" >&2
  return 1
}

stop_moto() {
  if [ -n "${MOTO_PID:-}" ]; then
    kill "$MOTO_PID" 2>/dev/null || true
    wait "$MOTO_PID" 2>/dev/null || true
    MOTO_PID=""
  fi
  [ -n "${MOTO_LOG:-}" ] && rm -f "$MOTO_LOG"
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
