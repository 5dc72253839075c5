#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL 15 cluster: scripts/with-postgres.sh CMD ARGS...
#
# The cluster lives in a fresh temp dir, listens only on 127.0.0.1 on a free port with trust auth,
# keeps fsync on, and is stopped and deleted on exit. The command sees
#   VORONKA_TEST_PG_URL=postgresql://postgres@127.0.0.1:PORT/postgres
# and its exit code is this script's exit code. PG_BINDIR overrides where initdb/pg_ctl live.
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

find_bindir() {
    if [[ -n "${PG_BINDIR:-}" ]]; then
        echo "$PG_BINDIR"
        return
    fi
    if [[ -x /usr/lib/postgresql/15/bin/pg_ctl ]]; then
        echo /usr/lib/postgresql/15/bin
        return
    fi
    local dir newest=""
    for dir in /usr/lib/postgresql/*/bin; do
        if [[ -x "$dir/pg_ctl" ]]; then
            newest=$(printf '%s\n%s\n' "$newest" "$dir" | sort -V | tail -n 1)
        fi
    done
    if [[ -n "$newest" ]]; then
        echo "$newest"
        return
    fi
    if command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v pg_ctl)"
        return
    fi
    echo "with-postgres: cannot find initdb/pg_ctl (install postgresql-15 or set PG_BINDIR)" >&2
    exit 2
}

BINDIR=$(find_bindir)

# The server refuses to run as root; as root we run it as the Debian `postgres` system user,
# from a directory that user can enter.
as_pg() {
    if [[ $(id -u) -eq 0 ]]; then
        (cd "$WORKDIR" && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/voronka-pg-XXXXXX")
DATADIR="$WORKDIR/data"
STARTED=0

# shellcheck disable=SC2317  # invoked through trap
cleanup() {
    if [[ $STARTED -eq 1 ]]; then
        # Throwaway data: an immediate stop is fast and safe here.
        as_pg "$BINDIR/pg_ctl" -D "$DATADIR" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$WORKDIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ $(id -u) -eq 0 ]]; then
    chown postgres: "$WORKDIR"
fi

# C.UTF-8 gives lower()/upper() that handle Cyrillic; fall back to C where it is missing.
LOCALE=C.UTF-8
if ! locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
    LOCALE=C
fi
if ! as_pg "$BINDIR/initdb" -D "$DATADIR" -U postgres -E UTF8 --locale="$LOCALE" \
    --auth-local=trust --auth-host=trust --no-instructions >"$WORKDIR/initdb.log" 2>&1; then
    cat "$WORKDIR/initdb.log" >&2
    echo "with-postgres: initdb failed" >&2
    exit 2
fi
cat >"$DATADIR/pg_hba.conf" <<'EOF'
local all all trust
host all all 127.0.0.1/32 trust
EOF

# Another process may take the port between the probe and the bind; try a few.
PORT=""
for attempt in 1 2 3 4 5; do
    candidate=$(free_port)
    if as_pg "$BINDIR/pg_ctl" -D "$DATADIR" -l "$WORKDIR/server.log" -w -t 30 -s \
        -o "-c listen_addresses=127.0.0.1 -p $candidate -c unix_socket_directories=$WORKDIR \
            -c fsync=on -c synchronous_commit=on -c max_connections=200" start; then
        PORT=$candidate
        STARTED=1
        break
    fi
    echo "with-postgres: start on port $candidate failed (attempt $attempt)" >&2
done
if [[ -z "$PORT" ]]; then
    cat "$WORKDIR/server.log" >&2 || true
    echo "with-postgres: could not start PostgreSQL" >&2
    exit 2
fi

export VORONKA_TEST_PG_URL="postgresql://postgres@127.0.0.1:$PORT/postgres"

# Search needs pg_trgm (postgresql-contrib, shipped in postgresql-15); fail early if it is absent.
if ! as_pg "$BINDIR/psql" -X -q -t -A -h 127.0.0.1 -p "$PORT" -U postgres -d postgres \
    -c "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'" | grep -q 1; then
    echo "with-postgres: extension pg_trgm is not available" >&2
    exit 2
fi

set +e
"$@"
rc=$?
set -e
exit $rc
