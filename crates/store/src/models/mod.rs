//! One module per table (or tight group of tables): row structs and the queries over them.

pub mod agent;
pub mod agent_command;
pub mod agent_data;
pub mod agent_state;
pub mod alert;
pub mod catalog;
pub mod cluster_node;
pub mod group;
pub mod inventory;
pub mod mitre;
pub mod revocation;
pub mod role;
pub mod settings;
pub mod task;
pub mod user;
