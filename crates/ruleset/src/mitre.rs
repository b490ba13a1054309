//! MITRE ATT&CK as alerts use it: technique ids to their names and their tactics' names, read
//! from the enterprise ATT&CK STIX bundle MITRE publishes (`enterprise-attack.json`), the data
//! Wazuh's `mitre.db` is built from.

use std::collections::HashMap;

use oxsec_types::mitre::{AttackData, AttackKind, AttackObject, AttackReference, AttackRelation, RelationKind};
use serde::Deserialize;

/// A technique: its name and the names of its tactics (in the bundle's kill-chain order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Technique {
    /// `Brute Force`.
    pub name: String,
    /// `Credential Access`, …
    pub tactics: Vec<String>,
}

/// The techniques of a bundle by id (`T1110`, `T1110.001`).
#[derive(Debug, Clone, Default)]
pub struct Attack {
    techniques: HashMap<String, Technique>,
}

#[derive(Deserialize)]
struct Bundle {
    #[serde(default)]
    spec_version: Option<String>,
    objects: Vec<Object>,
}

/// A STIX object, with what Wazuh's mitre.db keeps of it. Booleans and texts are read leniently:
/// MITRE's bundles are consistent, but a hand-edited one should not stop the import.
#[derive(Deserialize)]
struct Object {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    created: Option<String>,
    #[serde(default)]
    modified: Option<String>,
    #[serde(default)]
    x_mitre_shortname: Option<String>,
    #[serde(default)]
    x_mitre_version: Option<String>,
    #[serde(default)]
    x_mitre_deprecated: Option<bool>,
    #[serde(default)]
    x_mitre_detection: Option<String>,
    #[serde(default)]
    x_mitre_network_requirements: Option<bool>,
    #[serde(default)]
    x_mitre_remote_support: Option<bool>,
    #[serde(default)]
    external_references: Vec<Reference>,
    #[serde(default)]
    kill_chain_phases: Vec<Phase>,
    #[serde(default)]
    relationship_type: Option<String>,
    #[serde(default)]
    source_ref: Option<String>,
    #[serde(default)]
    target_ref: Option<String>,
}

