"""Email through a real SMTP server: aiosmtpd on loopback with STARTTLS required and AUTH, as a campus relay would
be. The verification and reset mails are read as the relay received them, and their links are used."""
import email
import email.policy
import os
import re
import socket
import ssl
import subprocess
import tempfile
import time

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from conftest import Server


class Inbox:
    def __init__(self):
        self.messages = []
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos), session.ssl is not None))
        self.messages.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
        return "250 OK"

    def wait(self, count, seconds=20):
        deadline = time.time() + seconds
        while len(self.messages) < count and time.time() < deadline:
            time.sleep(0.05)
        assert len(self.messages) >= count, f"expected {count} messages, got {len(self.messages)}"
        return self.messages[count - 1]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def certificate():
    directory = tempfile.mkdtemp(prefix="psc-smtp-")
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost", "-keyout", key, "-out", cert],
        check=True, capture_output=True,
    )
    return cert, key


def start_relay(inbox, certificate=None, credentials=None):
    context = None
    if certificate:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*certificate)

    def authenticate(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=credentials is not None and (auth_data.login.decode(), auth_data.password.decode()) == credentials)

    controller = Controller(
        inbox, hostname="127.0.0.1", port=free_port(), tls_context=context, require_starttls=context is not None,
        authenticator=authenticate if credentials else None, auth_required=credentials is not None,
        auth_require_tls=True,
    )
    controller.start()
    return controller


def body_text(message, subtype):
    return message.get_body(preferencelist=(subtype,)).get_content()


def test_verification_and_reset_mail_over_starttls_with_auth(certificate):
    inbox = Inbox()
    relay = start_relay(inbox, certificate, credentials=("psc-relay", "relay secret"))
    secret = tempfile.NamedTemporaryFile("w", delete=False)
    secret.write("relay secret\n")
    secret.close()
    os.chmod(secret.name, 0o600)
    server = Server({
        "PSC_MAIL_TRANSPORT": "smtp", "PSC_MAIL_SMTP_HOST": "localhost", "PSC_MAIL_SMTP_PORT": str(relay.port),
        "PSC_MAIL_STARTTLS": "required", "PSC_MAIL_USERNAME": "psc-relay", "PSC_MAIL_PASSWORD_FILE": secret.name,
        "PSC_MAIL_CA_FILE": certificate[0], "PSC_MAIL_FROM": "PittState Connect <no-reply@pittstate.edu>",
    })
    try:
        address = "taylor.reed@gus.pittstate.edu"
        status, _ = server.post_json("/api/v1/auth/register", {
            "email": address, "password": "correct horse battery staple", "first_name": "Taylor", "last_name": "Reed",
            "accept_terms": True,
        })
        assert status == 201
        verification = inbox.wait(1)
        assert inbox.envelopes[0] == ("no-reply@pittstate.edu", [address], True), "sent after STARTTLS"
        assert verification["From"] == "PittState Connect <no-reply@pittstate.edu>"
        assert verification["To"] == address
        assert verification["Subject"] == "Confirm your email for PittState Connect"
        assert re.fullmatch(r"<[A-Za-z0-9_-]+@pittstate\.edu>", verification["Message-ID"])
        assert verification.get_content_type() == "multipart/alternative"
        html = body_text(verification, "html")
        assert "#A50021" in html and "#FFD100" in html and "Confirm my email</a>" in html
        # Every link in an email is absolute: a mail client has no page to resolve a relative one against.
        assert all(href.startswith("http") for href in re.findall(r'href="([^"]*)"', html)), html
        token = re.search(r"/verify-email/(\S+)", body_text(verification, "plain")).group(1)
        assert server.post_json("/api/v1/auth/verify-email", {"token": token})[0] == 200

        assert server.post_json("/api/v1/auth/password/forgot", {"email": address})[0] == 202
        reset = inbox.wait(2)
        assert reset["Subject"] == "Reset your PittState Connect password"
        link = re.search(r"(http://\S+/reset-password/(\S+))", body_text(reset, "plain"))
        assert link.group(1).startswith(server.url), "the link points at the site"
        status, _ = server.post_json("/api/v1/auth/password/reset", {"token": link.group(2), "new_password": "a fresh passphrase"})
        assert status == 200
        status, body = server.post_json("/api/v1/auth/login", {"email": address, "password": "a fresh passphrase"})
        assert status == 200 and body["user"]["email"] == address
        alert = inbox.wait(3)
        assert alert["Subject"] == "Security alert"
    finally:
        server.stop()
        relay.stop()
        os.remove(secret.name)


def test_required_starttls_never_falls_back_to_plaintext():
    inbox = Inbox()
    relay = start_relay(inbox)  # no TLS offered
    server = Server({
        "PSC_MAIL_TRANSPORT": "smtp", "PSC_MAIL_SMTP_HOST": "127.0.0.1", "PSC_MAIL_SMTP_PORT": str(relay.port),
        "PSC_MAIL_STARTTLS": "required",
    })
    try:
        status, _ = server.post_json("/api/v1/auth/register", {
            "email": "plain.text@gus.pittstate.edu", "password": "correct horse battery staple", "first_name": "P",
            "last_name": "T", "accept_terms": True,
        })
        assert status == 201
        deadline = time.time() + 20
        error = None
        while time.time() < deadline and not error:
            _, reply = server.admin("jobs", "list", "--kind", "notification.deliver")
            jobs = (reply or {}).get("result", {}).get("jobs", [])
            error = next((job.get("last_error") for job in jobs if job.get("last_error")), None)
            time.sleep(0.1)
        assert error and "STARTTLS" in error
        assert inbox.messages == [], "nothing was sent in plaintext"
    finally:
        server.stop()
        relay.stop()


def test_starttls_off_is_refused_for_a_remote_relay():
    with pytest.raises(RuntimeError, match="mail.starttls"):
        Server({"PSC_MAIL_TRANSPORT": "smtp", "PSC_MAIL_SMTP_HOST": "relay.example.edu", "PSC_MAIL_STARTTLS": "off"})


def test_sendmail_transport_pipes_the_message_with_t_and_i():
    directory = tempfile.mkdtemp(prefix="psc-sendmail-")
    script = os.path.join(directory, "sendmail")
    with open(script, "w") as handle:
        handle.write(f'#!/bin/sh\necho "$@" > {directory}/args\ncat > {directory}/message\n')
    os.chmod(script, 0o755)
    server = Server({"PSC_MAIL_TRANSPORT": "sendmail", "PSC_MAIL_SENDMAIL_PATH": script})
    try:
        status, _ = server.post_json("/api/v1/auth/register", {
            "email": "sam.piper@gus.pittstate.edu", "password": "correct horse battery staple", "first_name": "Sam",
            "last_name": "Piper", "accept_terms": True,
        })
        assert status == 201
        deadline = time.time() + 20
        while time.time() < deadline and not os.path.exists(os.path.join(directory, "message")):
            time.sleep(0.05)
        time.sleep(0.2)
        assert open(os.path.join(directory, "args")).read().split() == ["-t", "-i"]
        message = email.message_from_bytes(open(os.path.join(directory, "message"), "rb").read(), policy=email.policy.default)
        assert message["To"] == "sam.piper@gus.pittstate.edu"
        assert "/verify-email/" in body_text(message, "plain")
    finally:
        server.stop()
