"""The community pages in a real browser, as a new member would use them: sign in, post to the feed, find someone
with the navbar search, ask to connect, RSVP to an event, and look through the directory and the jobs board; axe
checks each page."""
import datetime
import http.cookiejar
import json
import struct
import urllib.parse
import urllib.request
import zlib

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select

from test_account_pages import violations, wait_for
from test_pages import browser  # noqa: F401  (the shared browser fixture)

PASSWORD = "amber meadow falcon 27"


class ApiSession:
    """A member signed in over the JSON API, for the parts of the story another person plays."""

    def __init__(self, server, address):
        self.server = server
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        status, body = self.call("POST", "/api/v1/auth/login", {"email": address, "password": PASSWORD})
        assert status == 200, body
        self.csrf = body["csrf_token"]

    def call(self, method, path, body=None):
        headers = {"Content-Type": "application/json"}
        if getattr(self, "csrf", None):
            headers["X-CSRF-Token"] = self.csrf
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.server.url + path, data=data, method=method, headers=headers)
        try:
            with self.opener.open(request, timeout=10) as response:
                text = response.read().decode()
                return response.status, json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            text = error.read().decode()
            return error.code, json.loads(text) if text else None


def attribute(driver, selector, name):
    """The attribute, or None while the page is reloading under us."""
    try:
        return driver.find_element(By.CSS_SELECTOR, selector).get_attribute(name)
    except WebDriverException:
        return None


def text_of(driver, selector):
    try:
        return driver.find_element(By.CSS_SELECTOR, selector).text
    except WebDriverException:
        return None