#[derive(Deserialize)]
struct Reference {
    #[serde(default)]
    source_name: Option<String>,
    #[serde(default)]
    external_id: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
struct Phase {
    phase_name: String,
}

/// `Some` when the text is not empty (Wazuh keeps only truthy values of techniques).
fn truthy(v: &Option<String>) -> Option<String> {
    v.as_ref().filter(|s| !s.is_empty()).cloned()
}

/// A STIX timestamp with its fraction written to the microsecond (`…32.126Z` → `…32.126000Z`),
/// as Wazuh stores and prints them.
pub fn micro_timestamp(stix: &str) -> String {
    let body = stix.strip_suffix('Z').unwrap_or(stix);
    let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
    let digits: String = fraction.chars().chain(std::iter::repeat('0')).take(6).collect();
    format!("{whole}.{digits}Z")
}

/// Reads MITRE's enterprise ATT&CK STIX 2 bundle into what Wazuh's `mitre.db` holds: every
/// technique, tactic, group, software and mitigation (revoked and deprecated ones too), their
/// external references with a URL, and the phase, mitigates and uses relations between them.
pub fn parse_bundle(bytes: &[u8]) -> Result<AttackData, String> {
    let bundle: Bundle = serde_json::from_slice(bytes).map_err(|e| format!("not an ATT&CK STIX bundle: {e}"))?;
    let mut data = AttackData {
        spec_version: bundle.spec_version.clone().unwrap_or_default(),
        ..AttackData::default()
    };
    let tactic_by_short_name: HashMap<&str, &str> = bundle
        .objects
        .iter()
        .filter(|o| o.kind == "x-mitre-tactic")
        .filter_map(|o| Some((o.x_mitre_shortname.as_deref()?, o.id.as_str())))
        .rev() // the first tactic of a short name wins, as Wazuh's lookup takes the first row
        .collect();
    let mut position: HashMap<String, usize> = HashMap::new();
    let mut late: Vec<&Object> = Vec::new();
    for o in &bundle.objects {
        if o.kind == "relationship" {
            late.push(o);
            continue;
        }
        let Some(kind) = AttackKind::of_stix_id(&o.kind) else {
            continue;
        };
        let name = o
            .name
            .clone()
            .ok_or_else(|| format!("{} {} has no name", o.kind, o.id))?;
        let mut obj = AttackObject {
            id: o.id.clone(),
            kind: Some(kind),
            name,
            ..AttackObject::default()
        };
        if kind == AttackKind::Technique {
            obj.description = truthy(&o.description);
            obj.created = truthy(&o.created).map(|t| micro_timestamp(&t));
            obj.modified = truthy(&o.modified).map(|t| micro_timestamp(&t));
            obj.mitre_version = truthy(&o.x_mitre_version);
            obj.mitre_detection = truthy(&o.x_mitre_detection);
            obj.network_requirements = o.x_mitre_network_requirements.unwrap_or(false);
            obj.remote_support = o.x_mitre_remote_support.unwrap_or(false);
            obj.deprecated = o.x_mitre_deprecated.unwrap_or(false);
            for p in &o.kill_chain_phases {
                let tactic = tactic_by_short_name
                    .get(p.phase_name.as_str())
                    .ok_or_else(|| format!("technique {} names an unknown tactic {:?}", o.id, p.phase_name))?;
                data.relations.push(AttackRelation {
                    kind: RelationKind::Phase,
                    source: o.id.clone(),
                    target: (*tactic).to_owned(),
                });
            }
        } else {
            obj.description = o.description.clone();
            obj.created = o.created.as_deref().map(micro_timestamp);
            obj.modified = o.modified.as_deref().map(micro_timestamp);
            if kind == AttackKind::Tactic {
                obj.short_name = o.x_mitre_shortname.clone();
            } else {
                obj.mitre_version = o.x_mitre_version.clone();
                obj.deprecated = o.x_mitre_deprecated.unwrap_or(false);
            }
        }
        for r in &o.external_references {
            let Some(url) = truthy(&r.url) else { continue };
            data.references.push(AttackReference {
                id: o.id.clone(),
                kind,
                source: truthy(&r.source_name),
                external_id: truthy(&r.external_id),
                url,
                description: truthy(&r.description),
            });
        }
        if position.insert(o.id.clone(), data.objects.len()).is_some() {
            return Err(format!("{} appears twice in the bundle", o.id));
        }
        data.objects.push(obj);
    }
    for r in late {
        let (Some(source), Some(target)) = (r.source_ref.as_deref(), r.target_ref.as_deref()) else {
            continue;
        };
        let relation = match r.relationship_type.as_deref() {
            Some("revoked-by") => {
                if let Some(i) = position.get(source) {
                    if data.objects[*i].kind != Some(AttackKind::Tactic) {
                        data.objects[*i].revoked_by = Some(target.to_owned());
                    }
                }
                continue;
            }
            Some("subtechnique-of") => {
                if let Some(i) = position.get(source) {
                    data.objects[*i].subtechnique_of = Some(target.to_owned());
                }
                continue;
            }
            Some("mitigates") => RelationKind::Mitigates,
            Some("uses") => RelationKind::Uses,
            _ => continue,
        };
        // Relations from or to kinds the API does not serve (campaigns) are never shown.
        if AttackKind::of_stix_id(source).is_none() || AttackKind::of_stix_id(target).is_none() {
            continue;
        }
        data.relations.push(AttackRelation {
            kind: relation,
            source: source.to_owned(),
            target: target.to_owned(),
        });
    }
    if !data.objects.iter().any(|o| o.kind == Some(AttackKind::Technique)) {
        return Err("the bundle holds no ATT&CK techniques".into());
    }
    Ok(data)
}

impl Attack {
    /// Reads a STIX 2 bundle (see [`parse_bundle`]).
    pub fn from_stix(bytes: &[u8]) -> Result<Attack, String> {
        Ok(Attack::from_data(&parse_bundle(bytes)?))
    }

    /// The techniques of ATT&CK data by their ATT&CK id. Revoked techniques give way to a current
    /// one with the same id.
    pub fn from_data(data: &AttackData) -> Attack {
        let objects: HashMap<&str, &AttackObject> = data.objects.iter().map(|o| (o.id.as_str(), o)).collect();
        let mut attack_ids: HashMap<&str, &str> = HashMap::new();
        for r in &data.references {
            if r.source.as_deref() == Some("mitre-attack") {
                if let Some(ext) = &r.external_id {
                    attack_ids.entry(r.id.as_str()).or_insert(ext.as_str());
                }
            }
        }
        let mut tactics: HashMap<&str, Vec<String>> = HashMap::new();
        for rel in data.relations.iter().filter(|r| r.kind == RelationKind::Phase) {
            if let Some(t) = objects.get(rel.target.as_str()) {
                tactics.entry(rel.source.as_str()).or_default().push(t.name.clone());
            }
        }
        let mut techniques: HashMap<String, (bool, Technique)> = HashMap::new();
        for o in data.objects.iter().filter(|o| o.kind == Some(AttackKind::Technique)) {
            let Some(id) = attack_ids.get(o.id.as_str()) else {
                continue;
            };
            let revoked = o.revoked_by.is_some();
            let technique = Technique {
                name: o.name.clone(),
                tactics: tactics.get(o.id.as_str()).cloned().unwrap_or_default(),
            };
            match techniques.get(*id) {
                Some((false, _)) if revoked => {}
                _ => {
                    techniques.insert((*id).to_owned(), (revoked, technique));
                }
            }
        }
        Attack {
            techniques: techniques.into_iter().map(|(k, (_, t))| (k, t)).collect(),
        }
    }

