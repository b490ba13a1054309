//! Wire types shared by the oxsec server and its clients.
//!
//! Nothing here does I/O. [`codes`] is the one place where Wazuh's numeric error codes are written
//! down; [`envelope`] is the response shape every Wazuh endpoint uses.

pub mod codes;
pub mod envelope;
pub mod mitre;

pub use codes::WazuhCode;
pub use envelope::{AffectedItems, FailedItem, ItemError};

/// The Wazuh API version oxsec is wire-compatible with.
pub const WAZUH_API_VERSION: &str = "4.14.7";
