-- The agent registry (Wazuh's global.db `agent` and `belongs` tables, as the API sees them).
-- Dates are ISO-8601 text (`YYYY-MM-DDTHH:MM:SS+00:00`) so that they sort and compare as instants.
CREATE TABLE agents (
    id                   INTEGER PRIMARY KEY,
    name                 TEXT NOT NULL,
    ip                   TEXT,
    register_ip          TEXT NOT NULL,
    internal_key         TEXT NOT NULL,
    os_name              TEXT,
    os_version           TEXT,
    os_major             TEXT,
    os_minor             TEXT,
    os_codename          TEXT,
    os_build             TEXT,
    os_platform          TEXT,
    os_uname             TEXT,
    os_arch              TEXT,
    version              TEXT,
    config_sum           TEXT,
    merged_sum           TEXT,
    manager_host         TEXT,
    node_name            TEXT NOT NULL DEFAULT 'node01',
    date_add             TEXT NOT NULL,
    last_keepalive       TEXT,
    group_config_status  TEXT NOT NULL DEFAULT 'not synced',
    disconnection_time   TEXT,
    -- 1 while a connected agent has not yet sent its start-up information.
    pending              INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX agents_name ON agents (name);
CREATE INDEX agents_last_keepalive ON agents (last_keepalive);
CREATE INDEX agents_os_platform ON agents (os_platform);

-- Group membership, in the order the groups were assigned (multigroups).
CREATE TABLE agent_groups (
    agent_id    INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    group_name  TEXT NOT NULL,
    priority    INTEGER NOT NULL,
    PRIMARY KEY (agent_id, group_name)
);
CREATE INDEX agent_groups_group ON agent_groups (group_name);
