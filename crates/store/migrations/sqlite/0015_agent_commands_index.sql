-- Deleting an agent removes its queued commands (ON DELETE CASCADE): an index on the agent
-- serves that lookup, delivered commands included.
CREATE INDEX agent_commands_agent ON agent_commands (agent_id);
