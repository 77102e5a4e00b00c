#!/usr/bin/env bash
# Browser tests of the storefront and mobile-resume starters: builds both (checking their
# generated types and that the built files checked in under schema/static/ are current),
# starts `omnicart serve --demo` on a temporary SQLite file (it serves the storefront at /
# and the mobile page at /mobile/), runs Playwright with Debian's chromium, and stops
# everything on exit. Exits non-zero on any failure. From the repository root, with .venv
# present:
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

# Each starter's `npm run build` writes into the Python package (schema/static/), which
# `omnicart serve --demo` serves: the storefront at /, the mobile page at /mobile/. The
# built files are checked in; a fresh build must reproduce them exactly.
build() { # starter folder, its build's folder in the package
  local starter="$ROOT/examples/frontends/$1" built="$ROOT/schema/static/$2"
  echo "== building $1 into schema/static/$2"
  rm -rf "$WORK/$2" && mkdir -p "$built" && cp -r "$built" "$WORK/$2"
  (cd "$starter" && npm ci --no-audit --no-fund && npm run codegen:check && npm run build)
  if ! diff -r "$WORK/$2" "$built"; then
    echo "run.sh: schema/static/$2 is not the build of examples/frontends/$1:" \
      "commit what its \`npm run build\` wrote" >&2
    exit 1
  fi
}
build storefront storefront
build mobile-resume mobile

echo "== installing the test runner"
(cd "$HERE" && npm ci --no-audit --no-fund)

API_PORT="$(free_port)"
export OMNICART_DATABASE_URL="sqlite+aiosqlite:///$WORK/e2e.db"
echo "== omnicart serve --demo on 127.0.0.1:$API_PORT ($WORK/e2e.db)"
(cd "$ROOT" && exec "$PYTHON" -m schema.cli serve --demo --port "$API_PORT") >"$WORK/server.log" 2>&1 &
PIDS+=("$!")
wait_for "http://127.0.0.1:$API_PORT/graphql" "the demo server" "${PIDS[-1]}"

E2E_STAFF_TOKEN="$(cd "$ROOT" && "$PYTHON" -m schema.cli staff create-token --name e2e --scope inventory:write --scope orders:read --scope orders:manage)"
export E2E_STAFF_TOKEN

# The pages under test are the ones the demo serves (the checked-in build just checked).
export E2E_BASE_URL="http://127.0.0.1:$API_PORT"
export E2E_API_URL="http://127.0.0.1:$API_PORT/graphql"
echo "== playwright"
mkdir -p "$HERE/screenshots"
(cd "$HERE" && ./node_modules/.bin/playwright test "$@")
echo "== screenshots in $HERE/screenshots"