    /// A technique by id.
    pub fn technique(&self, id: &str) -> Option<&Technique> {
        self.techniques.get(id)
    }

    /// How many techniques are known.
    pub fn len(&self) -> usize {
        self.techniques.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.techniques.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn techniques_resolve_to_their_names_and_tactics() {
        let bundle = br#"{"type":"bundle","spec_version":"2.0","objects":[
          {"type":"x-mitre-tactic","id":"x-mitre-tactic--1","name":"Credential Access","x_mitre_shortname":"credential-access"},
          {"type":"x-mitre-tactic","id":"x-mitre-tactic--2","name":"Lateral Movement","x_mitre_shortname":"lateral-movement"},
          {"type":"attack-pattern","id":"attack-pattern--old","name":"Old","revoked":true,"external_references":[{"source_name":"mitre-attack","external_id":"T1110","url":"u0"}]},
          {"type":"attack-pattern","id":"attack-pattern--bf","name":"Brute Force","external_references":[{"source_name":"mitre-attack","external_id":"T1110","url":"u1"}],
           "kill_chain_phases":[{"kill_chain_name":"mitre-attack","phase_name":"credential-access"}]},
          {"type":"attack-pattern","id":"attack-pattern--ssh","name":"SSH","external_references":[{"source_name":"x","external_id":"X","url":"u2"},{"source_name":"mitre-attack","external_id":"T1021.004","url":"u3"}],
           "kill_chain_phases":[{"kill_chain_name":"mitre-attack","phase_name":"lateral-movement"}]},
          {"type":"relationship","relationship_type":"revoked-by","source_ref":"attack-pattern--old","target_ref":"attack-pattern--bf"},
          {"type":"relationship"}]}"#;
        let a = Attack::from_stix(bundle).expect("bundle");
        assert_eq!(a.len(), 2);
        let t = a.technique("T1110").expect("T1110");
        assert_eq!(
            (t.name.as_str(), t.tactics.as_slice()),
            ("Brute Force", &["Credential Access".to_owned()][..])
        );
        assert_eq!(a.technique("T1021.004").map(|t| t.name.as_str()), Some("SSH"));
        assert!(Attack::from_stix(b"{}").is_err());
        assert!(Attack::from_stix(br#"{"objects":[]}"#).is_err());
    }

    #[test]
    fn the_v15_bundle_reads_as_wazuh_builds_mitre_db() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/mitre/enterprise-attack-v15.json"
        );
        let Ok(bytes) = std::fs::read(path) else {
            return; // the shared test data is not on this machine
        };
        let data = parse_bundle(&bytes).expect("v15 bundle");
        let count = |k: AttackKind| data.objects.iter().filter(|o| o.kind == Some(k)).count();
        assert_eq!(
            [
                count(AttackKind::Technique),
                count(AttackKind::Tactic),
                count(AttackKind::Group),
                count(AttackKind::Software),
                count(AttackKind::Mitigation)
            ],
            [780, 14, 163, 680, 267],
            "revoked and deprecated objects are kept, as in Wazuh's mitre.db"
        );
        assert_eq!(data.references.len(), 7364);
        assert_eq!(data.spec_version, "2.0");
        let ewm = data
            .objects
            .iter()
            .find(|o| o.id == "attack-pattern--0042a9f5-f053-4769-b3ef-9ad018dfa298")
            .expect("T1055.011");
        assert_eq!(ewm.created.as_deref(), Some("2020-01-14T17:18:32.126000Z"));
        assert!(ewm.subtechnique_of.is_some());
        let attack = Attack::from_data(&data);
        assert_eq!(attack.technique("T1110").map(|t| t.name.as_str()), Some("Brute Force"));
    }
}
