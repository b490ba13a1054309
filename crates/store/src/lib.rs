//! oxsec's storage layer.
//!
//! [`Store`] owns the embedded SQLite database in the data dir: one writer connection and a small
//! pool of readers (SQLite in WAL mode lets readers run beside the writer). Every call runs on
//! tokio's blocking pool so the async server never waits on disk. Models in [`models`] hold the SQL;
//! it is plain SQL-92 apart from what [`oxsec_wql::sql::Dialect`] abstracts, so that a PostgreSQL
//! backend can reuse it. Nothing here knows about HTTP or JSON envelopes.

pub mod error;
pub mod import;
pub mod import_agent_data;
pub mod list;
mod migrate;
pub mod models;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OpenFlags, Transaction};

pub use error::{Error, Result};

/// The schema version this build migrates databases to.
pub fn schema_version() -> u32 {
    migrate::latest_version()
}
pub use rusqlite;

/// How many idle reader connections are kept open.
const MAX_IDLE_READERS: usize = 8;

/// Handle to the store; cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    pub fn open(path: &Path) -> Result<Self> {
        create_private(path)?;
        let mut writer = open_connection(path, false)?;
        migrate::apply(&mut writer)?;
        // Alerts stored by an older version get their class and hourly counts now, a batch
        // per transaction (a no-op once done).
        let mut classified = 0usize;
        loop {
            let tx = writer.transaction()?;
            let done = models::alert::classify_pending(&tx, 10_000)?;
            tx.commit()?;
            if done == 0 {
                break;
            }
            classified += done;
            if classified % 500_000 < 10_000 {
                tracing::info!(classified, "classifying the alerts of an older store (once)");
            }
        }
        Ok(Self {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                writer: Mutex::new(writer),
                readers: Mutex::new(Vec::new()),
            }),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `f` on a read-only connection.
    pub async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || inner.with_reader(f))
            .await
            .map_err(|e| Error::Task(e.to_string()))?
    }

    /// Runs `f` in one write transaction, committed when `f` returns `Ok`, rolled back otherwise.
    pub async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || inner.with_writer(f))
            .await
            .map_err(|e| Error::Task(e.to_string()))?
    }

    /// Synchronous write, for start-up and command-line tools that have no runtime.
    pub fn write_blocking<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        self.inner.with_writer(f)
    }

    /// Runs `f` with the writer connection itself (imports that manage their own transaction).
    pub fn with_connection_blocking<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let mut conn = self.inner.writer.lock().map_err(|_| Error::Poisoned)?;
        f(&mut conn)
    }

    /// Synchronous read, for start-up and command-line tools that have no runtime.
    pub fn read_blocking<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.inner.with_reader(f)
    }
}

impl Inner {
    fn with_reader<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let idle = self.readers.lock().map_err(|_| Error::Poisoned)?.pop();
        let conn = match idle {
            Some(c) => c,
            None => open_connection(&self.path, true)?,
        };
        // One snapshot for the whole read: a count and the page it belongs to (separate
        // statements) see the same rows even when a write commits in between.
        let out = conn.unchecked_transaction().map_err(Error::from).and_then(|tx| {
            let out = f(&tx);
            // Nothing to keep: a read-only transaction ends by rolling back.
            drop(tx);
            out
        });
        let mut readers = self.readers.lock().map_err(|_| Error::Poisoned)?;
        if readers.len() < MAX_IDLE_READERS {
            readers.push(conn);
        }
        out
    }

    fn with_writer<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.writer.lock().map_err(|_| Error::Poisoned)?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }
}

/// Creates the database file owner-only (0600) before SQLite opens it, so it (and the `-wal`/`-shm`
/// files SQLite derives from it) never exist with wider permissions: it holds password hashes.
fn create_private(path: &Path) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    if path.exists() {
        return Ok(());
    }
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map(drop)
        .map_err(|e| Error::Io(format!("cannot create {}: {e}", path.display())))
}

fn open_connection(path: &Path, read_only: bool) -> Result<Connection> {
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        // URI file names: agent databases are attached read-only (`file:…?mode=ro`).
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI
    };
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    if !read_only {
        // WAL: readers never block the writer; NORMAL sync is durable across process crashes and
        // only loses the last transactions on power loss, which is what a WAL store promises.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // The one writer keeps up to 64 MiB of pages: a batch of alerts touches pages all over
        // its indexes, and a small cache would write (and read back) each of them many times.
        conn.pragma_update(None, "cache_size", -65_536i64)?;
    }
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Memory-mapped reads: every connection shares the OS page cache instead of copying pages into
    // its own small cache, so a reader that has not run a query yet is as fast as a warm one.
    // SQLite caps the size at its compile-time maximum (2 GiB in the bundled build).
    conn.pragma_update(None, "mmap_size", 1i64 << 33)?;
    // REPLACE must fire delete triggers, which keep the agent status counts.
    conn.pragma_update(None, "recursive_triggers", "ON")?;
    Ok(conn)
}

/// Seconds since the Unix epoch, the unit every timestamp in the store uses.
pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn migrations_apply_once_and_survive_reopen() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("oxsec.db");
        let store = Store::open(&path).expect("open");
        let v1 = store.read(migrate::current_version).await.expect("version");
        drop(store);
        let store = Store::open(&path).expect("reopen");
        let v2 = store.read(migrate::current_version).await.expect("version");
        assert_eq!(v1, v2);
        assert_eq!(v1, migrate::latest_version());
    }

    #[tokio::test]
    async fn failed_write_rolls_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("oxsec.db")).expect("open");
        let r: Result<()> = store
            .write(|tx| {
                models::settings::set(tx, "k", "v")?;
                Err(Error::Conflict("forced".into()))
            })
            .await;
        assert!(r.is_err());
        let v = store.read(|c| models::settings::get(c, "k")).await.expect("read");
        assert_eq!(v, None);
    }
}
