#!/usr/bin/env bash
# Runs every fuzz target of the module for the given time each (default 20s).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-20s}
# As every Go test run of the GNUmakefile: a target in a package whose tests
# need the local AWS gets it (see internal/provider/acctest).
export TF_ACC=1
status=0
while IFS= read -r file; do
  pkg="./$(dirname "$file")"
  for target in $(grep -oE '^func (Fuzz[A-Za-z0-9_]+)' "$file" | awk '{print $2}'); do
    echo "==> $pkg $target ($duration)"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$duration" "$pkg" || status=1
  done
done < <(git ls-files '*_test.go' | xargs grep -l '^func Fuzz')
exit $status
