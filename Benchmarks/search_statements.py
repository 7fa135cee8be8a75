#!/usr/bin/env python3
"""Times each statement one SRC-1 search runs, per type, against a seeded database (median of 20 runs each).

    python3 Benchmarks/search_statements.py DATA_DIR [QUERY ...]     # e.g. a DATA_DIR kept by community.sh

Run by hand, never in CI. The statements mirror SearchStore's (ranking floor, BM25 window, snippet, count) with
the ranking window it uses; the reader is the benchmark member (user 1). It reads the file read-only.
"""
import sqlite3
import statistics
import sys
import time

RANKED = 500  # SearchStore.rankedMatches
SPAN = 1 << 40
TYPES = {"users": 1, "posts": 2, "events": 3, "jobs": 4, "departments": 5}


def timed(label, run, repeats=20):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - start) * 1000)
    print(f"  {label:14s} {statistics.median(times):7.2f} ms")
    return result


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    db = sqlite3.connect(f"file:{sys.argv[1]}/psc.db?mode=ro", uri=True)
    db.execute("PRAGMA mmap_size=1073741824")
    for query in sys.argv[2:] or ['"career"', '"eng"*', '"career fair"']:
        for name, code in TYPES.items():
            low, high = code * SPAN, code * SPAN + SPAN - 1
            print(f"{query} {name}")
            floor = timed("floor", lambda: (db.execute(
                "SELECT rowid FROM search_index WHERE search_index MATCH ? AND rowid BETWEEN ? AND ? "
                "ORDER BY rowid DESC LIMIT 1 OFFSET ?", (query, low, high, RANKED - 1)).fetchone() or [low])[0])
            window = timed("bm25 window", lambda: db.execute(
                "SELECT rowid, bm25(search_index, 3.0, 1.0, 2.0) AS score FROM search_index "
                "WHERE search_index MATCH ? AND rowid BETWEEN ? AND ? ORDER BY score LIMIT 50", (query, floor, high)).fetchall())
            if window:
                rowids = ",".join(str(row[0]) for row in window[:5])
                timed("snippet", lambda: db.execute(
                    "SELECT title, snippet(search_index, 1, char(2), char(3), '…', 16) FROM search_index "
                    f"WHERE search_index MATCH ? AND rowid IN ({rowids})", (query,)).fetchall())
            timed("count ids", lambda: db.execute(
                "SELECT rowid FROM search_index WHERE search_index MATCH ? AND rowid > ? AND rowid <= ? ORDER BY rowid LIMIT 150",
                (query, low - 1, high)).fetchall())


if __name__ == "__main__":
    main()
