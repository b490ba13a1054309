#!/usr/bin/env bash
# Runs the upstream Wazuh API integration tests listed in conformance/expected-passing.txt through
# the shared Tavern harness, and fails if any of them fails. Before each file,
# scripts/conformance-reset.sh restarts oxsec on a fresh data dir with the fixture state that file
# expects (as Wazuh's test environment gives every file a fresh manager).
# Usage: scripts/conformance.sh [file ...]
#
#   OXSEC_SHARED   the shared dir (default: ../shared beside the repo)
#   OXSEC_BIN      the oxsec binary to test (default: builds target/debug/oxsec)
#   OUT            harness output dir (default: target/conformance)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="$(cd "${OXSEC_SHARED:-$ROOT/../shared}" && pwd)"
HARNESS="$SHARED/conformance/tavern/run.sh"
[ -f "$HARNESS" ] || { echo "conformance: no harness at $HARNESS (set OXSEC_SHARED)" >&2; exit 2; }

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

STATE="$(mktemp -d)"
OUT="${OUT:-$ROOT/target/conformance}"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
PASSWORD="Conf0rmance!$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')"
HARNESS_VENV="${HARNESS_VENV:-$ROOT/target/tavern-venv}"
cleanup() {
  if [ -f "$STATE/pid" ]; then kill "$(cat "$STATE/pid")" 2>/dev/null || true; fi
  rm -rf "$STATE"
}
trap cleanup EXIT
export STATE PORT OXSEC_BIN SHARED ROOT PASSWORD HARNESS_VENV

echo "conformance: running $FILES against https://127.0.0.1:$PORT" >&2
set +e
# The upstream files log in as the fixture user testing/wazuh (user 99); run_as tests use wazuh-wui.
TARGET_URL="https://127.0.0.1:$PORT" BALANCED_PORT="$PORT" MASTER_PORT="$PORT" \
  ADMIN_USER=testing ADMIN_PASSWORD=wazuh RUN_AS_USER=wazuh-wui RUN_AS_PASSWORD="$PASSWORD" \
  TAVERN_FILES="$FILES" OUT="$OUT" RESET_CMD="bash $ROOT/scripts/conformance-reset.sh" \
  bash "$HARNESS"
rc=$?
set -e
if [ "$rc" -ne 0 ]; then
  echo "conformance: FAILED (harness exit $rc); failed tests:" >&2
  cat "$OUT/failed.txt" >&2 2>/dev/null || true
  for f in "$OUT"/logs/*.reset.log; do [ -s "$f" ] && { echo "== $f" >&2; tail -n 5 "$f" >&2; }; done
  echo "server log tail:" >&2; tail -n 30 "$STATE/server.log" >&2 2>/dev/null || true
  exit 1
fi
