-- Users, roles and token revocation: what login needs. The layout follows Wazuh's rbac.db so that
-- an existing Wazuh security state can be imported keeping its ids.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password      TEXT NOT NULL,
    allow_run_as  INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);

CREATE TABLE roles (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL
);

CREATE TABLE user_roles (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role_id     INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    level       INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    UNIQUE (user_id, role_id)
);

-- Tokens of a user issued before nbf_invalid_until are rejected until is_valid_until (when every
-- such token has expired anyway and the row can go).
CREATE TABLE users_token_blacklist (
    user_id            INTEGER PRIMARY KEY,
    nbf_invalid_until  INTEGER NOT NULL,
    is_valid_until     INTEGER NOT NULL
);

CREATE TABLE roles_token_blacklist (
    role_id            INTEGER PRIMARY KEY,
    nbf_invalid_until  INTEGER NOT NULL,
    is_valid_until     INTEGER NOT NULL
);

-- Settings that change at run time (security config, revocation of every token).
CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
