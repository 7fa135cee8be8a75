"""Analytics on the demo campus through the real server: the daily job's figures behind the dashboard, a PDF export
that pdftotext reads back with its rows and page numbers, a large export built in the background, the weekly report
email, the churn model trained by its job, and the screen tracker."""
import csv
import email
import email.policy
import glob
import io
import os
import subprocess

import pytest
import requests

from conftest import api_session, demo_server, wait_until


@pytest.fixture(scope="module")
def demo():
    running = demo_server({"PSC_MAIL_TRANSPORT": "file"})
    yield running
    running.stop()


def session(server, role="admin"):
    return api_session(server, role)




def test_the_daily_job_fills_the_dashboard_series(demo):
    code, _ = demo.admin("jobs", "run", "daily_analytics")
    assert code == 0
    admin = session(demo)

    def filled():
        board = admin.get(demo.url + "/api/v1/analytics/dashboard?days=7", timeout=10).json()
        return board if all(point["count"] is not None for point in board["user_growth"]) else None
    # Each request may be cached for five minutes; a new period is a new key.
    board = wait_until(lambda: filled() or None, seconds=60)
    assert len(board["user_growth"]) == 7
    assert board["overview"]["total_users"] > 400
    assert board["engagement_metrics"]["engagement_rate"] is not None
    assert [page["views"] for page in board["top_pages"]] == sorted((page["views"] for page in board["top_pages"]), reverse=True)


def test_a_pdf_export_reads_back_with_its_rows_and_page_numbers(demo, tmp_path):
    admin = session(demo)
    table = admin.get(demo.url + "/api/v1/analytics/export/scholarship_applications?format=csv&days=90", timeout=30)
    assert table.status_code == 200
    rows = list(csv.reader(io.StringIO(table.text)))
    assert rows[0][:3] == ["application id", "scholarship", "department"] and len(rows) > 5
    reply = admin.get(demo.url + "/api/v1/analytics/export/scholarship_applications?format=pdf&days=90", timeout=30)
    assert reply.status_code == 200 and reply.headers["content-type"] == "application/pdf"
    assert "scholarship_applications-" in reply.headers["content-disposition"]
    path = tmp_path / "report.pdf"
    path.write_bytes(reply.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Scholarship Applications report" in text and "Generated " in text
    pages = text.count("Page ")
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    for row in rows[1:4]:
        assert row[0] in text and row[1][:10] in text, row


def test_a_large_export_is_built_in_the_background_and_refused_as_pdf(demo):
    admin = session(demo)
    queued = admin.get(demo.url + "/api/v1/analytics/export/page_views?format=csv&days=90", timeout=30)
    assert queued.status_code == 202, queued.text
    export = queued.json()
    assert export["rows"] > 10000
    ready = wait_until(lambda: (lambda reply: reply if reply.status_code == 200 else None)(
        admin.get(demo.url + export["url"], timeout=30)), seconds=60)
    assert ready.headers["content-type"].startswith("text/csv")
    assert len(ready.text.strip().split("\r\n")) == export["rows"] + 1
    other = session(demo, "staff")
    assert other.get(demo.url + export["url"], timeout=10).status_code in (403, 404)
    refused = admin.get(demo.url + "/api/v1/analytics/export/page_views?format=pdf&days=90", timeout=30)
    assert refused.status_code == 422 and "csv" in refused.text


def test_the_weekly_report_reaches_the_admins(demo):
    code, _ = demo.admin("jobs", "run", "weekly_report")
    assert code == 0
    address = demo.passwords["admin"][0]

    def report():
        for name in glob.glob(os.path.join(demo.data_dir, "mail", "*.eml")):
            with open(name, "rb") as handle:
                message = email.message_from_bytes(handle.read(), policy=email.policy.default)
            if message["To"] == address and "weekly report" in message["Subject"]:
                return message
        return None
    message = wait_until(report, seconds=60)
    body = message.get_body(("plain",)).get_content()
    assert "• " in body and "of users were active in the last 7 days." in body
    assert "New users:" in body and "/admin" in body


def test_the_training_job_stores_a_model_and_predictions(demo):
    code, _ = demo.admin("jobs", "run", "ml_training")
    assert code == 0
    admin = session(demo)
    models = wait_until(lambda: admin.get(demo.url + "/api/v1/analytics/models", timeout=10).json()["items"], seconds=60)
    assert models[0]["name"] == "student_churn_predictor" and models[0]["training_rows"] >= 50
    assert models[0]["auc"] is None or 0 <= models[0]["auc"] <= 1
    page = admin.get(demo.url + "/api/v1/analytics/churn?risk_level=high&limit=5", timeout=10).json()
    assert all(item["risk_level"] == "high" and item["method"] == "model" for item in page["items"])
    student = session(demo, "student")
    assert student.get(demo.url + "/api/v1/analytics/churn", timeout=10).status_code == 403


def test_screens_of_other_clients_are_tracked(demo):
    reply = requests.post(demo.url + "/api/v1/analytics/track", json={"page_name": "mobile.scholarships.view", "object_id": 4},
                          timeout=10)
    assert reply.status_code == 204
    assert requests.post(demo.url + "/api/v1/analytics/track", json={"page_name": "/scholarships/4"},
                         timeout=10).status_code == 422
