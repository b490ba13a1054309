//! Business logic, one module per Wazuh group. Services take the state and plain values and return
//! `ApiError`s; they know nothing about requests or responses.

pub mod active_config;
pub mod agent_admin;
pub mod agent_commands;
pub mod agent_data;
pub mod agent_groups;
pub mod agents;
pub mod alert_log;
pub mod alerts;
pub mod ciscat;
pub mod cluster;
pub mod decoders;
pub mod events;
pub mod groups;
pub mod ingest;
pub mod lists;
pub mod logtest;
pub mod manager;
pub mod mitre;
pub mod ossec_conf;
pub mod ossec_log;
pub mod rootcheck;
pub mod rules;
pub mod ruleset;
pub mod sca;
pub mod security;
pub mod security_catalog;
pub mod shared;
pub mod syscheck;
pub mod syscollector;
pub mod tasks;
pub mod vulnerability;
