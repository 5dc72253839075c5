#!/usr/bin/env python3
"""Analytics at scale: dashboard widgets, RFM recomputation and the CLV refit over HTTP, and the
same SQL run by the `sqlite3` shell over the raw tables in the same run.

Usage: analytics_bench.py server DB DATA_DIR URL RESULTS   (the server is running on DB)
       analytics_bench.py raw DB DATA_DIR RESULTS          (the server is stopped)

`server` writes RESULTS/analytics_server.json: seconds of POST /analytics/rfm/recompute (on a
data set without metrics, then once more), of POST /analytics/clv/refit, then per widget the latencies of sequential GETs on one keep-alive
connection (a warm-up request, then until ANALYTICS_SAMPLES requests or ANALYTICS_SECONDS
seconds, at least 1). `raw` writes RESULTS/analytics_raw.json: per widget the time of its SQL
statements (the ones the server runs for an admin with no filters) as `sqlite3 .timer` reports
them, repeated ANALYTICS_RAW_REPEATS times; RFM as one SQL aggregate with NTILE scoring written
to a table (rolled back); CLV as the read of every customer's (x, t_x, T, mean spend).
"""
import datetime
import http.client
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse

SAMPLES = int(os.environ.get("ANALYTICS_SAMPLES", "30"))
# A widget request (or its raw SQL) that takes longer than this is recorded as timed out: the raw
# funnel and velocity SQL read every stage event of a pipeline and take minutes at this size.
TIMEOUT = float(os.environ.get("ANALYTICS_TIMEOUT", "120"))
SECONDS = float(os.environ.get("ANALYTICS_SECONDS", "20"))
RAW_REPEATS = int(os.environ.get("ANALYTICS_RAW_REPEATS", "1"))


def widgets(pipeline):
    month = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m")
    # The funnel and velocity go last: a request that times out keeps the server busy for a
    # while, which must not slow the widgets measured after it.
    return [
        ("win_loss", "/api/v1/analytics/win-loss"),
        ("forecast", "/api/v1/analytics/forecast?period=month"),
        ("plan_fact", f"/api/v1/analytics/plan-fact?period={month}"),
        ("sources", "/api/v1/analytics/sources?group_by=source"),
        ("rfm", "/api/v1/analytics/rfm"),
        ("cohorts", "/api/v1/analytics/cohorts"),
        ("clv", "/api/v1/analytics/clv?limit=10"),
        ("funnel", f"/api/v1/analytics/funnel?pipeline_id={pipeline}"),
        ("velocity", f"/api/v1/analytics/velocity?pipeline_id={pipeline}"),
    ]


