#!/usr/bin/env bash
# Runs the upstream Wazuh API integration tests listed in conformance/expected-passing.txt against
# a freshly started oxsec (temporary data dir, known admin password, free port) through the shared
# Tavern harness, and fails if any of them fails. Usage: scripts/conformance.sh [file ...]
#
#   OXSEC_SHARED   the shared dir (default: ../shared beside the repo)
#   OXSEC_BIN      the oxsec binary to test (default: builds target/debug/oxsec)
#   OUT            harness output dir (default: target/conformance)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${OXSEC_SHARED:-$ROOT/../shared}"
HARNESS="$SHARED/conformance/tavern/run.sh"
[ -x "$HARNESS" ] || [ -f "$HARNESS" ] || { echo "conformance: no harness at $HARNESS (set OXSEC_SHARED)" >&2; exit 2; }

if [ "$#" -gt 0 ]; then
  FILES="$*"
else
  FILES="$(grep -Ev '^\s*(#|$)' "$ROOT/conformance/expected-passing.txt" | tr '\n' ' ')"
fi
[ -n "${FILES// /}" ] || { echo "conformance: nothing to run" >&2; exit 2; }

if [ -z "${OXSEC_BIN:-}" ]; then
  (cd "$ROOT" && cargo build --quiet -p oxsec --bin oxsec)
  OXSEC_BIN="$ROOT/target/debug/oxsec"
fi

DATA="$(mktemp -d)"
OUT="${OUT:-$ROOT/target/conformance}"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
PASSWORD="Conf0rmance!$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')"
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$DATA"
}
trap cleanup EXIT

OXSEC_ADMIN_PASSWORD="$PASSWORD" "$OXSEC_BIN" serve --config "$ROOT/conformance/api.yaml" \
  --data-dir "$DATA" --host 127.0.0.1 --port "$PORT" > "$DATA/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  curl -sk -o /dev/null "https://127.0.0.1:$PORT/" && break
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "conformance: server died:" >&2; cat "$DATA/server.log" >&2; exit 2; }
  sleep 0.1
done

echo "conformance: running $FILES against https://127.0.0.1:$PORT" >&2
set +e
TARGET_URL="https://127.0.0.1:$PORT" BALANCED_PORT="$PORT" MASTER_PORT="$PORT" \
  ADMIN_USER=wazuh ADMIN_PASSWORD="$PASSWORD" RUN_AS_USER=wazuh-wui RUN_AS_PASSWORD="$PASSWORD" \
  TAVERN_FILES="$FILES" OUT="$OUT" HARNESS_VENV="${HARNESS_VENV:-$ROOT/target/tavern-venv}" \
  bash "$HARNESS"
rc=$?
set -e
if [ "$rc" -ne 0 ]; then
  echo "conformance: FAILED (harness exit $rc); failed tests:" >&2
  cat "$OUT/failed.txt" >&2 2>/dev/null || true
  echo "server log tail:" >&2; tail -n 30 "$DATA/server.log" >&2
  exit 1
fi
