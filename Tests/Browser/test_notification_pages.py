"""The notification hub's pages in a real browser: a notice reaching an open page live, the settings form saving
exactly what it shows, the inbox's forms, and the mega-navbar by keyboard."""
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from test_account_pages import violations, wait_for
from test_community_pages import PASSWORD, ApiSession, sign_in
from test_pages import browser  # noqa: F401  (the shared browser fixture)


def test_a_new_message_reaches_an_open_page_without_a_reload(server, browser):
    reader, writer = "rita.live@gus.pittstate.edu", "wes.live@gus.pittstate.edu"
    server.register_verified(reader, PASSWORD, first="Rita", last="Live")
    server.register_verified(writer, PASSWORD, first="Wes", last="Writer")
    sign_in(server, browser, reader)
    browser.get(server.url + "/notifications")
    reader_id = ApiSession(server, reader).call("GET", "/api/v1/users/me")[1]["id"]
    wait_for(browser, lambda driver: driver.find_element(By.TAG_NAME, "html").get_attribute("data-live") == "open")
    marker = browser.find_element(By.TAG_NAME, "main")
    browser.execute_script("arguments[0].setAttribute('data-before-reload', 'yes')", marker)
    status, body = ApiSession(server, writer).call(
        "POST", "/api/v1/messages/send", {"recipient_id": reader_id, "subject": "Lab notes", "body": "Shared the notes from today."})
    assert status == 201, body
    wait_for(browser, lambda driver: "Message from Wes Writer" in driver.find_element(By.CSS_SELECTOR, "[data-live-list]").text)
    assert browser.find_element(By.TAG_NAME, "main").get_attribute("data-before-reload") == "yes", "no reload happened"
    bell = browser.find_element(By.CSS_SELECTOR, "[data-count='notifications']")
    wait_for(browser, lambda driver: bell.text == "1")
    assert "1 unread" in browser.find_element(By.CSS_SELECTOR, "a[data-live-bell]").get_attribute("aria-label")
    assert browser.find_element(By.CSS_SELECTOR, "[data-count='messages']").text == "1"
    assert "Message from Wes Writer" in browser.find_element(By.CSS_SELECTOR, "[data-live-toast]").text, "announced politely"

    # The inbox: open the conversation (which reads it), answer by the page's form.
    browser.get(server.url + "/inbox")
    browser.find_element(By.PARTIAL_LINK_TEXT, "Wes Writer").click()
    wait_for(browser, lambda driver: "thread=" in driver.current_url)
    assert "Shared the notes from today." in browser.find_element(By.CSS_SELECTOR, ".messages").text
    browser.find_element(By.ID, "reply-body").send_keys("Thanks, Wes!")
    browser.find_element(By.CSS_SELECTOR, "form[action$='/reply'] button[type=submit]").click()
    wait_for(browser, lambda driver: "sent=1" in driver.current_url)
    assert "Thanks, Wes!" in browser.find_element(By.CSS_SELECTOR, ".messages").text
    assert not browser.find_element(By.CSS_SELECTOR, "[data-count='notifications']").is_displayed(), "reading the thread read its notice"
    assert violations(browser) == []
    threads = ApiSession(server, writer).call("GET", "/api/v1/messages/threads")[1]["items"]
    assert threads[0]["last_message"]["preview"] == "Thanks, Wes!"


def test_notification_settings_save_exactly_what_the_page_shows(server, browser):
    address = "nora.prefs@gus.pittstate.edu"
    server.register_verified(address, PASSWORD, first="Nora", last="Prefs")
    sign_in(server, browser, address)
    browser.get(server.url + "/settings/notifications")
    locked = browser.find_element(By.ID, "pref.security_alert.email")
    assert locked.get_attribute("disabled") and locked.is_selected()
    assert "Always on for your security" in browser.find_element(By.ID, "pref.security_alert.email-why").text
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.preferences tbody tr")) == 26
    # Quick actions change the boxes only; Disable all leaves locked channels on.
    browser.find_element(By.CSS_SELECTOR, "[data-quick=none]").click()
    assert not browser.find_element(By.ID, "pref.new_message.in_app").is_selected()
    assert browser.find_element(By.ID, "pref.security_alert.in_app").is_selected()
    browser.find_element(By.CSS_SELECTOR, "[data-quick=all]").click()
    assert browser.find_element(By.ID, "pref.new_message.in_app").is_selected()
    browser.find_element(By.ID, "pref.forum_reply.email").click()
    browser.find_element(By.CSS_SELECTOR, "input[name=digest][value=daily]").click()
    browser.find_element(By.CSS_SELECTOR, "input[name=quiet_enabled]").click()
    browser.find_element(By.CSS_SELECTOR, ".notification-settings button[type=submit]").click()
    wait_for(browser, lambda driver: "saved=1" in driver.current_url)
    assert "saved" in browser.find_element(By.CSS_SELECTOR, ".flash").text
    assert not browser.find_element(By.ID, "pref.forum_reply.email").is_selected()
    api = ApiSession(server, address)
    preferences = api.call("GET", "/api/v1/notifications/preferences")[1]["preferences"]
    assert preferences["forum_reply"]["email"] is False and preferences["new_message"]["email"] is True
    settings = api.call("GET", "/api/v1/notifications/settings")[1]
    assert settings["digest"] == "daily" and settings["quiet_hours"]["enabled"] is True
    assert violations(browser) == []


def test_the_navbar_panels_work_by_keyboard(server, browser):
    address = "kai.keys@gus.pittstate.edu"
    server.register_verified(address, PASSWORD, first="Kai", last="Keys")
    sign_in(server, browser, address)
    browser.get(server.url + "/feed")
    community = browser.find_element(By.CSS_SELECTOR, "#site-menu details.mega > summary")
    community.send_keys(Keys.ENTER)
    panel = community.find_element(By.XPATH, "..")
    assert panel.get_attribute("open") is not None
    community.send_keys(Keys.ARROW_DOWN)
    assert browser.switch_to.active_element.get_attribute("href").endswith("/feed")
    browser.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
    assert browser.switch_to.active_element.get_attribute("href").endswith("/directory")
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    assert panel.get_attribute("open") is None
    assert browser.switch_to.active_element == community
    assert violations(browser) == []
