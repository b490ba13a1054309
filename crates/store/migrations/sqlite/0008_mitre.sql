-- MITRE ATT&CK as Wazuh's mitre.db holds it (techniques, tactics, groups, software, mitigations in
-- one table, `kind` telling them apart), imported from the enterprise ATT&CK STIX bundle and
-- replaced whole by every import. `position` keeps the bundle's order.
CREATE TABLE mitre_objects (
    id                   TEXT    PRIMARY KEY,
    position             INTEGER NOT NULL,
    kind                 TEXT    NOT NULL,
    name                 TEXT    NOT NULL,
    description          TEXT,
    created_time         TEXT,
    modified_time        TEXT,
    mitre_version        TEXT,
    deprecated           INTEGER NOT NULL DEFAULT 0,
    revoked_by           TEXT,
    mitre_detection      TEXT,
    network_requirements INTEGER NOT NULL DEFAULT 0,
    remote_support       INTEGER NOT NULL DEFAULT 0,
    subtechnique_of      TEXT,
    short_name           TEXT
);
-- External references that have a URL.
CREATE TABLE mitre_references (
    position    INTEGER PRIMARY KEY,
    owner_id    TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    source      TEXT,
    external_id TEXT,
    url         TEXT    NOT NULL,
    description TEXT
);
CREATE INDEX mitre_references_owner ON mitre_references (owner_id);
-- Technique → tactic (phase), mitigation → technique (mitigates), group/software → technique or
-- software (uses).
CREATE TABLE mitre_relations (
    position  INTEGER PRIMARY KEY,
    kind      TEXT    NOT NULL,
    source_id TEXT    NOT NULL,
    target_id TEXT    NOT NULL
);
-- The import the tables hold: the bundle's spec_version and what was read.
CREATE TABLE mitre_import (
    singleton    INTEGER PRIMARY KEY CHECK (singleton = 1),
    spec_version TEXT    NOT NULL,
    source       TEXT    NOT NULL,
    digest       TEXT    NOT NULL,
    imported_at  INTEGER NOT NULL
);
