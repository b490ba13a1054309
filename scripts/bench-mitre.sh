#!/usr/bin/env bash
# MITRE ATT&CK, for docs/PERFORMANCE.md: times `oxsec mitre import` of the enterprise bundle
# (../shared/mitre/enterprise-attack-v15.json) into a fresh data dir (parse, one store
# transaction), then starts a release oxsec on that data dir (which builds the in-memory
# catalog) and reports each endpoint's server time (median of RUNS sequential requests, from the
# server's own access log) and throughput (wrk, CONC connections, DURATION).
# Parsing alone is a criterion benchmark: cargo bench -p oxsec-ruleset --bench mitre.
#
#   RUNS (5)  DURATION (10s)  CONC (8)  OXSEC_SHARED (../shared)  OXSEC_BIN (default: builds target/release/oxsec)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="$(cd "${OXSEC_SHARED:-$ROOT/../shared}" && pwd)"
RUNS="${RUNS:-5}"; DURATION="${DURATION:-10s}"; CONC="${CONC:-8}"
command -v wrk >/dev/null 2>&1 || { [ "$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq wrk; }
if [ -z "${OXSEC_BIN:-}" ]; then
  (cd "$ROOT" && cargo build --quiet --release -p oxsec --bin oxsec)
  OXSEC_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/oxsec"
fi
DATA="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
PASSWORD='Bench!Passw0rd'; SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$DATA"; }
trap cleanup EXIT
BUNDLE="$SHARED/mitre/enterprise-attack-v15.json"
start=$(date +%s.%N)
"$OXSEC_BIN" mitre import --data-dir "$DATA" "$BUNDLE" > "$DATA/import.log" 2>&1
end=$(date +%s.%N)
printf 'oxsec mitre import (wall, whole process): %.0f ms — %s\n' "$(echo "($end - $start) * 1000" | bc -l)" "$(tail -1 "$DATA/import.log")"
OXSEC_ADMIN_PASSWORD="$PASSWORD" OXSEC_ACCESS__MAX_REQUEST_PER_MINUTE=0 \
  "$OXSEC_BIN" serve --data-dir "$DATA" --host 127.0.0.1 --port "$PORT" > "$DATA/server.log" 2>&1 &
SERVER_PID=$!
URL="https://127.0.0.1:$PORT"
start=$(date +%s.%N)
for _ in $(seq 1 400); do curl -sk -o /dev/null "$URL/" && break; sleep 0.02; done
end=$(date +%s.%N)
printf 'oxsec serve until the first answer (opens the store, loads the ATT&CK catalog): %.0f ms\n' "$(echo "($end - $start) * 1000" | bc -l)"
TOKEN="$(curl -sk -u "wazuh:$PASSWORD" -X POST "$URL/security/user/authenticate?raw=true")"
LOG="$DATA/logs/api.log"
server_ms() {
  grep -o 'done in [0-9.]*s' "$LOG" | tail -n "$RUNS" | awk '{sub("s","",$3); print $3*1000}' \
    | sort -n | awk '{a[NR]=$1} END {printf "%.1f", (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'
}
printf '| endpoint | server ms (median of %s) | req/s (wrk, %s conns) |\n|---|---:|---:|\n' "$RUNS" "$CONC"
for q in "/mitre/techniques?limit=500" "/mitre/techniques?technique_ids=T1047" "/mitre/groups?limit=500" \
         "/mitre/references?limit=500" "/mitre/techniques?search=credential&limit=10"; do
  for _ in 1 2; do curl -sk -o /dev/null -H "Authorization: Bearer $TOKEN" "$URL$q"; done
  for _ in $(seq 1 "$RUNS"); do curl -sk -o /dev/null -H "Authorization: Bearer $TOKEN" "$URL$q"; done
  sleep 0.2
  ms="$(server_ms)"
  rps="$(wrk -t2 -c"$CONC" -d"$DURATION" -H "Authorization: Bearer $TOKEN" "$URL$q" 2>/dev/null | awk '/Requests\/sec/ {print $2}')"
  printf '| GET %s | %s | %s |\n' "$q" "$ms" "$rps"
  sleep 2
done
