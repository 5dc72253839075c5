#!/usr/bin/env bash
# Browser end-to-end run: starts BINARY on a throwaway SQLite database and a free port, reads the
# administrator password it prints on first start, adds teams and users, runs the scenarios in
# Debian's Chromium (playwright-core, no downloaded browser), and stops the server.
# Usage: web/e2e/run.sh path/to/voronka
set -euo pipefail

BIN=$(realpath "${1:?usage: web/e2e/run.sh path/to/voronka}")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WEB=$(dirname "$HERE")
ROOT=$(dirname "$WEB")
cd "$ROOT"

[ -d web/node_modules ] || (cd web && npm ci --no-audit --no-fund)
[ -f web/dist/index.html ] || (cd web && npm run build)
(cd web && npx --no-install vitest run --reporter=dot)
# The committed API types must match what this binary's OpenAPI document describes.
node web/scripts/gen-api.mjs "$BIN" --check

TMP=$(mktemp -d)
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
BASE="http://127.0.0.1:$PORT"
DB="$TMP/e2e.db"

"$BIN" serve --db "$DB" --listen "127.0.0.1:$PORT" --static-dir web/dist --rate-limit 100000 >"$TMP/server.log" 2>&1 &
SERVER=$!
cleanup() {
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

for _ in $(seq 1 150); do
  if grep -q 'password:' "$TMP/server.log" && curl -sf "$BASE/healthz" >/dev/null; then break; fi
  if ! kill -0 "$SERVER" 2>/dev/null; then cat "$TMP/server.log"; echo "e2e: server exited" >&2; exit 1; fi
  sleep 0.2
done
ADMIN_PASSWORD=$(grep -m1 'password:' "$TMP/server.log" | awk '{print $2}')
[ -n "$ADMIN_PASSWORD" ] || { cat "$TMP/server.log"; echo "e2e: no admin password printed" >&2; exit 1; }

# Two teams through the API, then a rep in each through the CLI.
JAR="$TMP/cookies"
CSRF=$(curl -sf -c "$JAR" -H 'Content-Type: application/json' \
  -d "{\"email\":\"admin@example.com\",\"password\":\"$ADMIN_PASSWORD\"}" "$BASE/api/v1/auth/login" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["csrf_token"])')
team() {
  curl -sf -b "$JAR" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' -d "{\"name\":\"$1\"}" "$BASE/api/v1/teams" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])'
}
TEAM_MSK=$(team 'Продажи Москва')
TEAM_KYIV=$(team 'Продажі Київ')
REP_PASSWORD='e2e-Passw0rd!'
"$BIN" user create --db "$DB" --email anna@example.com --password "$REP_PASSWORD" --role user --name 'Анна Смирнова' --team-id "$TEAM_MSK" >/dev/null
"$BIN" user create --db "$DB" --email bohdan@example.com --password "$REP_PASSWORD" --role user --name 'Богдан Коваленко' --team-id "$TEAM_KYIV" >/dev/null

export VORONKA_URL="$BASE" ADMIN_PASSWORD REP_PASSWORD
export E2E_BINARY="$1" E2E_SCREENSHOTS="$ROOT/docs/screenshots" E2E_PERF_REPORT="$ROOT/docs/PERFORMANCE-web.md" E2E_DIST="$ROOT/web/dist"
status=0
node --test --test-concurrency=1 --test-reporter=spec "$HERE/app.test.mjs" || status=$?
if [ "$status" -ne 0 ]; then
  echo "---- server log (tail) ----" >&2
  tail -n 40 "$TMP/server.log" >&2
fi
exit "$status"
