//! MITRE ATT&CK as alerts use it: technique ids to their names and their tactics' names, read
//! from the enterprise ATT&CK STIX bundle MITRE publishes (`enterprise-attack.json`), the data
//! Wazuh's `mitre.db` is built from.

use std::collections::HashMap;

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
    objects: Vec<Object>,
}

#[derive(Deserialize)]
struct Object {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    x_mitre_shortname: Option<String>,
    #[serde(default)]
    external_references: Vec<Reference>,
    #[serde(default)]
    kill_chain_phases: Vec<Phase>,
    #[serde(default)]
    revoked: bool,
}

#[derive(Deserialize)]
struct Reference {
    #[serde(default)]
    source_name: String,
    #[serde(default)]
    external_id: Option<String>,
}

#[derive(Deserialize)]
struct Phase {
    #[serde(default)]
    kill_chain_name: String,
    phase_name: String,
}

impl Object {
    fn attack_id(&self) -> Option<&str> {
        self.external_references
            .iter()
            .find(|r| r.source_name == "mitre-attack")
            .and_then(|r| r.external_id.as_deref())
    }
}

impl Attack {
    /// Reads a STIX 2 bundle. Revoked techniques give way to a current one with the same id.
    pub fn from_stix(bytes: &[u8]) -> Result<Attack, String> {
        let bundle: Bundle = serde_json::from_slice(bytes).map_err(|e| format!("not an ATT&CK STIX bundle: {e}"))?;
        let tactic_names: HashMap<&str, &str> = bundle
            .objects
            .iter()
            .filter(|o| o.kind == "x-mitre-tactic")
            .filter_map(|o| Some((o.x_mitre_shortname.as_deref()?, o.name.as_deref()?)))
            .collect();
        let mut techniques: HashMap<String, (bool, Technique)> = HashMap::new();
        for o in bundle.objects.iter().filter(|o| o.kind == "attack-pattern") {
            let (Some(id), Some(name)) = (o.attack_id(), o.name.as_deref()) else {
                continue;
            };
            let tactics = o
                .kill_chain_phases
                .iter()
                .filter(|p| p.kill_chain_name == "mitre-attack")
                .filter_map(|p| tactic_names.get(p.phase_name.as_str()).map(|n| (*n).to_owned()))
                .collect();
            let technique = Technique {
                name: name.to_owned(),
                tactics,
            };
            match techniques.get(id) {
                Some((false, _)) if o.revoked => {}
                _ => {
                    techniques.insert(id.to_owned(), (o.revoked, technique));
                }
            }
        }
        if techniques.is_empty() {
            return Err("the bundle holds no ATT&CK techniques".into());
        }
        Ok(Attack {
            techniques: techniques.into_iter().map(|(k, (_, t))| (k, t)).collect(),
        })
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
        let bundle = br#"{"type":"bundle","objects":[
          {"type":"x-mitre-tactic","name":"Credential Access","x_mitre_shortname":"credential-access"},
          {"type":"x-mitre-tactic","name":"Lateral Movement","x_mitre_shortname":"lateral-movement"},
          {"type":"attack-pattern","name":"Old","revoked":true,"external_references":[{"source_name":"mitre-attack","external_id":"T1110"}]},
          {"type":"attack-pattern","name":"Brute Force","external_references":[{"source_name":"mitre-attack","external_id":"T1110"}],
           "kill_chain_phases":[{"kill_chain_name":"mitre-attack","phase_name":"credential-access"}]},
          {"type":"attack-pattern","name":"SSH","external_references":[{"source_name":"x","external_id":"X"},{"source_name":"mitre-attack","external_id":"T1021.004"}],
           "kill_chain_phases":[{"kill_chain_name":"mitre-attack","phase_name":"lateral-movement"}]},
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
}
