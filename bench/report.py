#!/usr/bin/env python3
"""Turns the files bench/run.sh leaves in var/bench/results into docs/PERFORMANCE.md.

Usage: report.py RESULTS_DIR REPORT_PATH. Workloads that did not run are shown as "not run".
The analysis text comes from bench/notes.md, appended verbatim.
"""
import json
import os
import sys

CLK_TCK = os.sysconf("SC_CLK_TCK")


def load_json(results, name):
    path = os.path.join(results, name + ".json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        text = f.read().strip()
    return json.loads(text) if text else None


def read_text(results, name, default=""):
    path = os.path.join(results, name)
    if not os.path.exists(path):
        return default
    with open(path) as f:
        return f.read().strip()


def read_env(path):
    out = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if "=" in line:
                    k, v = line.rstrip("\n").split("=", 1)
                    out[k] = v
    return out


def cpu_facts(results, name, requests):
    """Server CPU per request (us), machine busy share and the server's share of the machine."""
    text = read_text(results, name + ".cpu")
    if not text or not requests:
        return None
    m0_busy, m0_total, p0, m1_busy, m1_total, p1 = (float(x) for x in text.split())
    total = max(1.0, m1_total - m0_total)
    server = p1 - p0
    return {
        "us_per_request": server / CLK_TCK / requests * 1e6,
        "machine_busy": (m1_busy - m0_busy) / total,
        "server_share": server / total,
    }


def fmt(v, digits=1):
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:,.{digits}f}"
    return f"{v:,}"


def analytics_section(results, m):
    """The analytics-at-scale section (bench/analytics_bench.py), or [] when it did not run."""
    srv = load_json(results, "analytics_server")
    raw = load_json(results, "analytics_raw")
    if not srv or not raw:
        return []
    counts = read_env(os.path.join(results, "analytics_counts.env"))
    db_bytes = int(read_text(results, "analytics_db_bytes", "0") or 0)
    out = ["## Analytics at scale (bench/analytics_bench.py)\n"]
    out.append(
        f"SQLite data set: {int(counts.get('customers', 0)):,} contacts (all customers), "
        f"{int(counts.get('orders', 0)):,} completed orders with product lines, "
        f"{int(counts.get('deals', 0)):,} deals with {int(counts.get('events', 0)):,} stage-history "
        f"events, {int(counts.get('leads', 0)):,} leads; {db_bytes / 2**30:.2f} GiB, generated in "
        f"{read_text(results, 'analytics_gen_seconds', '?')} s (bench/gen_contacts.cpp + "
        "bench/gen_analytics.cpp, cached in var/bench/). Load average at the start / end of this "
        f"section: {m.get('loadavg_analytics_start', '?')} / {m.get('loadavg_analytics_end', '?')}.\n")
    out.append(
        "Widgets: sequential GETs on one keep-alive connection as an admin with the dashboard's "
        "default filters (whole history), after one warm-up request. The limit is the same SQL "
        "statements the server runs for that widget, run by the `sqlite3` shell over the raw "
        "tables (`.timer`, p95 of repeated runs after a warm-up run, server stopped). Ratio = "
        "limit ÷ measured (1.00 = as fast as the bare SQL).\n")
    out.append("| Figure | Requests | p50 ms | p95 ms | Server CPU ms per request | Target | sqlite3 shell, same SQL, ms | Ratio to limit | Result |")
    out.append("|---|---|---|---|---|---|---|---|---|")
    for name, d in srv["widgets"].items():
        r = raw.get(name, {}).get("p95_ms")
        if "timed_out_after_s" in d:
            limit = (f"no answer within {raw[name]['timed_out_after_s']:.0f} s"
                     if "timed_out_after_s" in raw.get(name, {}) else fmt(r, 1))
            out.append(f"| `{d['path']}` | 0 | — | no answer within {d['timed_out_after_s']:.0f} s | — | "
                       f"≤ 200 | {limit} | — | **FAIL** |")
            continue
        ratio = f"{r / d['p95_ms']:.2f}" if r is not None and d["p95_ms"] else "—"
        ok = "**pass**" if d["p95_ms"] <= 200 else "**FAIL**"
        out.append(f"| `{d['path']}` | {d['requests']} | {fmt(d['p50_ms'], 1)} | {fmt(d['p95_ms'], 1)} | "
                   f"{fmt(d.get('cpu_ms_per_request'), 1)} | ≤ 200 | {fmt(r, 1)} | {ratio} | {ok} |")
    rfm = srv["rfm_recompute_s"]
    rfm_raw = raw["rfm_recompute"]["p95_ms"] / 1000
    out.append(f"| RFM recomputation, every customer (`POST /analytics/rfm/recompute`), s | 1 | — | "
               f"{fmt(rfm, 2)} | {fmt(srv.get('rfm_recompute_cpu_s'), 2)} s | ≤ 10 | {fmt(rfm_raw, 2)} (one SQL aggregate with NTILE scores, "
               f"written and rolled back) | {rfm_raw / rfm:.2f} | {'**pass**' if rfm <= 10 else '**FAIL**'} |")
    again = srv.get("rfm_recompute_again_s")
    if again is not None:
        out.append(f"| RFM recomputation again at once (only changed rows written), s | 1 | — | "
                   f"{fmt(again, 2)} | {fmt(srv.get('rfm_recompute_again_cpu_s'), 2)} s | ≤ 10 | {fmt(rfm_raw, 2)} | {rfm_raw / again:.2f} | "
                   f"{'**pass**' if again <= 10 else '**FAIL**'} |")
    clv = srv["clv_refit_s"]
    clv_raw = raw["clv_refit"]["p95_ms"] / 1000
    out.append(f"| CLV refit, BG/NBD + Gamma-Gamma over {fmt(srv.get('clv_customers') or 0)} customers "
               f"(`POST /analytics/clv/refit`), s | 1 | — | {fmt(clv, 2)} | {fmt(srv.get('clv_refit_cpu_s'), 2)} s | ≤ 30 | {fmt(clv_raw, 2)} "
               f"(reading every customer's x, t_x, T and mean spend; no fit) | {clv_raw / clv:.2f} | "
               f"{'**pass**' if clv <= 30 else '**FAIL**'} |")
    out.append("")
    return out


