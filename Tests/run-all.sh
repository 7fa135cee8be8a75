#!/usr/bin/env bash
# The whole test suite: swift build (the binaries the end-to-end and browser tests start), swift test (unit,
# router and end-to-end suites), then pytest (browser pages with axe-core, OpenAPI validation, install.sh and the
# systemd unit). Installs missing test dependencies first when it can.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromedriver >/dev/null || ! command -v systemd-analyze >/dev/null || ! command -v promtool >/dev/null \
  || ! command -v pdftotext >/dev/null || ! command -v curl >/dev/null || ! command -v openssl >/dev/null \
  || ! python3 -c "import pytest, requests, selenium, axe_selenium_python, openapi_spec_validator, aiosmtpd, zxingcpp, PIL, icalendar, cryptography" 2>/dev/null; then
  echo "installing test dependencies (.ci/install-deps)…"
  .ci/install-deps
fi
swift build
swift test
# The conformance test also checks every /api exchange swift test just recorded (.build/api-transcript.jsonl).
PSC_REQUIRE_API_TRANSCRIPT=1 python3 -m pytest -q Tests/Browser Tests/System
