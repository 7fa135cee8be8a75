"""The hub's outbound channels against local servers speaking the providers' protocols: SMS in the Twilio Messages
shape (with the texted code verifying a phone), push in the FCM HTTP v1 shape (an RS256-signed service-account grant,
an UNREGISTERED token deactivating its device), and email through an SMTP relay that is down and then back up
(exactly one delivery: none lost, none doubled)."""
import base64
import json
import os
import re
import subprocess
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from conftest import Server, wait_until
from test_mail import Inbox, free_port, start_relay

PASSWORD = "correct horse battery staple"


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Providers:
    """Twilio's Messages endpoint, Google's OAuth token endpoint and FCM's messages:send, on one loopback port."""

    def __init__(self, public_key):
        self.sms, self.pushes, self.tokens_granted = [], [], 0
        providers = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path == "/2010-04-01/Accounts/AC0123456789/Messages.json":
                    expected = "Basic " + base64.b64encode(b"AC0123456789:twilio_test_token").decode()
                    if self.headers.get("Authorization") != expected:
                        return self.answer(401, {"code": 20003, "message": "Authenticate"})
                    form = dict(urllib.parse.parse_qsl(body.decode()))
                    providers.sms.append(form)
                    return self.answer(201, {"sid": f"SM{len(providers.sms):032d}", "status": "queued"})
                if self.path == "/token":
                    form = dict(urllib.parse.parse_qsl(body.decode()))
                    header, claims, signature = form["assertion"].split(".")
                    public_key.verify(b64url_decode(signature), f"{header}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256())
                    claims = json.loads(b64url_decode(claims))
                    assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
                    assert claims["scope"] == "https://www.googleapis.com/auth/firebase.messaging"
                    providers.tokens_granted += 1
                    return self.answer(200, {"access_token": "ya29.local-test", "expires_in": 3600, "token_type": "Bearer"})
                if self.path == "/v1/projects/psc-test/messages:send":
                    if self.headers.get("Authorization") != "Bearer ya29.local-test":
                        return self.answer(401, {"error": {"status": "UNAUTHENTICATED"}})
                    message = json.loads(body)["message"]
                    providers.pushes.append(message)
                    if message["token"] == "gone-device-token":
                        return self.answer(404, {"error": {"code": 404, "status": "NOT_FOUND", "details": [
                            {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "UNREGISTERED"}]}})
                    return self.answer(200, {"name": f"projects/psc-test/messages/{len(providers.pushes)}"})
                self.answer(404, {"error": "unknown path " + self.path})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


wait = wait_until


def secret_file(directory, name, text):
    path = os.path.join(directory, name)
    with open(path, "w") as handle:
        handle.write(text)
    os.chmod(path, 0o600)
    return path


def signed_in(server, address):
    session = requests.Session()
    reply = session.post(server.url + "/api/v1/auth/login", json={"email": address, "password": PASSWORD}, timeout=10)
    assert reply.status_code == 200, reply.text
    session.headers["X-CSRF-Token"] = reply.json()["csrf_token"]
    return session


def test_sms_and_push_reach_local_providers_and_an_unregistered_token_is_deactivated():
    directory = tempfile.mkdtemp(prefix="psc-providers-")
    key_path = os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key_path],
                   check=True, capture_output=True)
    private_pem = open(key_path).read()
    public_key = serialization.load_pem_private_key(private_pem.encode(), password=None).public_key()
    providers = Providers(public_key)
    account = secret_file(directory, "service-account.json", json.dumps({
        "type": "service_account", "client_email": "psc@psc-test.iam.gserviceaccount.com", "private_key": private_pem,
        "token_uri": providers.url + "/token"}))
    server = Server({
        "PSC_TWILIO_API_BASE": providers.url, "PSC_TWILIO_ACCOUNT_SID": "AC0123456789",
        "PSC_TWILIO_AUTH_TOKEN_FILE": secret_file(directory, "twilio-token", "twilio_test_token\n"),
        "PSC_TWILIO_FROM_NUMBER": "+16205550100", "PSC_FCM_API_BASE": providers.url, "PSC_FCM_PROJECT_ID": "psc-test",
        "PSC_FCM_SERVICE_ACCOUNT_FILE": account, "PSC_RATE_LIMITS_ENABLED": "false",
    })
    try:
        reader, friend = "pia.phone@gus.pittstate.edu", "finn.friend@gus.pittstate.edu"
        server.register_verified(reader, PASSWORD, first="Pia", last="Phone")
        server.register_verified(friend, PASSWORD, first="Finn", last="Friend")
        pia, finn = signed_in(server, reader), signed_in(server, friend)

        # The phone is verified with the code the SMS provider received.
        assert pia.post(server.url + "/api/v1/users/me/phone", json={"phone": "555-0142"}).status_code == 422
        assert pia.post(server.url + "/api/v1/users/me/phone", json={"phone": "(620) 555-0142"}).status_code == 202
        text = wait(lambda: providers.sms and providers.sms[-1])
        assert text["To"] == "+16205550142" and text["From"] == "+16205550100"
        code = re.search(r"\b(\d{6})\b", text["Body"]).group(1)
        wrong = "000000" if code != "000000" else "111111"
        assert pia.post(server.url + "/api/v1/users/me/phone/verify", json={"code": wrong}).status_code == 401
        verified = pia.post(server.url + "/api/v1/users/me/phone/verify", json={"code": code})
        assert verified.status_code == 200 and verified.json()["phone_verified"] is True
        preferences = pia.get(server.url + "/api/v1/notifications/preferences").json()
        assert preferences["phone_verified"] is True and preferences["phone"].endswith("0142")

        # The same by the page's plain forms, as Finn: a code texted, a wrong one refused, the right one verifies,
        # then consent to texts is given on the page.
        csrf = finn.headers["X-CSRF-Token"]
        page = finn.get(server.url + "/settings/devices")
        assert page.status_code == 200 and 'action="/settings/devices/phone"' in page.text
        texted = len(providers.sms)
        sent = finn.post(server.url + "/settings/devices/phone", data={"_csrf": csrf, "phone": "620.555.0177"}, allow_redirects=False)
        assert sent.status_code in (302, 303) and sent.headers["Location"] == "/settings/devices?sent=1"
        code = re.search(r"\b(\d{6})\b", wait(lambda: len(providers.sms) > texted and providers.sms[-1])["Body"]).group(1)
        wrong = finn.post(server.url + "/settings/devices/phone/verify", data={"_csrf": csrf, "code": "000000" if code != "000000" else "111111"})
        assert wrong.status_code == 422 and "tries left" in wrong.text
        right = finn.post(server.url + "/settings/devices/phone/verify", data={"_csrf": csrf, "code": code}, allow_redirects=False)
        assert right.headers["Location"] == "/settings/devices?verified=1"
        assert finn.post(server.url + "/settings/devices/sms-consent", data={"_csrf": csrf, "granted": "1"}).status_code == 200
        assert finn.get(server.url + "/api/v1/security/consent").json()["consents"]["sms"]["granted"] is True
        assert "verified." in finn.get(server.url + "/settings/devices").text

        # A security alert is critical: it texts the verified phone without SMS consent.
        before = len(providers.sms)
        made = pia.post(server.url + "/api/v1/auth/tokens", json={"name": "laptop", "scopes": ["profile:read"]})
        assert made.status_code == 201, made.text
        alert = wait(lambda: len(providers.sms) > before and providers.sms[-1])
        assert "Security alert" in alert["Body"] and alert["To"] == "+16205550142"

        # Push: two devices; FCM says one is gone.
        for token in ("live-device-token", "gone-device-token"):
            assert pia.post(server.url + "/api/v1/users/me/devices", json={"token": token, "platform": "android"}).status_code == 201
        pia_id = pia.get(server.url + "/api/v1/users/me").json()["id"]
        assert finn.post(server.url + "/api/v1/connections", json={"user_id": pia_id}).status_code == 201
        wait(lambda: len(providers.pushes) >= 2)
        sent = {push["token"]: push for push in providers.pushes}
        assert sent["live-device-token"]["data"]["type"] == "new_connection"
        assert sent["live-device-token"]["android"]["priority"] == "HIGH"
        assert providers.tokens_granted == 1, "the access token is reused"
        devices = wait(lambda: [d for d in pia.get(server.url + "/api/v1/users/me/devices").json()["items"] if not d["active"]])
        assert [d["active"] for d in pia.get(server.url + "/api/v1/users/me/devices").json()["items"]].count(True) == 1
        assert len(devices) == 1
        notification = pia.get(server.url + "/api/v1/notifications/list?category=new_connection").json()["notifications"][0]
        records = wait(lambda: [r for r in pia.get(server.url + f"/api/v1/notifications/{notification['id']}/deliveries").json()["items"]
                                if r["channel"] == "push" and r["status"] == "sent"])
        assert records[0]["provider_message_id"].startswith("projects/psc-test/messages/")
        # No SMS consent: a high-priority notice is not texted, and says why.
        sms = [r for r in pia.get(server.url + f"/api/v1/notifications/{notification['id']}/deliveries").json()["items"]
               if r["channel"] == "sms"]
        assert sms == [], "new_connection has no SMS channel"
    finally:
        server.stop()
        providers.server.shutdown()