def percentile(values, p):
    """Nearest-rank percentile."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))
    return s[k]


def read(path):
    with open(path) as f:
        return f.read().strip()


def server(db, data, url, results):
    token = read(os.path.join(data, "admin.token"))
    pipeline = read(os.path.join(data, "pipeline.txt"))
    parts = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    errors = {}
    # The server's own CPU time: on a loaded machine wall time mostly measures waiting for a core.
    pid = os.environ.get("ANALYTICS_SERVER_PID")
    tick = os.sysconf("SC_CLK_TCK")

    def cpu():
        if not pid:
            return 0.0
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick

    def call(method, path, body=None, name=None):
        start = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        payload = r.read()
        seconds = time.perf_counter() - start
        if r.status != 200:
            if name is None:
                raise SystemExit(f"{method} {path}: {r.status} {payload[:300]!r}")
            errors[name] = errors.get(name, 0) + 1
            print(f"  {name}: {r.status} {payload[:200]!r}", file=sys.stderr)
        return seconds, payload

    out = {"widgets": {}}
    print("analytics: RFM recomputation", file=sys.stderr)
    c0 = cpu()
    out["rfm_recompute_s"], _ = call("POST", "/api/v1/analytics/rfm/recompute")
    c1 = cpu()
    # Again at once: the scheduled rescoring of metrics the order writes already keep current,
    # which writes only the rows that changed (the first call wrote every customer's).
    out["rfm_recompute_again_s"], _ = call("POST", "/api/v1/analytics/rfm/recompute")
    c2 = cpu()
    out["rfm_recompute_cpu_s"], out["rfm_recompute_again_cpu_s"] = c1 - c0, c2 - c1
    print(f"  {out['rfm_recompute_s']:.2f} s, again {out['rfm_recompute_again_s']:.2f} s; "
          "CLV refit", file=sys.stderr)
    c0 = cpu()
    seconds, payload = call("POST", "/api/v1/analytics/clv/refit", b"{}")
    out["clv_refit_s"] = seconds
    out["clv_refit_cpu_s"] = cpu() - c0
    fit = json.loads(payload)
    out["clv_customers"] = fit.get("customers")
    print(f"  {seconds:.2f} s for {out['clv_customers']} customers", file=sys.stderr)
    for name, path in widgets(pipeline):
        conn.timeout = TIMEOUT
        if conn.sock:
            conn.sock.settimeout(TIMEOUT)
        try:
            call("GET", path, name=name)  # warm-up: page cache and prepared statements
        except (TimeoutError, OSError):
            conn.close()
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
            out["widgets"][name] = {"path": path, "requests": 0, "errors": 0,
                                    "timed_out_after_s": TIMEOUT}
            print(f"  {name}: no answer within {TIMEOUT:.0f} s", file=sys.stderr)
            continue
        times = []
        c0 = cpu()
        start = time.perf_counter()
        # At least one measured request; slow widgets get fewer within the time budget.
        while not times or (len(times) < SAMPLES and time.perf_counter() - start < SECONDS):
            times.append(call("GET", path, name=name)[0] * 1000)
        out["widgets"][name] = {
            "path": path,
            "requests": len(times),
            "errors": errors.get(name, 0),
            "p50_ms": percentile(times, 50),
            "p95_ms": percentile(times, 95),
            "max_ms": max(times),
            "cpu_ms_per_request": (cpu() - c0) * 1000 / len(times),
        }
        print(f"  {name}: p95 {out['widgets'][name]['p95_ms']:.1f} ms over {len(times)}",
              file=sys.stderr)
    with open(os.path.join(results, "analytics_server.json"), "w") as f:
        json.dump(out, f, indent=1)


def raw_sql(db, pipeline):
    """The statements each figure costs, as the server runs them for an admin, no filters."""
    live = "tenant_id = 1 AND deleted_at IS NULL"
    now = int(time.time() * 1e6)
    to = "json_extract(e.changes, '$.stage_id.to')"
    p = f"'{pipeline}'"
    month = datetime.datetime.now(datetime.timezone.utc)
    m0 = datetime.datetime(month.year, month.month, 1, tzinfo=datetime.timezone.utc)

    def add_months(d, n):
        y, m = divmod(d.month - 1 + n, 12)
        return datetime.datetime(d.year + y, m + 1, 1, tzinfo=datetime.timezone.utc)

    def us(d):
        return int(d.timestamp() * 1e6)

    def won_between(a, b):
        return (f"SELECT currency, CAST(SUM(amount) AS BIGINT) FROM deals WHERE {live} AND "
                f"status = 'won' AND won_at >= {us(a)} AND won_at < {us(b)} GROUP BY currency")

    forecast = [won_between(add_months(m0, -3), m0)]
    for k in range(2):
        a, b = add_months(m0, k), add_months(m0, k + 1)
        last = (b - datetime.timedelta(days=1)).strftime("%Y-%m-%d")
        forecast.append(
            "SELECT currency, CAST(SUM(amount * COALESCE(probability, 0)) AS BIGINT), "
            f"CAST(SUM(amount) AS BIGINT), COUNT(*) FROM deals WHERE {live} AND status = 'open' "
            f"AND expected_close_date >= '{a:%Y-%m-%d}' AND expected_close_date <= '{last}' "
            "GROUP BY currency")
        forecast.append(won_between(a, b))
    contacts = " JOIN contacts c ON c.tenant_id = {t}.tenant_id AND c.id = {t}.contact_id AND c.deleted_at IS NULL "
    plans = f"SELECT id, owner_id, team_id, amount, currency FROM sales_plans WHERE {live} AND period = '{m0:%Y-%m}'"
    won_month = (f"{live} AND status = 'won' AND won_at >= {us(m0)} AND won_at < {us(add_months(m0, 1))}")
    return {
        "funnel": [
            f"WITH d AS (SELECT id, stage_id FROM deals WHERE {live} AND pipeline_id = {p}), "
            f"visits AS (SELECT e.record_id AS deal_id, {to} AS stage_id FROM events e JOIN d ON "
            f"d.id = e.record_id WHERE e.tenant_id = 1 AND e.entity = 'deals' AND {to} IS NOT NULL "
            "UNION SELECT id, stage_id FROM d), reach AS (SELECT v.deal_id, MAX(s.position) AS "
            "max_position FROM visits v JOIN stages s ON s.tenant_id = 1 AND s.id = v.stage_id "
            f"WHERE s.pipeline_id = {p} AND s.kind <> 'lost' GROUP BY v.deal_id) SELECT s.id, "
            "s.name, s.kind, s.position, CASE WHEN s.kind = 'lost' THEN (SELECT COUNT(DISTINCT "
            "v.deal_id) FROM visits v WHERE v.stage_id = s.id) ELSE (SELECT COUNT(*) FROM reach r "
            "WHERE r.max_position >= s.position) END, (SELECT COUNT(*) FROM d WHERE d.stage_id = "
            f"s.id) FROM stages s WHERE s.tenant_id = 1 AND s.pipeline_id = {p} AND s.deleted_at "
            "IS NULL ORDER BY s.position, s.id"],
        "velocity": [
            f"WITH d AS (SELECT id, status FROM deals WHERE {live} AND pipeline_id = {p}), moves AS "
            f"(SELECT e.record_id AS deal_id, e.version AS version, e.at AS at, {to} AS stage_id "
            "FROM events e JOIN d ON d.id = e.record_id WHERE e.tenant_id = 1 AND e.entity = "
            f"'deals' AND {to} IS NOT NULL), spans AS (SELECT m.deal_id, m.stage_id, m.at, "
            "LEAD(m.at) OVER (PARTITION BY m.deal_id ORDER BY m.version) AS next_at FROM moves m), "
            "timed AS (SELECT sp.stage_id, sp.deal_id, SUM(COALESCE(sp.next_at, CASE WHEN d.status "
            f"= 'open' THEN CAST({now} AS BIGINT) END) - sp.at) AS micros FROM spans sp JOIN d ON "
            "d.id = sp.deal_id GROUP BY sp.stage_id, sp.deal_id), ranked AS (SELECT stage_id, "
            "micros, ROW_NUMBER() OVER (PARTITION BY stage_id ORDER BY micros) AS rn, COUNT(*) "
            "OVER (PARTITION BY stage_id) AS n FROM timed WHERE micros IS NOT NULL) SELECT s.id, "
            "s.name, s.kind, s.position, (SELECT COUNT(*) FROM timed t WHERE t.stage_id = s.id), "
            "(SELECT COUNT(*) FROM ranked x WHERE x.stage_id = s.id), (SELECT CAST(SUM(x.micros) "
            "AS BIGINT) FROM ranked x WHERE x.stage_id = s.id), (SELECT CAST(SUM(x.micros) AS "
            "BIGINT) FROM ranked x WHERE x.stage_id = s.id AND (x.rn = (x.n + 1) / 2 OR x.rn = "
            "(x.n + 2) / 2)), (SELECT COUNT(*) FROM ranked x WHERE x.stage_id = s.id AND (x.rn = "
            "(x.n + 1) / 2 OR x.rn = (x.n + 2) / 2)) FROM stages s WHERE s.tenant_id = 1 AND "
            f"s.pipeline_id = {p} AND s.deleted_at IS NULL ORDER BY s.position, s.id"],
        "win_loss": [
            "SELECT status, currency, COUNT(*), CAST(SUM(amount) AS BIGINT) FROM deals WHERE "
            f"{live} AND status IN ('won', 'lost') GROUP BY status, currency",
            "SELECT loss_reason, currency, COUNT(*), CAST(SUM(amount) AS BIGINT) FROM deals WHERE "
            f"{live} AND status = 'lost' GROUP BY loss_reason, currency"],
        "forecast": forecast,
        "plan_fact": [
            f"WITH p AS ({plans}) SELECT p.id, p.owner_id, p.team_id, p.amount, p.currency, u.name, "
            "u.email, t.name FROM p LEFT JOIN users u ON u.tenant_id = 1 AND u.id = p.owner_id "
            "LEFT JOIN teams t ON t.tenant_id = 1 AND t.id = p.team_id ORDER BY COALESCE(u.name, "
            "t.name), p.id",
            f"WITH p AS ({plans}), d AS (SELECT owner_id, currency, amount FROM deals WHERE "
            f"{won_month}) SELECT p.id, d.currency, CAST(SUM(d.amount) AS BIGINT) FROM p JOIN d ON "
            "d.owner_id = p.owner_id OR d.owner_id IN (SELECT u.id FROM users u WHERE u.tenant_id "
            "= 1 AND u.team_id = p.team_id) GROUP BY p.id, d.currency"],
        "sources": [
            "SELECT source, COUNT(*), SUM(CASE WHEN status = 'converted' THEN 1 ELSE 0 END) FROM "
            f"leads WHERE {live} GROUP BY source",
            "SELECT source, COUNT(*), currency, CAST(SUM(amount) AS BIGINT) FROM deals WHERE "
            f"{live} AND status = 'won' GROUP BY source, currency",
            "SELECT source, campaign, currency, CAST(SUM(amount) AS BIGINT) FROM campaign_costs "
            f"WHERE {live} GROUP BY source, campaign, currency"],
        "rfm": ["SELECT m.segment, m.revenue FROM customer_metrics m" + contacts.format(t="m") +
                "WHERE m.tenant_id = 1"],
        "cohorts": ["SELECT o.contact_id, o.ordered_at FROM orders o" + contacts.format(t="o") +
                    "WHERE o.tenant_id = 1 AND o.deleted_at IS NULL AND o.status = 'completed' "
                    "AND o.ordered_at IS NOT NULL"],
        "clv": [
            "SELECT params, fitted_at FROM clv_fits WHERE tenant_id = 1",
            "SELECT COUNT(*), COALESCE(SUM(k.clv_minor), 0), COALESCE(SUM(k.expected_purchases), 0) "
            "FROM clv_customers k" + contacts.format(t="k") + "WHERE k.tenant_id = 1",
            "SELECT k.contact_id, k.clv_minor, k.p_alive, k.expected_purchases, "
            "k.expected_spend_minor, c.first_name, c.last_name FROM clv_customers k" +
            contacts.format(t="k") + "WHERE k.tenant_id = 1 ORDER BY k.clv_minor DESC, "
            "k.contact_id LIMIT 10"],
        # Every customer's metrics and quintile scores in one statement, written like the server
        # writes them (rolled back by the caller).
        "rfm_recompute": [
            "DELETE FROM customer_metrics WHERE tenant_id = 1",
            "INSERT INTO customer_metrics (tenant_id, contact_id, first_order_at, last_order_at, "
            "last_order_day, orders_count, purchase_days, orders_last_year, revenue, "
            "monetary_minor, r_score, f_score, m_score, segment, updated_at) "
            "SELECT 1, contact_id, first_at, last_at, last_day, n, days, n_year, "
            "json_object('RUB', revenue), revenue, NTILE(5) OVER (ORDER BY last_day), "
            "NTILE(5) OVER (ORDER BY days), NTILE(5) OVER (ORDER BY revenue), '', 0 FROM "
            "(SELECT o.contact_id, MIN(o.ordered_at) AS first_at, MAX(o.ordered_at) AS last_at, "
            "MAX(o.ordered_at) / 86400000000 AS last_day, COUNT(*) AS n, COUNT(DISTINCT "
            "o.ordered_at / 86400000000) AS days, SUM(o.ordered_at > "
            f"{now - 365 * 86400 * 10**6}) AS n_year, SUM(o.amount) AS revenue FROM orders o" +
            contacts.format(t="o") + "WHERE o.tenant_id = 1 AND o.deleted_at IS NULL AND "
            "o.status = 'completed' AND o.ordered_at IS NOT NULL AND o.amount IS NOT NULL "
            "GROUP BY o.contact_id)",
            "UPDATE contacts SET rfm_segment = (SELECT r_score || f_score || m_score FROM "
            "customer_metrics m WHERE m.tenant_id = 1 AND m.contact_id = contacts.id) WHERE "
            "tenant_id = 1"],
        # What the refit reads: each customer's frequency, recency, age and mean spend.
        "clv_refit": [
            "SELECT o.contact_id, COUNT(DISTINCT o.ordered_at / 86400000000) - 1, "
            "MAX(o.ordered_at / 86400000000) - MIN(o.ordered_at / 86400000000), "
            f"{now // 86400000000} - MIN(o.ordered_at / 86400000000), AVG(o.amount) FROM orders o" +
            contacts.format(t="o") + "WHERE o.tenant_id = 1 AND o.deleted_at IS NULL AND "
            "o.status = 'completed' AND o.currency = 'RUB' AND o.ordered_at IS NOT NULL AND "
            "o.amount IS NOT NULL GROUP BY o.contact_id"],
    }


def raw(db, data, results):
    pipeline = read(os.path.join(data, "pipeline.txt"))
    out = {}
    for name, statements in raw_sql(db, pipeline).items():
        writes = name == "rfm_recompute"
        script = [".timer on", ".output /dev/null"]
        # Reads: a first, uncounted run warms the page cache as the server's warm-up request does.
        for _ in range(1 if writes else RAW_REPEATS + 1):
            script.append("BEGIN;" if writes else "SELECT 'run';")
            script.extend(s + ";" for s in statements)
            if writes:
                script.append("ROLLBACK;")
        try:
            proc = subprocess.run(["sqlite3", db], input="\n".join(script) + "\n",
                                  capture_output=True, text=True, check=True,
                                  timeout=None if writes else TIMEOUT * (RAW_REPEATS + 1))
        except subprocess.TimeoutExpired:
            out[name] = {"statements": len(statements), "timed_out_after_s": TIMEOUT}
            print(f"  raw {name}: no answer within {TIMEOUT:.0f} s", file=sys.stderr)
            continue
        times = [float(t) for t in re.findall(r"Run Time: real ([0-9.]+)", proc.stdout)]
        # Per repetition: the sum over its statements (the marker statement first).
        per = len(statements) + 1
        runs = [sum(times[i + 1:i + per]) * 1000 for i in range(0, len(times) - per + 1, per)]
        runs = runs if writes else runs[1:]
        out[name] = {"statements": len(statements), "runs_ms": runs,
                     "p95_ms": percentile(runs, 95)}
        print(f"  raw {name}: {out[name]['p95_ms']:.1f} ms", file=sys.stderr)
    with open(os.path.join(results, "analytics_raw.json"), "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(*sys.argv[2:6])
    else:
        raw(*sys.argv[2:5])
