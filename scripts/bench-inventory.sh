#!/usr/bin/env bash
# Agent inventory at scale, for docs/PERFORMANCE.md: seeds AGENTS agents with PACKAGES packages
# each (plus processes, ports, file-integrity entries and an SCA policy: `oxsec dev
# seed-agents` + `oxsec dev seed-inventory`), starts a release oxsec with the experimental
# endpoints on, and reports each request's server time (median of RUNS sequential requests,
# from the server's own access log).
#
#   AGENTS (10000)  PACKAGES (500)  RUNS (9)  OXSEC_BIN (default: builds target/release/oxsec)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
AGENTS="${AGENTS:-10000}"; PACKAGES="${PACKAGES:-500}"; RUNS="${RUNS:-9}"
if [ -z "${OXSEC_BIN:-}" ]; then
  (cd "$ROOT" && cargo build --quiet --release -p oxsec --bin oxsec)
  OXSEC_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/oxsec"
fi
DATA="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
PASSWORD='Bench!Passw0rd'; SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$DATA"; }
trap cleanup EXIT
wall() { local s e; s=$(date +%s.%N); "$@" > "$DATA/step.log" 2>&1; e=$(date +%s.%N); echo "($e - $s)" | bc -l; }
t=$(wall "$OXSEC_BIN" dev seed-agents "$AGENTS" --data-dir "$DATA")
printf 'seed %s agents: %.1f s\n' "$AGENTS" "$t"
t=$(wall "$OXSEC_BIN" dev seed-inventory --packages "$PACKAGES" --data-dir "$DATA")
printf 'seed their inventory (%s): %.1f s\n' "$(tail -1 "$DATA/step.log")" "$t"
printf 'store size: %s MB\n' "$(du -sm "$DATA" | cut -f1)"
OXSEC_ADMIN_PASSWORD="$PASSWORD" OXSEC_ACCESS__MAX_REQUEST_PER_MINUTE=0 OXSEC_EXPERIMENTAL_FEATURES=true \
  "$OXSEC_BIN" serve --data-dir "$DATA" --host 127.0.0.1 --port "$PORT" > "$DATA/server.log" 2>&1 &
SERVER_PID=$!
URL="https://127.0.0.1:$PORT"
for _ in $(seq 1 400); do curl -sk -o /dev/null "$URL/" && break; sleep 0.05; done
TOKEN="$(curl -sk -u "wazuh:$PASSWORD" -X POST "$URL/security/user/authenticate?raw=true")"
LOG="$DATA/logs/api.log"
server_ms() {
  grep -o 'done in [0-9.]*s' "$LOG" | tail -n "$RUNS" | awk '{sub("s","",$3); print $3*1000}' \
    | sort -n | awk '{a[NR]=$1} END {printf "%.1f", (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'
}
mid=$(printf '%03d' $((AGENTS / 2)))
printf '| request | items | server ms (median of %s) |\n|---|---:|---:|\n' "$RUNS"
for q in "/experimental/syscollector/packages?name=openssl&limit=500" \
         "/experimental/syscollector/packages?name=openssl&limit=500&select=name,version" \
         "/syscollector/$mid/packages?limit=500" \
         "/syscollector/$mid/packages?q=name=openssl" \
         "/syscollector/$mid/packages?limit=500&sort=-size" \
         "/syscheck/$mid?limit=500" \
         "/sca/$mid/checks/cis_ubuntu22-04"; do
  items="$(curl -sk -H "Authorization: Bearer $TOKEN" "$URL$q" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["data"]["affected_items"]))' 2>/dev/null || echo '?')"
  for _ in $(seq 1 "$RUNS"); do curl -sk -o /dev/null -H "Authorization: Bearer $TOKEN" "$URL$q"; done
  sleep 0.2
  printf '| GET %s | %s | %s |\n' "$q" "$items" "$(server_ms)"
done
