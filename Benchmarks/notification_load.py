"""The notification hub under load (Benchmarks/notifications.sh runs it): a broadcast to everyone and 1,000 open
live streams. Prints one `name: value` line per figure."""
import argparse
import json
import socket
import statistics
import subprocess
import threading
import time
import urllib.parse

import requests


RUN = str(int(time.time()))


def admin_session(args, email, name):
    """A new admin through psc-admin's setup link, signed in over the API (addresses made unique per run)."""
    email = email.replace("@", f"+{RUN}@")
    made = subprocess.run([args.admin, "--socket", args.socket, "--json", "user", "create-admin", "--email", email, "--name", name],
                          check=True, capture_output=True, text=True)
    token = json.loads(made.stdout)["result"]["setup_link"].rsplit("/setup/", 1)[1] if "result" in json.loads(made.stdout) \
        else json.loads(made.stdout)["setup_link"].rsplit("/setup/", 1)[1]
    session = requests.Session()
    reply = session.post(args.url + "/api/v1/auth/invitations/accept", json={"token": token, "password": "a benchmark passphrase"})
    assert reply.status_code == 200, reply.text
    session.headers["X-CSRF-Token"] = reply.json()["csrf_token"]
    return session


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as status:
        return int(next(line for line in status if line.startswith("VmRSS")).split()[1])


def latencies(session, url, seconds=None, count=None, stop=None):
    """Sequential requests of the other traffic: the caller's unread count and a department page."""
    found = []
    paths = ["/api/v1/notifications/unread-count", "/api/v1/departments"]
    started = time.time()
    while True:
        for path in paths:
            begin = time.perf_counter()
            assert session.get(url + path, timeout=30).status_code == 200
            found.append((time.perf_counter() - begin) * 1000)
        if count and len(found) >= count:
            break
        if seconds and time.time() - started > seconds:
            break
        if stop and stop.is_set():
            break
    return found


def quantiles(values):
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def wait_for_quiet(args, seconds=600):
    """Measures only once background work is done: a fresh database's first start catches up the nightly backup
    (30-jobs: a slot inside its catch-up window runs once), which would share the cores with the figures."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        listed = subprocess.run([args.admin, "--socket", args.socket, "--json", "jobs", "list", "--state", "running"],
                                capture_output=True, text=True)
        reply = json.loads(listed.stdout or "{}")
        if not (reply.get("result") or reply).get("jobs"):
            return
        time.sleep(1)


def fan_out(args):
    wait_for_quiet(args)
    admin = admin_session(args, "bench.admin@pittstate.edu", "Bench Admin")
    reader = admin_session(args, "bench.reader@pittstate.edu", "Bench Reader")
    idle = latencies(reader, args.url, count=600)
    p50, p99 = quantiles(idle)
    print(f"idle_requests: {len(idle)}  idle_p50_ms: {p50:.2f}  idle_p99_ms: {p99:.2f}")
    for kind in args.types.split(","):
        stop = threading.Event()
        during = []
        sampler = threading.Thread(target=lambda: during.extend(latencies(reader, args.url, stop=stop)))
        started = time.perf_counter()
        reply = admin.post(args.url + "/api/v1/notifications/broadcast", headers={"Idempotency-Key": f"bench-{kind}-{time.time()}"},
                           json={"audience": {}, "notification_type": kind, "title": "Campus closed Friday",
                                 "message": "The campus closes at noon on Friday for the holiday."})
        assert reply.status_code == 202, reply.text
        broadcast, recipients = reply.json()["broadcast_id"], reply.json()["recipients"]
        accepted = time.perf_counter() - started
        sampler.start()
        while True:
            progress = admin.get(args.url + f"/api/v1/notifications/broadcasts/{broadcast}").json()
            if progress["status"] == "done":
                break
            time.sleep(0.05)
        total = time.perf_counter() - started
        stop.set()
        sampler.join()
        p50d, p99d = quantiles(during)
        print(f"broadcast_type: {kind}  recipients: {recipients}  created: {progress['created']}  accepted_s: {accepted:.2f}  "
              f"total_s: {total:.2f}  in_app_per_s: {progress['created'] / total:.0f}")
        print(f"  during_requests: {len(during)}  during_p50_ms: {p50d:.2f}  during_p99_ms: {p99d:.2f}  "
              f"p99_ratio: {p99d / p99:.2f}  deliveries: {json.dumps(progress['deliveries'])}")


def streams(args):
    people = [admin_session(args, f"bench.stream{n}@pittstate.edu", f"Stream Reader {n}") for n in range(args.streams // 10)]
    ids = [person.get(args.url + "/api/v1/users/me").json()["id"] for person in people]
    before = rss_kb(args.pid)
    host, port = urllib.parse.urlsplit(args.url).hostname, urllib.parse.urlsplit(args.url).port
    sockets = []
    for person in people:
        cookie = "; ".join(f"{name}={value}" for name, value in person.cookies.items())
        for _ in range(10):
            connection = socket.create_connection((host, port))
            connection.sendall(f"GET /api/v1/notifications/stream HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\n"
                               f"Accept: text/event-stream\r\n\r\n".encode())
            sockets.append(connection)
    for connection in sockets:
        connection.settimeout(10)
        head = b""
        while b"unread_count" not in head:
            head += connection.recv(4096)
        assert b"200 OK" in head, head[:200]
    time.sleep(1)
    after = rss_kb(args.pid)
    print(f"open_streams: {len(sockets)}  rss_before_kb: {before}  rss_with_streams_kb: {after}  "
          f"per_stream_kb: {(after - before) / len(sockets):.1f}")
    admin = people[0]
    started = time.perf_counter()
    reply = admin.post(args.url + "/api/v1/notifications/send-bulk", headers={"Idempotency-Key": f"bench-streams-{time.time()}"},
                       json={"user_ids": ids, "notification_type": "announcement", "title": "Live", "message": "Reaches every stream"})
    assert reply.status_code == 202, reply.text
    for connection in sockets:
        seen = b""
        while b"event: notification" not in seen:
            seen += connection.recv(65536)
    print(f"broadcast_to_all_streams_s: {time.perf_counter() - started:.2f}")
    for connection in sockets:
        connection.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--admin", required=True)
    parser.add_argument("--socket", required=True)
    parser.add_argument("--types", default="job_application_viewed,announcement")
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--only", choices=["fan-out", "streams"])
    arguments = parser.parse_args()
    if arguments.only != "streams":
        fan_out(arguments)
    if arguments.only != "fan-out":
        streams(arguments)