def markdown_rows(text):
    """The body rows of the markdown tables in text, as lists of stripped cells."""
    rows = []
    for line in text.splitlines():
        if line.startswith("|") and not line.startswith("|---") and not line.startswith("| data set") \
                and not line.startswith("| measure"):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return rows


def quality_rows(results, row, verdict):
    """Issue targets of the data-quality section: F1 per Febrl set and on the mixed-script set,
    the scan of 1,000,000 contacts and the on-entry duplicate lookup (dedupe_eval and
    quality_db_bench write the tables these come from)."""
    dedupe = markdown_rows(read_text(results, "dedupe.md"))
    for cells in dedupe:
        name, f1, scan_s = cells[0], cells[7], cells[8]
        if name.startswith("febrl") or name.startswith("mixed Cyrillic"):
            target = 0.95 if name.startswith("febrl") else 0.90
            row(f"Duplicates: {name}", "F1", f1, f"≥ {target:.2f}", "—", "—",
                verdict(float(f1) >= target))
        elif name.startswith("mixed, scale"):
            row(f"Duplicates: scan of {int(cells[1]):,} contacts", "seconds", scan_s, "≤ 60", "—",
                "—", verdict(float(scan_s) <= 60))
    for cells in markdown_rows(read_text(results, "quality_db.md")):
        if cells[0] == "on-entry duplicate lookup, p50 / p99":
            p99_ms = cells[1].split("/")[1].split()[0]
            row("Duplicate check on entry", "p99 ms added to a create", p99_ms, "≤ 2", "—", "—",
                verdict(float(p99_ms) <= 2))


