#!/usr/bin/env bash
# Black-box API tests over HTTP: tests/api/run.sh BINARY
#
# For each backend (a SQLite temp file; PostgreSQL when VORONKA_TEST_PG_URL is set, as
# scripts/with-postgres.sh exports it) this starts `BINARY serve` in box mode on a free loopback
# port, creates a second company, users of every role and API tokens with the binary's own CLI,
# writes them to a JSON fixture and then runs every *.test.js here in ONE `node --test` run, so
# the output ends with node's summary (`# pass N`, `# fail N`) and the exit code is node's.
# Servers, the temp dir and the PostgreSQL database are removed on exit.
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 BINARY" >&2
    exit 2
fi
BIN=$(realpath "$1")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ ! -x "$BIN" ]]; then
    echo "api tests: $BIN is not an executable" >&2
    exit 2
fi
if [[ ! -d "$HERE/node_modules" ]]; then
    (cd "$HERE" && npm ci --no-audit --no-fund >/dev/null)
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/voronka-api-XXXXXX")
PG_ADMIN_URL=""
PG_DB=""
PG_ROLE=""

# shellcheck disable=SC2317  # invoked through trap
cleanup() {
    local f pid
    for f in "$WORK"/*.pid; do
        [[ -f "$f" ]] || continue
        pid=$(cat "$f")
        kill "$pid" 2>/dev/null || true
        # The servers are this shell's grandchildren: wait for them by polling.
        for _ in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null || true
    done
    if [[ -n "$PG_DB" ]]; then
        psql -X -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
    fi
    if [[ -n "$PG_ROLE" ]]; then
        psql -X -q "$PG_ADMIN_URL" -c "DROP ROLE IF EXISTS $PG_ROLE" >/dev/null 2>&1 || true
    fi
    if [[ -n "${VORONKA_API_KEEP:-}" ]]; then
        echo "# api tests: kept $WORK (server logs, fixture)" >&2
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 141' PIPE

random_password() {
    # 18 characters of [A-Za-z0-9] plus a fixed tail, well over the 8-character minimum.
    echo "$(head -c 64 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 18)-Pw1"
}

# json_get JSON KEY: a top-level string or number of a one-line JSON object printed by the CLI.
json_get() {
    node -e 'const o = JSON.parse(process.argv[1]); process.stdout.write(String(o[process.argv[2]]))' "$1" "$2"
}

# start_backend NAME DB_URL: starts the server, prepares users and tokens, writes $WORK/NAME.json.
start_backend() {
    local name=$1 db=$2 log="$WORK/$1-serve.log"
    : >"$log"
    "$BIN" serve --db "$db" --listen 127.0.0.1:0 --threads 8 --rate-limit 1000000 >"$log" 2>&1 &
    local pid=$!
    echo "$pid" >"$WORK/$name.pid"
    local port="" i
    for i in $(seq 1 300); do
        port=$(sed -n 's/.*Voronka is listening on http:\/\/127\.0\.0\.1:\([0-9]*\)\/.*/\1/p' "$log" | head -n 1)
        if [[ -n "$port" ]]; then
            break
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            cat "$log" >&2
            echo "api tests: the $name server exited during start-up" >&2
            return 1
        fi
        sleep 0.1
    done
    if [[ -z "$port" ]]; then
        cat "$log" >&2
        echo "api tests: the $name server did not start within 30 s" >&2
        return 1
    fi
    local admin_password
    admin_password=$(sed -n 's/^  password: //p' "$log" | head -n 1)

    # Company A is the box-mode company the first start created; company B is a second tenant.
    local b_password user_password manager_password deact_password victim_password other_password
    b_password=$(random_password)
    user_password=$(random_password)
    manager_password=$(random_password)
    deact_password=$(random_password)
    victim_password=$(random_password)
    other_password=$(random_password)
    local out_b out_user out_manager out_deact out_victim out_other
    out_b=$("$BIN" tenant create --db "$db" --name "Company B" --admin-email admin-b@example.com --admin-password "$b_password")
    out_user=$("$BIN" user create --db "$db" --tenant "Demo company" --email user-a@example.com --password "$user_password" --role user --name "User A")
    out_manager=$("$BIN" user create --db "$db" --tenant "Demo company" --email manager-a@example.com --password "$manager_password" --role manager --name "Manager A")
    out_deact=$("$BIN" user create --db "$db" --tenant "Demo company" --email leaver-a@example.com --password "$deact_password" --role admin --name "Leaver A")
    out_victim=$("$BIN" user create --db "$db" --tenant "Demo company" --email throttled-a@example.com --password "$victim_password" --role user --name "Throttled A")
    out_other=$("$BIN" user create --db "$db" --tenant "Company B" --email user-b@example.com --password "$other_password" --role user --name "User B")

    local t_admin t_admin_ro t_user t_manager t_deact t_b t_user_b
    t_admin=$("$BIN" token create --db "$db" --email admin@example.com --name api-tests)
    t_admin_ro=$("$BIN" token create --db "$db" --email admin@example.com --name api-tests-ro --read-only)
    t_user=$("$BIN" token create --db "$db" --email user-a@example.com --name api-tests)
    t_manager=$("$BIN" token create --db "$db" --email manager-a@example.com --name api-tests)
    t_deact=$("$BIN" token create --db "$db" --email leaver-a@example.com --name api-tests)
    t_b=$("$BIN" token create --db "$db" --email admin-b@example.com --name api-tests)
    t_user_b=$("$BIN" token create --db "$db" --email user-b@example.com --name api-tests)
    # Cloud mode's operator token, where the binary has the command.
    local t_operator=null
    if "$BIN" --help 2>/dev/null | grep -qE '^[[:space:]]+operator[[:space:]]'; then
        t_operator="\"$("$BIN" operator token --db "$db" --name api-tests)\""
    fi

    node -e 'process.stdout.write(JSON.stringify(JSON.parse(process.argv[1])))' >"$WORK/$name.json" "$(cat <<EOF
{
  "backend": "$name",
  "base_url": "http://127.0.0.1:$port",
  "db": "$db",
  "pid": $pid,
  "log": "$log",
  "operator_token": $t_operator,
  "a": {
    "name": "Demo company",
    "tenant_id": $(json_get "$out_user" tenant_id),
    "admin": {"email": "admin@example.com", "password": "$admin_password", "token": "$t_admin"},
    "admin_read_only": {"email": "admin@example.com", "token": "$t_admin_ro"},
    "user": {"email": "user-a@example.com", "password": "$user_password", "token": "$t_user", "id": "$(json_get "$out_user" user_id)"},
    "manager": {"email": "manager-a@example.com", "password": "$manager_password", "token": "$t_manager", "id": "$(json_get "$out_manager" user_id)"},
    "leaver": {"email": "leaver-a@example.com", "password": "$deact_password", "token": "$t_deact", "id": "$(json_get "$out_deact" user_id)"},
    "throttled": {"email": "throttled-a@example.com", "password": "$victim_password", "id": "$(json_get "$out_victim" user_id)"}
  },
  "b": {
    "name": "Company B",
    "tenant_id": $(json_get "$out_b" tenant_id),
    "admin": {"email": "admin-b@example.com", "password": "$b_password", "token": "$t_b", "id": "$(json_get "$out_b" admin_user_id)"},
    "user": {"email": "user-b@example.com", "password": "$other_password", "token": "$t_user_b", "id": "$(json_get "$out_other" user_id)"}
  }
}
EOF
)"
}

