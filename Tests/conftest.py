"""Shared pytest fixtures: the built psc binary, started on a free port with a temporary data directory."""
import email
import email.policy
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, ".build", "debug")


class Server:
    def __init__(self, extra_env=None, demo=False):
        self.data_dir = tempfile.mkdtemp(prefix="psc-pytest-")
        self.log_path = self.data_dir + ".log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("PSC_")}
        env.update(extra_env or {})
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [os.path.join(BIN, "psc"), "serve", "--data-dir", self.data_dir, "--host", "127.0.0.1", "--port", "0",
             *([] if demo else ["--no-demo"])],
            stdout=self.log, stderr=subprocess.STDOUT, env=env,
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            with open(self.log_path) as handle:
                match = re.search(r"is listening on (https?)://127\.0\.0\.1:(\d+)/", handle.read())
            if match:
                self.port = int(match.group(2))
                self.url = f"{match.group(1)}://127.0.0.1:{self.port}"
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError("psc serve did not start:\n" + open(self.log_path).read())

    def get(self, path):
        with urllib.request.urlopen(self.url + path, timeout=10) as response:
            return response.status, response.read().decode()

    def post_json(self, path, body, headers=None):
        """POSTs JSON and returns (status, parsed body or None); error statuses are returned, not raised."""
        request = urllib.request.Request(
            self.url + path, data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                text = response.read().decode()
                return response.status, json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            text = error.read().decode()
            return error.code, json.loads(text) if text else None

    def mailed_link(self, path, address):
        """The site path of the newest-found link with `path` in a message to `address` in the development mail
        folder, waiting for the background job to write it."""
        deadline = time.time() + 20
        while time.time() < deadline:
            for name in sorted(glob.glob(os.path.join(self.data_dir, "mail", "*.eml"))):
                with open(name, "rb") as handle:
                    message = email.message_from_bytes(handle.read(), policy=email.policy.default)
                if message["To"] != address:
                    continue
                match = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"\S+)", message.get_body(("plain",)).get_content())
                if match:
                    return match.group(1)
            time.sleep(0.1)
        raise AssertionError(f"no mail with {path} for {address}")

    def register_verified(self, address, password, first="Pat", last="Lane"):
        """Registers a student and follows the emailed verification link, as a new user would."""
        status, _ = self.post_json("/api/v1/auth/register", {
            "email": address, "password": password, "first_name": first, "last_name": last, "accept_terms": True})
        assert status == 201
        token = self.mailed_link("/verify-email/", address).rsplit("/", 1)[1]
        assert self.post_json("/api/v1/auth/verify-email", {"token": token})[0] == 200

    def admin(self, *args):
        """Runs psc-admin --json against this server and returns the parsed reply."""
        result = subprocess.run(
            [os.path.join(BIN, "psc-admin"), "--socket", os.path.join(self.data_dir, "admin.sock"), "--json", *args],
            capture_output=True, text=True, timeout=30,
        )
        return result.returncode, json.loads(result.stdout) if result.stdout.strip() else None

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)
        self.log.close()
        shutil.rmtree(self.data_dir, ignore_errors=True)
        os.remove(self.log_path)


DEMO_ROLES = ["student", "alumni", "faculty", "staff", "employer", "admin"]


def api_session(server, role):
    """A requests session signed in as the demo account of `role`, with its CSRF header."""
    import requests
    session = requests.Session()
    address, password = server.passwords[role]
    reply = session.post(server.url + "/api/v1/auth/login", json={"email": address, "password": password}, timeout=10)
    assert reply.status_code == 200, reply.text
    session.headers["X-CSRF-Token"] = reply.json()["csrf_token"]
    return session


def demo_server(extra_env=None):
    """A server with the demo campus, no rate limits and no second factor required of admins; `.passwords` maps each
    demo role to its address and the password printed once on the new database's first start."""
    running = Server({"PSC_RATE_LIMITS_ENABLED": "false", "PSC_SECURITY_REQUIRE_2FA_FOR_ADMINS": "false", **(extra_env or {})},
                     demo=True)
    deadline = time.time() + 30
    passwords = {}
    while time.time() < deadline and len(passwords) < len(DEMO_ROLES):
        lines = re.findall(r"^\s+(\w+)\s+(\S+@\S+)\s+(\S+)$", open(running.log_path).read(), re.M)
        passwords = {role: (address, password) for role, address, password in lines}
        time.sleep(0.1)
    running.passwords = passwords
    return running


@pytest.fixture(scope="session")
def server():
    if not os.path.exists(os.path.join(BIN, "psc")):
        pytest.fail("build first: swift build (the test command does this)")
    # One server serves every test module, which between them register, verify and sign in more people than the
    # per-IP limits of AUTH-1 (5/h), AUTH-2 (10/h) and AUTH-4 (10/min) allow from one address; per-route limits are
    # tested in RateLimitHTTPTests.
    running = Server({"PSC_RATE_LIMITS_AUTH_1": "none", "PSC_RATE_LIMITS_AUTH_2": "none", "PSC_RATE_LIMITS_AUTH_4": "none"})
    yield running
    running.stop()


def make_test_pki(folder):
    """A private CA (ca.pem) and two server certificates for localhost and 127.0.0.1 (one.pem/one.key with serial
    1001, two.pem/two.key with 2002), made with openssl in `folder`."""
    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3", "-subj", "/CN=PSC Test CA",
            "-keyout", "ca.key", "-out", "ca.pem")
    with open(os.path.join(folder, "san.ext"), "w") as handle:
        handle.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    for name, serial in (("one", "1001"), ("two", "2002")):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", f"{name}.key", "-out", f"{name}.csr")
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", serial,
                "-days", "30", "-extfile", "san.ext", "-out", f"{name}.pem")
    return folder


def wait_until(condition, seconds=20, interval=0.1):
    """`condition()`'s first truthy value, asked every `interval` seconds; AssertionError after `seconds`."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out")