def test_email_survives_a_relay_that_is_down_then_up_exactly_once():
    port = free_port()
    server = Server({
        "PSC_MAIL_TRANSPORT": "smtp", "PSC_MAIL_SMTP_HOST": "127.0.0.1", "PSC_MAIL_SMTP_PORT": str(port),
        "PSC_MAIL_STARTTLS": "off", "PSC_JOBS_RETRY_BASE_S": "1", "PSC_JOBS_RETRY_CAP_S": "2",
    })
    relay = None
    try:
        status, _ = server.post_json("/api/v1/auth/register", {
            "email": "del.ivery@gus.pittstate.edu", "password": PASSWORD, "first_name": "Del", "last_name": "Ivery",
            "accept_terms": True})
        assert status == 201
        # The relay is down: attempts fail and wait for their retry.
        def failed_attempt():
            _, reply = server.admin("jobs", "list", "--kind", "notification.deliver")
            return any(job.get("last_error") for job in (reply or {}).get("result", {}).get("jobs", []))
        wait(failed_attempt, 15)
        inbox = Inbox()
        from aiosmtpd.controller import Controller
        relay = Controller(inbox, hostname="127.0.0.1", port=port)
        relay.start()
        message = inbox.wait(1, seconds=30)
        assert message["Subject"] == "Confirm your email for PittState Connect"
        time.sleep(4)
        assert len(inbox.messages) == 1, "delivered once, not again by a retry"
    finally:
        server.stop()
        if relay:
            relay.stop()


