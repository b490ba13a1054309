#!/usr/bin/env bash
# RESET_CMD of the conformance run: before each upstream test file, give it the state Wazuh's test
# environment gives it (a fresh manager, the fixture RBAC SQL of its module, its RBAC mode), by
# restarting oxsec on a fresh data dir. Driven by scripts/conformance.sh; the harness sets
# HARNESS_MODULE and HARNESS_RBAC_MODE.
set -euo pipefail
: "${STATE:?}" "${PORT:?}" "${OXSEC_BIN:?}" "${SHARED:?}" "${ROOT:?}" "${PASSWORD:?}"
F="$SHARED/fixtures/wazuh-4.14.7-api-test-env/configurations"
module="${HARNESS_MODULE:-}"; mode="${HARNESS_RBAC_MODE:-}"

if [ -f "$STATE/pid" ]; then
  pid="$(cat "$STATE/pid")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$STATE/pid"
fi
DATA="$STATE/data"
rm -rf "$DATA"

sql=()
if [ "$module" = all ]; then sql+=("$F/all/manager/configuration_files/base_security_test.sql")
else sql+=("$F/base/manager/configuration_files/base_security_test.sql"); fi
custom="$F/rbac/$module/${mode}_config.yaml"
if [ -n "$mode" ] && [ -f "$custom" ]; then
  # Upstream turns the module's policy list into policies 1000+ on role 99, user 99's only role.
  "${HARNESS_VENV:?}/bin/python" - "$custom" > "$STATE/custom_rbac.sql" <<'PY'
import json, sys, yaml
policies = yaml.safe_load(open(sys.argv[1]))
print("DELETE FROM user_roles WHERE user_id=99;")
for i, p in enumerate(policies):
    body = json.dumps(p).replace("'", "''")
    print(f"INSERT INTO policies VALUES({1000 + i},'testing{i}','{body}','1970-01-01 00:00:00');")
    print(f"INSERT INTO roles_policies VALUES({1000 + i},99,{1000 + i},{i},'1970-01-01 00:00:00');")
print("INSERT INTO user_roles VALUES(99,99,99,0,'1970-01-01 00:00:00');")
PY
  sql+=("$STATE/custom_rbac.sql")
fi
[ "$module" = security ] && sql+=("$F/security/manager/configuration_files/schema_security_test.sql")
# The agents and groups of upstream's environment: a Wazuh tree built from the fixture files, with
# master_only/agent_info.yaml and agent_groups.yaml applied to global.db as update_agent_info.py does
# (agents 009/010 disconnected two days ago, memberships of 001-010).
TREE="$STATE/wazuh-tree"
rm -rf "$TREE"; mkdir -p "$TREE/etc" "$TREE/queue/db"
B="$F/base/manager/configuration_files"
cp "$B/config/etc/client.keys" "$TREE/etc/client.keys"
cp -r "$B/config/etc/shared" "$TREE/etc/shared"
cp "$B/config/queue/db/global.db" "$TREE/queue/db/global.db"
chmod -R u+w "$TREE"
"${HARNESS_VENV:?}/bin/python" - "$B/master_only" "$TREE/queue/db/global.db" "$module" <<'PY'
import sqlite3, sys, time, yaml
d, db, module = sys.argv[1], sys.argv[2], sys.argv[3]
c = sqlite3.connect(db)
for entry in yaml.safe_load(open(f"{d}/agent_info.yaml")):
    a, extra = dict(entry["agent"]), entry["extra_params"]
    a["last_keepalive"] = int(time.time()) - extra["days_from_last_connection"] * 86400
    aid = extra["agent_id"]
    c.execute(f"UPDATE agent SET {', '.join(k + '=?' for k in a)} WHERE id=?", [*map(str, a.values()), aid])
    for k, v in entry.get("labels", {}).items():
        c.execute("INSERT OR REPLACE INTO labels VALUES (?,?,?)", (aid, k.strip('#"'), str(v)))
