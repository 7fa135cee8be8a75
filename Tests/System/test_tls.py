"""HTTPS and HTTP/2 from psc itself, with certificates from a private CA the test makes with openssl: curl negotiates
HTTP/2 and HTTP/1.1 and verifies against the CA; the redirect port answers 308 to the same path on https and serves
certbot's webroot challenges; `psc-admin tls reload` and SIGHUP swap the certificate for new connections while an
open connection keeps its own; a corrupt file is refused and the old certificate keeps serving; bad files and a
production https origin without a certificate or proxy stop start-up with the key named."""
import http.client
import os
import signal
import socket
import ssl
import subprocess
import time

import pytest
import requests

from conftest import BIN, Server, make_test_pki


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_test_pki(tmp_path_factory.mktemp("pki"))


def install(pki, live, name):
    (live / "cert.pem").write_bytes((pki / f"{name}.pem").read_bytes())
    (live / "key.pem").write_bytes((pki / f"{name}.key").read_bytes())


@pytest.fixture(scope="module")
def tls_server(pki, tmp_path_factory):
    live = tmp_path_factory.mktemp("live")
    webroot = tmp_path_factory.mktemp("webroot")
    install(pki, live, "one")
    redirect = free_port()
    running = Server({
        "PSC_HTTP_TLS_CERTIFICATE_FILE": str(live / "cert.pem"), "PSC_HTTP_TLS_KEY_FILE": str(live / "key.pem"),
        "PSC_HTTP_REDIRECT_PORT": str(redirect), "PSC_HTTP_ACME_WEBROOT": str(webroot),
        "PSC_RATE_LIMITS_ENABLED": "false",
    })
    running.live, running.webroot, running.redirect = live, webroot, redirect
    yield running
    running.stop()


def served_serial(server, pki):
    context = ssl.create_default_context(cafile=str(pki / "ca.pem"))
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as wrapped:
            return wrapped.getpeercert()["serialNumber"]


