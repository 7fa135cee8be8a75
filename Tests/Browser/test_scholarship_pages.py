"""The scholarship hub in a real browser, on the demo campus: a student finds a match with every rule explained and
applies by keyboard alone (checklist, answer, essay with a live word count, submit); the committee's and managers'
pages draw for an admin; every page is axe clean."""
import datetime
import json
import urllib.parse

import pytest
from selenium.webdriver.common.by import By
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.keys import Keys

from conftest import api_session, demo_server
from test_account_pages import violations, wait_for
from test_pages import browser  # noqa: F401  (the shared browser fixture)


@pytest.fixture(scope="module")
def demo():
    running = demo_server()
    yield running
    running.stop()


api = api_session


def sign_in(server, browser, role):
    address, password = server.passwords[role]
    browser.delete_all_cookies()
    browser.get(server.url + "/login?next=/feed")
    browser.find_element(By.ID, "login-email").send_keys(address)
    browser.find_element(By.ID, "login-password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "main form button[type='submit']").click()
    wait_for(browser, lambda driver: urllib.parse.urlparse(driver.current_url).path == "/feed")


def main_text(driver):
    """The page's main text, or "" while a reload replaces it."""
    try:
        return driver.find_element(By.TAG_NAME, "main").text
    except (StaleElementReferenceException, NoSuchElementException, WebDriverException):
        return ""


def press(element):
    """Activates a control from the keyboard: focus it, then Enter."""
    element.send_keys(Keys.NULL)
    element.send_keys(Keys.ENTER)


def test_matches_explain_every_rule_and_link_what_to_fill(demo, browser):
    sign_in(demo, browser, "student")
    browser.get(demo.url + "/scholarships/matches")
    headings = [h.text for h in browser.find_elements(By.CSS_SELECTOR, "main h2")]
    assert any(h.startswith("Eligible (") for h in headings) and any(h.startswith("Needs information (") for h in headings)
    needs = browser.find_elements(By.CSS_SELECTOR, "section[aria-labelledby='needs-heading'] .rule-list li")
    missing = [item for item in needs if "missing —" in item.text]
    assert missing, "the demo student lacks a state of residence, so some rule reads missing"
    link = missing[0].find_element(By.LINK_TEXT, "fill it in").get_attribute("href")
    assert "/settings/profile#" in link or "/applications/general" in link
    assert violations(browser) == []
    browser.get(demo.url + "/scholarships?sort=match")
    assert browser.find_elements(By.CSS_SELECTOR, ".scholarship-card .badge"), "members see their match badges"
    assert violations(browser) == []


def test_a_student_applies_by_keyboard_alone(demo, browser):
    deadline = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    admin = api(demo, "admin")
    made = admin.post(demo.url + "/api/v1/scholarships", json={
        "title": "Four State Rotary Service Award", "description": "For students who serve their community.",
        "amount_cents": 150000, "deadline": deadline, "status": "open", "category": "community",
        "essay_prompts": [{"prompt": "Describe a way you served your community.", "min_words": 5, "max_words": 80}],
        "questions": [{"key": "service_hours", "label": "Hours of service this year"}],
    }, timeout=10)
    assert made.status_code == 201, made.text
    scholarship = made.json()["id"]

    sign_in(demo, browser, "student")
    browser.get(demo.url + f"/scholarships/{scholarship}")
    assert "Every Pittsburg State student and alumnus." in browser.find_element(By.TAG_NAME, "main").text
    assert violations(browser) == []
    press(browser.find_element(By.XPATH, "//button[normalize-space()='Start my application']"))
    wait_for(browser, lambda driver: "/applications/" in driver.current_url)
    application = urllib.parse.urlparse(browser.current_url).path.rsplit("/", 1)[1]
    assert "0 of 2" in browser.find_element(By.TAG_NAME, "main").text
    submit = browser.find_element(By.XPATH, "//button[normalize-space()='Submit my application']")
    assert submit.get_attribute("disabled"), "Submit waits for the checklist"
    assert "Finish the checklist first" in browser.find_element(By.ID, "submit-why").text
    assert violations(browser) == []

    answer = browser.find_element(By.ID, "answer-service_hours")
    answer.send_keys("40")
    press(browser.find_element(By.XPATH, "//button[normalize-space()='Save answers']"))
    wait_for(browser, lambda driver: "1 of 2" in main_text(driver))

    essay = browser.find_element(By.ID, "essay-text-1")
    essay.send_keys("I coached")
    count = browser.find_element(By.ID, "essay-count-1")
    assert "3 more needed" in count.text, count.text
    essay.send_keys(" a youth robotics team in Girard every Saturday.")
    assert "within 5 to 80" in count.text, count.text
    press(browser.find_element(By.XPATH, "//button[normalize-space()='Save essay 1']"))
    wait_for(browser, lambda driver: "2 of 2" in main_text(driver))
    press(browser.find_element(By.XPATH, "//button[normalize-space()='Submit my application']"))
    wait_for(browser, lambda driver: "Status: Submitted" in main_text(driver))
    assert not browser.find_elements(By.XPATH, "//button[normalize-space()='Save essay 1']"), "a submitted application is locked"
    assert violations(browser) == []

    browser.get(demo.url + "/applications")
    row = browser.find_element(By.LINK_TEXT, "Four State Rotary Service Award")
    assert row.get_attribute("href").endswith(f"/applications/{application}")
    assert violations(browser) == []
    # The general application and the essay library draw too.
    for path in ("/applications/general", "/essays"):
        browser.get(demo.url + path)
        assert browser.find_elements(By.TAG_NAME, "h1")
        assert violations(browser) == [], path


def test_the_committee_and_manager_pages_draw_for_an_admin(demo, browser):
    admin = api(demo, "admin")
    listed = admin.get(demo.url + "/api/v1/scholarships?open_only=false&limit=100", timeout=10).json()["items"]
    closed = [item for item in listed if item["status"] == "closed"]
    assert closed, "the demo catalogue has closed scholarships with reviewed applications"
    ranked = []
    for item in closed:
        ranked = admin.get(demo.url + f"/api/v1/scholarships/{item['id']}/applications", timeout=10).json()["items"]
        if ranked:
            break
    assert ranked
    sign_in(demo, browser, "admin")
    application = ranked[0]["application"]
    for path in ("/manage/scholarships", f"/manage/scholarships/{application['scholarship']['id']}",
                 f"/reviews/scholarships/{application['scholarship']['id']}", f"/reviews/{application['id']}"):
        browser.get(demo.url + path)
        assert browser.find_elements(By.TAG_NAME, "h1"), path
        assert violations(browser) == [], path
    # The rules editor round-trips the exported JSON.
    browser.get(demo.url + f"/manage/scholarships/{application['scholarship']['id']}")
    text = browser.find_element(By.ID, "rules-json").get_attribute("value")
    assert "groups" in json.loads(text)
    browser.get(demo.url + "/recommendations/" + "x" * 43)
    assert "Page not found" in browser.find_element(By.TAG_NAME, "h1").text


def test_the_rules_builder_writes_the_json_the_form_sends(demo, browser):
    sign_in(demo, browser, "admin")
    browser.get(demo.url + "/manage/scholarships")
    browser.find_element(By.XPATH, "//summary[normalize-space()='Create a scholarship']").click()
    area = browser.find_element(By.ID, "new-rules")
    form = area.find_element(By.XPATH, "ancestor::form")
    form.find_element(By.XPATH, ".//button[normalize-space()='Add a group of rules']").click()
    assert json.loads(area.get_attribute("value"))["groups"][-1]["rules"][0]["field"] == "major"
    group = form.find_elements(By.CSS_SELECTOR, ".rb-group")[-1]
    value = group.find_elements(By.CSS_SELECTOR, ".rb-rule input")[-1]
    value.send_keys("Nursing, Biology")
    rules = json.loads(area.get_attribute("value"))["groups"][-1]["rules"]
    assert rules[0] == {"field": "major", "op": "in", "value": ["Nursing", "Biology"]}
    assert violations(browser) == []
