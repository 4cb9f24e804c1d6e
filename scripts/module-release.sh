#!/usr/bin/env bash
# The modules' release: the public Terraform Registry publishes a module only
# from a repository named terraform-<PROVIDER>-<NAME> with the module at its
# root, one version per tag. Each modules/NAME/ of this repository becomes
# terraform-vpcflow-NAME (registry address vpcflow/NAME/vpcflow), released
# with the provider's version.
#
#   scripts/module-release.sh split VERSION OUT
#       Replaces OUT with, for each modules/NAME/:
#         OUT/terraform-vpcflow-NAME/   the repository's tree: the module at
#             the root (its .tf files and data, without tests/, which run
#             here against this checkout), README.md (its "Tests" section
#             replaced by where the module comes from), LICENSE, and
#             examples/: each configuration of examples/ that calls the
#             module, with the module as "../.." and the other modules by
#             registry address at VERSION;
#         OUT/terraform-vpcflow-NAME_VERSION.tar.gz   the same tree, files at
#             the root, reproducible (sorted, owned by root, dated by the
#             commit): the release publishes it beside the provider, and a
#             registry's download can point at it.
#       .goreleaser.yml runs this as a before hook (into build/modules).
#   scripts/module-release.sh publish VERSION OUT REMOTE
#       For each OUT/terraform-vpcflow-NAME/: commits the tree on branch main
#       of REMOTE/terraform-vpcflow-NAME.git (a clone of it; an empty
#       repository gets its first commit), tags the commit vVERSION and
#       pushes both. The Registry's webhook on each repository publishes the
#       tag as module version VERSION. No repository is touched when any of
#       them already has the tag: a published version never changes.
#       REMOTE is e.g. git@github.com:vpcflow (a URL or a directory).
#
# VERSION is the provider's version without the "v" (1.2.3, 1.3.0-rc.1).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

namespace=vpcflow
provider=vpcflow
upstream=https://github.com/vpcflow/terraform-provider-vpcflow

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 2; }
fail() { echo "module-release: $*" >&2; exit 1; }

check_version() {
  [[ $1 =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] ||
    fail "version \"$1\" is not a semantic version without \"v\" (e.g. 1.2.3 or 1.3.0-rc.1); the Registry publishes only such tags"
}

# readme prints modules/NAME/README.md for the module's own repository: the
# "## Tests" section (about running tests in this checkout) gives way to a
# note on where the module is developed and tested.
readme() {
  local name=$1 version=$2
  awk -v name="$name" -v version="$version" -v upstream="$upstream" '
    function note() {
      print "## Source"
      print ""
      print "Released from `modules/" name "` of [terraform-provider-vpcflow](" upstream ")"
      print "at version " version ", the version of the provider it was tested with; its tests run"
      print "there against a local AWS. Report issues and send changes there."
      print ""
      noted = 1
    }
    /^## Tests[[:space:]]*$/ { skip = 1; note(); next }
    skip && (/^## / || /^<!-- BEGIN_TF_DOCS -->/) { skip = 0 }
    !skip { print }
    END { if (!noted) { print ""; note() } }' "$root/modules/$name/README.md"
}

# example copies examples/$1 into $2 with the module sources rewritten for
# module $3's repository at version $4: the module itself is "../..", the
# others their registry address and version.
example() {
  local src=$1 dst=$2 self=$3 version=$4 f
  mkdir -p "$dst"
  for f in "$src"/*.tf; do
    awk -v self="$self" -v version="$version" -v ns="$namespace" -v prov="$provider" -v file="$f" '
      match($0, /^[[:space:]]*source[[:space:]]*=[[:space:]]*"\.\.\/\.\.\/modules\/[a-z0-9_-]+"[[:space:]]*$/) {
        indent = $0; sub(/source.*/, "", indent)
        mod = $0; sub(/^.*modules\//, "", mod); sub(/".*$/, "", mod)
        if (mod == self) {
          print indent "source = \"../..\""
        } else {
          print indent "source = \"" ns "/" mod "/" prov "\""
          print indent "version = \"" version "\""
        }
        next
      }
      /"\.\.\// { printf "%s: %s\n", file, $0 > "/dev/stderr"; bad = 1 }
      { print }
      END { if (bad) exit 1 }' "$f" >"$dst/$(basename "$f")" ||
      fail "$f refers to a path outside the example other than ../../modules/NAME; its module repository would not have it"
  done
  [ -f "$src/README.md" ] && cp "$src/README.md" "$dst/"
  return 0
}

# tarball writes directory $1 as a reproducible .tar.gz $2, files at the root.
tarball() {
  local dir=$1 out=$2 epoch entries
  epoch=${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || echo 0)}
  mapfile -t entries < <(cd "$dir" && LC_ALL=C ls -A)
  tar -C "$dir" --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner --mode=go-w,a+rX \
    --format=gnu -cf - -- "${entries[@]}" | gzip -9n >"$out"
}