ids = {n: i for i, n in c.execute("SELECT id, name FROM `group`")}
for aid, groups in yaml.safe_load(open(f"{d}/agent_groups.yaml"))["agent_ids"].items():
    for g in groups:
        c.execute("INSERT OR IGNORE INTO belongs (id_agent, id_group) VALUES (?,?)", (aid, ids[g]))
# The agent-data files read what the environment's live agents 001-008 report when they connect
# (FIXTURES.md): their version and OS, and that they are connected.
if module in ("syscheck", "rootcheck", "sca", "ciscat", "syscollector", "experimental", "active"):
    for aid in range(1, 9):
        new = aid <= 4
        c.execute("UPDATE agent SET version=?, os_name='Ubuntu', os_version=?, os_major=?, os_minor='04', "
                  "os_codename=?, os_platform='ubuntu', connection_status='active', last_keepalive=? WHERE id=?",
                  ("Wazuh v4.14.7" if new else "Wazuh v3.13.2",
                   "20.04.6 LTS (Focal Fossa)" if new else "18.04.6 LTS (Bionic Beaver)",
                   "20" if new else "18", "focal" if new else "bionic", int(time.time()), aid))
c.commit()
PY
# What the environment's connected agents (000-008) reported: their wazuh-db databases
# (inventory, file integrity, rootcheck, SCA), imported with the tree.
"${HARNESS_VENV:?}/bin/python" "$ROOT/conformance/agent_dbs.py" "$TREE/queue/db" > /dev/null
sql=("$TREE" "${sql[@]}")

from=(); for s in "${sql[@]}"; do from+=(--from "$s"); done
OXSEC_ADMIN_PASSWORD="$PASSWORD" "$OXSEC_BIN" import wazuh "${from[@]}" --data-dir "$DATA" \
  --rbac-mode "${mode:-white}" --token-timeout 900

# Module `active`: agent 003 runs with its active response disabled (upstream's
# agent3_config.sh), which the agent reports to the manager when it connects.
if [ "$module" = active ]; then
  "${HARNESS_VENV:?}/bin/python" -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("UPDATE agents SET active_response_disabled = 1 WHERE id = 3"); c.commit()' "$DATA/oxsec.db"
fi

# The manager's own files: the cluster node name and <ruleset> of upstream's test manager, the
# user rule/decoder samples a fresh install has, and the (empty) subdirectories its rule and
# decoder tests upload into. The shipped ruleset is the shared upstream one.
mkdir -p "$DATA/etc/rules/subdir" "$DATA/etc/decoders/subdir"
cp "$ROOT/conformance/etc/ossec.conf" "$DATA/etc/ossec.conf"
cp "$ROOT/conformance/etc/local_rules.xml" "$DATA/etc/rules/local_rules.xml"
cp "$ROOT/conformance/etc/local_decoder.xml" "$DATA/etc/decoders/local_decoder.xml"

# The manager and cluster modules' statistics file (GET /manager/stats?date=2019-08-27).
case "$module" in manager|cluster)
  mkdir -p "$DATA/stats/totals/2019/Aug"
  cp "$F/$module/manager/configuration_files/ossec-totals-27.log" "$DATA/stats/totals/2019/Aug/ossec-totals-27.log" ;;
esac
# Wazuh's test manager ships mitre.db; the MITRE files get the ATT&CK bundle it is built from.
case "$module" in mitre) export OXSEC_MITRE_FILE="$SHARED/mitre/enterprise-attack-v15.json" ;; esac

OXSEC_ADMIN_PASSWORD="$PASSWORD" setsid nohup "$OXSEC_BIN" serve --config "$ROOT/conformance/api.yaml" \
  --ruleset "$SHARED/wazuh-ruleset" \
  --data-dir "$DATA" --host 127.0.0.1 --port "$PORT" >> "$STATE/server.log" 2>&1 < /dev/null &
echo $! > "$STATE/pid"
for _ in $(seq 1 200); do
  code="$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$PORT/" || true)"
  [ "$code" = 401 ] && exit 0
  sleep 0.05
done
echo "conformance-reset: the server did not come up" >&2
tail -n 20 "$STATE/server.log" >&2
exit 1
