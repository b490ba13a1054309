//! The storage layer's one error type.

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database engine reported an error.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A migration could not be applied; the database is left at the previous version.
    #[error("migration {version} failed: {source}")]
    Migration {
        /// The migration's number.
        version: u32,
        /// The engine's error.
        source: rusqlite::Error,
    },
    /// The database was written by a newer oxsec than this one.
    #[error("the database is at schema version {found}, newer than this oxsec knows ({known}); upgrade oxsec")]
    TooNew {
        /// The version in the file.
        found: u32,
        /// The newest version this build knows.
        known: u32,
    },
    /// A file-system operation failed.
    #[error("{0}")]
    Io(String),
    /// A write would break a uniqueness or consistency rule.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Rows that this build cannot read (written by something else).
    #[error("corrupt data: {0}")]
    Corrupt(String),
    /// Data to import could not be read or does not fit the store (the file and the reason).
    #[error("import failed: {0}")]
    Import(String),
    /// The blocking task running a query failed.
    #[error("storage task failed: {0}")]
    Task(String),
    /// A connection lock was poisoned by a panic in another thread.
    #[error("storage lock poisoned")]
    Poisoned,
}

/// Result of store calls.
pub type Result<T, E = Error> = std::result::Result<T, E>;
