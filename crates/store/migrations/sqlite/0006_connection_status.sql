-- Wazuh's stored connection status (global.db `connection_status`). Registration, keep-alives and
-- imports set it; a periodic sweep turns stale active/pending agents into disconnected ones (as
-- wazuh-db's disconnect-agents does), so listings filter and count it through an index instead of
-- computing it per row from the keep-alive.
ALTER TABLE agents ADD COLUMN connection_status TEXT NOT NULL DEFAULT 'never_connected';
UPDATE agents SET connection_status = CASE
    WHEN id = 0 THEN 'active'
    WHEN last_keepalive IS NULL THEN 'never_connected'
    WHEN last_keepalive < strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', '-600 seconds') THEN 'disconnected'
    WHEN pending = 1 THEN 'pending'
    ELSE 'active' END;
DROP INDEX agents_pending;
ALTER TABLE agents DROP COLUMN pending;
CREATE INDEX agents_connection_status ON agents (connection_status, last_keepalive);
-- The list engine compares text case-insensitively (COLLATE NOCASE), which only NOCASE indexes
-- serve: the filters used most (status, platform + status, name) get one.
DROP INDEX agents_os_platform;
CREATE INDEX agents_os_platform_status ON agents (os_platform COLLATE NOCASE, connection_status COLLATE NOCASE);
CREATE INDEX agents_status_nocase ON agents (connection_status COLLATE NOCASE);
CREATE INDEX agents_name_nocase ON agents (name COLLATE NOCASE);

-- Agents (000 left out) per connection status and group sync status, kept by triggers so that
-- `GET /agents/summary/status` reads a handful of rows at any number of agents. Connections run
-- with recursive_triggers on, so rows deleted by REPLACE are counted out too.
CREATE TABLE agent_status_counts (
    connection_status    TEXT NOT NULL,
    group_config_status  TEXT NOT NULL,
    n                    INTEGER NOT NULL,
    PRIMARY KEY (connection_status, group_config_status)
) WITHOUT ROWID;
INSERT INTO agent_status_counts (connection_status, group_config_status, n)
    SELECT connection_status, group_config_status, COUNT(*) FROM agents WHERE id != 0 GROUP BY 1, 2;

CREATE TRIGGER agents_counted_in AFTER INSERT ON agents WHEN NEW.id != 0 BEGIN
    INSERT INTO agent_status_counts (connection_status, group_config_status, n)
        VALUES (NEW.connection_status, NEW.group_config_status, 1)
        ON CONFLICT (connection_status, group_config_status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER agents_counted_out AFTER DELETE ON agents WHEN OLD.id != 0 BEGIN
    UPDATE agent_status_counts SET n = n - 1
        WHERE connection_status = OLD.connection_status AND group_config_status = OLD.group_config_status;
END;
CREATE TRIGGER agents_counted_again AFTER UPDATE OF id, connection_status, group_config_status ON agents BEGIN
    UPDATE agent_status_counts SET n = n - 1
        WHERE OLD.id != 0 AND connection_status = OLD.connection_status
          AND group_config_status = OLD.group_config_status;
    INSERT INTO agent_status_counts (connection_status, group_config_status, n)
        SELECT NEW.connection_status, NEW.group_config_status, 1 WHERE NEW.id != 0
        ON CONFLICT (connection_status, group_config_status) DO UPDATE SET n = n + 1;
END;
