#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs every Debian package that building grok, running its tests and
# the README's commands need. Does nothing when all of them are present.
set -euo pipefail

packages=(
  # build
  g++ make cmake ccache pkg-config git ca-certificates
  libboost1.81-all-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev openssl libedit-dev
  # tests and benchmarks: nm, /usr/bin/time, hyperfine, patch (diff tests)
  binutils time hyperfine patch
  # the keystore plugin (libsecret) and its tests against a real Secret Service
  libsecret-1-dev gnome-keyring dbus dbus-x11 libsecret-tools
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo=()
if ((EUID != 0)); then
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
