#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs grok into a temporary prefix, builds examples/hello-plugin out
# of tree against the installed SDK package, and runs its command.
set -euo pipefail
build_dir=$1
source_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cmake -S "$source_dir/examples/hello-plugin" -B "$work/build" \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/build" >/dev/null

export GROK_HOME="$work/home"
output=$("$work/prefix/bin/grok" --plugin-dir "$work/build/plugins" /hello plugin authors)
if [[ "$output" != "Hello, plugin authors!" ]]; then
  echo "unexpected output from the example plugin: '$output'" >&2
  exit 1
fi
listing=$("$work/prefix/bin/grok" --plugin-dir "$work/build/plugins" /plugins)
if ! grep -q '^hello .* loaded ' <<<"$listing"; then
  echo "the example plugin is not listed as loaded:" >&2
  echo "$listing" >&2
  exit 1
fi
echo "example plugin built against the installed SDK and ran"
