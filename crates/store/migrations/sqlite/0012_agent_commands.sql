-- Commands for agents (scan restarts, active responses), kept until the agent connection
-- service delivers them: Wazuh writes each to its agent queue at once and forgets it; oxsec
-- keeps it here so nothing accepted is lost while the agent cannot be reached. `message` is
-- what Wazuh would send (`syscheck restart`, an active-response JSON or legacy line).
CREATE TABLE agent_commands (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id     INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    module       TEXT    NOT NULL,
    message      TEXT    NOT NULL,
    queued_at    INTEGER NOT NULL,
    delivered_at INTEGER
);
CREATE INDEX agent_commands_pending ON agent_commands (agent_id, id) WHERE delivered_at IS NULL;

-- An agent's own active-response switch (`<active-response><disabled>` in its ossec.conf), as
-- the agent last reported it: Wazuh refuses active responses to such agents (1750).
ALTER TABLE agents ADD COLUMN active_response_disabled INTEGER NOT NULL DEFAULT 0;
