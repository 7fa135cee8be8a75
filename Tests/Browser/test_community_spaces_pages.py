"""Announcements, forums, webinars and mentorship in a real browser, on the demo campus: a visitor reads the open
forums and global announcements; a student reaches the forums from the navbar by keyboard, starts a thread, votes
(the button reports aria-pressed) and registers for a webinar, after which the join link appears; a student asks a
recommended mentor; an admin writes an announcement and opens the moderation queue. Every page is axe clean."""
import urllib.parse

import pytest
from selenium.webdriver.common.by import By
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

from conftest import demo_server
from test_account_pages import violations, wait_for
from test_pages import browser  # noqa: F401  (the shared browser fixture)
from test_scholarship_pages import api, main_text, press, sign_in


@pytest.fixture(scope="module")
def demo():
    running = demo_server()
    yield running
    running.stop()


def pressed(driver, post):
    """Whether the post's up-vote button reports pressed (False while the page reloads)."""
    try:
        return driver.find_element(
            By.XPATH, f"//li[@id='{post}']//button[.//span[normalize-space()='Vote up']]").get_attribute("aria-pressed") == "true"
    except (StaleElementReferenceException, NoSuchElementException):
        return False


def test_a_visitor_reads_open_forums_and_global_announcements(demo, browser):
    browser.delete_all_cookies()
    browser.get(demo.url + "/forums")
    text = main_text(browser)
    assert "Campus life" in text and "Careers and internships" in text
    assert "Faculty and staff lounge" not in text, "a category for faculty and staff is not listed for visitors"
    assert violations(browser) == []
    browser.find_element(By.LINK_TEXT, "Careers and internships").click()
    wait_for(browser, lambda driver: urllib.parse.urlparse(driver.current_url).path == "/forums/careers")
    assert browser.find_elements(By.CSS_SELECTOR, "table.data-table tbody tr"), "the demo category has threads"
    assert violations(browser) == []
    browser.find_element(By.CSS_SELECTOR, "table.data-table tbody tr th a[href^='/forums/t/']").click()
    wait_for(browser, lambda driver: "/forums/t/" in driver.current_url)
    assert "Sign in to reply" in main_text(browser)
    assert violations(browser) == []
    browser.get(demo.url + "/announcements")
    text = main_text(browser)
    assert "Winter break hours for campus offices" in text
    assert "Spring enrolment opens next week" not in text, "a students-only announcement needs a signed-in student"
    assert violations(browser) == []


def test_a_student_starts_a_thread_and_votes_by_keyboard(demo, browser):
    sign_in(demo, browser, "student")
    community = browser.find_element(By.XPATH, "//header//summary[normalize-space()='Community']")
    press(community)
    forums = browser.find_element(By.XPATH, "//header//a[normalize-space()='Forums']")
    assert forums.is_displayed()
    press(forums)
    wait_for(browser, lambda driver: urllib.parse.urlparse(driver.current_url).path == "/forums")
    press(browser.find_element(By.LINK_TEXT, "Academics"))
    wait_for(browser, lambda driver: urllib.parse.urlparse(driver.current_url).path == "/forums/academics")
    press(browser.find_element(By.XPATH, "//summary[normalize-space()='Start a thread']"))
    browser.find_element(By.ID, "thread-title").send_keys("Statistics tutoring on weekends?")
    browser.find_element(By.ID, "thread-content").send_keys("Is there **any** tutoring for STAT 361 on Saturdays?")
    browser.find_element(By.ID, "thread-tags").send_keys("statistics, tutoring")
    press(browser.find_element(By.XPATH, "//button[normalize-space()='Post the thread']"))
    wait_for(browser, lambda driver: "/forums/t/" in driver.current_url)
    assert "Statistics tutoring on weekends?" in browser.find_element(By.TAG_NAME, "h1").text
    assert browser.find_element(By.CSS_SELECTOR, ".forum-post .post-body strong").text == "any", "Markdown is rendered safely"
    assert violations(browser) == []

    # Another member's post: vote it up, and the button says it is pressed.
    browser.get(demo.url + "/forums/careers")
    browser.find_element(By.CSS_SELECTOR, "table.data-table tbody tr th a[href^='/forums/t/']").click()
    wait_for(browser, lambda driver: "/forums/t/" in driver.current_url)
    up = browser.find_elements(By.XPATH, "//button[.//span[normalize-space()='Vote up']]")
    assert up, "members vote on other people's posts"
    assert up[0].get_attribute("aria-pressed") == "false"
    post = up[0].find_element(By.XPATH, "ancestor::li[contains(@class,'forum-post')]").get_attribute("id")
    press(up[0])
    wait_for(browser, lambda driver: pressed(driver, post))
    assert violations(browser) == []


