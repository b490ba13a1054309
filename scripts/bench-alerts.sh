#!/usr/bin/env bash
# The alert store at scale, for docs/PERFORMANCE.md: generates ALERTS alerts (Wazuh's alerts.json
# format) spread over 30 days, 1,000 agents and 200 rules (groups, MITRE and compliance tags;
# Zipf-skewed, as real streams are),
# stores them with `oxsec import alerts` (timed: the store's ingestion rate), then starts a
# release oxsec and reports the alerts endpoints' server time (median of RUNS sequential
# requests, from the server's access log) and the store size per alert.
#
#   ALERTS (1000000)  RUNS (5)  OXSEC_BIN (default: builds target/release/oxsec)
#   ALERTS_FILE: an alerts.json to import instead of generating one
#   BENCH_DATA: a data dir to keep (the import is skipped when it already holds a store)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ALERTS="${ALERTS:-1000000}"; RUNS="${RUNS:-5}"
if [ -z "${OXSEC_BIN:-}" ]; then
  (cd "$ROOT" && cargo build --quiet --release -p oxsec --bin oxsec)
  OXSEC_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/oxsec"
fi
DATA="${BENCH_DATA:-$(mktemp -d)}"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
PASSWORD='Bench!Passw0rd'; SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null
  [ -z "${BENCH_DATA:-}" ] && rm -rf "$DATA"; true
}
trap cleanup EXIT
if [ -n "${BENCH_DATA:-}" ] && [ -f "$DATA/oxsec.db" ]; then
  echo "reusing the store in $DATA"
else
INPUT="${ALERTS_FILE:-$DATA/alerts.json}"
[ -n "${ALERTS_FILE:-}" ] || python3 - "$ALERTS" "$DATA/alerts.json" <<'PY'
# Skewed like real alert streams: a few noisy rules and agents make most alerts (Zipf weights);
# each rule has its own level, groups, MITRE and compliance tags and decoder.
import random, sys, time
n, out = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(42)
now = int(time.time()); span = 30 * 86400
tactics = ["Initial Access", "Execution", "Persistence", "Privilege Escalation", "Defense Evasion", "Credential Access"]
rules = []
for r in range(200):
    rid = 5000 + r
    level = rnd.choice([3, 3, 5, 5, 5, 7, 8, 10, 10, 12, 13, 15])
    decoder = "sshd" if r % 3 else "web-accesslog"
    rules.append('"rule":{"level":%d,"description":"Rule %d","id":"%d","firedtimes":1,"mail":false,'
                 '"groups":["group%d","syslog"],"mitre":{"id":["T%04d"],"tactic":["%s"]},"pci_dss":["10.2.%d"],'
                 '"gdpr":["IV_35.7.d"]}' % (level, rid, rid, r % 20, 1000 + r % 50, tactics[r % len(tactics)], r % 7)
                 + '#' + decoder)
rule_weights = [1.0 / (k + 1) for k in range(len(rules))]
agent_weights = [1.0 / (k + 1) ** 0.8 for k in range(1000)]
picked_rules = rnd.choices(range(len(rules)), weights=rule_weights, k=n)
picked_agents = rnd.choices(range(1, 1001), weights=agent_weights, k=n)
with open(out, "w") as f:
    for i in range(n):
        epoch = now - span + i * span // n
        rule, decoder = rules[picked_rules[i]].split("#")
        agent = "%03d" % picked_agents[i]
        ip = "10.%d.%d.%d" % (i % 7, (i * 13) % 256, (i * 31) % 200)
        f.write('{"timestamp":"%s.000+0000",%s,"agent":{"id":"%s","name":"agent-%s"},"manager":{"name":"node01"},'
                '"id":"%d.%d","full_log":"event %d from %s","decoder":{"name":"%s"},"data":{"srcip":"%s"},'
                '"location":"/var/log/auth.log"}\n'
                % (time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)), rule, agent, agent, epoch, i, i, ip,
                   decoder, ip))
PY
s=$(date +%s.%N)
"$OXSEC_BIN" import alerts "$INPUT" --data-dir "$DATA" > "$DATA/import.log" 2>&1
e=$(date +%s.%N)
rate=$(echo "$ALERTS / ($e - $s)" | bc -l)
printf 'import of %s alerts: %.1f s (%.0f alerts/s) — %s\n' "$ALERTS" "$(echo "$e - $s" | bc -l)" "$rate" "$(tail -1 "$DATA/import.log")"
rm -f "$DATA/alerts.json"
fi
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
         "/alerts?offset=$((ALERTS / 10))&limit=500" "/alerts?rule_ids=5010&limit=500" "/alerts?pci_dss=10.2.3&from=7d&limit=500" "/compliance/pci_dss?from=30d" "/alerts?agents_list=001&limit=500" "/alerts?q=data.srcip=10.1.13.31&from=24h&limit=500" "/alerts/summary?from=7d&by=rule&agents_list=002,003"; do
  total="$(curl -sk -H "Authorization: Bearer $TOKEN" "$URL$q" | python3 -c 'import json,sys; d=json.load(sys.stdin)["data"]; print(d.get("total_affected_items"))' 2>/dev/null || echo '?')"
  for _ in $(seq 1 "$RUNS"); do curl -sk -o /dev/null -H "Authorization: Bearer $TOKEN" "$URL$q"; done
  sleep 0.2
  printf '| GET %s | %s | %s |\n' "$q" "$total" "$(server_ms)"
done
