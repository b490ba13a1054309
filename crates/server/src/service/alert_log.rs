//! `<data_dir>/logs/alerts/alerts.json`: analysisd's alert file, one JSON alert per line.
//!
//! Readers (Filebeat, `tail -f | jq`) take whole lines, so the file only ever grows by whole
//! lines: each batch is one `write` of complete lines followed by `fdatasync`. A crash can still
//! cut the last write short; the torn tail is cut off when the file is opened again, so the
//! file never keeps a half line. The store keeps the same alerts; what the store missed (a crash
//! between the two writes) is read back from the file at start.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use oxsec_store::models::alert::NewAlert;

/// The open alert file.
pub struct AlertLog {
    path: PathBuf,
    file: File,
    len: u64,
}

impl AlertLog {
    /// Opens (creating) `<logs_dir>/alerts/alerts.json` and cuts off a torn last line.
    pub fn open(logs_dir: &Path) -> io::Result<AlertLog> {
        let dir = logs_dir.join("alerts");
        crate::fsutil::ensure_dir(&dir, 0o750)?;
        let path = dir.join("alerts.json");
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o640)
            .open(&path)?;
        let len = whole_lines_len(&mut file)?;
        if len != file.metadata()?.len() {
            tracing::warn!(
                "{}: the last line was cut short (a crash while writing); it is dropped",
                path.display()
            );
            file.set_len(len)?;
            file.sync_all()?;
        }
        Ok(AlertLog { path, file, len })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where the next line starts.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing was written yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends lines (each without its newline) and makes them durable. On failure the file is
    /// put back to its previous length, so no partial batch stays.
    pub fn append(&mut self, lines: &[String]) -> io::Result<()> {
        if lines.is_empty() {
            return Ok(());
        }
        let mut buf = Vec::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
        for line in lines {
            buf.extend_from_slice(line.as_bytes());
            buf.push(b'\n');
        }
        let written = self
            .file
            .seek(SeekFrom::Start(self.len))
            .and_then(|_| self.file.write_all(&buf))
            .and_then(|()| self.file.sync_data());
        match written {
            Ok(()) => {
                self.len += buf.len() as u64;
                Ok(())
            }
            Err(e) => {
                let _ = self.file.set_len(self.len);
                Err(e)
            }
        }
    }

    /// The alerts written from byte `from` on, for the store to catch up with.
    pub fn read_from(&mut self, from: u64) -> io::Result<Vec<NewAlert>> {
        if from >= self.len {
            return Ok(Vec::new());
        }
        let mut text = String::new();
        self.file.seek(SeekFrom::Start(from))?;
        (&mut self.file).take(self.len - from).read_to_string(&mut text)?;
        let mut out = Vec::new();
        let mut offset = from;
        for line in text.split_inclusive('\n') {
            let body = line.trim_end_matches('\n');
            if let Some(alert) = NewAlert::from_line(body, offset) {
                out.push(alert);
            }
            offset += line.len() as u64;
        }
        Ok(out)
    }
}

/// The length of the file up to the end of its last complete line.
fn whole_lines_len(file: &mut File) -> io::Result<u64> {
    let len = file.metadata()?.len();
    let mut end = len;
    let mut chunk = [0u8; 4096];
    while end > 0 {
        let start = end.saturating_sub(chunk.len() as u64);
        let n = usize::try_from(end - start).unwrap_or(chunk.len());
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(&mut chunk[..n])?;
        if let Some(i) = chunk[..n].iter().rposition(|b| *b == b'\n') {
            return Ok(start + i as u64 + 1);
        }
        end = start;
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_torn_last_line_is_cut_off_at_open() {
        let dir = tempfile::tempdir().expect("tmp");
        {
            let mut log = AlertLog::open(dir.path()).expect("open");
            log.append(&["{\"id\":\"1.0\"}".into()]).expect("append");
        }
        let path = dir.path().join("alerts/alerts.json");
        let mut f = OpenOptions::new().append(true).open(&path).expect("reopen");
        f.write_all(b"{\"id\":\"1.13\",\"rule\"").expect("torn write");
        drop(f);
        let mut log = AlertLog::open(dir.path()).expect("open again");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "{\"id\":\"1.0\"}\n");
        log.append(&["{\"id\":\"2.13\"}".into()]).expect("append");
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "{\"id\":\"1.0\"}\n{\"id\":\"2.13\"}\n",
            "new lines start where the last whole line ended"
        );
    }

    #[test]
    fn alerts_read_back_from_an_offset_with_their_positions() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut log = AlertLog::open(dir.path()).expect("open");
        let a = r#"{"timestamp":"t","rule":{"level":5,"id":"100"},"agent":{"id":"000"},"id":"17.0","location":"x"}"#;
        let b = r#"{"timestamp":"t","rule":{"level":10,"id":"5712"},"agent":{"id":"000"},"id":"17.95","location":"y"}"#;
        log.append(&[a.into(), b.into()]).expect("append");
        let all = log.read_from(0).expect("read");
        assert_eq!(all.len(), 2);
        assert_eq!(all[1].file_offset, a.len() as u64 + 1);
        assert_eq!(all[1].class.rule_id, "5712");
        assert_eq!(all[1].class.level, 10);
        assert_eq!(all[1].epoch, 17);
        let rest = log.read_from(a.len() as u64 + 1).expect("read");
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].alert_id, "17.95");
        assert!(log.read_from(log.len()).expect("read").is_empty());
    }
}
