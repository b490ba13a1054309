//! Wazuh's ruleset as files and contents: which rule, decoder and CDB list files exist and are
//! enabled, and what each rule, decoder and list holds, rendered the way Wazuh's API shows them.
//!
//! Nothing here knows HTTP or the database. The server lists and filters a loaded [`Catalog`];
//! [`engine::Engine`] compiles the same parsed files and analyses events with them.
//!
//! Layout, as Wazuh's: `ruleset/{rules,decoders}` is the shipped ruleset (a directory oxsec is
//! pointed at, never written), `etc/{rules,decoders,lists}` the user's files under the data dir.
//! Relative directory names (`ruleset/rules`, `etc/lists/amazon`) are what the API reports.

pub mod alert;
pub mod analyze;
pub mod catalog;
pub mod config;
pub mod decode;
pub mod decoders;
pub mod engine;
pub mod files;
pub mod install;
pub mod json_decoder;
pub mod lenient;
pub mod lists;
pub mod matcher;
pub mod mitre;
pub mod predecode;
pub mod rules;
pub mod upload;
pub mod vectors;
pub mod winevt;

pub use catalog::Catalog;

/// Bytes as text, invalid UTF-8 replaced by U+FFFD. Valid input (nearly all of it) takes the
/// vectorised validation, not the byte-by-byte walk `from_utf8_lossy` does.
pub(crate) fn lossy_string(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}
pub use config::RulesetConfig;
pub use files::{FileEntry, Roots, Status};
