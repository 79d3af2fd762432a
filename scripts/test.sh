#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what is missing, builds grok with its tests, and runs them.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

"$root/scripts/install-deps.sh"
cmake --preset ci -S "$root" >/dev/null
cmake --build "$root/build/ci" -j"$(nproc)"
ctest --test-dir "$root/build/ci" --output-on-failure --timeout 600