def curl(server, pki, *flags):
    result = subprocess.run(
        ["curl", "-sS", "--cacert", str(pki / "ca.pem"), *flags, "-o", "/dev/null", "-w", "%{http_version} %{http_code}",
         f"https://localhost:{server.port}/api/v1/departments"],
        capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_https_negotiates_http2_and_still_offers_http11(tls_server, pki):
    assert tls_server.url.startswith("https://")
    assert curl(tls_server, pki, "--http2") == "2 200"
    assert curl(tls_server, pki, "--http1.1") == "1.1 200"
    reply = requests.get(f"https://localhost:{tls_server.port}/api/v1/health", verify=str(pki / "ca.pem"), timeout=10)
    assert reply.headers["strict-transport-security"].startswith("max-age=")


def test_the_redirect_port_sends_308_to_https_and_serves_acme_challenges(tls_server):
    base = f"http://127.0.0.1:{tls_server.redirect}"
    reply = requests.get(base + "/scholarships?sort=deadline", allow_redirects=False, timeout=10)
    assert reply.status_code == 308
    assert reply.headers["location"] == f"https://127.0.0.1:{tls_server.port}/scholarships?sort=deadline"
    assert "strict-transport-security" not in reply.headers
    challenges = tls_server.webroot / ".well-known" / "acme-challenge"
    challenges.mkdir(parents=True, exist_ok=True)
    (challenges / "Tok3n_-abc").write_text("Tok3n_-abc.thumbprint")
    served = requests.get(base + "/.well-known/acme-challenge/Tok3n_-abc", allow_redirects=False, timeout=10)
    assert served.status_code == 200 and served.text == "Tok3n_-abc.thumbprint"
    assert requests.get(base + "/.well-known/acme-challenge/missing", timeout=10).status_code == 404
    assert requests.get(base + "/.well-known/acme-challenge/..%2F..%2Fetc%2Fpasswd", timeout=10).status_code == 404


def test_reload_swaps_the_certificate_for_new_connections_and_refuses_a_corrupt_file(tls_server, pki):
    assert served_serial(tls_server, pki) == "03E9"
    context = ssl.create_default_context(cafile=str(pki / "ca.pem"))
    open_connection = http.client.HTTPSConnection("localhost", tls_server.port, context=context, timeout=10)
    open_connection.request("GET", "/api/v1/departments")
    assert open_connection.getresponse().read() and open_connection.sock.getpeercert()["serialNumber"] == "03E9"

    install(pki, tls_server.live, "two")
    code, reply = tls_server.admin("tls", "reload")
    assert code == 0, reply
    assert served_serial(tls_server, pki) == "07D2"
    # The connection opened before the reload goes on with the certificate it shook hands with.
    open_connection.request("GET", "/api/v1/departments")
    assert open_connection.getresponse().status == 200
    assert open_connection.sock.getpeercert()["serialNumber"] == "03E9"
    open_connection.close()

    (tls_server.live / "cert.pem").write_text("-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n")
    code, reply = tls_server.admin("tls", "reload")
    assert code != 0 and "http.tls_certificate_file" in reply["message"], reply
    assert served_serial(tls_server, pki) == "07D2", "the old certificate keeps serving"

    install(pki, tls_server.live, "one")
    tls_server.process.send_signal(signal.SIGHUP)
    deadline = time.time() + 10
    while served_serial(tls_server, pki) != "03E9" and time.time() < deadline:
        time.sleep(0.1)
    assert served_serial(tls_server, pki) == "03E9", "SIGHUP reloads"
    code, state = tls_server.admin("tls", "show")
    assert code == 0 and "PSC Test CA" in state["result"]["issuer"] and state["result"]["days_left"] >= 29


def test_start_up_refuses_bad_files_and_an_https_origin_without_certificate_or_proxy(pki, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PSC_")}
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("nonsense\n")
    serve = subprocess.run(
        [os.path.join(BIN, "psc"), "serve", "--data-dir", str(tmp_path / "data"), "--port", "0", "--no-demo"],
        env={**env, "PSC_HTTP_TLS_CERTIFICATE_FILE": str(garbage), "PSC_HTTP_TLS_KEY_FILE": str(pki / "one.key")},
        capture_output=True, text=True, timeout=60)
    assert serve.returncode != 0 and "http.tls_certificate_file" in serve.stdout + serve.stderr
    mismatched = subprocess.run(
        [os.path.join(BIN, "psc"), "serve", "--data-dir", str(tmp_path / "data2"), "--port", "0", "--no-demo"],
        env={**env, "PSC_HTTP_TLS_CERTIFICATE_FILE": str(pki / "one.pem"), "PSC_HTTP_TLS_KEY_FILE": str(pki / "two.key")},
        capture_output=True, text=True, timeout=60)
    assert mismatched.returncode != 0 and "http.tls_key_file" in mismatched.stdout + mismatched.stderr
    production = {**env, "PSC_ENVIRONMENT": "production", "PSC_HTTP_PUBLIC_ORIGIN": "https://connect.pittstate.edu",
                  "PSC_MAIL_SMTP_HOST": "smtp.pittstate.edu", "PSC_DATA_DIR": str(tmp_path / "data3")}
    checked = subprocess.run([os.path.join(BIN, "psc"), "check"], env=production, capture_output=True, text=True, timeout=60)
    assert "http.trusted_proxies" in checked.stdout + checked.stderr and checked.returncode != 0
    behind_proxy = subprocess.run([os.path.join(BIN, "psc"), "check"], env={**production, "PSC_HTTP_TRUSTED_PROXIES": "127.0.0.1/32"},
                                  capture_output=True, text=True, timeout=60)
    assert "http.trusted_proxies" not in behind_proxy.stdout + behind_proxy.stderr


def test_sighup_on_plain_http_leaves_the_server_running():
    running = Server()
    try:
        running.process.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        assert running.process.poll() is None
        assert running.get("/api/v1/health")[0] == 200
    finally:
        running.stop()
