-- Vulnerabilities found in each agent's packages, as wazuh-db 4.7 kept them per agent
-- (`vuln_cves`, `vuln_metadata`; Wazuh 4.8 moved them to its indexer). Served by the 4.7
-- endpoints oxsec keeps as extensions; filled by `oxsec import wazuh` from 4.7 managers' agent
-- databases. `detection_time` is Unix seconds as text, as there.
CREATE TABLE vuln_cves (
    agent_id            INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    name                TEXT,
    version             TEXT,
    architecture        TEXT,
    cve                 TEXT,
    detection_time      TEXT,
    severity            TEXT,
    cvss2_score         REAL,
    cvss3_score         REAL,
    reference           TEXT,
    type                TEXT,
    status              TEXT,
    external_references TEXT,
    condition           TEXT,
    title               TEXT,
    published           TEXT,
    updated             TEXT
);
CREATE INDEX vuln_cves_agent ON vuln_cves (agent_id, name);
CREATE INDEX vuln_cves_cve ON vuln_cves (cve);

CREATE TABLE vuln_metadata (
    agent_id          INTEGER PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,
    last_partial_scan INTEGER,
    last_full_scan    INTEGER
);
