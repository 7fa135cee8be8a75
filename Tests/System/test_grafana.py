"""The Grafana dashboard in docs/grafana/ reads only series that a live /metrics exposes (issue "Analytics": a
dashboard over the platform's metrics, checked against them), and each of its queries parses as PromQL enough for
promtool's rule check."""
import json
import os
import re
import shutil
import subprocess
import urllib.request

from conftest import ROOT

DASHBOARD = os.path.join(ROOT, "docs", "grafana", "psc-dashboard.json")
SUFFIXES = ("_bucket", "_sum", "_count")


def exposed(server):
    # Request counters have series once requests were served, as on any running site.
    for path in ("/api/v1/health", "/api/v1/departments", "/departments"):
        urllib.request.urlopen(server.url + path, timeout=10).read()
    with urllib.request.urlopen(server.url + "/metrics", timeout=10) as response:
        text = response.read().decode()
    return {line.split()[2] for line in text.splitlines() if line.startswith("# TYPE ")}


def queries():
    dashboard = json.load(open(DASHBOARD))
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def test_every_dashboard_query_names_an_exposed_series(server):
    families = exposed(server)
    found = queries()
    assert len(found) >= 15
    for expr in found:
        names = re.findall(r"\bpittstate_[a-z0-9_]+", expr)
        assert names, expr
        for name in names:
            base = next((name[: -len(s)] for s in SUFFIXES if name.endswith(s) and name[: -len(s)] in families), name)
            assert base in families, f"{name} in {expr!r} is not exposed by /metrics"


def test_the_queries_are_valid_promql(tmp_path):
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: install Debian's prometheus package (.ci/install-deps does)"
    # promtool checks PromQL inside recording rules; each query becomes one.
    lines = ["groups:", "  - name: dashboard", "    rules:"]
    for index, expr in enumerate(queries()):
        lines += [f"      - record: dashboard:query{index}", "        expr: '" + expr.replace("'", "''") + "'"]
    rules = tmp_path / "dashboard-rules.yml"
    rules.write_text("\n".join(lines) + "\n")
    checked = subprocess.run([promtool, "check", "rules", str(rules)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
