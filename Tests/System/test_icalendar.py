"""Event downloads read back by a real iCalendar parser (the icalendar package): a stable UID across edits, the
sequence raised by changes of time, place or title only, America/Chicago times with their VTIMEZONE, cancellation."""
import datetime
import http.cookiejar
import json
import re
import urllib.error
import urllib.request

import icalendar


def signed_in(server, address, password):
    server.register_verified(address, password)
    code, _ = server.admin("user", "set-role", address, "faculty")
    assert code == 0
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    login = urllib.request.Request(server.url + "/api/v1/auth/login", method="POST",
                                   data=json.dumps({"email": address, "password": password}).encode(),
                                   headers={"Content-Type": "application/json"})
    with opener.open(login, timeout=10) as response:
        csrf = json.loads(response.read())["csrf_token"]

    def call(method, path, body=None):
        request = urllib.request.Request(server.url + path, method=method,
                                         data=None if body is None else json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json", "X-CSRF-Token": csrf})
        with opener.open(request, timeout=10) as response:
            data = response.read()
            return response.headers.get("Content-Type"), data
    return call


def parsed(call, event_id):
    content_type, data = call("GET", f"/api/v1/events/{event_id}/ics")
    assert content_type.startswith("text/calendar")
    assert b"\r\n" in data and all(len(line) <= 75 for line in data.split(b"\r\n"))
    calendar = icalendar.Calendar.from_ical(data)
    events = [component for component in calendar.walk("VEVENT")]
    assert len(events) == 1
    return calendar, events[0]


def test_event_ics_parses_and_keeps_its_uid(server):
    call = signed_in(server, "pat.lane@gus.pittstate.edu", "violet lantern orbit 42")
    start = datetime.datetime(2030, 10, 15, 18, 0, tzinfo=datetime.timezone.utc)
    _, body = call("POST", "/api/v1/events", {
        "title": "Career fair, fall; day 1", "start_time": start.isoformat().replace("+00:00", "Z"),
        "end_time": (start + datetime.timedelta(hours=3)).isoformat().replace("+00:00", "Z"),
        "location": "Weede Gym", "description": "Bring résumés\nand questions", "visibility": "public"})
    event_id = json.loads(body)["id"]

    calendar, event = parsed(call, event_id)
    assert str(calendar["PRODID"]) == "-//Pittsburg State University//PittState Connect//EN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["America/Chicago"]
    uid = str(event["UID"])
    assert re.fullmatch(rf"event-{event_id}@[\w.\-]+", uid)
    assert int(event["SEQUENCE"]) == 0
    assert str(event["SUMMARY"]) == "Career fair, fall; day 1"
    assert str(event["DESCRIPTION"]).startswith("Bring résumés\nand questions")
    begins = event["DTSTART"].dt
    assert begins.tzinfo is not None and begins.astimezone(datetime.timezone.utc) == start
    assert begins.replace(tzinfo=None) == datetime.datetime(2030, 10, 15, 13, 0), "13:00 in Chicago (CDT)"
    assert str(event["STATUS"]) == "CONFIRMED"

    call("PATCH", f"/api/v1/events/{event_id}", {"description": "New notes only"})
    _, event = parsed(call, event_id)
    assert int(event["SEQUENCE"]) == 0, "a description change does not raise the sequence"
    moved = start + datetime.timedelta(days=1)
    call("PATCH", f"/api/v1/events/{event_id}", {
        "start_time": moved.isoformat().replace("+00:00", "Z"),
        "end_time": (moved + datetime.timedelta(hours=3)).isoformat().replace("+00:00", "Z")})
    _, event = parsed(call, event_id)
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == 1
    call("POST", f"/api/v1/events/{event_id}/cancel", {"reason": "Weather"})
    _, event = parsed(call, event_id)
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == 2 and str(event["STATUS"]) == "CANCELLED"
    # A public event's calendar file is open to anyone.
    with urllib.request.urlopen(server.url + f"/api/v1/events/{event_id}/ics", timeout=10) as response:
        assert icalendar.Calendar.from_ical(response.read()).walk("VEVENT")[0]["UID"] == uid


def test_calendar_feed_behind_a_secret_url(server):
    call = signed_in(server, "lee.feed@gus.pittstate.edu", "amber falcon river 9")
    start = datetime.datetime(2031, 3, 2, 15, 0, tzinfo=datetime.timezone.utc)
    _, body = call("POST", "/api/v1/events", {
        "title": "Info session", "start_time": start.isoformat().replace("+00:00", "Z"),
        "end_time": (start + datetime.timedelta(hours=1)).isoformat().replace("+00:00", "Z")})
    event_id = json.loads(body)["id"]
    call("PUT", f"/api/v1/events/{event_id}/rsvp")
    _, body = call("POST", "/api/v1/users/me/calendar-token")
    feed = json.loads(body)["feed_url"]
    path = feed[feed.index("/api/"):]
    with urllib.request.urlopen(server.url + path, timeout=10) as response:
        etag = response.headers["ETag"]
        calendar = icalendar.Calendar.from_ical(response.read())
    assert [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")] == ["Info session"]
    begins = calendar.walk("VEVENT")[0]["DTSTART"].dt
    assert begins.replace(tzinfo=None) == datetime.datetime(2031, 3, 2, 9, 0), "09:00 CST in March before the switch"
    request = urllib.request.Request(server.url + path, headers={"If-None-Match": etag})
    try:
        urllib.request.urlopen(request, timeout=10)
        raise AssertionError("expected 304")
    except urllib.error.HTTPError as error:
        assert error.code == 304
    call("POST", "/api/v1/users/me/calendar-token")
    try:
        urllib.request.urlopen(server.url + path, timeout=10)
        raise AssertionError("the old feed URL should stop working")
    except urllib.error.HTTPError as error:
        assert error.code == 404
