#!/usr/bin/env bash
# Agents at scale, for docs/PERFORMANCE.md: seeds N agents (default 100,000) into a temporary data
# dir with `oxsec dev seed-agents`, starts a release oxsec, and for each endpoint of issue #5's table
# prints the server time (median of RUNS sequential requests, from the server's own access log) and
# the throughput under load (wrk, CONC connections, DURATION). Ends with DELETE /agents of 10,000
# (the never-connected tenth of the seeded agents).
#
#   AGENTS (100000)  RUNS (5)  DURATION (10s)  CONC (8)  OXSEC_BIN (default: builds target/release/oxsec)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
AGENTS="${AGENTS:-100000}"; RUNS="${RUNS:-5}"; DURATION="${DURATION:-10s}"; CONC="${CONC:-8}"
command -v wrk >/dev/null 2>&1 || { [ "$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq wrk; }
if [ -z "${OXSEC_BIN:-}" ]; then
  (cd "$ROOT" && cargo build --quiet --release -p oxsec --bin oxsec)
  OXSEC_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/oxsec"
fi
DATA="$(mktemp -d)"; WORK="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
PASSWORD='Bench!Passw0rd'; SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$DATA" "$WORK"; }
trap cleanup EXIT

OXSEC_ADMIN_PASSWORD="$PASSWORD" "$OXSEC_BIN" dev seed-agents "$AGENTS" --data-dir "$DATA" >/dev/null
OXSEC_ADMIN_PASSWORD="$PASSWORD" OXSEC_ACCESS__MAX_REQUEST_PER_MINUTE=0 OXSEC_INTERVALS__REQUEST_TIMEOUT=600 \
  "$OXSEC_BIN" serve --data-dir "$DATA" --host 127.0.0.1 --port "$PORT" > "$DATA/server.log" 2>&1 &
SERVER_PID=$!
URL="https://127.0.0.1:$PORT"
for _ in $(seq 1 100); do curl -sk -o /dev/null "$URL/" && break; sleep 0.1; done
TOKEN="$(curl -sk -u "wazuh:$PASSWORD" -X POST "$URL/security/user/authenticate?raw=true")"
LOG="$DATA/logs/api.log"

# Median of the last RUNS "done in Xs" figures in the server's access log (the requests just made).
server_ms() {
  grep -o 'done in [0-9.]*s' "$LOG" | tail -n "$RUNS" | awk '{sub("s","",$3); print $3*1000}' \
    | sort -n | awk '{a[NR]=$1} END {printf "%.1f", (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'
}

printf '| endpoint | agents | server ms (median of %s) | req/s (wrk, %s conns) |\n|---|---:|---:|---:|\n' "$RUNS" "$CONC"
for q in "/agents?limit=500" "/agents?limit=100000" "/agents?q=os.platform=ubuntu;status=active&limit=500" \
         "/agents/summary/status" "/overview/agents"; do
  # Two warm-up requests (caches filled), then the measured ones.
  for _ in 1 2; do curl -sk -o /dev/null -H "Authorization: Bearer $TOKEN" "$URL$q"; done
  for _ in $(seq 1 "$RUNS"); do curl -sk -o /dev/null -H "Authorization: Bearer $TOKEN" "$URL$q"; done
  sleep 0.2
  ms="$(server_ms)"
  rps="$(wrk -t2 -c"$CONC" -d"$DURATION" -H "Authorization: Bearer $TOKEN" "$URL$q" 2>/dev/null | awk '/Requests\/sec/ {print $2}')"
  printf '| GET %s | %s | %s | %s |\n' "$q" "$AGENTS" "$ms" "$rps"
  # Requests wrk left in flight still run to completion on the server: let them drain.
  sleep 5
done
# 10,000 agents: the seeded never-connected tenth (a list of 10,000 ids does not fit in a URL).
start=$(date +%s.%N)
curl -sk -o "$WORK/del.json" -X DELETE -H "Authorization: Bearer $TOKEN" \
  "$URL/agents?agents_list=all&status=never_connected&older_than=0s"
end=$(date +%s.%N)
sleep 0.2
deleted="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["data"]["total_affected_items"])' "$WORK/del.json")"
printf '| DELETE /agents?agents_list=all&status=never_connected (%s deleted) | %s | %s | wall %s ms |\n' "$deleted" \
  "$AGENTS" "$(RUNS=1 server_ms)" "$(python3 -c "print(round(($end-$start)*1000))")"
