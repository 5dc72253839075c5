#!/usr/bin/env bash
# `make bench`: load tests of the server on a million contacts, beside the limits measured in the
# same run (nginx serving a static file, raw SQLite), written to docs/PERFORMANCE.md.
#
# Steps: build the helpers; generate (or reuse from var/bench/) the data set; undo what earlier
# runs wrote; raw SQLite ceilings; start `voronka serve` and run each wrk workload (warm-up, then
# a measured run with --latency) while sampling the server's RSS and CPU; nginx on a static file
# of the same size as a contact; write the report.
#
# Every workload gets a freshly started server, so a slow query still running from one workload
# cannot eat into the next. Throughput runs use BENCH_CONNECTIONS (64); the list and search
# latency targets are read at BENCH_LATENCY_CONNECTIONS (4): at 64 connections a closed-loop
# test measures queueing (64 / throughput), not the time a query takes.
#
# Knobs (environment): BENCH_CONTACTS (1000000, in the measured tenant), BENCH_TENANTS (100),
# BENCH_OTHER_CONTACTS (1000 per other tenant), BENCH_DEALS (80000 in the demo company: about 20,000 open in the larger pipeline), BENCH_DURATION (20 s per workload), BENCH_WARMUP
# (5 s), BENCH_CONNECTIONS (64), BENCH_LATENCY_CONNECTIONS (4), BENCH_LATENCY_DURATION (15 s),
# BENCH_WRK_THREADS (2), BENCH_SERVER_THREADS (4, the server default: io threads and quick reads),
# BENCH_PORT (18181), BENCH_NGINX_PORT (18182), BENCH_REPORT (docs/PERFORMANCE.md), VORONKA
# (build/voronka), BENCH_ONLY (space-separated workload names to run, for quick iterations),
# BENCH_ANALYTICS_CONTACTS / _ORDERS / _DEALS / _LEADS (1000000 / 5000000 / 2000000 / 200000).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
VORONKA=${VORONKA:-$ROOT/build/voronka}
CONTACTS=${BENCH_CONTACTS:-1000000}
TENANTS=${BENCH_TENANTS:-100}
OTHER=${BENCH_OTHER_CONTACTS:-1000}
DEALS=${BENCH_DEALS:-80000}
DURATION=${BENCH_DURATION:-20}
WARMUP=${BENCH_WARMUP:-5}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
LAT_CONNECTIONS=${BENCH_LATENCY_CONNECTIONS:-4}
LAT_DURATION=${BENCH_LATENCY_DURATION:-15}
WRK_THREADS=${BENCH_WRK_THREADS:-2}
SERVER_THREADS=${BENCH_SERVER_THREADS:-4}
PORT=${BENCH_PORT:-18181}
NGINX_PORT=${BENCH_NGINX_PORT:-18182}
REPORT=${BENCH_REPORT:-$ROOT/docs/PERFORMANCE.md}
ONLY=${BENCH_ONLY:-}
WORK=$ROOT/var/bench
BIN=$WORK/bin
RESULTS=$WORK/results
export BENCH_WRK_DIR=$ROOT/bench/wrk

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }
wanted() { [[ -z $ONLY || " $ONLY " == *" $1 "* ]]; }

for tool in wrk nginx sqlite3 python3 curl g++; do
    command -v "$tool" >/dev/null || die "$tool is missing (make deps installs it)"
