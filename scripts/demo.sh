#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what is missing, builds grok, and streams an explanation of a
# file of the bundled sample project. With XAI_API_KEY set the answer comes
# from xAI; without it, a recorded answer is replayed offline through the
# same streaming parser.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

"$root/scripts/install-deps.sh"
cmake --preset release -S "$root" >/dev/null
cmake --build "$root/build/release" -j"$(nproc)"

grok="$root/build/release/bin/grok"
cd "$root/examples/sample-project"
if [[ -n "${XAI_API_KEY:-}" ]]; then
  exec "$grok" --provider xai /explain src/lru_cache.hpp
fi
echo "demo: XAI_API_KEY is not set, so a recorded answer is replayed (recordings/explain-lru-cache.jsonl)" >&2
GROK_REPLAY_FILE=recordings/explain-lru-cache.jsonl exec "$grok" --provider replay /explain src/lru_cache.hpp
