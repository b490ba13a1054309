//! MITRE ATT&CK as Wazuh's `mitre.db` holds it: the objects the API serves, their external
//! references and the relationships between them. Built from the enterprise ATT&CK STIX bundle
//! (`oxsec_ruleset::mitre::parse_bundle`), kept in the store, served by `/mitre/…`.

/// The kinds of object the API serves, named as Wazuh names them (`type` of a reference).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AttackKind {
    /// STIX `attack-pattern`.
    Technique,
    /// STIX `x-mitre-tactic`.
    Tactic,
    /// STIX `intrusion-set`.
    Group,
    /// STIX `malware` and `tool`.
    Software,
    /// STIX `course-of-action`.
    Mitigation,
}

impl AttackKind {
    /// Every kind.
    pub const ALL: [AttackKind; 5] = [
        AttackKind::Technique,
        AttackKind::Tactic,
        AttackKind::Group,
        AttackKind::Software,
        AttackKind::Mitigation,
    ];

    /// Wazuh's name of the kind.
    pub fn as_str(self) -> &'static str {
        match self {
            AttackKind::Technique => "technique",
            AttackKind::Tactic => "tactic",
            AttackKind::Group => "group",
            AttackKind::Software => "software",
            AttackKind::Mitigation => "mitigation",
        }
    }

    /// The kind named `s` by [`AttackKind::as_str`].
    pub fn from_name(s: &str) -> Option<AttackKind> {
        AttackKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The kind of a STIX id, from its prefix (`malware--…` is software); `None` for kinds the API
    /// does not serve (campaigns, data sources).
    pub fn of_stix_id(id: &str) -> Option<AttackKind> {
        let prefix = id.split_once("--").map_or(id, |(p, _)| p);
        Some(match prefix {
            "attack-pattern" => AttackKind::Technique,
            "x-mitre-tactic" => AttackKind::Tactic,
            "intrusion-set" => AttackKind::Group,
            "malware" | "tool" => AttackKind::Software,
            "course-of-action" => AttackKind::Mitigation,
            _ => return None,
        })
    }
}

/// One technique, tactic, group, software or mitigation. Options are absent in the bundle (the
/// API leaves such keys out).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AttackObject {
    /// The STIX id, e.g. `attack-pattern--0042a9f5-…`.
    pub id: String,
    /// What it is; `None` only in a default value.
    pub kind: Option<AttackKind>,
    /// `name`.
    pub name: String,
    /// `description`.
    pub description: Option<String>,
    /// `created`, as the bundle writes it (RFC 3339, UTC).
    pub created: Option<String>,
    /// `modified`.
    pub modified: Option<String>,
    /// `x_mitre_version` (not for tactics).
    pub mitre_version: Option<String>,
    /// `x_mitre_deprecated` (not for tactics; techniques, groups, software and mitigations
    /// default to false).
    pub deprecated: bool,
    /// The STIX id of the object that replaced this one (`revoked-by` relationship).
    pub revoked_by: Option<String>,
    /// Techniques: `x_mitre_detection`.
    pub mitre_detection: Option<String>,
    /// Techniques: `x_mitre_network_requirements`.
    pub network_requirements: bool,
    /// Techniques: `x_mitre_remote_support`.
    pub remote_support: bool,
    /// Techniques: the parent technique's STIX id (`subtechnique-of` relationship).
    pub subtechnique_of: Option<String>,
    /// Tactics: `x_mitre_shortname` (`credential-access`), what techniques' kill-chain phases name.
    pub short_name: Option<String>,
}

/// An external reference of an object that has a URL (those without one are not kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttackReference {
    /// The owner's STIX id.
    pub id: String,
    /// The owner's kind.
    pub kind: AttackKind,
    /// `source_name` (`mitre-attack` for the object's own ATT&CK page).
    pub source: Option<String>,
    /// `external_id` (`T1055.011`).
    pub external_id: Option<String>,
    /// `url`.
    pub url: String,
    /// `description`.
    pub description: Option<String>,
}

/// A relationship between two objects the API shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttackRelation {
    /// What the relation means.
    pub kind: RelationKind,
    /// The source's STIX id (the technique of a phase).
    pub source: String,
    /// The target's STIX id (the tactic of a phase).
    pub target: String,
}

/// Which relations are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RelationKind {
    /// A technique belongs to a tactic (its kill-chain phase).
    Phase,
    /// A mitigation mitigates a technique.
    Mitigates,
    /// A group or software uses a technique or software.
    Uses,
}

impl RelationKind {
    /// The name the store keeps.
    pub fn as_str(self) -> &'static str {
        match self {
            RelationKind::Phase => "phase",
            RelationKind::Mitigates => "mitigates",
            RelationKind::Uses => "uses",
        }
    }

    /// The kind named `s` by [`RelationKind::as_str`].
    pub fn from_name(s: &str) -> Option<RelationKind> {
        [RelationKind::Phase, RelationKind::Mitigates, RelationKind::Uses]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Everything `/mitre/…` serves.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AttackData {
    /// The bundle's `spec_version` (Wazuh's `mitre_version` metadata).
    pub spec_version: String,
    /// Objects in bundle order.
    pub objects: Vec<AttackObject>,
    /// References in bundle order.
    pub references: Vec<AttackReference>,
    /// Relations in bundle order.
    pub relations: Vec<AttackRelation>,
}

/// Wazuh's `db_version` metadata: the version of its mitre.db layout, whose content this mirrors.
pub const DB_VERSION: &str = "1";
