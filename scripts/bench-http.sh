#!/usr/bin/env bash
# HTTP load figures for docs/PERFORMANCE.md: starts a release oxsec on a temporary data dir (rate
# limits off), loads `GET /` and the login endpoint with wrk, and prints req/s, p50 and p99.
#
#   DURATION (default 20s)  CONC (connections, default 8)  THREADS (default 2)
#   OXSEC_BIN (default: builds target/release/oxsec)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${DURATION:-20s}"; CONC="${CONC:-8}"; THREADS="${THREADS:-2}"

if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq wrk
fi
if [ -z "${OXSEC_BIN:-}" ]; then
  (cd "$ROOT" && cargo build --quiet --release -p oxsec --bin oxsec)
  OXSEC_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/oxsec"
fi

DATA="$(mktemp -d)"; WORK="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
PASSWORD='Bench!Passw0rd'
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$DATA" "$WORK"; }
trap cleanup EXIT

OXSEC_ADMIN_PASSWORD="$PASSWORD" OXSEC_ACCESS__MAX_REQUEST_PER_MINUTE=0 OXSEC_ACCESS__MAX_LOGIN_ATTEMPTS=100000000 \
  OXSEC_LOGS__LEVEL=warning "$OXSEC_BIN" serve --data-dir "$DATA" --host 127.0.0.1 --port "$PORT" \
  > "$DATA/server.log" 2>&1 &
SERVER_PID=$!
URL="https://127.0.0.1:$PORT"
up=0
for _ in $(seq 1 100); do curl -sk -o /dev/null "$URL/" && { up=1; break; }; sleep 0.1; done
[ "$up" = 1 ] || { echo "bench-http: the server did not start:" >&2; cat "$DATA/server.log" >&2; exit 1; }
TOKEN="$(curl -sk -u "wazuh:$PASSWORD" -X POST "$URL/security/user/authenticate?raw=true")"
BASIC="$(printf 'wazuh:%s' "$PASSWORD" | base64)"

cat > "$WORK/report.lua" <<'LUA'
done = function(summary, latency, requests)
  local secs = summary.duration / 1e6
  io.write(string.format("RESULT %.1f %.2f %.2f %d %d\n", summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.requests))
end
LUA
cat > "$WORK/login.lua" <<LUA
wrk.method = "POST"
wrk.headers["Authorization"] = "Basic $BASIC"
$(cat "$WORK/report.lua")
LUA

run() {  # run NAME SCRIPT URL [HEADER]
  local name="$1" script="$2" url="$3"; shift 3
  local line
  line="$(wrk -t"$THREADS" -c"$CONC" -d"$DURATION" -s "$script" "$@" "$url" | grep '^RESULT')"
  read -r _ rps p50 p99 errors total <<< "$line"
  printf '| %-36s | %9s | %8s | %8s | %7s | %8s |\n' "$name" "$rps" "$p50" "$p99" "$errors" "$total"
}

echo "oxsec $("$OXSEC_BIN" --version | awk '{print $2}'), $(nproc) cores, $(date -u +%Y-%m-%d), wrk -t$THREADS -c$CONC -d$DURATION (HTTPS keep-alive)"
printf '| %-36s | %9s | %8s | %8s | %7s | %8s |\n' endpoint req/s "p50 ms" "p99 ms" errors requests
printf '|%s|%s|%s|%s|%s|%s|\n' "--------------------------------------" "-----------" "----------" "----------" "---------" "----------"
run "GET /" "$WORK/report.lua" "$URL/" -H "Authorization: Bearer $TOKEN"
run "POST /security/user/authenticate" "$WORK/login.lua" "$URL/security/user/authenticate"
