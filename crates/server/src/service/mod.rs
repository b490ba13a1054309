//! Business logic, one module per Wazuh group. Services take the state and plain values and return
//! `ApiError`s; they know nothing about requests or responses.

pub mod agents;
pub mod security;
pub mod security_catalog;