def read_events(lines, count, seconds=15):
    """The next `count` SSE events from a stream's lines, as (event, id, data) tuples."""
    events, current = [], {}
    deadline = time.time() + seconds
    for line in lines:
        if time.time() > deadline:
            break
        if line == "":
            if "event" in current:
                events.append((current.get("event"), current.get("id"), current.get("data")))
            current = {}
            if len(events) >= count:
                break
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(": ")
        current[field] = value
    return events


def test_the_stream_resumes_after_last_event_id_and_delivers_live():
    server = Server({"PSC_RATE_LIMITS_ENABLED": "false"})
    try:
        reader, writer = "sol.stream@gus.pittstate.edu", "wyn.writer@gus.pittstate.edu"
        server.register_verified(reader, PASSWORD, first="Sol", last="Stream")
        server.register_verified(writer, PASSWORD, first="Wyn", last="Writer")
        sol, wyn = signed_in(server, reader), signed_in(server, writer)
        sol_id = sol.get(server.url + "/api/v1/users/me").json()["id"]
        for subject in ("First", "Second", "Third"):
            assert wyn.post(server.url + "/api/v1/messages/send",
                            json={"recipient_id": sol_id, "subject": subject, "body": subject + " note"}).status_code == 201
        ids = [n["id"] for n in sol.get(server.url + "/api/v1/notifications/list").json()["notifications"]]
        assert len(ids) == 3
        # Resuming after the oldest: the two newer ones come first, oldest first, then the unread count.
        with sol.get(server.url + "/api/v1/notifications/stream", headers={"Last-Event-ID": str(min(ids))}, stream=True,
                     timeout=20) as response:
            assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/event-stream")
            # One byte at a time, so an event is read as soon as it arrives.
            lines = response.iter_lines(chunk_size=1, decode_unicode=True)
            events = read_events(lines, 3)
            assert [(event, int(identifier)) for event, identifier, _ in events[:2]] == [("notification", i) for i in sorted(ids)[1:]]
            assert events[2][0] == "unread_count" and json.loads(events[2][2]) == {"unread_count": 3}
            # A new message while the stream is open arrives at once.
            assert wyn.post(server.url + "/api/v1/messages/send",
                            json={"recipient_id": sol_id, "subject": "Fourth", "body": "Live"}).status_code == 201
            live = read_events(lines, 2)
            assert live[0][0] == "notification" and json.loads(live[0][2])["type"] == "new_message"
            assert json.loads(live[1][2]) == {"unread_count": 4}
        # Ten open streams per person; the eleventh is refused (Wyn has none open yet).
        opened = [wyn.get(server.url + "/api/v1/notifications/stream", stream=True, timeout=20) for _ in range(10)]
        try:
            assert all(response.status_code == 200 for response in opened)
            refused = wyn.get(server.url + "/api/v1/notifications/stream", stream=True, timeout=20)
            assert refused.status_code == 429 and refused.json()["error"] == "rate_limited"
        finally:
            for response in opened:
                response.close()
    finally:
        server.stop()