started=$(date +%s)
# Both backends start side by side; each is a subshell whose failure fails the run.
BACKENDS=(sqlite)
start_backend sqlite "$WORK/api.db" &
STARTERS=($!)
if [[ -n "${VORONKA_TEST_PG_URL:-}" ]]; then
    if ! command -v psql >/dev/null 2>&1; then
        echo "api tests: psql (postgresql-client) is missing; cannot create the PostgreSQL database" >&2
        exit 2
    fi
    PG_ADMIN_URL=$VORONKA_TEST_PG_URL
    PG_DB="voronka_api_$$_$RANDOM"
    # The server and the CLI connect as an ordinary role that owns the database, as in
    # production: a superuser would bypass the row-level security the tests must exercise.
    PG_ROLE="voronka_app_$$_$RANDOM"
    psql -X -q -v ON_ERROR_STOP=1 "$PG_ADMIN_URL" \
        -c "CREATE ROLE $PG_ROLE LOGIN NOSUPERUSER NOBYPASSRLS" \
        -c "CREATE DATABASE $PG_DB OWNER $PG_ROLE" >/dev/null
    BACKENDS+=(postgres)
    pg_app_url=${PG_ADMIN_URL%/*}/$PG_DB
    pg_app_url=${pg_app_url/:\/\/*@/://$PG_ROLE@}
    start_backend postgres "$pg_app_url" &
    STARTERS+=($!)
else
    echo "# api tests: VORONKA_TEST_PG_URL is not set, running on SQLite only (use scripts/with-postgres.sh)"
fi
for starter in "${STARTERS[@]}"; do
    if ! wait "$starter"; then
        echo "api tests: a server could not be prepared" >&2
        exit 2
    fi
done
echo "# api tests: servers ready in $(($(date +%s) - started)) s"

FIXTURE="$WORK/fixture.json"
{
    printf '{"binary": "%s", "work_dir": "%s", "backends": [' "$BIN" "$WORK"
    first=1
    for b in "${BACKENDS[@]}"; do
        [[ $first -eq 1 ]] || printf ','
        cat "$WORK/$b.json"
        first=0
    done
    printf ']}\n'
} >"$FIXTURE"

echo "# api tests: running node --test" >&2
cd "$HERE"
# Files run one at a time (counts and the event log are compared before and after); the last
# file stops the servers and checks their logs for sanitizer reports.
# VORONKA_API_TESTS="contract.test.js access.test.js" runs a subset while working on the tests;
# VORONKA_API_KEEP=1 keeps the temp dir with the server logs.
# shellcheck disable=SC2086  # the list is split on purpose
VORONKA_API_FIXTURE="$FIXTURE" node --test --test-reporter=tap --test-concurrency=1 ${VORONKA_API_TESTS:-./*.test.js}
