-- Policies, security rules and their links to roles: the rest of Wazuh's RBAC catalogue.
CREATE TABLE policies (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    -- {"actions": [...], "resources": [...], "effect": "allow"|"deny"} as JSON text.
    policy      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE rules (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    -- A MATCH/FIND/AND/OR/NOT expression over the authorization context, as JSON text.
    rule        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE roles_policies (
    id          INTEGER PRIMARY KEY,
    role_id     INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    policy_id   INTEGER NOT NULL REFERENCES policies(id) ON DELETE CASCADE,
    level       INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    UNIQUE (role_id, policy_id)
);

CREATE TABLE roles_rules (
    id          INTEGER PRIMARY KEY,
    role_id     INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    rule_id     INTEGER NOT NULL REFERENCES rules(id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    UNIQUE (role_id, rule_id)
);
