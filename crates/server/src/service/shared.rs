//! The group files on disk, in Wazuh's layout: `<data_dir>/etc/shared/<group>/agent.conf` plus the
//! `merged.mg` bundle agents download, and the files shared by every group (`etc/shared/ar.conf`).
//! Every write is atomic (temporary file, fsync, rename) and `merged.mg` is rebuilt after it.

use std::io;
use std::path::{Path, PathBuf};

use md5::{Digest, Md5};

use crate::fsutil;

/// The `agent.conf` a new group starts with (Wazuh's).
pub const DEFAULT_AGENT_CONF: &str =
    "<agent_config>\n\n  <!-- Shared agent configuration here -->\n\n</agent_config>\n";

/// The file every group's bundle starts with after its header.
const AR_CONF: &str = "ar.conf";
/// The bundle agents download.
pub const MERGED: &str = "merged.mg";

/// MD5 of some bytes, as lower-case hex (Wazuh's `mergedSum`/`configSum`/file `hash`).
pub fn md5_hex(data: &[u8]) -> String {
    hex::encode(Md5::digest(data))
}

/// `etc/shared` under a data dir.
#[derive(Debug, Clone)]
pub struct SharedDir {
    root: PathBuf,
}

impl SharedDir {
    /// The shared dir of a data dir.
    pub fn new(data_dir: &Path) -> Self {
        Self {
            root: data_dir.join("etc").join("shared"),
        }
    }

    /// Where a group's files live. `name` must already be a valid group name (no separators).
    pub fn group_dir(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// Whether the group's directory exists.
    pub fn has_group(&self, name: &str) -> bool {
        self.group_dir(name).is_dir()
    }

    /// Creates a group's directory with the default `agent.conf` and its bundle (keeps existing files).
    pub fn create_group(&self, name: &str) -> io::Result<()> {
        fsutil::ensure_dir(&self.root, 0o770)?;
        let dir = self.group_dir(name);
        fsutil::ensure_dir(&dir, 0o770)?;
        let conf = dir.join("agent.conf");
        if !conf.exists() {
            fsutil::write_atomic(&conf, DEFAULT_AGENT_CONF.as_bytes(), 0o660)?;
        }
        self.rebuild_merged(name).map(drop)
    }

    /// Removes a group's directory and everything in it.
    pub fn remove_group(&self, name: &str) -> io::Result<()> {
        match std::fs::remove_dir_all(self.group_dir(name)) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }

    /// The group's files (not hidden), sorted by name.
    pub fn files(&self, name: &str) -> io::Result<Vec<String>> {
        let mut names = Vec::new();
        for entry in std::fs::read_dir(self.group_dir(name))? {
            let entry = entry?;
            if !entry.file_type()?.is_file() {
                continue;
            }
            if let Some(n) = entry.file_name().to_str() {
                if !n.starts_with('.') {
                    names.push(n.to_owned());
                }
            }
        }
        names.sort();
        Ok(names)
    }

    /// A file of a group. `file` must already be a plain file name.
    pub fn read(&self, name: &str, file: &str) -> io::Result<Vec<u8>> {
        std::fs::read(self.group_dir(name).join(file))
    }

    /// Replaces a group file atomically and rebuilds the bundle; returns the bundle's MD5.
    pub fn write(&self, name: &str, file: &str, data: &[u8]) -> io::Result<String> {
        fsutil::write_atomic(&self.group_dir(name).join(file), data, 0o660)?;
        self.rebuild_merged(name)
    }

    /// Writes a file shared by every group (e.g. `ar.conf`) at the top of `etc/shared`.
    pub fn write_common(&self, file: &str, data: &[u8]) -> io::Result<()> {
        fsutil::ensure_dir(&self.root, 0o770)?;
        fsutil::write_atomic(&self.root.join(file), data, 0o660)
    }

    /// Rebuilds `merged.mg` as Wazuh's remoted does: `#<group>`, then each file as `!<size> <name>`
    /// and its bytes: the common `ar.conf` first, then the group's own files. Returns its MD5.
    pub fn rebuild_merged(&self, name: &str) -> io::Result<String> {
        let mut out = format!("#{name}\n").into_bytes();
        let mut append = |file: &str, data: &[u8]| {
            out.extend_from_slice(format!("!{} {file}\n", data.len()).as_bytes());
            out.extend_from_slice(data);
        };
        if let Ok(ar) = std::fs::read(self.root.join(AR_CONF)) {
            append(AR_CONF, &ar);
        }
        for file in self.files(name)? {
            if file == MERGED || file == AR_CONF {
                continue;
            }
            append(&file, &self.read(name, &file)?);
        }
        fsutil::write_atomic(&self.group_dir(name).join(MERGED), &out, 0o660)?;
        Ok(md5_hex(&out))
    }

    /// MD5s of the group's `merged.mg` and `agent.conf` (`None` where the file is missing).
    pub fn sums(&self, name: &str) -> (Option<String>, Option<String>) {
        let sum = |f: &str| self.read(name, f).ok().map(|d| md5_hex(&d));
        (sum(MERGED), sum("agent.conf"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundle_has_wazuhs_layout_and_follows_changes() {
        let dir = tempfile::tempdir().expect("tmp");
        let shared = SharedDir::new(dir.path());
        shared
            .write_common("ar.conf", b"restart0 - restart.sh - 0\n")
            .expect("ar");
        shared.create_group("web").expect("create");
        let merged = String::from_utf8(shared.read("web", MERGED).expect("merged")).expect("utf8");
        assert_eq!(
            merged,
            format!("#web\n!26 ar.conf\nrestart0 - restart.sh - 0\n!76 agent.conf\n{DEFAULT_AGENT_CONF}")
        );
        let before = shared.sums("web");
        shared.write("web", "agent.conf", b"<agent_config/>\n").expect("write");
        let after = shared.sums("web");
        assert_ne!(before.0, after.0, "mergedSum changes with agent.conf");
        assert_eq!(after.1.as_deref(), Some(md5_hex(b"<agent_config/>\n").as_str()));
        assert_eq!(shared.files("web").expect("files"), ["agent.conf", "merged.mg"]);
        shared.remove_group("web").expect("remove");
        assert!(!shared.has_group("web"));
    }
}
