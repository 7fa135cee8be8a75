#!/usr/bin/env python3
"""Prepares a campus day for Benchmarks/campus-day.sh: signs in SESSIONS generated members and writes the shuffled
request list the load script replays.

Generated members have no password, so their sessions are written the way a sign-in writes them (00-conventions
§3.1: the table keeps the SHA-256 of the cookie value, a CSRF token per session). Run with the server stopped.

    campus_day_targets.py DATABASE OUT_FILE [SESSIONS] [REQUESTS]

Each line of OUT_FILE is: kind, method, path, session cookie, CSRF token, JSON body (tab-separated; body may be
empty). The mix is the campus day of issue 14: 40% feed pages, 15% profile pages, 15% search pages, 10% the event
list, 10% directory pages, 5% new posts, 3% likes, 2% RSVPs.
"""
import base64
import datetime
import hashlib
import json
import random
import secrets
import sqlite3
import sys

MIX = [
    ("feed", 40), ("profile", 15), ("search", 15), ("events", 10), ("directory", 10),
    ("post", 5), ("like", 3), ("rsvp", 2),
]
SEARCH_WORDS = ["career", "gorilla", "eng*", "nursing", "avery", "intern", "%22career%20fair%22", "kelce",
                "research", "alumni", "workshop", "design"]
POST_WORDS = ["Study group for the chemistry final in Axe Library tonight",
              "Who else is going to the career fair at the Overman Student Center?",
              "Looking for a ride to Kansas City on Friday",
              "Great talk in the Kansas Technology Center today",
              "Anyone selling a used graphing calculator?"]


def stamp(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def main():
    database, out = sys.argv[1], sys.argv[2]
    sessions = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    requests = int(sys.argv[4]) if len(sys.argv) > 4 else 50_000
    rng = random.Random(14)
    db = sqlite3.connect(database)
    members = [row[0] for row in db.execute(
        "SELECT id FROM users WHERE status = 'active' AND role IN ('student', 'alumni') AND deleted_at IS NULL "
        "ORDER BY id LIMIT ?", (sessions,))]
    if len(members) < sessions:
        sys.exit(f"only {len(members)} active students and alumni to sign in; seed more people")
    now = datetime.datetime.now(datetime.timezone.utc)
    signed_in = []
    for user in members:
        token = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
        csrf = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
        db.execute(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, remember, auth_methods, recent_auth_at, ip, "
            "user_agent, last_seen_at, idle_expires_at, absolute_expires_at, created_at) "
            "VALUES (?, ?, ?, 0, '[\"password\"]', ?, '127.0.0.1', 'campus-day benchmark', ?, ?, ?, ?)",
            (hashlib.sha256(token.encode()).digest(), user, csrf, stamp(now), stamp(now),
             stamp(now + datetime.timedelta(hours=6)), stamp(now + datetime.timedelta(hours=6)), stamp(now)))
        signed_in.append((token, csrf))
    db.commit()
    profiles = [row[0] for row in db.execute(
        "SELECT id FROM users WHERE status = 'active' AND deleted_at IS NULL ORDER BY random() LIMIT 5000")]
    surnames = [row[0] for row in db.execute(
        "SELECT DISTINCT last_name FROM users WHERE status = 'active' LIMIT 200")]
    posts = [row[0] for row in db.execute(
        "SELECT id FROM posts WHERE deleted_at IS NULL AND visibility IN ('public', 'members') "
        "ORDER BY random() LIMIT 5000")]
    events = [row[0] for row in db.execute(
        "SELECT id FROM events WHERE status = 'scheduled' AND start_time > ? AND (capacity IS NULL OR capacity > 50) "
        "ORDER BY random() LIMIT 500", (stamp(now),))]
    if not (profiles and surnames and posts and events):
        sys.exit("the database lacks people, posts or upcoming events; seed it with psc seed --synthetic")

    def target(kind):
        if kind == "feed":
            return "GET", "/feed", ""
        if kind == "profile":
            return "GET", f"/profile/{rng.choice(profiles)}", ""
        if kind == "search":
            return "GET", f"/search?q={rng.choice(SEARCH_WORDS)}", ""
        if kind == "events":
            return "GET", "/events", ""
        if kind == "directory":
            return "GET", f"/directory?q={rng.choice(surnames)}", ""
        if kind == "post":
            return "POST", "/api/v1/posts", json.dumps({"content": rng.choice(POST_WORDS), "visibility": "members"})
        if kind == "like":
            return "PUT", f"/api/v1/posts/{rng.choice(posts)}/like", ""
        return "PUT", f"/api/v1/events/{rng.choice(events)}/rsvp", ""

    kinds = [kind for kind, weight in MIX for _ in range(weight)]
    with open(out, "w") as lines:
        for _ in range(requests):
            kind = rng.choice(kinds)
            method, path, body = target(kind)
            token, csrf = rng.choice(signed_in)
            lines.write("\t".join([kind, method, path, token, csrf, body]) + "\n")


if __name__ == "__main__":
    main()
