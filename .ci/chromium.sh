#!/usr/bin/env bash
# Installs Debian's chromium when no Chromium is on the PATH, so that the
# HTML report test (segment/report_chromium_test.go) renders the page in a
# real headless browser. .ci/run calls it before the tests; run it by hand
# on a developer machine (as root, or with sudo) to run that test locally.
set -euo pipefail
for b in chromium chromium-browser google-chrome; do
	if command -v "$b" >/dev/null 2>&1; then
		echo "chromium: $(command -v "$b") ($("$b" --version 2>/dev/null || echo "version unknown"))"
		exit 0
	fi
done
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# fonts-dejavu-core: a font for the page's text when the image has none.
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "chromium: $(command -v chromium) ($(chromium --version 2>/dev/null || echo "version unknown"))"
