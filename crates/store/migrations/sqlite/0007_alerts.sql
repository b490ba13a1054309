-- Alerts the analysis engine produced (what analysisd writes to alerts.json), one row per alert
-- with the columns searches filter and sort on; `body` is the alert JSON exactly as written to
-- alerts.json. `offset` is the alert's byte position in that file, which also makes its `id`.
CREATE TABLE alerts (
    seq        INTEGER PRIMARY KEY,
    alert_id   TEXT    NOT NULL UNIQUE,
    epoch      INTEGER NOT NULL,
    timestamp  TEXT    NOT NULL,
    agent_id   TEXT    NOT NULL,
    rule_id    TEXT    NOT NULL,
    rule_level INTEGER NOT NULL,
    location   TEXT    NOT NULL,
    file_offset INTEGER NOT NULL,
    body       TEXT    NOT NULL
);
CREATE INDEX alerts_epoch ON alerts (epoch);
CREATE INDEX alerts_rule ON alerts (rule_id, epoch);
CREATE INDEX alerts_agent ON alerts (agent_id, epoch);
CREATE INDEX alerts_level ON alerts (rule_level, epoch);
