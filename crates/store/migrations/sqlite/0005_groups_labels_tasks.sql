-- Agent groups (Wazuh's global.db `group` table; their files live in <data_dir>/etc/shared/<name>/).
CREATE TABLE groups (
    name        TEXT PRIMARY KEY,
    created_at  TEXT NOT NULL
);
INSERT INTO groups (name, created_at) VALUES ('default', strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'));
INSERT OR IGNORE INTO groups (name, created_at)
    SELECT DISTINCT group_name, strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') FROM agent_groups;

-- Agent labels (`labels` in global.db): key/value pairs the agent reports, e.g. `_agent_ip`.
CREATE TABLE agent_labels (
    agent_id  INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    key       TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (agent_id, key)
);

-- Wazuh's connection status code (remoted's reason for the last state change; 0 when none).
ALTER TABLE agents ADD COLUMN status_code INTEGER NOT NULL DEFAULT 0;

-- Task records (Wazuh's tasks.db), created by upgrade requests.
CREATE TABLE tasks (
    task_id           INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id          INTEGER NOT NULL,
    node              TEXT NOT NULL,
    module            TEXT NOT NULL,
    command           TEXT NOT NULL,
    create_time       INTEGER NOT NULL,
    last_update_time  INTEGER NOT NULL,
    status            TEXT NOT NULL,
    error_message     TEXT
);
CREATE INDEX tasks_agent ON tasks (agent_id);
