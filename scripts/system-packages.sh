#!/usr/bin/env bash
# Installs the Debian packages govhall needs (fonts and harfbuzz for PDFs, Chromium for browser
# tests, gettext for the translations), or prints the command that would.
set -euo pipefail
missing=()
for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
command="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "Installing system packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $command -qq
else
    echo "govhall needs these system packages: ${missing[*]}" >&2
    echo "Run as root:  apt-get update && $command" >&2
    exit 1
fi
