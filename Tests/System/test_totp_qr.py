"""The TOTP enrolment QR code read back by a real QR decoder (zxing-cpp), as an authenticator app would scan it."""
import base64
import http.cookiejar
import io
import json
import urllib.request

import zxingcpp
from PIL import Image


def test_the_qr_code_of_sec_2_scans_as_the_otpauth_uri(server):
    address, password = "quinn.ray@gus.pittstate.edu", "amber falcon river 9"
    server.register_verified(address, password, first="Quinn", last="Ray")

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
