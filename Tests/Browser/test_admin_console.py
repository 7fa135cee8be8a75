"""The admin console in a real browser on the demo campus: every admin page is axe clean; an admin suspends a member,
whose open session then ends; an admin creates a flag at 50% by keyboard and finds it listed, switches it, and reads
an A/B test's results with its chart and table; a member gets 403 on every admin page."""
import urllib.parse

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.keys import Keys

from conftest import demo_server
from test_account_pages import violations, wait_for
from test_pages import browser  # noqa: F401  (the shared browser fixture)
from test_scholarship_pages import api, main_text, sign_in

ADMIN_PAGES = ["/admin", "/admin?days=7", "/admin/analytics", "/admin/users", "/admin/feature-flags", "/admin/feature-flags?tab=tests", "/admin/jobs",
               "/admin/audit", "/admin/health", "/admin/moderation"]


@pytest.fixture(scope="module")
def demo():
    running = demo_server()
    yield running
    running.stop()


def switch_state(driver, flag):
    """The flag's switch state, or None while the page reloads."""
    try:
        return driver.find_element(By.CSS_SELECTOR, f"#flag-{flag} button[role='switch']").get_attribute("aria-checked")
    except (StaleElementReferenceException, NoSuchElementException, WebDriverException):
        return None


def test_every_admin_page_draws_and_is_axe_clean(demo, browser):
    sign_in(demo, browser, "admin")
    for page in ADMIN_PAGES:
        browser.get(demo.url + page)
        assert browser.find_element(By.TAG_NAME, "h1").text, page
        assert "Sorry, something went wrong" not in main_text(browser), page
        assert violations(browser) == [], page
    # The navbar's Admin panel opens the console.
    admin_menu = browser.find_element(By.XPATH, "//header//summary[normalize-space()='Admin']")
    admin_menu.click()
    assert browser.find_element(By.XPATH, "//header//a[normalize-space()='Feature flags']").is_displayed()


def test_a_member_is_refused_every_admin_page(demo):
    member = api(demo, "student")
    for page in ADMIN_PAGES:
        assert member.get(demo.url + page, timeout=10).status_code == 403, page
    assert member.get(demo.url + "/api/v1/admin/users", timeout=10).status_code == 403


def test_an_admin_suspends_a_member_whose_session_then_ends(demo, browser):
    staff = api(demo, "staff")
    assert staff.get(demo.url + "/api/v1/users/me", timeout=10).status_code == 200
    staff_id = staff.get(demo.url + "/api/v1/users/me", timeout=10).json()["id"]
    sign_in(demo, browser, "admin")
    browser.get(demo.url + "/admin/users?q=" + urllib.parse.quote(demo.passwords["staff"][0]))
    browser.find_element(By.CSS_SELECTOR, f"a[href='/admin/users/{staff_id}']").click()
    wait_for(browser, lambda driver: urllib.parse.urlparse(driver.current_url).path == f"/admin/users/{staff_id}")
    reason = browser.find_element(By.ID, "suspend-reason")
    reason.send_keys("Shared their password with a vendor")
    browser.find_element(By.XPATH, "//button[starts-with(normalize-space(), 'Suspend')]").click()
    wait_for(browser, lambda driver: "Reactivate" in main_text(driver))
    assert "Suspended" in main_text(browser)
    assert violations(browser) == []
    assert staff.get(demo.url + "/api/v1/users/me", timeout=10).status_code == 401, "the open session ended"
    # Reactivated, the person signs in again.
    browser.find_element(By.ID, "reactivate-reason").send_keys("Password changed, vendor removed")
    browser.find_element(By.XPATH, "//button[starts-with(normalize-space(), 'Reactivate')]").click()
    wait_for(browser, lambda driver: "Suspend " in main_text(driver))
    again = api(demo, "staff")
    assert again.get(demo.url + "/api/v1/users/me", timeout=10).status_code == 200


def test_an_admin_creates_a_flag_at_half_and_finds_it_listed(demo, browser):
    sign_in(demo, browser, "admin")
    browser.get(demo.url + "/admin/feature-flags")
    browser.find_element(By.LINK_TEXT, "Create flag").send_keys(Keys.ENTER)
    name = browser.find_element(By.ID, "new-name")
    name.send_keys("campus_map")
    name.send_keys(Keys.TAB)
    browser.switch_to.active_element.send_keys("The new interactive campus map")
    enabled = browser.find_element(By.XPATH, "//form[@data-api='/api/v1/feature-flags']//input[@name='enabled']")
    enabled.send_keys(Keys.SPACE)
    rollout = browser.find_element(By.ID, "new-rollout")
    rollout.clear()
    rollout.send_keys("50")
    rollout.send_keys(Keys.ENTER)
    wait_for(browser, lambda driver: driver.find_elements(By.ID, "flag-campus_map"))
    row = browser.find_element(By.ID, "flag-campus_map").text
    assert "50%" in row and "The new interactive campus map" in row
    # The search finds it by its description, and the URL keeps the filter.
    search = browser.find_element(By.ID, "flag-q")
    search.send_keys("interactive")
    search.send_keys(Keys.ENTER)
    wait_for(browser, lambda driver: "q=interactive" in driver.current_url)
    assert [row.get_attribute("id") for row in browser.find_elements(By.CSS_SELECTOR, "tbody tr")] == ["flag-campus_map"]
    assert violations(browser) == []
    # The switch turns it off at once; the API agrees.
    switch = browser.find_element(By.CSS_SELECTOR, "#flag-campus_map button[role='switch']")
    assert switch.get_attribute("aria-checked") == "true"
    switch.click()
    wait_for(browser, lambda driver: switch_state(driver, "campus_map") == "false")
    check = requests.get(demo.url + "/api/v1/feature-flags/check/campus_map", timeout=10).json()
    assert check == {"flag": "campus_map", "enabled": False, "reason": "disabled"}


def test_an_admin_reads_a_tests_results_with_chart_and_table(demo, browser):
    admin = api(demo, "admin")
    created = admin.post(demo.url + "/api/v1/ab-tests", json={
        "name": "apply_wording", "description": "Apply button wording", "variant_a": {"label": "Apply"},
        "variant_b": {"label": "Apply now"}}, timeout=10)
    assert created.status_code == 201, created.text
    test_id = created.json()["id"]
    assert admin.post(demo.url + f"/api/v1/ab-tests/{test_id}/start", timeout=10).status_code == 200
    for role in ("student", "alumni", "faculty"):
        member = api(demo, role)
        assert member.get(demo.url + f"/api/v1/ab-tests/{test_id}/variant", timeout=10).status_code == 200
        assert member.post(demo.url + f"/api/v1/ab-tests/{test_id}/convert", json={}, timeout=10).json() == {"recorded": True}
    sign_in(demo, browser, "admin")
    browser.get(demo.url + "/admin/feature-flags?tab=tests")
    browser.find_element(By.PARTIAL_LINK_TEXT, "Results").click()
    wait_for(browser, lambda driver: "results=" in driver.current_url)
    chart = browser.find_element(By.CSS_SELECTOR, "figure.chart svg[role='img']")
    assert "Conversion rate by variant" in chart.find_element(By.TAG_NAME, "title").get_attribute("textContent")
    table = browser.find_element(By.CSS_SELECTOR, "figure.chart table").text
    assert "Participants" in table and "Rate" in table
    assert "At least 30 participants per variant" in main_text(browser)
    assert violations(browser) == []
