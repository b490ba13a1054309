//! HTTP-level tests: each starts the real server in-process on an ephemeral port with a temporary
//! data dir, then talks to it over HTTPS like any client. One test binary (link time), one module per
//! Wazuh group.

mod api {
    mod agent_data;
    mod agents;
    mod alerts;
    mod analysis;
    mod cluster;
    pub mod common;
    mod default;
    mod groups;
    mod list_params;
    mod manager;
    mod mitre;
    mod rbac_walk;
    mod rules;
    mod ruleset_files;
    mod security_auth;
    mod security_rbac;
}
