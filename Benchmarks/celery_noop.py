"""The Celery side of Benchmarks/queue-compare.sh: a no-op task on a local Redis broker, and a driver that
enqueues N tasks and waits until every one has run.

Tasks are acknowledged late (after they ran), so "the broker holds no message and no unacknowledged one" means
every task has finished; no result backend or counter is added to Celery's work.
"""
import json
import os
import sys
import time

from celery import Celery
import redis

BROKER = os.environ.get("CELERY_BROKER", "redis://127.0.0.1:16379/0")
app = Celery("celery_noop", broker=BROKER)
app.conf.task_acks_late = True
app.conf.task_ignore_result = True
app.conf.worker_hijack_root_logger = False


@app.task(name="noop")
def noop():
    return None


def drive(count):
    broker = redis.Redis.from_url(BROKER)
    start = time.perf_counter()
    for _ in range(count):
        noop.apply_async()
    enqueued = time.perf_counter()
    while broker.llen("celery") > 0 or broker.hlen("unacked") > 0:
        time.sleep(0.005)
    finished = time.perf_counter()
    print(json.dumps({
        "benchmark": "celery", "tasks": count, "workers": 2,
        "enqueue_per_second": int(count / (enqueued - start)),
        "jobs_per_second": int(count / (finished - start)),
    }))


if __name__ == "__main__":
    drive(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
