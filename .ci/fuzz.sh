#!/usr/bin/env bash
# Runs every fuzz target of the module for FUZZTIME each (default 4s) and
# prints the executions of each; exits non-zero on a finding, printing the
# input, which go test also writes under the package's testdata/fuzz/ (check
# it in with the fix: go test then replays it). Usage, from anywhere:
#   .ci/fuzz.sh [package pattern...]        (default ./...)
#   FUZZTIME=60s .ci/fuzz.sh                (before a release, README)
# Each package's fuzzing test binary is built once and run from the
# package's folder (its testdata), one target at a time.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
fuzztime=${FUZZTIME:-4s}
pkgs=("$@")
[ ${#pkgs[@]} -gt 0 ] || pkgs=(./...)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$SECONDS
inputs() { if [ -d "$1" ]; then find "$1" -type f | wc -l; else echo 0; fi; }
total=0 targets_run=0 failed=0
printf 'fuzz: %-20s %-24s %12s\n' package target executions
while read -r dir pkg; do
  # -list runs no test; the targets are the lines starting with Fuzz.
  targets=$(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true)
  [ -n "$targets" ] || continue
  bin="$work/$(basename "$dir").test"
  go test -c -fuzz=. -o "$bin" "$pkg"
  for target in $targets; do
    log="$work/log"
    corpus="$dir/testdata/fuzz/$target"
    before=$(inputs "$corpus")
    if (cd "$dir" && "$bin" -test.run='^$' -test.fuzz="^${target}\$" -test.fuzztime="$fuzztime" \
        -test.fuzzcachedir="$work/cache") >"$log" 2>&1; then
      execs=$(grep -o 'execs: [0-9]*' "$log" | tail -n 1 | awk '{print $2}' || true)
      printf 'fuzz: %-20s %-24s %12s\n' "${pkg#github.com/qc-ia/conformbot/}" "$target" "${execs:-0}"
      total=$((total + ${execs:-0}))
    elif [ "$(inputs "$corpus")" = "$before" ] && grep -q 'context deadline exceeded' "$log"; then
      # Go's fuzzing coordinator can miss its own -fuzztime deadline on a
      # loaded machine and fail a target that found nothing: no input is
      # written, so there is nothing to replay or fix.
      echo "fuzz: ${pkg#github.com/qc-ia/conformbot/} $target: stopped by the fuzzing engine's deadline race, no input written (not a finding)" >&2
    else
      failed=1
      echo "fuzz: $target in $pkg found a failing input (written under $dir/testdata/fuzz/$target):" >&2
      cat "$log" >&2
    fi
    targets_run=$((targets_run + 1))
  done
done < <(go list -f '{{.Dir}} {{.ImportPath}}' "${pkgs[@]}")
echo "fuzz: $targets_run targets, $total executions in $((SECONDS - start))s ($fuzztime each)"
exit $failed
