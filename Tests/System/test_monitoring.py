"""The monitoring contract checked by Prometheus's own tool (20-services §9.3, §9.4): the alert rules that
`psc-admin monitoring alert-rules` and MON-9 serve pass `promtool check rules`, and a live `/metrics` passes
`promtool check metrics` (every family with HELP and TYPE, valid names and labels)."""
import os
import shutil
import subprocess
import urllib.request

import pytest

from conftest import BIN


@pytest.fixture(scope="module")
def promtool():
    path = shutil.which("promtool")
    if path is None:
        pytest.fail("promtool is missing: install Debian's prometheus package (.ci/install-deps does)")
    return path


def test_the_alert_rules_pass_promtool(server, promtool, tmp_path):
    reply = subprocess.run(
        [os.path.join(BIN, "psc-admin"), "--socket", os.path.join(server.data_dir, "admin.sock"), "monitoring", "alert-rules"],
        capture_output=True, text=True, timeout=30)
    assert reply.returncode == 0, reply.stderr
    rules = tmp_path / "psc-alert-rules.yml"
    rules.write_text(reply.stdout)
    checked = subprocess.run([promtool, "check", "rules", str(rules)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 14 rules found" in checked.stdout


def test_live_metrics_pass_promtool(server, promtool):
    # Some traffic first, so the request, cache and job families carry samples.
    for path in ("/api/v1/health", "/api/v1/departments", "/departments", "/nope"):
        try:
            urllib.request.urlopen(server.url + path, timeout=10).read()
        except urllib.error.HTTPError:
            pass
    with urllib.request.urlopen(server.url + "/metrics", timeout=10) as response:
        text = response.read()
    assert b"pittstate_requests_total" in text
    checked = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, timeout=60)
    assert checked.returncode == 0, (checked.stdout + checked.stderr).decode()
    assert checked.stdout.strip() == b"" and checked.stderr.strip() == b"", (checked.stdout + checked.stderr).decode()
