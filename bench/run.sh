#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmarks grok with public tools and the loopback probe, and prints the
# medians. Usage: bench/run.sh [BUILD_DIR]   (default build/release)
#
# Reports: `grok --version` and `grok /plugins` (all plugins loaded) with
# hyperfine; a one-shot `grok -p` against a loopback server with
# grok-bench-probe (wall time, peak RSS from wait4, launch to the first
# request byte, first answer token on the wire to the first byte on
# stdout); and peak RSS of the same one-shot run from /usr/bin/time -v.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build/release}
grok=$build/bin/grok
probe=$build/bin/grok-bench-probe

for tool in hyperfine /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing; run scripts/install-deps.sh" >&2; exit 1; }
done
if [[ ! -x "$probe" ]]; then
  cmake --build "$build" --target grok-bench-probe >/dev/null
fi

home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export GROK_HOME=$home

# hyperfine's CSV columns: command,mean,stddev,median,user,system,min,max (seconds).
median_ms() {
  awk -F, 'NR == 2 {printf "%.2f", $4 * 1000}' "$1"
}

hyperfine -N --warmup 10 --runs 200 --export-csv "$home/version.csv" "$grok --version" >/dev/null
hyperfine -N --warmup 10 --runs 200 --export-csv "$home/plugins.csv" "$grok /plugins" >/dev/null
echo "grok --version   median $(median_ms "$home/version.csv") ms (hyperfine, 200 runs)"
echo "grok /plugins    median $(median_ms "$home/plugins.csv") ms (hyperfine, 200 runs)"

probe_json=$("$probe" "$grok" 50)
echo "grok -p (probe)  $probe_json"

# Peak RSS of /plugins from GNU time, as a cross-check of the probe's.
rss=$(/usr/bin/time -v "$grok" /plugins 2>&1 >/dev/null | awk -F': ' '/Maximum resident/ {print $2}')
echo "grok /plugins    peak RSS ${rss} KiB (/usr/bin/time -v)"
