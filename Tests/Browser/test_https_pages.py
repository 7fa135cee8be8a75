"""The browser harness once over HTTPS: psc serves its own certificate (from a private CA made by the test), Chromium
signs in by the form, the session cookie is `__Host-psc_session` and Secure, pages arrive over HTTP/2, and they are
axe clean."""
import os
import urllib.parse

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from conftest import demo_server, make_test_pki
from test_account_pages import wait_for
from test_pages import serious_violations


@pytest.fixture(scope="module")
def secure_demo(tmp_path_factory):
    pki = make_test_pki(tmp_path_factory.mktemp("pki"))
    running = demo_server({"PSC_HTTP_TLS_CERTIFICATE_FILE": str(pki / "one.pem"), "PSC_HTTP_TLS_KEY_FILE": str(pki / "one.key")})
    yield running
    running.stop()


@pytest.fixture(scope="module")
def secure_browser():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    # The test's CA is not in the system store; Chromium is told to accept the certificate instead.
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                     "--ignore-certificate-errors"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
    yield driver
    driver.quit()


def test_a_member_signs_in_over_https_and_http2(secure_demo, secure_browser):
    assert secure_demo.url.startswith("https://")
    address, password = secure_demo.passwords["student"]
    secure_browser.get(secure_demo.url + "/login?next=/scholarships")
    secure_browser.find_element(By.ID, "login-email").send_keys(address)
    secure_browser.find_element(By.ID, "login-password").send_keys(password)
    secure_browser.find_element(By.CSS_SELECTOR, "main form button[type='submit']").click()
    wait_for(secure_browser, lambda driver: urllib.parse.urlparse(driver.current_url).path == "/scholarships")
    cookie = secure_browser.get_cookie("__Host-psc_session")
    assert cookie and cookie["secure"] and cookie["httpOnly"]
    protocol = secure_browser.execute_script("return performance.getEntriesByType('navigation')[0].nextHopProtocol")
    assert protocol == "h2"
    assert serious_violations(secure_browser) == []
