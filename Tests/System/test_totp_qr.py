"""The TOTP enrolment QR code read back by a real QR decoder (zxing-cpp), as an authenticator app would scan it."""
import base64
import glob
import http.cookiejar
import io
import json
import os
import re
import time
import urllib.request

import zxingcpp
from PIL import Image


def test_the_qr_code_of_sec_2_scans_as_the_otpauth_uri(server):
    address, password = "quinn.ray@gus.pittstate.edu", "amber falcon river 9"
    status, _ = server.post_json("/api/v1/auth/register", {
        "email": address, "password": password, "first_name": "Quinn", "last_name": "Ray", "accept_terms": True})
    assert status == 201
    token = None
    deadline = time.time() + 20
    while token is None and time.time() < deadline:
        for name in glob.glob(os.path.join(server.data_dir, "mail", "*.eml")):
            text = open(name, "rb").read().decode("ascii", "replace")
            if f"To: {address}" in text:
                body = base64.b64decode("".join(text.split("\r\n\r\n")[2].split("\r\n--")[0].split()))
                token = re.search(rb"/verify-email/(\S+)", body).group(1).decode()
        time.sleep(0.1)
    assert server.post_json("/api/v1/auth/verify-email", {"token": token})[0] == 200

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def post(path, body, headers=None):
        request = urllib.request.Request(server.url + path, data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json", **(headers or {})})
        with opener.open(request, timeout=10) as response:
            return json.loads(response.read())

    signed_in = post("/api/v1/auth/login", {"email": address, "password": password})
    enabled = post("/api/v1/security/2fa/enable", {}, {"X-CSRF-Token": signed_in["csrf_token"]})
    image = Image.open(io.BytesIO(base64.b64decode(enabled["qr_code"])))
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1
    assert results[0].text == enabled["otpauth_uri"]
    assert f"secret={enabled['secret']}" in results[0].text
    assert "<svg" in enabled["qr_code_svg"]