def sign_in(server, browser, address):
    browser.delete_all_cookies()
    browser.get(server.url + "/login?next=/feed")
    browser.find_element(By.ID, "login-email").send_keys(address)
    browser.find_element(By.ID, "login-password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "main form button[type='submit']").click()
    wait_for(browser, lambda driver: urllib.parse.urlparse(driver.current_url).path == "/feed")


def test_post_search_connect_rsvp_and_browse(server, browser):
    member, other, host = "avery.stone@gus.pittstate.edu", "blake.rivers@gus.pittstate.edu", "dr.quinn@gus.pittstate.edu"
    server.register_verified(member, PASSWORD, first="Avery", last="Stone")
    server.register_verified(other, PASSWORD, first="Blake", last="Rivers")
    server.register_verified(host, PASSWORD, first="Morgan", last="Quinn")
    assert server.admin("user", "set-role", host, "faculty")[0] == 0
    blake = ApiSession(server, other)
    # Blake lets the directory and search list them (no consent row means not listed).
    assert blake.call("POST", "/api/v1/security/consent", {"consent_type": "ferpa_directory", "granted": True, "version": "1"})[0] == 201
    start = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=3)
    status, event = ApiSession(server, host).call("POST", "/api/v1/events", {
        "title": "Gorilla Career Mixer", "start_time": start.isoformat(), "end_time": (start + datetime.timedelta(hours=2)).isoformat(),
        "location": "Overman Student Center", "capacity": 40, "kind": "career_fair"})
    assert status == 201, event

    sign_in(server, browser, member)
    assert violations(browser) == []
    browser.find_element(By.ID, "post-content").send_keys("Hello from **Pitt State**!")
    browser.find_element(By.CSS_SELECTOR, "form[data-api='/api/v1/posts'] button[type='submit']").click()
    wait_for(browser, lambda driver: driver.find_elements(By.CSS_SELECTOR, "article.post strong"))
    assert browser.find_element(By.CSS_SELECTOR, "article.post strong").text == "Pitt State", "Markdown rendered by the server"
    like = browser.find_element(By.CSS_SELECTOR, "article.post .post-actions button")
    assert like.get_attribute("aria-pressed") == "false"
    like.click()
    wait_for(browser, lambda driver: attribute(driver, "article.post .post-actions button", "aria-pressed") == "true")

    search = browser.find_element(By.ID, "global-search")
    search.send_keys("blake")
    suggestion = wait_for(browser, expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, "#search-suggestions a")))
    assert suggestion.text == "Blake Rivers", "suggestions come as one types (SRC-2)"
    assert violations(browser) == []
    search.submit()
    wait_for(browser, expected_conditions.url_contains("/search"))
    assert violations(browser) == []
    people = browser.find_element(By.ID, "group-users")
    assert "People" in people.text
    browser.find_element(By.XPATH, "//section[h2[@id='group-users']]//a[contains(., 'Blake Rivers')]").click()
    wait_for(browser, expected_conditions.url_contains("/profile/"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Blake Rivers"
    assert violations(browser) == []
    browser.find_element(By.ID, "connect-note").send_keys("We met at the library.")
    browser.find_element(By.CSS_SELECTOR, "form[data-api='/api/v1/connections'] button[type='submit']").click()
    wait_for(browser, lambda driver: "waiting for an answer" in (text_of(driver, "main") or ""))

    status, requests = blake.call("GET", "/api/v1/connections?status=pending_in")
    assert status == 200 and requests["items"][0]["note"] == "We met at the library."
    assert blake.call("POST", f"/api/v1/connections/{requests['items'][0]['id']}/accept", {})[0] == 200
    browser.get(server.url + "/connections")
    assert violations(browser) == []
    connected = browser.find_element(By.XPATH, "//section[h2[@id='connected-heading']]")
    assert "Blake Rivers" in connected.text

    browser.get(server.url + "/events")
    assert violations(browser) == []
    browser.find_element(By.LINK_TEXT, "Gorilla Career Mixer").click()
    wait_for(browser, expected_conditions.url_contains(f"/events/{event['id']}"))
    assert violations(browser) == []
    browser.find_element(By.CSS_SELECTOR, "form[data-method='PUT'] button[type='submit']").click()
    wait_for(browser, lambda driver: "You are going." in (text_of(driver, "main") or ""))
    assert "1 of 40 taken" in browser.find_element(By.TAG_NAME, "main").text

    for path in ("/directory?q=blake", "/jobs", "/profile/me", "/feed"):
        browser.get(server.url + path)
        assert violations(browser) == [], path
    browser.get(server.url + "/directory?q=blake")
    assert "Blake Rivers" in browser.find_element(By.TAG_NAME, "main").text


def tiny_png(path):
    """A 1×1 grey PNG written to `path`."""
    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x80")) + chunk(b"IEND", b""))
    path.write_bytes(data)
    return path


def test_edit_profile_and_privacy_from_the_settings_page(server, browser, tmp_path):
    member, viewer = "casey.edit@gus.pittstate.edu", "drew.viewer@gus.pittstate.edu"
    server.register_verified(member, PASSWORD, first="Casey", last="Edit")
    server.register_verified(viewer, PASSWORD, first="Drew", last="Viewer")
    sign_in(server, browser, member)
    browser.get(server.url + "/settings/profile")
    assert violations(browser) == []
    headline = browser.find_element(By.ID, "edit-headline")
    headline.clear()
    headline.send_keys("Construction management senior")
    browser.find_element(By.ID, "edit-skills").send_keys("Estimating, AutoCAD")
    browser.find_element(By.CSS_SELECTOR, "form[data-method='PATCH'] button[type='submit']").click()
    wait_for(browser, expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, "form[data-method='PATCH'] [data-saved]")))

    # Headline for connections only: a member who is not connected no longer sees it.
    Select(browser.find_element(By.ID, "privacy-headline")).select_by_value("connections")
    privacy = "section[aria-labelledby='privacy-heading'] form"
    browser.find_element(By.CSS_SELECTOR, privacy + " button[type='submit']").click()
    wait_for(browser, expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, privacy + " [data-saved]")))
    listing = "section[aria-labelledby='directory-heading'] form"
    browser.find_element(By.CSS_SELECTOR, listing + " input[name='directory_listed']").click()
    browser.find_element(By.CSS_SELECTOR, listing + " button[type='submit']").click()
    wait_for(browser, expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, listing + " [data-saved]")))

    # A photo goes up through the page's multipart upload and shows once the page reloads.
    photo = tiny_png(tmp_path / "me.png")
    browser.find_element(By.ID, "avatar-file").send_keys(str(photo))
    browser.find_element(By.CSS_SELECTOR, "form[data-avatar] button[type='submit']").click()
    wait_for(browser, lambda driver: driver.find_elements(By.CSS_SELECTOR, "section[aria-labelledby='avatar-heading'] img.avatar"))

    browser.get(server.url + "/profile/me")
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "Construction management senior" in main and "AutoCAD" in main
    status, own = ApiSession(server, member).call("GET", "/api/v1/users/me")
    assert own["skills"] == ["Estimating", "AutoCAD"] and own["privacy"]["headline"] == "connections"
    status, seen = ApiSession(server, viewer).call("GET", f"/api/v1/users/{own['id']}")
    assert status == 200 and seen["headline"] is None, "the stranger does not see a connections-only headline"
    status, listed = ApiSession(server, viewer).call("GET", "/api/v1/directory?q=casey")
    assert [person["id"] for person in listed["items"]] == [own["id"]], "listed after opting in"


