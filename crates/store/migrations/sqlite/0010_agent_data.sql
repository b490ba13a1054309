-- What agents report about themselves, as wazuh-db keeps it in each agent's own database
-- (queue/db/NNN.db): file integrity, rootcheck, SCA and CIS-CAT results. One table per wazuh-db
-- table, keyed by agent, with wazuh-db's column names and types (dates are Unix seconds, as
-- there), so an import is a straight copy and the API formats dates as Wazuh's does. Rows go
-- with their agent.

-- Agents that have a database in Wazuh's sense: it exists once the agent has connected (or a
-- command created it); several endpoints answer 2007 without one.
CREATE TABLE agent_databases (
    agent_id   INTEGER PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
);

-- wazuh-db `fim_entry`.
CREATE TABLE fim_entries (
    agent_id      INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    full_path     TEXT    NOT NULL,
    file          TEXT,
    type          TEXT    NOT NULL CHECK (type IN ('file', 'registry_key', 'registry_value')),
    date          INTEGER NOT NULL,
    changes       INTEGER NOT NULL DEFAULT 1,
    arch          TEXT    CHECK (arch IS NULL OR arch IN ('[x64]', '[x32]')),
    value_name    TEXT,
    value_type    TEXT,
    size          INTEGER,
    perm          TEXT,
    uid           TEXT,
    gid           TEXT,
    md5           TEXT,
    sha1          TEXT,
    uname         TEXT,
    gname         TEXT,
    mtime         INTEGER,
    inode         INTEGER,
    sha256        TEXT,
    attributes    TEXT,
    symbolic_path TEXT,
    checksum      TEXT,
    PRIMARY KEY (agent_id, full_path)
);
CREATE INDEX fim_entries_mtime ON fim_entries (agent_id, mtime);

-- wazuh-db `scan_info`: per module (`fim`, `syscollector`) the scan times.
CREATE TABLE agent_scan_info (
    agent_id         INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    module           TEXT    NOT NULL,
    first_start      INTEGER NOT NULL DEFAULT 0,
    first_end        INTEGER NOT NULL DEFAULT 0,
    start_scan       INTEGER NOT NULL DEFAULT 0,
    end_scan         INTEGER NOT NULL DEFAULT 0,
    fim_first_check  INTEGER NOT NULL DEFAULT 0,
    fim_second_check INTEGER NOT NULL DEFAULT 0,
    fim_third_check  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (agent_id, module)
);

-- wazuh-db `pm_event` (rootcheck). `id` keeps the agent's own numbering.
CREATE TABLE rootcheck_events (
    agent_id   INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    id         INTEGER NOT NULL,
    date_first INTEGER,
    date_last  INTEGER,
    log        TEXT,
    pci_dss    TEXT,
    cis        TEXT,
    PRIMARY KEY (agent_id, id)
);
CREATE INDEX rootcheck_events_log ON rootcheck_events (agent_id, log, date_last);

-- wazuh-db `sca_policy`.
CREATE TABLE sca_policies (
    agent_id    INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    id          TEXT    NOT NULL,
    name        TEXT,
    file        TEXT,
    description TEXT,
    "references" TEXT,
    hash_file   TEXT,
    PRIMARY KEY (agent_id, id)
);

-- wazuh-db `sca_scan_info`.
CREATE TABLE sca_scan_info (
    agent_id     INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    id           INTEGER NOT NULL,
    start_scan   INTEGER,
    end_scan     INTEGER,
    policy_id    TEXT,
    pass         INTEGER,
    fail         INTEGER,
    invalid      INTEGER,
    total_checks INTEGER,
    score        INTEGER,
    hash         TEXT,
    PRIMARY KEY (agent_id, id)
);

-- wazuh-db `sca_check`, `sca_check_rules`, `sca_check_compliance`.
CREATE TABLE sca_checks (
    agent_id     INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    id           INTEGER NOT NULL,
    scan_id      INTEGER,
    policy_id    TEXT,
    title        TEXT,
    description  TEXT,
    rationale    TEXT,
    remediation  TEXT,
    file         TEXT,
    process      TEXT,
    directory    TEXT,
    registry     TEXT,
    command      TEXT,
    "references" TEXT,
    result       TEXT,
    reason       TEXT,
    condition    TEXT,
    PRIMARY KEY (agent_id, id)
);
CREATE INDEX sca_checks_policy ON sca_checks (agent_id, policy_id);
CREATE TABLE sca_check_rules (
    agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    id_check INTEGER NOT NULL,
    type     TEXT    NOT NULL,
    rule     TEXT    NOT NULL,
    PRIMARY KEY (agent_id, id_check, type, rule)
);
CREATE TABLE sca_check_compliance (
    agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    id_check INTEGER NOT NULL,
    key      TEXT    NOT NULL,
    value    TEXT    NOT NULL,
    PRIMARY KEY (agent_id, id_check, key, value)
);

-- wazuh-db `ciscat_results`.
CREATE TABLE ciscat_results (
    agent_id   INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    id         INTEGER NOT NULL,
    scan_id    INTEGER,
    scan_time  TEXT,
    benchmark  TEXT,
    profile    TEXT,
    pass       INTEGER,
    fail       INTEGER,
    error      INTEGER,
    notchecked INTEGER,
    unknown    INTEGER,
    score      INTEGER,
    PRIMARY KEY (agent_id, id)
);