cmd_split() {
  [ $# -eq 2 ] || usage
  local version=$1 out=$2 module name repo ex uses f
  check_version "$version"
  command -v terraform >/dev/null || fail "terraform is not on the PATH (it formats the examples); install Terraform >= 1.11: https://developer.hashicorp.com/terraform/install"
  [ -f "$root/LICENSE" ] || fail "no LICENSE at the root of the repository to ship with the modules"
  rm -rf "$out"
  mkdir -p "$out"
  out=$(cd "$out" && pwd)
  for module in "$root"/modules/*/; do
    module=${module%/}
    name=$(basename "$module")
    repo="$out/terraform-$provider-$name"
    mkdir -p "$repo"
    for f in "$module"/* "$module"/.[!.]*; do
      [ -e "$f" ] || continue
      case $(basename "$f") in
        tests | README.md | .terraform | .terraform.lock.hcl | terraform.tfstate* | .*) continue ;;
      esac
      cp -R "$f" "$repo/"
    done
    [ -f "$repo/main.tf" ] || [ -n "$(ls "$repo"/*.tf 2>/dev/null)" ] || fail "modules/$name has no .tf files"
    readme "$name" "$version" >"$repo/README.md"
    cp "$root/LICENSE" "$repo/LICENSE"
    for ex in "$root"/examples/*/; do
      ex=${ex%/}
      uses=$(grep -lE "^[[:space:]]*source[[:space:]]*=[[:space:]]*\"\.\./\.\./modules/$name\"" "$ex"/*.tf 2>/dev/null || true)
      [ -n "$uses" ] && example "$ex" "$repo/examples/$(basename "$ex")" "$name" "$version"
    done
    if [ -d "$repo/examples" ] && ! terraform fmt -recursive -no-color "$repo/examples" >"$out/fmt.log" 2>&1; then
      cat "$out/fmt.log" >&2
      fail "terraform fmt of the examples of $name failed"
    fi
    rm -f "$out/fmt.log"
    tarball "$repo" "$out/terraform-$provider-${name}_$version.tar.gz"
    echo "$out/terraform-$provider-${name}_$version.tar.gz ($(cd "$repo" && find . -type f | wc -l) files; examples: $(cd "$repo" && ls examples 2>/dev/null | tr '\n' ' '))"
  done
}

cmd_publish() {
  [ $# -eq 3 ] || usage
  local version=$1 out=$2 remote=${3%/} tag repo name url commit work
  check_version "$version"
  tag="v$version"
  [ -d "$out" ] || fail "$out does not exist: run 'scripts/module-release.sh split $version $out' first"
  out=$(cd "$out" && pwd)
  commit=$(git -C "$root" rev-parse HEAD)
  # global: the EXIT trap runs after this function returns
  publish_work=$(mktemp -d -t vpcflow-module-publish-XXXXXX)
  work=$publish_work
  trap 'rm -rf "$publish_work"' EXIT
  local repos=()
  for repo in "$out"/terraform-"$provider"-*/; do repos+=("${repo%/}"); done
  [ ${#repos[@]} -gt 0 ] || fail "no terraform-$provider-NAME directories in $out"

  # Every repository must be reachable and without the tag before any is pushed.
  for repo in "${repos[@]}"; do
    name=$(basename "$repo")
    url="$remote/$name.git"
    git clone -q "$url" "$work/$name" 2>"$work/$name.err" || { cat "$work/$name.err" >&2; fail "cannot clone $url"; }
    if git -C "$work/$name" ls-remote --exit-code --tags origin "refs/tags/$tag" >/dev/null 2>&1; then
      fail "$url already has tag $tag; a published module version does not change (nothing was pushed)"
    fi
  done

  for repo in "${repos[@]}"; do
    name=$(basename "$repo")
    (
      cd "$work/$name"
      if git rev-parse -q --verify origin/main >/dev/null; then
        git checkout -q -B main origin/main
      else
        git checkout -q --orphan main
      fi
      git rm -rq --ignore-unmatch .
      cp -R "$repo"/. .
      git add -A
      git -c user.name="${GIT_COMMITTER_NAME:-vpcflow release}" -c user.email="${GIT_COMMITTER_EMAIL:-release@vpcflow.invalid}" \
        commit -q --allow-empty -m "$name $version" -m "modules/${name#terraform-"$provider"-} of $upstream at $commit."
      git -c user.name="${GIT_COMMITTER_NAME:-vpcflow release}" -c user.email="${GIT_COMMITTER_EMAIL:-release@vpcflow.invalid}" \
        tag -a "$tag" -m "$name $version"
      git push -q origin main "refs/tags/$tag"
    ) || fail "publishing $name failed"
    echo "pushed $remote/$name.git main and $tag"
  done
}

case "${1:-}" in
  split) shift; cmd_split "$@" ;;
  publish) shift; cmd_publish "$@" ;;
  *) usage ;;
esac
