//! MITRE ATT&CK data (`mitre_*` tables): replaced whole by an import, read whole at start.

use oxsec_types::mitre::{AttackData, AttackKind, AttackObject, AttackReference, AttackRelation, RelationKind};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::{Error, Result};

/// What the tables were imported from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportInfo {
    /// The bundle's path as given.
    pub source: String,
    /// A digest of the bundle's bytes (to skip re-importing the same file).
    pub digest: String,
    /// When, Unix seconds.
    pub imported_at: i64,
}

fn bad(what: &str, value: &str) -> Error {
    Error::Corrupt(format!("mitre tables hold an unknown {what} {value:?}"))
}

/// Replaces the ATT&CK data with `data` (one transaction: readers see the old or the new data).
pub fn replace(tx: &Transaction<'_>, data: &AttackData, info: &ImportInfo) -> Result<()> {
    tx.execute_batch(
        "DELETE FROM mitre_objects; DELETE FROM mitre_references; DELETE FROM mitre_relations; DELETE FROM mitre_import;",
    )?;
    {
        let mut stmt = tx.prepare(
            "INSERT INTO mitre_objects (id, position, kind, name, description, created_time, modified_time,
                 mitre_version, deprecated, revoked_by, mitre_detection, network_requirements, remote_support,
                 subtechnique_of, short_name)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )?;
        for (i, o) in data.objects.iter().enumerate() {
            let kind = o.kind.map_or("", AttackKind::as_str);
            stmt.execute(params![
                o.id,
                i as i64,
                kind,
                o.name,
                o.description,
                o.created,
                o.modified,
                o.mitre_version,
                o.deprecated,
                o.revoked_by,
                o.mitre_detection,
                o.network_requirements,
                o.remote_support,
                o.subtechnique_of,
                o.short_name
            ])?;
        }
    }
    {
        let mut stmt = tx.prepare(
            "INSERT INTO mitre_references (position, owner_id, kind, source, external_id, url, description)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for (i, r) in data.references.iter().enumerate() {
            stmt.execute(params![
                i as i64,
                r.id,
                r.kind.as_str(),
                r.source,
                r.external_id,
                r.url,
                r.description
            ])?;
        }
    }
    {
        let mut stmt =
            tx.prepare("INSERT INTO mitre_relations (position, kind, source_id, target_id) VALUES (?1, ?2, ?3, ?4)")?;
        for (i, r) in data.relations.iter().enumerate() {
            stmt.execute(params![i as i64, r.kind.as_str(), r.source, r.target])?;
        }
    }
    tx.execute(
        "INSERT INTO mitre_import (singleton, spec_version, source, digest, imported_at) VALUES (1, ?1, ?2, ?3, ?4)",
        params![data.spec_version, info.source, info.digest, info.imported_at],
    )?;
    Ok(())
}

/// What the tables were last imported from, if anything was.
pub fn import_info(conn: &Connection) -> Result<Option<ImportInfo>> {
    Ok(conn
        .query_row(
            "SELECT source, digest, imported_at FROM mitre_import WHERE singleton = 1",
            [],
            |r| {
                Ok(ImportInfo {
                    source: r.get(0)?,
                    digest: r.get(1)?,
                    imported_at: r.get(2)?,
                })
            },
        )
        .optional()?)
}

/// The imported data, or `None` when nothing was imported.
pub fn load(conn: &Connection) -> Result<Option<AttackData>> {
    let Some(spec_version) = conn
        .query_row("SELECT spec_version FROM mitre_import WHERE singleton = 1", [], |r| {
            r.get::<_, String>(0)
        })
        .optional()?
    else {
        return Ok(None);
    };
    let mut data = AttackData {
        spec_version,
        ..AttackData::default()
    };
    let mut stmt = conn.prepare(
        "SELECT id, kind, name, description, created_time, modified_time, mitre_version, deprecated, revoked_by,
                mitre_detection, network_requirements, remote_support, subtechnique_of, short_name
         FROM mitre_objects ORDER BY position",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let kind: String = r.get(1)?;
        data.objects.push(AttackObject {
            id: r.get(0)?,
            kind: Some(AttackKind::from_name(&kind).ok_or_else(|| bad("kind", &kind))?),
            name: r.get(2)?,
            description: r.get(3)?,
            created: r.get(4)?,
            modified: r.get(5)?,
            mitre_version: r.get(6)?,
            deprecated: r.get(7)?,
            revoked_by: r.get(8)?,
            mitre_detection: r.get(9)?,
            network_requirements: r.get(10)?,
            remote_support: r.get(11)?,
            subtechnique_of: r.get(12)?,
            short_name: r.get(13)?,
        });
    }
    let mut stmt = conn.prepare(
        "SELECT owner_id, kind, source, external_id, url, description FROM mitre_references ORDER BY position",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let kind: String = r.get(1)?;
        data.references.push(AttackReference {
            id: r.get(0)?,
            kind: AttackKind::from_name(&kind).ok_or_else(|| bad("kind", &kind))?,
            source: r.get(2)?,
            external_id: r.get(3)?,
            url: r.get(4)?,
            description: r.get(5)?,
        });
    }
    let mut stmt = conn.prepare("SELECT kind, source_id, target_id FROM mitre_relations ORDER BY position")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let kind: String = r.get(0)?;
        data.relations.push(AttackRelation {
            kind: RelationKind::from_name(&kind).ok_or_else(|| bad("relation", &kind))?,
            source: r.get(1)?,
            target: r.get(2)?,
        });
    }
    Ok(Some(data))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn an_import_reads_back_as_written_and_replaces_the_previous_one() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::Store::open(&dir.path().join("s.db")).unwrap();
        assert_eq!(store.read_blocking(load).unwrap(), None);
        let data = AttackData {
            spec_version: "2.0".into(),
            objects: vec![
                AttackObject {
                    id: "attack-pattern--1".into(),
                    kind: Some(AttackKind::Technique),
                    name: "T".into(),
                    created: Some("2020-01-14T17:18:32.126000Z".into()),
                    remote_support: true,
                    ..AttackObject::default()
                },
                AttackObject {
                    id: "x-mitre-tactic--1".into(),
                    kind: Some(AttackKind::Tactic),
                    name: "Tac".into(),
                    short_name: Some("tac".into()),
                    ..AttackObject::default()
                },
            ],
            references: vec![AttackReference {
                id: "attack-pattern--1".into(),
                kind: AttackKind::Technique,
                source: Some("mitre-attack".into()),
                external_id: Some("T1".into()),
                url: "https://attack.mitre.org/techniques/T1".into(),
                description: None,
            }],
            relations: vec![AttackRelation {
                kind: RelationKind::Phase,
                source: "attack-pattern--1".into(),
                target: "x-mitre-tactic--1".into(),
            }],
        };
        let info = ImportInfo {
            source: "bundle.json".into(),
            digest: "d1".into(),
            imported_at: 5,
        };
        store.write_blocking(|tx| replace(tx, &data, &info)).unwrap();
        store.write_blocking(|tx| replace(tx, &data, &info)).unwrap();
        assert_eq!(store.read_blocking(load).unwrap(), Some(data));
        assert_eq!(store.read_blocking(import_info).unwrap(), Some(info));
    }
}