def test_a_student_registers_for_a_webinar_and_then_sees_the_join_link(demo, browser):
    sign_in(demo, browser, "student")
    browser.get(demo.url + "/webinars")
    assert "Writing a résumé that gets read" in main_text(browser)
    assert violations(browser) == []
    browser.find_element(By.LINK_TEXT, "Scholarship essays that stand out").click()
    wait_for(browser, lambda driver: "/webinars/" in driver.current_url)
    assert not browser.find_elements(By.PARTIAL_LINK_TEXT, "zoom.us"), "no join link before registering"
    assert "The join link appears here once you have registered." in main_text(browser)
    assert violations(browser) == []
    press(browser.find_element(By.XPATH, "//button[normalize-space()='Register']"))
    wait_for(browser, lambda driver: driver.find_elements(By.PARTIAL_LINK_TEXT, "zoom.us"))
    assert browser.find_element(By.XPATH, "//button[normalize-space()='Cancel my registration']")
    assert violations(browser) == []


def test_a_student_asks_a_recommended_mentor(demo, browser):
    sign_in(demo, browser, "student")
    browser.get(demo.url + "/mentorship")
    assert "Recommended for you" in main_text(browser)
    assert violations(browser) == []
    ask = browser.find_element(By.CSS_SELECTOR, "section#find .card-grid li details summary")
    name = ask.text.removeprefix("Ask ")
    press(ask)
    form = ask.find_element(By.XPATH, "..").find_element(By.TAG_NAME, "form")
    form.find_element(By.TAG_NAME, "textarea").send_keys("Hello! I would love your advice on internships in your field.")
    press(form.find_element(By.CSS_SELECTOR, "button[type='submit']"))
    wait_for(browser, lambda driver: "Sent by you" in main_text(driver))
    text = main_text(browser)
    assert f"To {name}" in text and "left" in text, text
    assert violations(browser) == []


def test_an_admin_writes_an_announcement_and_moderates(demo, browser):
    sign_in(demo, browser, "admin")
    browser.get(demo.url + "/admin/announcements")
    assert violations(browser) == []
    browser.find_element(By.ID, "ann-title").send_keys("Library open late for finals")
    browser.find_element(By.ID, "ann-content").send_keys("Axe Library stays open until 2 AM during finals week.")
    browser.find_element(By.CSS_SELECTOR, "input[name='notify']").click()
    press(browser.find_element(By.XPATH, "//button[normalize-space()='Publish']"))
    wait_for(browser, lambda driver: "Library open late for finals" in main_text(driver))
    assert violations(browser) == []
    student = api(demo, "student")
    notices = student.get(demo.url + "/api/v1/announcements", timeout=10).json()["announcements"]
    assert "Library open late for finals" in [item["title"] for item in notices]
    thread = student.get(demo.url + "/api/v1/forums/categories/campus-life/threads", timeout=10).json()["items"][0]
    reported = student.post(demo.url + "/api/v1/reports", json={"target_type": "forum_thread", "target_id": thread["id"], "reason": "spam"},
                            timeout=10)
    assert reported.status_code in (201, 409), reported.text
    browser.get(demo.url + "/admin/moderation")
    assert thread["title"] in main_text(browser)
    assert violations(browser) == []
    sign_in(demo, browser, "student")
    browser.get(demo.url + "/admin/moderation")
    assert "access" in main_text(browser).lower(), "a member without the permission is refused"
