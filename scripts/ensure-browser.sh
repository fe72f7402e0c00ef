#!/usr/bin/env bash
# Make sure the browser tests can run: Debian's Chromium, its driver and a CJK
# font. Installs them when they are missing and we are root (as on CI and on a
# fresh machine of this kind); otherwise says in one line what is missing.
# Used by `make test` and .ci/run, so there is one way to do it.
set -u
have_font() { command -v fc-list >/dev/null && fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk"; }
if command -v chromium >/dev/null && command -v chromedriver >/dev/null && have_font; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "ensure-browser: installing chromium, chromium-driver and fonts-wqy-microhei with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq >/dev/null && apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei >/dev/null; then
    exit 0
  fi
fi
echo "ensure-browser: Chromium and chromedriver are missing and could not be installed (needs root and apt-get: apt-get install chromium chromium-driver fonts-wqy-microhei); the browser tests will be skipped" >&2
exit 0
