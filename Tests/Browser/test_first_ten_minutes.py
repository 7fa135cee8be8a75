"""What a new user trips over in the first ten minutes, in a real browser: the phone-width menu, every search box
with a query of several words, the roles' own forms (an organiser creates an event, an employer sets up the company
and posts a job, the poster moves an application), and the settings page that sets a department."""
import urllib.parse

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select

from test_account_pages import violations, wait_for
from test_community_pages import PASSWORD, ApiSession, sign_in, text_of
from test_pages import browser  # noqa: F401  (the shared browser fixture)


def path_of(driver):
    return urllib.parse.urlparse(driver.current_url).path


def test_phone_menu_opens_with_a_button_and_closes_with_escape(server, browser):
    address = "phoebe.lane@gus.pittstate.edu"
    server.register_verified(address, PASSWORD, first="Phoebe", last="Lane")
    sign_in(server, browser, address)
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    try:
        for wide in ("/settings/profile", "/settings/security"):
            browser.get(server.url + wide)
            assert browser.execute_script("return document.documentElement.scrollWidth") <= 390, f"{wide} fits the phone"
        browser.get(server.url + "/feed")
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 390, "nothing wider than the phone"
        toggle = browser.find_element(By.CSS_SELECTOR, ".menu-toggle")
        assert toggle.is_displayed() and toggle.get_attribute("aria-expanded") == "false"
        assert not browser.find_element(By.CSS_SELECTOR, "#site-menu > li > a[href='/notifications']").is_displayed()
        assert browser.find_element(By.ID, "global-search").is_displayed(), "search stays visible"
        toggle.send_keys(Keys.ENTER)
        assert toggle.get_attribute("aria-expanded") == "true"
        def within_phone(link):
            assert link.is_displayed()
            rectangle = link.rect
            assert rectangle["x"] >= 0 and rectangle["x"] + rectangle["width"] <= 390

        for href in ("/notifications", "/inbox"):
            within_phone(browser.find_element(By.CSS_SELECTOR, f"#site-menu > li > a[href='{href}']"))
        # The panels open in place, as accordions: Me, then the account menu (which closes Me).
        me, account = browser.find_elements(By.CSS_SELECTOR, "#site-menu details.mega")[2:4]
        assert not me.find_element(By.CSS_SELECTOR, "a[href='/profile/me']").is_displayed()
        me.find_element(By.TAG_NAME, "summary").send_keys(Keys.ENTER)
        within_phone(me.find_element(By.CSS_SELECTOR, "a[href='/profile/me']"))
        account.find_element(By.TAG_NAME, "summary").click()
        within_phone(account.find_element(By.CSS_SELECTOR, "a[href='/settings/security']"))
        assert me.get_attribute("open") is None, "opening one panel closes the other"
        sign_out = browser.find_element(By.CSS_SELECTOR, "#site-menu form[action='/logout'] button")
        assert sign_out.is_displayed()
        # Esc in a panel closes the panel and returns to its button; the menu stays open.
        account.find_element(By.CSS_SELECTOR, "a[href='/settings/security']").send_keys(Keys.ESCAPE)
        assert account.get_attribute("open") is None
        assert toggle.get_attribute("aria-expanded") == "true"
        browser.find_element(By.CSS_SELECTOR, "#site-menu > li > a[href='/notifications']").send_keys(Keys.ESCAPE)
        assert toggle.get_attribute("aria-expanded") == "false"
        assert browser.switch_to.active_element == toggle
        assert violations(browser) == []
        toggle.click()
        browser.find_element(By.CSS_SELECTOR, "#site-menu > li > a[href='/notifications']").click()
        wait_for(browser, lambda driver: path_of(driver) == "/notifications")
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_every_search_box_finds_several_words(server, browser):
    staff = "career.office@gus.pittstate.edu"
    seeker = "sky.fields@gus.pittstate.edu"
    server.register_verified(staff, PASSWORD, first="Casey", last="Office")
    assert server.admin("user", "set-role", staff, "staff")[0] == 0
    server.register_verified(seeker, PASSWORD, first="Sky", last="Fields")
    register_employer(server, "talent@frontenac-software.example", "Frontenac Software Labs")
    poster = ApiSession(server, staff)
    company = poster.call("GET", "/api/v1/companies?q=Frontenac+Software+Labs")[1]["items"][0]["id"]
    status, body = poster.call("POST", "/api/v1/jobs", {
        "title": "Software Engineer Intern", "description": "Build campus tools with a friendly software team in Pittsburg.",
        "job_type": "internship", "company_id": company, "apply_on_platform": True})
    assert status == 201, body
    # Casey is listed, so the directory can find "Casey Off".
    assert poster.call("PUT", "/api/v1/users/me/privacy", {"directory_listed": True})[0] == 200

    sign_in(server, browser, seeker)
    browser.get(server.url + "/jobs")
    browser.find_element(By.ID, "job-q").send_keys("software engineer\n")
    wait_for(browser, lambda driver: "q=software+engineer" in driver.current_url)
    assert "Software Engineer Intern" in browser.find_element(By.TAG_NAME, "main").text

    browser.get(server.url + "/directory")
    browser.find_element(By.ID, "dir-q").send_keys("Casey Off\n")
    wait_for(browser, lambda driver: "q=Casey+Off" in driver.current_url)
    assert "Casey Office" in browser.find_element(By.TAG_NAME, "main").text

    browser.get(server.url + "/feed")
    box = browser.find_element(By.ID, "global-search")
    box.send_keys("nurs")
    suggestion = wait_for(browser, expected_conditions.visibility_of_element_located(
        (By.XPATH, "//ul[@id='search-suggestions']//a[contains(., 'Irene Ransom Bradley School of Nursing')]")))
    assert suggestion
    box.clear()
    box.send_keys("Irene Ransom Bradley School of Nursing\n")
    wait_for(browser, lambda driver: path_of(driver) == "/search")
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "Irene Ransom Bradley School of Nursing" in main and "No results" not in main