done
[[ -x $VORONKA ]] || die "$VORONKA is missing; run make build"
mkdir -p "$BIN" "$RESULTS"
rm -f "$RESULTS"/*
BENCH_START=$(date +%s)
date -u +%FT%TZ >"$RESULTS/date"

# --- helpers: plain g++, rebuilt when their source changes -----------------------------------
build_tool() {
    local name=$1
    shift
    if [[ ! -x $BIN/$name || $ROOT/bench/$name.cpp -nt $BIN/$name ||
          $ROOT/bench/bulk_sqlite.hpp -nt $BIN/$name ]]; then
        log "compiling bench/$name.cpp"
        g++ -std=c++20 -O2 -Wall -Wextra -o "$BIN/$name" "$ROOT/bench/$name.cpp" "$@"
    fi
}
build_tool gen_contacts -lsqlite3 -lcrypto
build_tool sqlite_raw -lsqlite3 -lpthread

# --- data set: cached under var/bench/data-<key>, key = generator, schema and sizes -----------
KEY=$(cat "$ROOT/bench/gen_contacts.cpp" "$ROOT/bench/bulk_sqlite.hpp" "$ROOT"/server/storage/migrations/sqlite/*.sql |
    { cat; echo "$CONTACTS $TENANTS $OTHER keyed"; } | sha256sum | cut -c1-12)
DATA=$WORK/data-$KEY
DB=$DATA/bench.db
export BENCH_DATA=$DATA
if [[ $ONLY == analytics ]]; then
    log "BENCH_ONLY=analytics: the contacts data set is not needed"
elif [[ ! -f $DATA/ready ]]; then
    for old in "$WORK"/data-*; do
        [[ -e $old && $old != "$DATA" ]] && { log "removing stale data set $old"; rm -rf "$old"; }
    done
    rm -rf "$DATA" && mkdir -p "$DATA"
    log "generating $CONTACTS contacts in tenant 1 of $TENANTS (+$OTHER in each other tenant)"
    GEN_START=$(date +%s.%N)
    "$VORONKA" migrate --db "$DB" >/dev/null
    "$BIN/gen_contacts" --db "$DB" --out "$DATA" --tenants "$TENANTS" --contacts "$CONTACTS" \
        --other-contacts "$OTHER" >&2
    # The generator writes around the record engine, so its contacts have no matching keys; a
    # real company's contacts all have them, and the on-entry duplicate check of every create
    # reads the stored namesakes by them. The scan computes the keys of every record it reads.
    "$VORONKA" duplicates scan --db "$DB" --entity contacts --output /dev/null >&2
    # A server merges its search index's segments every few minutes (records/search_maintenance);
    # the data set starts merged, as the index of a server that has been running would be.
    sqlite3 "$DB" "INSERT INTO search_fts (search_fts) VALUES ('optimize');"
    # What the data set holds; anything past these marks was written by a benchmark and is undone.
    sqlite3 "$DB" "SELECT 'MAX_SEQ=' || COALESCE(MAX(seq), 0) FROM events;
                   SELECT 'MAX_DOC=' || COALESCE(MAX(doc_id), 0) FROM search_docs;
                   SELECT 'MAX_UPDATED=' || COALESCE(MAX(updated_at), 0) FROM contacts;" >"$DATA/marks.env"
    python3 -c "import sys,time; print(f'{time.time()-float(sys.argv[1]):.1f}')" "$GEN_START" >"$DATA/gen_seconds"
    touch "$DATA/ready"
    log "data set ready in $(cat "$DATA/gen_seconds") s ($(du -sh "$DB" | cut -f1))"
else
    log "reusing data set $DATA ($(du -sh "$DB" | cut -f1))"
fi
if [[ -f $DATA/ready ]]; then
    cp "$DATA/gen_seconds" "$RESULTS/gen_seconds"
    du -b "$DB" | cut -f1 >"$RESULTS/db_bytes"
fi

# Undo rows written by earlier benchmark runs (creates), so every run sees the same data set.
reset_data() {
    # shellcheck disable=SC1091
    source "$DATA/marks.env"
    sqlite3 "$DB" >/dev/null <<SQL
PRAGMA journal_mode = WAL;
BEGIN;
DELETE FROM search_fts WHERE rowid < -$MAX_DOC;
DELETE FROM search_docs WHERE doc_id > $MAX_DOC;
DELETE FROM events WHERE seq > $MAX_SEQ;
DELETE FROM contacts WHERE tenant_id = 1 AND updated_at > $MAX_UPDATED;
DELETE FROM idempotency_keys;
COMMIT;
-- The deletes leave tombstone segments in the search index; a server merges them away within
-- minutes (records/search_maintenance), so every run starts from the merged index.
INSERT INTO search_fts (search_fts) VALUES ('optimize');
PRAGMA wal_checkpoint(TRUNCATE);
SQL
}
if [[ -f $DATA/ready ]]; then
    log "resetting the data set"
    reset_data
    # Read the file once so the first workload does not pay for a cold page cache.
    cat "$DB" >/dev/null
fi

# --- machine facts and a load sample (other processes skew everything on a shared box) --------
{
    echo "nproc=$(nproc)"
    echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "kernel=$(uname -r)"
    echo "mem_gib=$(awk '/MemTotal/ {printf "%.1f", $2/1048576}' /proc/meminfo)"
    echo "sqlite=$(sqlite3 --version | cut -d' ' -f1)"
    echo "wrk=$(wrk --version 2>&1 | head -1 | cut -d' ' -f2)"
    echo "nginx=$(nginx -v 2>&1 | cut -d/ -f2)"
    echo "loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "server_threads=$SERVER_THREADS"
    echo "connections=$CONNECTIONS"
    echo "latency_connections=$LAT_CONNECTIONS"
    echo "wrk_threads=$WRK_THREADS"
    echo "duration=$DURATION"
    echo "contacts=$CONTACTS"
    echo "tenants=$TENANTS"
    echo "other_contacts=$OTHER"
} >"$RESULTS/machine.env"

# Busy and total jiffies of the whole machine (for the share other processes took).
machine_jiffies() { awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
# utime+stime of a process and its threads, in jiffies.
proc_jiffies() { awk '{print $14+$15}' "/proc/$1/stat"; }

# --- raw SQLite ceilings (server not running) --------------------------------------------------
RAW_SECONDS=$((DURATION / 2 > 5 ? DURATION / 2 : 5))
if wanted raw; then
    log "raw SQLite: lookups, list and search queries, durable inserts"
    "$BIN/sqlite_raw" lookup --db "$DB" --ids "$DATA/ids.txt" --threads 2 --seconds "$RAW_SECONDS" >"$RESULTS/raw_lookup.json"
    "$BIN/sqlite_raw" list --db "$DB" --data "$DATA" --seconds "$RAW_SECONDS" >"$RESULTS/raw_list.json"
    "$BIN/sqlite_raw" search --db "$DB" --data "$DATA" --seconds "$RAW_SECONDS" >"$RESULTS/raw_search.json"
    "$BIN/sqlite_raw" insert --db "$DB" --batch 64 --seconds "$RAW_SECONDS" >"$RESULTS/raw_insert.json"
    reset_data
fi

# --- the server --------------------------------------------------------------------------------
SERVER_PID=
NGINX_PID=
cleanup() {
    [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    [[ -n $NGINX_PID ]] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
    true
}
trap cleanup EXIT

wait_http() {
    for _ in $(seq 1 150); do
        curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
        sleep 0.2
    done
    die "nothing answers at $1"
}

# run_wrk NAME URL SCRIPT PID CONNECTIONS SECONDS WARMUP [ENV=VALUE...]: warm-up, then the
# measured run with --latency while sampling the RSS and CPU of PID.
run_wrk() {
    local name=$1 url=$2 script=$3 pid=$4 conns=$5 seconds=$6 warmup=$7
    shift 7
    log "workload $name: ${warmup}s warm-up, ${seconds}s measured, $conns connections"
    if ((warmup > 0)); then
        env "$@" BENCH_RESULT=/dev/null wrk -t"$WRK_THREADS" -c"$conns" -d"${warmup}s" \
            -s "$BENCH_WRK_DIR/$script" "$url" >/dev/null
    fi
    local m0 p0 m1 p1
    m0=$(machine_jiffies)
    p0=$(proc_jiffies "$pid")
    # RSS sampler: the largest VmRSS seen, every 200 ms.
    (
        max=0
        while kill -0 "$pid" 2>/dev/null; do
            rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
            ((rss > max)) && max=$rss && echo "$max" >"$RESULTS/$name.rss_kb"
            sleep 0.2
        done
    ) &
    local sampler=$!
    env "$@" BENCH_RESULT="$RESULTS/$name.json" wrk -t"$WRK_THREADS" -c"$conns" \
        -d"${seconds}s" --latency -s "$BENCH_WRK_DIR/$script" "$url" >"$RESULTS/$name.txt"
    m1=$(machine_jiffies)
    p1=$(proc_jiffies "$pid")
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    echo "$m0 $p0 $m1 $p1" >"$RESULTS/$name.cpu"
    echo "$conns" >"$RESULTS/$name.conns"
    grep -E 'Requests/sec|99%|Non-2xx' "$RESULTS/$name.txt" | tr -s ' ' | paste -sd' ' >&2 || true
}

URL=http://127.0.0.1:$PORT
start_server() {
    "$VORONKA" serve --db "${1:-$DB}" --listen "127.0.0.1:$PORT" --threads "$SERVER_THREADS" \
        --static-dir "$WORK/no-static" --rate-limit 0 >>"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    wait_http "$URL/healthz"
}
stop_server() {
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}

# server_workload NAME SCRIPT [ENV=VALUE...]: a fresh server; for list and search first the
# latency run at few connections, then the throughput run at $CONNECTIONS.
server_workload() {
    local name=$1 script=$2
    shift 2
    wanted "$name" || return 0
    start_server
    case $name in
        list_* | search*)
            run_wrk "${name}_lat" "$URL" "$script" "$SERVER_PID" "$LAT_CONNECTIONS" "$LAT_DURATION" "$WARMUP" "$@"
            run_wrk "$name" "$URL" "$script" "$SERVER_PID" "$CONNECTIONS" "$DURATION" 0 "$@"
            ;;
        *)
            run_wrk "$name" "$URL" "$script" "$SERVER_PID" "$CONNECTIONS" "$DURATION" "$WARMUP" "$@"
            ;;
    esac
    stop_server
}

if [[ -z $ONLY || ( $ONLY != raw && $ONLY != analytics ) ]]; then
    : >"$WORK/server.log"
    log "server: voronka serve --threads $SERVER_THREADS, restarted for every workload"
    start_server
    ADMIN_TOKEN=$(cat "$DATA/admin.token")
    # A contact exactly as the API returns it: the static twin nginx serves.
    mkdir -p "$WORK/nginx/html"
    curl -fsS -H "Authorization: Bearer $ADMIN_TOKEN" "$URL/api/v1/contacts/$(head -1 "$DATA/ids.txt")" \
        >"$WORK/nginx/html/contact.json"
    wc -c <"$WORK/nginx/html/contact.json" >"$RESULTS/contact_bytes"
    stop_server

    server_workload read_admin read.lua BENCH_ROLE=admin BENCH_IDS=ids.txt
    server_workload read_user read.lua BENCH_ROLE=user BENCH_IDS=team_ids.txt
    server_workload list_admin list.lua BENCH_ROLE=admin
    server_workload list_user list.lua BENCH_ROLE=user
    server_workload search search.lua BENCH_ROLE=admin
    # Where list time goes: each query shape alone, few connections, a short warm-up each.
    if wanted list_breakdown; then
        start_server
        for role in admin user; do
            for t in 1 2 3 4; do
                run_wrk "listq${t}_$role" "$URL" list.lua "$SERVER_PID" "$LAT_CONNECTIONS" 5 1 \
                    BENCH_ROLE=$role BENCH_LIST_TEMPLATES=$t
            done
        done
        stop_server
    fi
    # Last: it adds rows (undone by reset_data at the start of the next run).
    server_workload create create.lua BENCH_ROLE=admin

    # --- nginx on the same file, same wrk settings --------------------------------------------
    if wanted nginx; then
        NGX=$WORK/nginx
        mkdir -p "$NGX/logs" "$NGX/tmp"
        cat >"$NGX/nginx.conf" <<CONF
daemon off;
worker_processes auto;
pid $NGX/nginx.pid;
error_log $NGX/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $NGX/tmp/body;
    proxy_temp_path $NGX/tmp/proxy;
    fastcgi_temp_path $NGX/tmp/fastcgi;
    uwsgi_temp_path $NGX/tmp/uwsgi;
    scgi_temp_path $NGX/tmp/scgi;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $NGX/html;
        default_type application/json;
    }
}
CONF
        chmod -R a+rX "$NGX/html"
        nginx -p "$NGX" -c "$NGX/nginx.conf" &
        NGINX_PID=$!
        wait_http "http://127.0.0.1:$NGINX_PORT/contact.json"
        run_wrk nginx_static "http://127.0.0.1:$NGINX_PORT" static.lua "$NGINX_PID" "$CONNECTIONS" "$DURATION" "$WARMUP"
        kill "$NGINX_PID"
        wait "$NGINX_PID" 2>/dev/null || true
        NGINX_PID=
    fi
fi

# --- sales: the demo company at full size, its board and durable deal moves ---------------------
if wanted demo || wanted board || wanted move; then
    SKEY=$(cat "$ROOT"/server/sales/demo_data.cpp "$ROOT"/server/sales/bulk_writer.cpp \
        "$ROOT"/server/storage/migrations/sqlite/*.sql | { cat; echo "$CONTACTS $DEALS"; } |
        sha256sum | cut -c1-12)
    SALES=$WORK/sales-$SKEY
    SDB=$SALES/demo.db
    if [[ ! -f $SALES/ready ]]; then
        rm -rf "$WORK"/sales-* && mkdir -p "$SALES"
        log "voronka demo: $CONTACTS contacts, $DEALS deals"
        DEMO_START=$(date +%s.%N)
        "$VORONKA" demo --db "$SDB" --contacts "$CONTACTS" --deals "$DEALS" >"$SALES/demo.log" 2>&1
        python3 -c "import sys,time; print(f'{time.time()-float(sys.argv[1]):.1f}')" "$DEMO_START" \
            >"$SALES/demo_seconds"
        "$VORONKA" token create --db "$SDB" --email admin@example.com | tail -1 >"$SALES/admin.token"
        # The pipeline with the most open deals, its open deals and open stages.
        sqlite3 "$SDB" "SELECT pipeline_id FROM deals WHERE tenant_id = 1 AND status = 'open'
                        GROUP BY pipeline_id ORDER BY COUNT(*) DESC LIMIT 1" >"$SALES/pipeline.txt"
        P=$(cat "$SALES/pipeline.txt")
        sqlite3 "$SDB" "SELECT id FROM deals WHERE tenant_id = 1 AND pipeline_id = '$P'
                        AND status = 'open' AND deleted_at IS NULL" >"$SALES/open_deals.txt"
        sqlite3 "$SDB" "SELECT id FROM stages WHERE tenant_id = 1 AND pipeline_id = '$P'
                        AND kind = 'open' AND deleted_at IS NULL" >"$SALES/open_stages.txt"
        touch "$SALES/ready"
        log "demo ready in $(cat "$SALES/demo_seconds") s"
    else
        log "reusing demo data set $SALES"
    fi
    cp "$SALES/demo_seconds" "$RESULTS/demo_seconds"
    wc -l <"$SALES/open_deals.txt" >"$RESULTS/open_deals"
    sqlite3 "$SDB" "SELECT COUNT(*) FROM deals WHERE tenant_id = 1 AND pipeline_id =
                    '$(cat "$SALES/pipeline.txt")' AND deleted_at IS NULL" >"$RESULTS/pipeline_deals"
    sqlite3 "$SDB" "SELECT COUNT(*) FROM contacts WHERE tenant_id = 1" >"$RESULTS/demo_contacts"
    if wanted raw; then
        python3 "$ROOT/bench/sales_raw.py" "$SDB" "$(cat "$SALES/pipeline.txt")" "$RAW_SECONDS" \
            >"$RESULTS/raw_board.json"
    fi
    if wanted board; then
        start_server "$SDB"
        run_wrk board_lat "$URL" board.lua "$SERVER_PID" "$LAT_CONNECTIONS" "$LAT_DURATION" "$WARMUP" \
            BENCH_DATA="$SALES" BENCH_ROLE=admin
        run_wrk board "$URL" board.lua "$SERVER_PID" "$CONNECTIONS" "$DURATION" 0 \
            BENCH_DATA="$SALES" BENCH_ROLE=admin
        stop_server
    fi
    if wanted move; then
        # Moves send If-Match: the current version of every open deal of the pipeline, read again
        # after the warm-up has moved some of them.
        deal_versions() {
            sqlite3 "$SDB" "SELECT id || ' ' || version FROM deals WHERE tenant_id = 1 AND
                            pipeline_id = '$(cat "$SALES/pipeline.txt")' AND status = 'open'
                            AND deleted_at IS NULL ORDER BY id" >"$SALES/deal_versions.txt"
        }
        start_server "$SDB"
        deal_versions
        log "workload move: ${WARMUP}s warm-up"
        env BENCH_DATA="$SALES" BENCH_ROLE=admin BENCH_MOVE_THREADS="$WRK_THREADS" \
            BENCH_RESULT=/dev/null wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" \
            -s "$BENCH_WRK_DIR/move.lua" "$URL" >/dev/null
        sleep 1  # moves wrk left in flight commit before the versions are read
        deal_versions
        run_wrk move "$URL" move.lua "$SERVER_PID" "$CONNECTIONS" "$DURATION" 0 \
            BENCH_DATA="$SALES" BENCH_ROLE=admin BENCH_MOVE_THREADS="$WRK_THREADS"
        stop_server
    fi
fi

# --- analytics at scale: 1M contacts, 5M orders, 2M deals; widgets, RFM, CLV refit ------------
# gen_contacts writes tenant 1 with its users and contacts, gen_analytics adds pipelines, deals
# with their stage history, leads, plans, costs and orders; cached under var/bench/analytics-<key>.
if wanted analytics; then
    A_CONTACTS=${BENCH_ANALYTICS_CONTACTS:-1000000}
    A_ORDERS=${BENCH_ANALYTICS_ORDERS:-5000000}
    A_DEALS=${BENCH_ANALYTICS_DEALS:-2000000}
    A_LEADS=${BENCH_ANALYTICS_LEADS:-200000}
    build_tool gen_analytics -lsqlite3
    # Keyed by the generators, not the schema: the server migrates a cached set on start, and a
    # migration fills what it adds from the rows already there.
    AKEY=$(cat "$ROOT"/bench/gen_contacts.cpp "$ROOT"/bench/gen_analytics.cpp \
        "$ROOT"/bench/bulk_sqlite.hpp |
        { cat; echo "$A_CONTACTS $A_ORDERS $A_DEALS $A_LEADS"; } | sha256sum | cut -c1-12)
    ADATA=$WORK/analytics-$AKEY
    ADB=$ADATA/analytics.db
    if [[ ! -f $ADATA/ready ]]; then
        rm -rf "$WORK"/analytics-* && mkdir -p "$ADATA"
        log "analytics data set: $A_CONTACTS contacts, $A_ORDERS orders, $A_DEALS deals"
        A_START=$(date +%s.%N)
        "$VORONKA" migrate --db "$ADB" >/dev/null
        "$BIN/gen_contacts" --db "$ADB" --out "$ADATA" --tenants 2 --contacts "$A_CONTACTS" \
            --other-contacts 1000 >&2
        "$BIN/gen_analytics" --db "$ADB" --out "$ADATA" --deals "$A_DEALS" --orders "$A_ORDERS" \
            --leads "$A_LEADS" >&2
        # The generator writes around the record engine's hooks: recount the roll-ups they keep.
        "$VORONKA" analytics rebuild-rollups --db "$ADB" >&2
        python3 -c "import sys,time; print(f'{time.time()-float(sys.argv[1]):.1f}')" "$A_START" \
            >"$ADATA/gen_seconds"
        touch "$ADATA/ready"
        log "analytics data set ready in $(cat "$ADATA/gen_seconds") s ($(du -sh "$ADB" | cut -f1))"
    else
        log "reusing analytics data set $ADATA"
    fi
    cp "$ADATA/gen_seconds" "$RESULTS/analytics_gen_seconds"
    cp "$ADATA/counts.env" "$RESULTS/analytics_counts.env"
    du -b "$ADB" | cut -f1 >"$RESULTS/analytics_db_bytes"
    echo "loadavg_analytics_start=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RESULTS/machine.env"
    cat "$ADB" >/dev/null
    start_server "$ADB"
    ANALYTICS_SERVER_PID=$SERVER_PID python3 "$ROOT/bench/analytics_bench.py" server "$ADB" "$ADATA" "$URL" "$RESULTS"
    stop_server
    python3 "$ROOT/bench/analytics_bench.py" raw "$ADB" "$ADATA" "$RESULTS"
    echo "loadavg_analytics_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RESULTS/machine.env"
fi

# --- in-process benchmarks: data quality on entry and at scale, CLV refit ----------------------
BUILD_DIR=$(dirname "$VORONKA")
if wanted quality; then
    log "data quality: on-entry overhead at 100,000 stored contacts; precision/recall; scan of 1,000,000"
    cmake --build "$BUILD_DIR" --target quality_db_bench dedupe_eval -j "$(nproc)" >/dev/null
    "$BUILD_DIR/server/quality/quality_db_bench" >"$RESULTS/quality_db.md" 2>"$WORK/quality_db.log"
    VORONKA_SHARED_DATA=${VORONKA_SHARED_DATA:-$ROOT/../shared/data} \
        "$BUILD_DIR/server/quality/dedupe_eval" >"$RESULTS/dedupe.md" \
        2>"$WORK/dedupe.log"
fi
if wanted clv; then
    log "CLV: BG/NBD refit over 1,000,000 customers"
    cmake --build "$BUILD_DIR" --target clv_fit_bench -j "$(nproc)" >/dev/null
    "$BUILD_DIR/server/analytics/clv_fit_bench" >"$RESULTS/clv_fit.md" \
        2>"$WORK/clv_fit.log"
fi

echo "loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RESULTS/machine.env"
echo "bench_seconds=$(($(date +%s) - BENCH_START))" >>"$RESULTS/machine.env"
python3 "$ROOT/bench/report.py" "$RESULTS" "$REPORT"
log "wrote $REPORT"
