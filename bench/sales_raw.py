#!/usr/bin/env python3
"""The board's queries in their best SQL straight on the SQLite file (server stopped): the stage
list, the per-stage count/sum from the roll-ups and the first 20 cards of each stage from the
card index. Prints p50/p99 in ms as JSON; `scan_*` are the same figures when the count/sum is
recounted from every deal of the pipeline instead (what the board did before the roll-ups).

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

STAGES = ("SELECT id, name, kind, probability FROM stages WHERE tenant_id = 1 AND pipeline_id = ? "
          "AND deleted_at IS NULL AND archived = 0 ORDER BY position, id")
ROLLUPS = ("SELECT stage_id, currency, SUM(deals), SUM(amounts), SUM(amount_minor) FROM deal_rollups "
           "WHERE tenant_id = 1 AND pipeline_id = ? GROUP BY stage_id, currency")
SCAN = ("SELECT stage_id, currency, COUNT(*), COUNT(amount), SUM(amount) FROM deals WHERE tenant_id = 1 "
        "AND pipeline_id = ? AND deleted_at IS NULL GROUP BY stage_id, currency")
CARDS = ("SELECT id, version, title, amount, currency, probability, owner_id, contact_id, company_id, "
         "expected_close_date, tags, status, stage_changed_at, updated_at FROM deals WHERE tenant_id = 1 "
         "AND pipeline_id = ? AND deleted_at IS NULL AND stage_id = ? "
         "ORDER BY updated_at DESC, id DESC LIMIT 20")


def measure(totals_sql, budget):
    times = []
    end = time.monotonic() + budget
    while time.monotonic() < end:
        t0 = time.perf_counter()
        stages = con.execute(STAGES, (pipeline,)).fetchall()
        con.execute(totals_sql, (pipeline,)).fetchall()
        for s in stages:
            con.execute(CARDS, (pipeline, s[0])).fetchall()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return times, lambda q: times[min(len(times) - 1, int(q * len(times)))]


times, pick = measure(ROLLUPS, seconds * 0.7)
scan_times, scan_pick = measure(SCAN, seconds * 0.3)
print(json.dumps({"mode": "board", "queries": len(times), "p50_ms": round(pick(0.5), 3),
                  "p99_ms": round(pick(0.99), 3), "max_ms": round(times[-1], 3),
                  "scan_queries": len(scan_times), "scan_p50_ms": round(scan_pick(0.5), 3),
                  "scan_p99_ms": round(scan_pick(0.99), 3)}))