def test_member_pages_send_visitors_to_sign_in(server, browser):
    browser.delete_all_cookies()
    for path in ("/feed", "/directory", "/connections", "/jobs", "/profile/me"):
        browser.get(server.url + path)
        assert "/login" in browser.current_url, path
    browser.get(server.url + "/events")
    assert "public events" in browser.find_element(By.TAG_NAME, "main").text


def test_apply_to_a_job_with_a_resume_from_its_page(server, browser, tmp_path):
    hiring, student = "pat@ozark-tools.example", "riley.apply@gus.pittstate.edu"
    status, _ = server.post_json("/api/v1/auth/register", {
        "email": hiring, "password": PASSWORD, "first_name": "Pat", "last_name": "Hiring", "accept_terms": True,
        "requested_role": "employer", "company_name": "Ozark Tools"})
    assert status == 201
    token = server.mailed_link("/verify-email/", hiring).rsplit("/", 1)[1]
    assert server.post_json("/api/v1/auth/verify-email", {"token": token})[0] == 200
    assert server.admin("user", "approve", hiring)[0] == 0
    server.register_verified(student, PASSWORD, first="Riley", last="Apply")
    employer = ApiSession(server, hiring)
    status, companies = employer.call("GET", "/api/v1/companies?q=Ozark")
    assert status == 200 and companies["items"], companies
    # Faculty postings are live at once (an employer's would wait for approval).
    faculty = "prof.lane@pittstate.edu"
    server.register_verified(faculty, PASSWORD, first="Jordan", last="Lane")
    assert server.admin("user", "set-role", faculty, "faculty")[0] == 0
    status, job = ApiSession(server, faculty).call("POST", "/api/v1/jobs", {
        "title": "Tool design intern", "description": "Design hand tools with our engineers in Pittsburg.",
        "job_type": "internship", "location": "Pittsburg, KS", "apply_on_platform": True,
        "company_id": companies["items"][0]["id"]})
    assert status == 201 and job["status"] == "active", job

    resume = tmp_path / "riley-resume.pdf"
    resume.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
    sign_in(server, browser, student)
    browser.get(server.url + f"/jobs/{job['id']}")
    assert violations(browser) == []
    # Sending without a file names the problem on the page and sends nothing.
    browser.find_element(By.CSS_SELECTOR, "form[data-apply] button[type='submit']").click()
    wait_for(browser, lambda driver: "Choose your résumé" in (text_of(driver, "form[data-apply] .form-error") or ""))
    browser.find_element(By.ID, "apply-resume").send_keys(str(resume))
    browser.find_element(By.ID, "apply-cover").send_keys("I have built two tool prototypes in the Kansas Technology Center.")
    browser.find_element(By.CSS_SELECTOR, "form[data-apply] button[type='submit']").click()
    wait_for(browser, expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, "[data-done]")))
    assert violations(browser) == []
    browser.refresh()
    assert "You applied. Status: Submitted." in browser.find_element(By.TAG_NAME, "main").text
    assert not browser.find_elements(By.CSS_SELECTOR, "form[data-apply]"), "one application per posting"

    # The company sees the application with its letter, and the résumé is the file the student chose.
    status, received = employer.call("GET", f"/api/v1/jobs/{job['id']}/applications")
    assert status == 200 and len(received["items"]) == 1, received
    application = received["items"][0]
    assert application["cover_letter"].startswith("I have built two tool prototypes")
    with employer.opener.open(server.url + application["resume_url"], timeout=10) as response:
        assert response.read() == resume.read_bytes()
