#!/usr/bin/env bash
# Installs Chromium for the browser test of report.html (tests/browser.rs); .ci/run runs it.
# Idempotent: does nothing when /usr/bin/chromium is already there.
# Needs root (CI runs as root) and a reachable Debian/Ubuntu apt mirror.
#
#   .ci/install-chromium.sh
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
    echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-chromium.sh: needs root to run apt-get" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y chromium
/usr/bin/chromium --version
