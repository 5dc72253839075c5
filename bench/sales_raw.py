#!/usr/bin/env python3
"""The board's two queries in their best SQL straight on the SQLite file (server stopped):
the per-stage count/sum and the first 20 cards of each stage. Prints p50/p99 in ms as JSON.

Usage: sales_raw.py DB PIPELINE_ID SECONDS. Uses Python's sqlite3 module, the same libsqlite3.
"""
import json
import sqlite3
import sys
import time

db, pipeline, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
con.execute("PRAGMA mmap_size = 0")
con.execute("PRAGMA cache_size = -8192")
stages = [r[0] for r in con.execute(
    "SELECT id FROM stages WHERE tenant_id = 1 AND pipeline_id = ? AND deleted_at IS NULL "
    "AND archived = 0 ORDER BY position, id", (pipeline,))]
times = []
end = time.monotonic() + seconds
while time.monotonic() < end:
    t0 = time.perf_counter()
    con.execute(
        "SELECT stage_id, currency, COUNT(*), SUM(amount) FROM deals WHERE tenant_id = 1 AND "
        "pipeline_id = ? AND deleted_at IS NULL GROUP BY stage_id, currency", (pipeline,)).fetchall()
    for s in stages:
        con.execute(
            "SELECT id, version, title, amount, currency, probability, owner_id, contact_id, "
            "company_id, expected_close_date, tags, status, stage_changed_at, updated_at FROM deals "
            "WHERE tenant_id = 1 AND pipeline_id = ? AND deleted_at IS NULL AND stage_id = ? "
            "ORDER BY updated_at DESC, id DESC LIMIT 20", (pipeline, s)).fetchall()
    times.append((time.perf_counter() - t0) * 1000)
times.sort()
pick = lambda q: times[min(len(times) - 1, int(q * len(times)))]
print(json.dumps({"mode": "board", "queries": len(times), "p50_ms": round(pick(0.5), 3),
                  "p99_ms": round(pick(0.99), 3), "max_ms": round(times[-1], 3)}))
