#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the browser tests (driven by
# Playwright with executable_path, so no browser download is needed). Idempotent: does nothing
# when it is already there; otherwise installs it with apt-get, as root or through sudo.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "ensure-chromium: $CHROMIUM is missing and this user cannot install packages." >&2
    echo "ensure-chromium: install it as root: apt-get update && apt-get install -y chromium" >&2
    exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-chromium: $CHROMIUM is missing and apt-get is not available on this system;" >&2
    echo "ensure-chromium: install Chromium so that it is at $CHROMIUM, then run the tests again." >&2
    exit 1
fi

echo "ensure-chromium: installing chromium with apt-get (for the browser tests)"
export DEBIAN_FRONTEND=noninteractive
if ! { $SUDO apt-get update -q && $SUDO apt-get install -y -q chromium; }; then
    echo "ensure-chromium: apt-get could not install chromium (offline, or no such package here)." >&2
    echo "ensure-chromium: the browser tests need $CHROMIUM; install it and run the tests again." >&2
    exit 1
fi

if [ ! -x "$CHROMIUM" ]; then
    echo "ensure-chromium: chromium was installed but $CHROMIUM is not there." >&2
    exit 1
fi
echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null || echo chromium) is ready"