def test_organiser_creates_an_event_from_the_events_page(server, browser):
    organiser = "prof.oakes@gus.pittstate.edu"
    server.register_verified(organiser, PASSWORD, first="Jordan", last="Oakes")
    assert server.admin("user", "set-role", organiser, "faculty")[0] == 0
    sign_in(server, browser, organiser)
    browser.get(server.url + "/events")
    browser.find_element(By.CSS_SELECTOR, "details.card summary").click()
    browser.find_element(By.ID, "new-event-title").send_keys("Capstone Poster Night")
    Select(browser.find_element(By.ID, "new-event-kind")).select_by_visible_text("General")
    browser.find_element(By.ID, "new-event-location").send_keys("Kansas Technology Center")
    # A datetime-local field takes its digits in order; tab moves past the date to the time.
    for field, hour in (("new-event-start", "0300PM"), ("new-event-end", "0500PM")):
        element = browser.find_element(By.ID, field)
        element.send_keys("12012030")
        element.send_keys(Keys.TAB)
        element.send_keys(hour)
    browser.find_element(By.ID, "new-event-capacity").send_keys("40")
    browser.find_element(By.CSS_SELECTOR, "form[data-api='/api/v1/events'] button[type='submit']").click()
    wait_for(browser, lambda driver: path_of(driver).startswith("/events/") and path_of(driver) != "/events/")
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "Capstone Poster Night" in main and "General" in main and "0 of 40 taken" in main
    assert "2030" in main and ("CST" in main or "CDT" in main)
    assert violations(browser) == []


def register_employer(server, address, company):
    status, body = server.post_json("/api/v1/auth/register", {
        "email": address, "password": PASSWORD, "first_name": "Robin", "last_name": "Hire", "requested_role": "employer",
        "company_name": company, "accept_terms": True})
    assert status == 201, body
    token = server.mailed_link("/verify-email/", address).rsplit("/", 1)[1]
    assert server.post_json("/api/v1/auth/verify-email", {"token": token})[0] == 200
    assert server.admin("user", "approve", address)[0] == 0


def test_employer_sets_up_the_company_and_posts_a_job_from_the_pages(server, browser):
    employer = "hiring@prairieskyenergy.example"
    register_employer(server, employer, "Prairie Sky Energy Partners")
    company_id = ApiSession(server, employer).call("GET", "/api/v1/companies?q=Prairie+Sky+Energy+Partners")[1]["items"][0]["id"]

    sign_in(server, browser, employer)
    browser.get(server.url + f"/companies/{company_id}")
    browser.find_element(By.CSS_SELECTOR, "details.card summary").click()
    browser.find_element(By.ID, "company-industry").clear()
    browser.find_element(By.ID, "company-industry").send_keys("Energy")
    browser.find_element(By.ID, "company-website").send_keys("https://prairiesky.example")
    browser.find_element(By.CSS_SELECTOR, "form[data-method='PATCH'] button[type='submit']").click()
    wait_for(browser, lambda driver: "https://prairiesky.example" in (text_of(driver, "main") or ""))
    assert "Energy" in browser.find_element(By.TAG_NAME, "main").text

    browser.get(server.url + "/jobs")
    assert not browser.find_elements(By.ID, "new-job-company"), "an employer posts for their own company"
    browser.find_element(By.CSS_SELECTOR, "details.card summary").click()
    browser.find_element(By.ID, "new-job-title").send_keys("Field Technician")
    browser.find_element(By.ID, "new-job-description").send_keys("Maintain wind turbines across southeast Kansas; training provided.")
    Select(browser.find_element(By.ID, "new-job-type")).select_by_visible_text("Full time")
    browser.find_element(By.ID, "new-job-min").send_keys("48,000")
    browser.find_element(By.ID, "new-job-max").send_keys("56000")
    browser.find_element(By.CSS_SELECTOR, "form[data-api='/api/v1/jobs'] button[type='submit']").click()
    wait_for(browser, lambda driver: path_of(driver).startswith("/jobs/"))
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "Field Technician" in main and "$48,000 – $56,000 USD" in main and "Pending approval" in main
    assert violations(browser) == []


