-- Indexes that let the status summary count instead of scanning every agent.
CREATE INDEX agents_pending ON agents (last_keepalive) WHERE pending = 1;
CREATE INDEX agents_group_config_status ON agents (group_config_status);
