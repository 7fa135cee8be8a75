"""Pages in a real browser: headless Chromium through Selenium, with axe-core for accessibility."""
import os

import pytest
from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
    yield driver
    driver.quit()


def serious_violations(driver):
    # axe reads every node: the API's documentation page has thousands, more than 30 s' worth on a busy 2-core machine.
    driver.set_script_timeout(180)
    axe = Axe(driver)
    axe.inject()
    results = axe.run()
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_home_page_lists_departments_with_landmarks(server, browser):
    browser.get(server.url + "/")
    assert browser.title == "Home · PittState Connect"
    assert browser.find_element(By.TAG_NAME, "h1").text == "PittState Connect"
    assert browser.find_elements(By.CSS_SELECTOR, "header nav[aria-label='Main']")
    assert browser.find_elements(By.CSS_SELECTOR, "form[role='search'] input[type='search']")
    assert browser.find_elements(By.CSS_SELECTOR, "main#main")
    assert browser.find_elements(By.TAG_NAME, "footer")
    assert "Kelce College of Business" in browser.page_source
    links = browser.find_elements(By.CSS_SELECTOR, ".department-list a")
    assert len(links) >= 20
    links[0].click()
    WebDriverWait(browser, 5).until(expected_conditions.url_contains("/departments/"))
    assert browser.find_element(By.TAG_NAME, "h1").text


def test_skip_link_is_first_and_moves_focus(server, browser):
    browser.get(server.url + "/")
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys("\t")
    focused = browser.switch_to.active_element
    assert focused.text == "Skip to main content"
    focused.send_keys("\n")
    assert browser.execute_script("return location.hash") == "#main"


def test_not_found_page_is_branded(server, browser):
    browser.get(server.url + "/no-such-page")
    assert browser.title == "Page not found · PittState Connect"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Page not found"
    assert browser.find_elements(By.CSS_SELECTOR, "#error-search")


def test_dark_mode_toggle_is_kept_after_reload(server, browser):
    browser.get(server.url + "/")
    browser.delete_all_cookies()
    browser.get(server.url + "/")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("data-theme") == "system"
    browser.find_element(By.CSS_SELECTOR, "[data-theme-choice='dark']").click()
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("data-theme") == "dark"
    background = browser.execute_script("return getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(18, 18, 18)"
    browser.refresh()
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("data-theme") == "dark"
    assert browser.find_element(By.CSS_SELECTOR, "[data-theme-choice='dark']").get_attribute("aria-pressed") == "true"
    browser.find_element(By.CSS_SELECTOR, "[data-theme-choice='light']").click()
    browser.refresh()
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("data-theme") == "light"


def test_no_content_security_policy_violations(server, browser):
    browser.get(server.url + "/")
    errors = [entry for entry in browser.get_log("browser") if "Content Security Policy" in entry.get("message", "")]
    assert errors == []


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("path", ["/", "/no-such-page", "/departments/1", "/search?q=technology", "/api/docs"])
def test_axe_finds_no_serious_violations(server, browser, theme, path):
    browser.get(server.url + "/")
    browser.add_cookie({"name": "psc_theme", "value": theme, "path": "/"})
    browser.get(server.url + path)
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("data-theme") == theme
    assert serious_violations(browser) == []


def test_api_reference_fits_a_phone(server, browser):
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    try:
        browser.get(server.url + "/api/docs")
        assert browser.find_element(By.TAG_NAME, "h1").text == "API reference"
        assert len(browser.find_elements(By.CSS_SELECTOR, ".api-operation")) >= 100
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 390, "nothing wider than the phone"
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