def main():
    results, report = sys.argv[1], sys.argv[2]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    m = read_env(os.path.join(results, "machine.env"))
    names = ("read_admin", "read_user", "list_admin_lat", "list_admin", "list_user_lat", "list_user",
             "search_lat", "search", "create", "board_lat", "board", "move", "nginx_static")
    breakdown = [f"listq{t}_{role}" for role in ("admin", "user") for t in (1, 2, 3, 4)]
    w = {n: load_json(results, n) for n in names + tuple(breakdown)}
    conns = {n: read_text(results, n + ".conns", "?") for n in w}
    raw = {n: load_json(results, "raw_" + n) for n in ("lookup", "list", "search", "insert", "board")}
    rss = {n: int(read_text(results, n + ".rss_kb", "0") or 0) for n in w}
    server_rss_mb = max((rss[n] for n in w if n != "nginx_static"), default=0) / 1024

    rows = []

    def row(workload, metric, measured, target, limit, ratio, ok, unit=""):
        rows.append((workload, metric, measured, target, limit, ratio, ok))

    def rps(name):
        return w[name]["rps"] if w.get(name) else None

    def p99(name):
        return w[name]["p99_ms"] if w.get(name) else None

    def verdict(cond):
        if cond is None:
            return "not run"
        return "**pass**" if cond else "**FAIL**"

    def ratio(a, b):
        return f"{a / b:.2f}" if a is not None and b else "—"

    nginx = rps("nginx_static")
    lookup = raw["lookup"]["ops_per_s"] if raw["lookup"] else None
    insert = raw["insert"]["ops_per_s"] if raw["insert"] else None
    raw_list = raw["list"]["p99_ms"] if raw["list"] else None
    raw_search = raw["search"]["p99_ms"] if raw["search"] else None

    r = rps("read_admin")
    row("Read by id (admin)", "req/s", fmt(r), "≥ 20,000",
        f"nginx {fmt(nginx)}; SQLite {fmt(lookup)}",
        f"{ratio(r, nginx)} / {ratio(r, lookup)}", verdict(None if r is None else r >= 20000))
    p = p99("read_admin")
    row("Read by id (admin)", "p99 ms", fmt(p, 2), "≤ 10",
        f"nginx {fmt(p99('nginx_static'), 2)}", ratio(p99("nginx_static"), p),
        verdict(None if p is None else p <= 10))
    c = rps("create")
    row("Durable create (admin)", "req/s", fmt(c), "≥ 5,000", f"SQLite, 64 per commit {fmt(insert)}",
        ratio(c, insert), verdict(None if c is None else c >= 5000))
    lat_c = m.get("latency_connections", "?")
    p = p99("list_admin_lat")
    row("Filtered + sorted list, 50 (admin)", f"p99 ms at {lat_c} connections", fmt(p, 2), "≤ 20",
        f"SQLite {fmt(raw_list, 2)}", ratio(raw_list, p), verdict(None if p is None else p <= 20))
    p = p99("search_lat")
    row("Global search (admin)", f"p99 ms at {lat_c} connections", fmt(p, 2), "≤ 20",
        f"SQLite FTS5 {fmt(raw_search, 2)}", ratio(raw_search, p), verdict(None if p is None else p <= 20))
    row("Server RSS under load", "max MB", fmt(server_rss_mb), "≤ 300", "—", "—",
        verdict(None if not server_rss_mb else server_rss_mb <= 300))
    ru, ra = rps("read_user"), rps("read_admin")
    row("Read by id, `user` with team scope", "req/s (ratio to admin)",
        f"{fmt(ru)} ({ratio(ru, ra)})", "≥ 0.8 × admin", f"admin {fmt(ra)}", ratio(ru, ra),
        verdict(None if ru is None or not ra else ru / ra >= 0.8))
    pu, pa = p99("read_user"), p99("read_admin")
    row("Read by id, `user` with team scope", "p99 ms", fmt(pu, 2), "≤ 10", f"admin {fmt(pa, 2)}",
        ratio(pa, pu), verdict(None if pu is None else pu <= 10))
    lu, la = rps("list_user"), rps("list_admin")
    row("List, `user` with team scope", "req/s (ratio to admin)", f"{fmt(lu)} ({ratio(lu, la)})",
        "≥ 0.8 × admin", f"admin {fmt(la)}", ratio(lu, la),
        verdict(None if lu is None or not la else lu / la >= 0.8))
    pu = p99("list_user_lat")
    row("List, `user` with team scope", f"p99 ms at {lat_c} connections", fmt(pu, 2), "≤ 20",
        f"admin {fmt(p99('list_admin_lat'), 2)}", ratio(p99("list_admin_lat"), pu),
        verdict(None if pu is None else pu <= 20))

    demo_s = read_text(results, "demo_seconds", "")
    demo_s = float(demo_s) if demo_s else None
    gen_s = read_text(results, "gen_seconds", "")
    gen_s = float(gen_s) if gen_s else None
    demo_contacts = read_text(results, "demo_contacts", "?")
    row(f"`voronka demo` with {demo_contacts} contacts", "seconds", fmt(demo_s), "< 120",
        f"raw SQLite generator, contacts only {fmt(gen_s)}", ratio(gen_s, demo_s),
        verdict(None if demo_s is None else demo_s < 120))
    raw_board = raw["board"]["p99_ms"] if raw["board"] else None
    p = p99("board_lat")
    row(f"Board, {read_text(results, 'pipeline_deals', '?')} deals in the pipeline "
        f"({read_text(results, 'open_deals', '?')} open)", f"p99 ms at {lat_c} connections", fmt(p, 2),
        "≤ 30", f"SQLite {fmt(raw_board, 2)}", ratio(raw_board, p), verdict(None if p is None else p <= 30))
    mv = rps("move")
    row("Move a deal to another stage (durable)", "req/s", fmt(mv), "≥ 3,000",
        f"SQLite, 64 per commit {fmt(insert)}", ratio(mv, insert), verdict(None if mv is None else mv >= 3000))

    quality_rows(results, row, verdict)

    out = []
    out.append("# Performance\n")
    out.append(f"Written by `make bench` (bench/run.sh) on {read_text(results, 'date')}. "
               "Do not edit by hand: the analysis at the end comes from `bench/notes.md`.\n")
    out.append("## Targets\n")
    out.append("Ratio to limit is the fraction of the ceiling measured in the same run that the server "
               "reaches: throughput ÷ limit throughput, or limit latency ÷ latency (1.00 = as good as the "
               "limit). For the `user` rows the limit is the admin figure.\n")
    out.append("| Workload | Metric | Measured | Target | Limit (same run) | Ratio to limit | Result |")
    out.append("|---|---|---|---|---|---|---|")
    for r_ in rows:
        out.append("| " + " | ".join(str(x) for x in r_) + " |")
    out.append("")

    out.append("## Every workload\n")
    out.append(f"wrk {m.get('wrk', '?')}, {m.get('wrk_threads', '?')} threads, "
               f"{m.get('duration', '?')} s at {m.get('connections', '?')} connections (throughput) or "
               f"{m.get('latency_connections', '?')} connections (latency of list and search: at 64 a "
               "closed-loop test measures the queue, 64 ÷ throughput), after a warm-up, on a freshly "
               "started server per workload; `--latency` is wrk's own histogram. Server CPU is "
               "utime+stime of the server process per request, the figure least disturbed by other "
               "load on the machine; *machine busy* is the share of all cores busy during the run (wrk "
               "and every other process included).\n")
    out.append("| Workload | conns | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors | server CPU µs/req | server share / machine busy | RSS max MB |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
    labels = {
        "read_admin": "GET /contacts/{id} — admin",
        "read_user": "GET /contacts/{id} — user, team scope",
        "list_admin_lat": "GET /contacts?filter&sort, 50 — admin",
        "list_admin": "GET /contacts?filter&sort, 50 — admin",
        "list_user_lat": "GET /contacts?filter&sort, 50 — user, team scope",
        "list_user": "GET /contacts?filter&sort, 50 — user, team scope",
        "search_lat": "GET /search?q — admin",
        "search": "GET /search?q — admin",
        "create": "POST /contacts (durable) — admin",
        "board_lat": "GET /pipelines/{id}/board — admin",
        "board": "GET /pipelines/{id}/board — admin",
        "move": "PATCH /deals/{id} {stage_id} (durable) — admin",
        "nginx_static": "nginx: static contact.json (limit)",
    }
    queries = {
        1: "`filter[last_name]=X&sort=-updated_at`",
        2: "`filter[source]=X&sort=-updated_at`",
        3: "`filter[last_name][starts]=Xyz&sort=last_name`",
        4: "`filter[company_id]=X&filter[source]=Y&sort=-created_at`",
    }
    for t, q in queries.items():
        for role in ("admin", "user"):
            labels[f"listq{t}_{role}"] = f"list query {t} alone, {role}: {q}"
    for name, label in labels.items():
        d = w.get(name)
        if not d:
            out.append(f"| {label} | not run |  |  |  |  |  |  |  |  |  |  |")
            continue
        e = d["errors"]
        errors = e["connect"] + e["read"] + e["write"] + e["status"] + e["timeout"]
        cpu = cpu_facts(results, name, d["requests"])
        cpu_us = fmt(cpu["us_per_request"]) if cpu and name != "nginx_static" else "—"
        share = (f"{cpu['server_share'] * 100:.0f}% / {cpu['machine_busy'] * 100:.0f}%"
                 if cpu and name != "nginx_static" else
                 (f"— / {cpu['machine_busy'] * 100:.0f}%" if cpu else "—"))
        out.append(f"| {label} | {conns[name]} | {fmt(d['rps'])} | {fmt(d['p50_ms'], 2)} | {fmt(d['p90_ms'], 2)} | "
                   f"{fmt(d['p99_ms'], 2)} | {fmt(d['p999_ms'], 2)} | {fmt(d['max_ms'], 1)} | {errors} | "
                   f"{cpu_us} | {share} | {fmt(rss[name] / 1024) if name != 'nginx_static' else '—'} |")
    out.append("")
    out.append("Raw SQLite (bench/sqlite_raw.cpp, same file and pragmas, server stopped):\n")
    out.append("| Limit | Value |")
    out.append("|---|---|")
    if raw["lookup"]:
        out.append(f"| Point reads of a contact by (tenant_id, id), {raw['lookup']['threads']} threads | {fmt(raw['lookup']['ops_per_s'])} /s |")
    if raw["insert"]:
        out.append(f"| Durable creates (contact with its matching keys + event + search rows), {raw['insert']['batch']} per commit, synchronous=FULL | {fmt(raw['insert']['ops_per_s'])} /s |")
    if raw["list"]:
        out.append(f"| The four list queries, best SQL, one at a time | p50 {fmt(raw['list']['p50_ms'], 2)} ms, p99 {fmt(raw['list']['p99_ms'], 2)} ms |")
    if raw["board"]:
        out.append(f"| The board: stages, count/sum from the roll-ups and first 20 cards of every stage (Python sqlite3, same library) | p50 {fmt(raw['board']['p50_ms'], 2)} ms, p99 {fmt(raw['board']['p99_ms'], 2)} ms |")
        if "scan_p99_ms" in raw["board"]:
            out.append(f"| The same with the count/sum recounted from every deal of the pipeline | p50 {fmt(raw['board']['scan_p50_ms'], 2)} ms, p99 {fmt(raw['board']['scan_p99_ms'], 2)} ms |")
    if raw["search"]:
        out.append(f"| FTS5 prefix queries, newest first, one at a time | p50 {fmt(raw['search']['p50_ms'], 2)} ms, p99 {fmt(raw['search']['p99_ms'], 2)} ms |")
    out.append("")

    out.append("## Machine and data set\n")
    db_bytes = int(read_text(results, "db_bytes", "0") or 0)
    out.append("| | |")
    out.append("|---|---|")
    out.append(f"| CPU | {m.get('cpu', '?')}, {m.get('nproc', '?')} cores (`nproc`) |")
    out.append(f"| Memory | {m.get('mem_gib', '?')} GiB |")
    out.append(f"| Kernel | {m.get('kernel', '?')} |")
    out.append(f"| SQLite / nginx / wrk | {m.get('sqlite', '?')} / {m.get('nginx', '?')} / {m.get('wrk', '?')} |")
    out.append(f"| Load average at start / end | {m.get('loadavg_start', '?')} / {m.get('loadavg_end', '?')} |")
    out.append(f"| Server | `voronka serve --threads {m.get('server_threads', '?')}` (io threads and quick reads; other reads on the default read pool of 16), SQLite WAL, commits with synchronous=NORMAL and the WAL fdatasync'ed before each batch is acknowledged |")
    out.append(f"| Data set | {int(m.get('contacts', 0)):,} contacts in the measured tenant, "
               f"{int(m.get('tenants', 0))} tenants ({int(m.get('other_contacts', 0)):,} contacts in each other), "
               f"{db_bytes / 2**30:.2f} GiB; generated in {read_text(results, 'gen_seconds', '?')} s (cached in var/bench/) |")
    out.append(f"| Contact body | {read_text(results, 'contact_bytes', '?')} bytes (the static file nginx serves) |")
    out.append(f"| Whole run | {m.get('bench_seconds', '?')} s |")
    out.append("")

    out.extend(analytics_section(results, m))

    for name, title in (("quality_db.md", "Data quality inside the app (bench/quality/quality_db_bench.cpp)"),
                        ("dedupe.md", "Duplicate detection quality and scan (bench/quality/dedupe_eval.cpp)"),
                        ("clv_fit.md", "CLV refit (bench/clv/clv_fit_bench.cpp)")):
        text = read_text(results, name)
        if text:
            out.append(f"## {title}\n")
            out.append(text + "\n")

    web = os.path.join(root, "docs", "PERFORMANCE-web.md")
    if os.path.exists(web):
        with open(web) as f:
            body = f.read().strip().split("\n")
        # Written by the browser end-to-end run (web/e2e), not by make bench; shown here one level down.
        out.append("## Browser (from the end-to-end run, docs/PERFORMANCE-web.md)\n")
        out.extend(("#" + line) if line.startswith("#") else line for line in body[1:])
        out.append("")

    notes = os.path.join(root, "bench", "notes.md")
    if os.path.exists(notes):
        with open(notes) as f:
            out.append(f.read().rstrip() + "\n")

    os.makedirs(os.path.dirname(os.path.abspath(report)), exist_ok=True)
    section = analytics_section(results, m)
    if os.environ.get("BENCH_ONLY") == "analytics" and section and os.path.exists(report):
        # A run of the analytics section alone refreshes that section and keeps the rest.
        with open(report) as f:
            old = f.read().split("\n")
        head = "## Analytics at scale"
        start = next((i for i, l in enumerate(old) if l.startswith(head)), None)
        if start is None:
            start = next((i for i, l in enumerate(old) if l.startswith("## Data quality") or
                          l.startswith("## CLV refit") or l.startswith("## Browser")), len(old))
            end = start
        else:
            end = next((i for i in range(start + 1, len(old)) if old[i].startswith("## ")), len(old))
        out = old[:start] + section + old[end:]
    with open(report, "w") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    main()
