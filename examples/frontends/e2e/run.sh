#!/usr/bin/env bash
# Browser tests of the storefront starter: builds it, starts the demo server on a
# temporary SQLite file and `vite preview` (with its /graphql proxy) in front of it, runs
# Playwright with Debian's chromium, and stops everything on exit. Exits non-zero on any
# failure. From the repository root, with .venv present:
#   bash examples/frontends/e2e/run.sh [playwright test arguments]
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
STOREFRONT="$ROOT/examples/frontends/storefront"
PYTHON="${E2E_PYTHON:-$ROOT/.venv/bin/python}"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export E2E_CHROMIUM="${E2E_CHROMIUM:-/usr/bin/chromium}"

[ -x "$PYTHON" ] || { echo "run.sh: no $PYTHON (create the project's .venv first)" >&2; exit 2; }
[ -x "$E2E_CHROMIUM" ] || { echo "run.sh: no $E2E_CHROMIUM (apt-get install -y chromium)" >&2; exit 2; }

WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$status" -ne 0 ]; then
    for log in "$WORK"/*.log; do [ -f "$log" ] && { echo "--- $log (last lines)"; tail -n 30 "$log"; }; done
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for() { # url, name, pid
  for _ in $(seq 1 120); do
    if curl -fs -o /dev/null -H 'Content-Type: application/json' \
      --data '{"query":"{ __typename }"}' "$1"; then
      return 0
    fi
    kill -0 "$3" 2>/dev/null || { echo "run.sh: $2 exited" >&2; return 1; }
    sleep 0.5
  done
  echo "run.sh: $2 did not answer at $1" >&2
  return 1
}

echo "== building the storefront"
(cd "$STOREFRONT" && npm ci --no-audit --no-fund && npm run codegen:check && npm run build)

# The mobile-resume starter is not driven by the tests yet; it is built and its generated
# types checked against schema/schema.graphql, so a stale or broken starter fails here.
echo "== building the mobile-resume starter"
(cd "$ROOT/examples/frontends/mobile-resume" && npm ci --no-audit --no-fund &&
  npm run codegen:check && npm run build)

echo "== installing the test runner"
(cd "$HERE" && npm ci --no-audit --no-fund)

API_PORT="$(free_port)"
export OMNICART_DATABASE_URL="sqlite+aiosqlite:///$WORK/e2e.db"
echo "== demo server on 127.0.0.1:$API_PORT ($WORK/e2e.db)"
(cd "$ROOT" && exec "$PYTHON" -m schema.cli serve --demo --port "$API_PORT") >"$WORK/server.log" 2>&1 &
PIDS+=("$!")
wait_for "http://127.0.0.1:$API_PORT/graphql" "the demo server" "${PIDS[-1]}"

E2E_STAFF_TOKEN="$(cd "$ROOT" && "$PYTHON" -m schema.cli staff create-token --name e2e --scope inventory:write)"
export E2E_STAFF_TOKEN

WEB_PORT="$(free_port)"
echo "== storefront (vite preview) on 127.0.0.1:$WEB_PORT"
(cd "$STOREFRONT" && OMNICART_API="http://127.0.0.1:$API_PORT" \
  exec ./node_modules/.bin/vite preview --host 127.0.0.1 --port "$WEB_PORT" --strictPort) \
  >"$WORK/preview.log" 2>&1 &
PIDS+=("$!")
wait_for "http://127.0.0.1:$WEB_PORT/graphql" "vite preview" "${PIDS[-1]}"

export E2E_BASE_URL="http://127.0.0.1:$WEB_PORT"
export E2E_API_URL="http://127.0.0.1:$API_PORT/graphql"
echo "== playwright"
mkdir -p "$HERE/screenshots"
(cd "$HERE" && ./node_modules/.bin/playwright test "$@")
echo "== screenshots in $HERE/screenshots"