def test_poster_moves_an_application_from_the_posting_page(server, browser, tmp_path):
    faculty, student = "prof.hale@pittstate.edu", "tess.ward@gus.pittstate.edu"
    server.register_verified(faculty, PASSWORD, first="Jordan", last="Hale")
    assert server.admin("user", "set-role", faculty, "faculty")[0] == 0
    server.register_verified(student, PASSWORD, first="Tess", last="Ward")
    register_employer(server, "jobs@weirplastics.example", "Weir Plastics Group")
    poster = ApiSession(server, faculty)
    company = poster.call("GET", "/api/v1/companies?q=Weir+Plastics+Group")[1]["items"][0]["id"]

    # Faculty post from the page too, choosing the company.
    sign_in(server, browser, faculty)
    browser.get(server.url + "/jobs")
    browser.find_element(By.CSS_SELECTOR, "details.card summary").click()
    Select(browser.find_element(By.ID, "new-job-company")).select_by_visible_text("Weir Plastics Group")
    browser.find_element(By.ID, "new-job-title").send_keys("Quality Technician Intern")
    browser.find_element(By.ID, "new-job-description").send_keys("Measure parts, log results and help improve the moulding line.")
    Select(browser.find_element(By.ID, "new-job-type")).select_by_visible_text("Internship")
    browser.find_element(By.CSS_SELECTOR, "form[data-api='/api/v1/jobs'] button[type='submit']").click()
    wait_for(browser, lambda driver: path_of(driver).startswith("/jobs/"))
    job_id = int(path_of(browser).rsplit("/", 1)[1])
    assert poster.call("GET", f"/api/v1/jobs/{job_id}")[1]["company"]["id"] == company

    resume = tmp_path / "tess.pdf"
    resume.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
    sign_in(server, browser, student)
    browser.get(server.url + f"/jobs/{job_id}")
    browser.find_element(By.ID, "apply-resume").send_keys(str(resume))
    browser.find_element(By.CSS_SELECTOR, "form[data-apply] button[type='submit']").click()
    wait_for(browser, expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, "[data-done]")))
    assert not browser.find_element(By.CSS_SELECTOR, "form[data-apply] .form-error").is_displayed()

    sign_in(server, browser, faculty)
    browser.get(server.url + f"/jobs/{job_id}")
    select = browser.find_element(By.CSS_SELECTOR, "select[id^='application-'][id$='-status']")
    application = int(select.get_attribute("id").split("-")[1])
    Select(select).select_by_visible_text("Interview")
    select.find_element(By.XPATH, "ancestor::form//button").click()
    wait_for(browser, lambda driver: "Interview" in (text_of(driver, "section[aria-labelledby='applications-heading'] .badge") or ""))
    assert ApiSession(server, student).call("GET", f"/api/v1/job-applications/{application}")[1]["status"] == "interview"
    assert violations(browser) == []


def test_settings_page_sets_department_and_directory_listing(server, browser):
    address = "mo.reed@gus.pittstate.edu"
    server.register_verified(address, PASSWORD, first="Mo", last="Reed")
    sign_in(server, browser, address)
    browser.get(server.url + "/settings/profile")
    Select(browser.find_element(By.ID, "edit-department")).select_by_visible_text("Biology")
    browser.find_element(By.ID, "edit-major").send_keys("Biology")
    browser.find_element(By.CSS_SELECTOR, "form[data-api='/api/v1/users/me'] button[type='submit']").click()
    wait_for(browser, lambda driver: driver.find_element(By.CSS_SELECTOR, "form[data-api='/api/v1/users/me'] [data-saved]").is_displayed())
    listing = browser.find_element(By.CSS_SELECTOR, "input[name='directory_listed']")
    assert not listing.is_selected()
    listing.click()
    listing.find_element(By.XPATH, "ancestor::form//button[@type='submit']").click()
    wait_for(browser, lambda driver: driver.find_element(By.XPATH, "//section[@aria-labelledby='directory-heading']//p[@data-saved]").is_displayed())
    session = ApiSession(server, address)
    me = session.call("GET", "/api/v1/users/me")[1]
    assert me["department"]["name"] == "Biology" and me["directory_listed"] is True
    consents = session.call("GET", "/api/v1/security/consent")[1]
    assert consents["consents"]["ferpa_directory"]["granted"] is True
    # The privacy levels read as words, grouped.
    options = [o.text for o in browser.find_elements(By.CSS_SELECTOR, "#privacy-email option")]
    assert "Only my connections" in options and "connections" not in options
    assert [legend.text for legend in browser.find_elements(By.CSS_SELECTOR, "section[aria-labelledby='privacy-heading'] form fieldset legend")][:2] == ["Contact and activity", "About me"]
