#!/usr/bin/env bash
# The alert store at scale, for docs/PERFORMANCE.md: generates ALERTS alerts (Wazuh's alerts.json
# format) spread over 30 days, 1,000 agents and 200 rules (groups, MITRE and compliance tags),
# stores them with `oxsec import alerts` (timed: the store's ingestion rate), then starts a
# release oxsec and reports the alerts endpoints' server time (median of RUNS sequential
# requests, from the server's access log) and the store size per alert.
#
#   ALERTS (1000000)  RUNS (5)  OXSEC_BIN (default: builds target/release/oxsec)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ALERTS="${ALERTS:-1000000}"; RUNS="${RUNS:-5}"
if [ -z "${OXSEC_BIN:-}" ]; then
  (cd "$ROOT" && cargo build --quiet --release -p oxsec --bin oxsec)
  OXSEC_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/oxsec"
fi
DATA="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
PASSWORD='Bench!Passw0rd'; SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$DATA"; }
trap cleanup EXIT
python3 - "$ALERTS" "$DATA/alerts.json" <<'PY'
import json, sys, time
n, out = int(sys.argv[1]), sys.argv[2]
now = int(time.time()); span = 30 * 86400
tactics = ["Initial Access", "Execution", "Persistence", "Privilege Escalation", "Defense Evasion", "Credential Access"]
with open(out, "w") as f:
    for i in range(n):
        epoch = now - span + i * span // n
        rule = 5000 + (i * 7919) % 200
        level = (i * 31) % 16
        agent = "%03d" % (1 + (i * 104729) % 1000)
        t = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch))
        a = {"timestamp": t + ".000+0000",
             "rule": {"level": level, "description": "Rule %d" % rule, "id": str(rule), "firedtimes": 1,
                      "mail": False, "groups": ["group%d" % (rule % 20), "syslog"],
                      "mitre": {"id": ["T%04d" % (1000 + rule % 50)], "tactic": [tactics[rule % len(tactics)]]},
                      "pci_dss": ["10.2.%d" % (rule % 7)], "gdpr": ["IV_35.7.d"]},
             "agent": {"id": agent, "name": "agent-" + agent},
             "manager": {"name": "node01"},
             "id": "%d.%d" % (epoch, i),
             "full_log": "event %d from 10.0.%d.%d" % (i, i % 256, (i // 256) % 256),
             "decoder": {"name": "sshd" if rule % 3 else "web-accesslog"},
             "data": {"srcip": "10.0.%d.%d" % (i % 256, (i // 256) % 256)},
             "location": "/var/log/auth.log"}
        f.write(json.dumps(a, separators=(",", ":")) + "\n")
PY
s=$(date +%s.%N)
"$OXSEC_BIN" import alerts "$DATA/alerts.json" --data-dir "$DATA" > "$DATA/import.log" 2>&1
e=$(date +%s.%N)
rate=$(echo "$ALERTS / ($e - $s)" | bc -l)
printf 'import of %s alerts: %.1f s (%.0f alerts/s) — %s\n' "$ALERTS" "$(echo "$e - $s" | bc -l)" "$rate" "$(tail -1 "$DATA/import.log")"
rm -f "$DATA/alerts.json"
size=$(du -sb "$DATA" | cut -f1)
printf 'store: %s MB, %.0f bytes per alert\n' "$((size / 1048576))" "$(echo "$size / $ALERTS" | bc -l)"
OXSEC_ADMIN_PASSWORD="$PASSWORD" OXSEC_ACCESS__MAX_REQUEST_PER_MINUTE=0 \
  "$OXSEC_BIN" serve --data-dir "$DATA" --host 127.0.0.1 --port "$PORT" > "$DATA/server.log" 2>&1 &
SERVER_PID=$!
URL="https://127.0.0.1:$PORT"
for _ in $(seq 1 600); do curl -sk -o /dev/null "$URL/" && break; sleep 0.1; done
TOKEN="$(curl -sk -u "wazuh:$PASSWORD" -X POST "$URL/security/user/authenticate?raw=true")"
LOG="$DATA/logs/api.log"
server_ms() {
  grep -o 'done in [0-9.]*s' "$LOG" | tail -n "$RUNS" | awk '{sub("s","",$3); print $3*1000}' \
    | sort -n | awk '{a[NR]=$1} END {printf "%.1f", (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'
}
printf '| request | total | server ms (median of %s) |\n|---|---:|---:|\n' "$RUNS"
for q in "/alerts?from=24h&level=10-15&limit=500" "/alerts/summary?from=30d&by=rule,agent&top=10" \
         "/alerts?offset=$((ALERTS / 2))&limit=500" "/alerts?rule_ids=5010&limit=500" "/alerts?agents_list=001&limit=500"; do
  total="$(curl -sk -H "Authorization: Bearer $TOKEN" "$URL$q" | python3 -c 'import json,sys; d=json.load(sys.stdin)["data"]; print(d.get("total_affected_items"))' 2>/dev/null || echo '?')"
  for _ in $(seq 1 "$RUNS"); do curl -sk -o /dev/null -H "Authorization: Bearer $TOKEN" "$URL$q"; done
  sleep 0.2
  printf '| GET %s | %s | %s |\n' "$q" "$total" "$(server_ms)"
done
