"""The crawl: a fresh demo instance visited as a visitor and as each demo role, following every same-site link from
the home page, the feed and the navbar (a few pages of each kind), as a new user would click around in their first
ten minutes. After every request the process must still be alive; no link may lead to an error (5xx, 404, 403);
no page may show "nil", a raw ISO timestamp or an enum code; and each kind of page must be axe clean in the light and
the dark theme.

Keep it growing: a page added later is reached from the navbar or a page that links to it, and so is crawled."""
import html
import re
import urllib.parse
from collections import OrderedDict

import pytest
import requests
from selenium.webdriver.common.by import By

from conftest import DEMO_ROLES, demo_server
from test_account_pages import violations
from test_pages import browser  # noqa: F401  (the shared browser fixture)

ROLES = DEMO_ROLES
PAGES_PER_KIND = 3
PAGES_PER_ROLE = 90
# Links that act rather than show (sign-out is a form), or leave the pages for files and the API.
SKIPPED_PREFIXES = ("/logout", "/api/", "/static/", "/metrics", "/calendar/")

ISO_TIMESTAMP = re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
ENUM_CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
NIL = re.compile(r"\bnil\b")


@pytest.fixture(scope="module")
def demo():
    running = demo_server()
    yield running
    running.stop()


def kind_of(path):
    """The page kind: the path with its ids generalised (`/events/12` → `/events/{id}`)."""
    return re.sub(r"/\d+(?=/|$)", "/{id}", urllib.parse.urlsplit(path).path)


def visible_text(page):
    # Code shown as code (JSON being edited, field names in <code>) is meant to be read as code.
    page = re.sub(r"(?is)<(script|style|template|textarea|code)\b.*?</\1>", " ", page)
    page = re.sub(r"(?is)<[^>]+\bhidden\b[^>]*>.*?</[^>]+>", " ", page)
    return html.unescape(re.sub(r"(?s)<[^>]+>", " ", page))


def links_in(page, here):
    found = []
    for href in re.findall(r'<a\b[^>]*\bhref="([^"]*)"', page):
        href = html.unescape(href)
        if href.startswith(("mailto:", "tel:", "#")) or href == "":
            if href == "":
                found.append(("", here))
            continue
        url = urllib.parse.urljoin("http://site" + here, href)
        parts = urllib.parse.urlsplit(url)
        if parts.netloc != "site":
            continue
        found.append((href, parts.path + ("?" + parts.query if parts.query else "")))
    return found


def sign_in(server, role):
    session = requests.Session()
    if role == "visitor":
        return session
    address, password = server.passwords[role]
    response = session.post(server.url + "/api/v1/auth/login", json={"email": address, "password": password}, timeout=10)
    assert response.status_code == 200, (role, response.text)
    return session


def crawl(server, role):
    """Visits pages breadth-first; returns {kind: first path of that kind} and the problems found."""
    session = sign_in(server, role)
    queue = OrderedDict((path, "start") for path in ("/", "/feed", "/search?q=nursing", "/search?q=career+fair"))
    seen, per_kind, kinds, problems = set(), {}, {}, []
    while queue and len(seen) < PAGES_PER_ROLE:
        path, source = queue.popitem(last=False)
        if path in seen:
            continue
        seen.add(path)
        response = session.get(server.url + path, timeout=15, allow_redirects=True)
        assert server.process.poll() is None, f"{role}: the server stopped after GET {path} (linked from {source})"
        final = urllib.parse.urlsplit(response.url).path
        if response.status_code >= 400:
            problems.append(f"{role}: {path} answered {response.status_code} (linked from {source})")
            continue
        if "text/html" not in response.headers.get("Content-Type", ""):
            continue
        if re.search(r'="nil"', response.text):
            problems.append(f"{role}: {path} has an attribute reading \"nil\"")
        text = visible_text(response.text)
        for pattern, what in ((NIL, "nil"), (ISO_TIMESTAMP, "a raw timestamp"), (ENUM_CODE, "an enum code")):
            for match in pattern.findall(text):
                problems.append(f"{role}: {path} shows {what}: {match!r}")
                break
        kind = kind_of(final)
        kinds.setdefault(kind, final + ("?" + urllib.parse.urlsplit(response.url).query if urllib.parse.urlsplit(response.url).query else ""))
        for href, link in links_in(response.text, final):
            if href == "":
                problems.append(f"{role}: {path} has a link with an empty href")
                continue
            if link.startswith(SKIPPED_PREFIXES) or link in seen or link in queue:
                continue
            link_kind = kind_of(link)
            if per_kind.get(link_kind, 0) >= PAGES_PER_KIND:
                continue
            per_kind[link_kind] = per_kind.get(link_kind, 0) + 1
            queue[link] = path
    return kinds, problems


@pytest.mark.parametrize("role", ["visitor", *ROLES])
def test_every_link_works_and_reads_as_words(demo, role):
    kinds, problems = crawl(demo, role)
    assert problems == [], "\n".join(problems)
    # The crawl reached more than the start pages: it really followed links.
    assert len(kinds) >= (8 if role == "visitor" else 12), sorted(kinds)
    demo.crawled = getattr(demo, "crawled", {})
    for kind, path in kinds.items():
        demo.crawled.setdefault(kind, (role, path))


def test_each_kind_of_page_is_axe_clean_in_both_themes(demo, browser):
    crawled = getattr(demo, "crawled", None)
    assert crawled, "the crawl runs first"
    found = []
    sessions = {}
    for kind, (role, path) in sorted(crawled.items()):
        if role not in sessions:
            sessions[role] = sign_in(demo, role)
        browser.get(demo.url + "/static/none")
        browser.delete_all_cookies()
        for name, value in sessions[role].cookies.items():
            browser.add_cookie({"name": name, "value": value, "path": "/"})
        for theme in ("light", "dark"):
            browser.add_cookie({"name": "psc_theme", "value": theme, "path": "/"})
            browser.get(demo.url + path)
            assert browser.find_elements(By.TAG_NAME, "main"), (role, path)
            found += [f"{role} {path} ({theme}): {v}" for v in violations(browser)]
    assert found == [], "\n".join(found)
