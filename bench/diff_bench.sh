#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Compares the SDK's unified_diff with `git diff --no-index` on a generated
# 100,000-line file and a copy with 1 % of its lines edited at random
# positions (fixed seed), and prints both medians and their ratio.
# Usage: bench/diff_bench.sh [BUILD_DIR [LINES [PERCENT [SEED]]]]
#        (defaults: build/release, 100000, 1, 20240601)
#
# Both commands run under `hyperfine -N` with stdout to /dev/null, so each
# median includes process start, reading both files and writing the diff.
# Before timing, the script checks that `patch` turns the old file into the
# new one with grok's diff, and that grok and git count the same changes.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build/release}
lines=${2:-100000}
percent=${3:-1}
seed=${4:-20240601}
driver=$build/bin/grok-diff-bench

for tool in hyperfine git patch; do
  command -v "$tool" >/dev/null || { echo "diff_bench: $tool is missing; run scripts/install-deps.sh" >&2; exit 1; }
done
cmake --build "$build" --target grok-diff-bench >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$driver" generate old.txt new.txt "$lines" "$percent" "$seed"

# Check correctness first, because a fast but wrong diff proves nothing.
"$driver" diff old.txt new.txt >grok.diff
patch --binary --fuzz=0 --batch --silent -o patched.txt old.txt grok.diff
cmp -s patched.txt new.txt || { echo "diff_bench: patch did not reproduce new.txt from grok's diff" >&2; exit 1; }
grok_added=$(tail -n +3 grok.diff | grep -c '^+' || true)
grok_removed=$(tail -n +3 grok.diff | grep -c '^-' || true)
read -r git_added git_removed _ < <(git diff --no-index --numstat old.txt new.txt || true)
echo "lines added/removed: grok $grok_added/$grok_removed, git $git_added/$git_removed"

# hyperfine's CSV columns: command,mean,stddev,median,user,system,min,max (seconds).
# git diff exits with 1 when the files differ, hence -i. Hyperfine's
# warning about that goes to hyperfine.log, which is shown only on failure.
if ! hyperfine -N -i --warmup 5 --runs 50 --export-csv "$work/times.csv" \
  -n git "git diff --no-index --no-color old.txt new.txt" \
  -n grok "$driver diff old.txt new.txt" >/dev/null 2>"$work/hyperfine.log"; then
  cat "$work/hyperfine.log" >&2
  exit 1
fi
awk -F, '
  $1 == "git"  { git = $4 * 1000 }
  $1 == "grok" { grok = $4 * 1000 }
  END {
    printf "git diff --no-index  median %.2f ms\n", git
    printf "grok unified_diff    median %.2f ms\n", grok
    printf "ratio grok/git       %.2f\n", grok / git
  }' "$work/times.csv"
