//! `/mitre…`: MITRE ATT&CK as Wazuh's API serves it from `mitre.db`. The data is imported from
//! the enterprise ATT&CK STIX bundle into the store (`mitre_file` at start, `oxsec mitre import`),
//! then held in memory with every item rendered once, as Wazuh's API caches the whole tables.

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use oxsec_ruleset::mitre::Attack;
use oxsec_store::models::mitre::{self as rows, ImportInfo};
use oxsec_store::Store;
use oxsec_types::mitre::{AttackData, AttackKind, AttackObject, AttackReference, RelationKind};
use oxsec_types::AffectedItems;
use oxsec_wql::{Field, ListQuery, Schema};
use serde_json::{json, Map, Value};
use sha2::Digest;

use super::ruleset::set_page_from;
use crate::error::ApiError;
use crate::state::AppState;

/// One list's items as the API shows them, and each already serialised.
#[derive(Default)]
struct Items {
    records: Vec<Value>,
    rendered: Vec<Box<[u8]>>,
}

impl Items {
    fn new(records: Vec<Value>) -> Items {
        let rendered = records
            .iter()
            .map(|v| serde_json::to_vec(v).unwrap_or_default().into_boxed_slice())
            .collect();
        Items { records, rendered }
    }
}

/// The ATT&CK data the API serves, ready to page.
#[derive(Default)]
pub struct MitreCatalog {
    metadata: Vec<Value>,
    kinds: HashMap<AttackKind, Items>,
    references: Items,
    attack: Attack,
}

impl MitreCatalog {
    /// How many techniques were imported.
    pub fn technique_count(&self) -> usize {
        self.kinds.get(&AttackKind::Technique).map_or(0, |i| i.records.len())
    }

    /// Technique names and tactics for alerts; `None` when nothing was imported.
    pub fn attack(&self) -> Option<&Attack> {
        (!self.attack.is_empty()).then_some(&self.attack)
    }

    /// How many objects of `kind` there are.
    pub fn count(&self, kind: AttackKind) -> usize {
        self.kinds.get(&kind).map_or(0, |i| i.records.len())
    }

    /// Renders `data` as Wazuh's API does (see the module docs of `core/mitre.py` upstream):
    /// NULL columns left out, relations as lists of STIX ids, the object's own ATT&CK reference
    /// moved from `references` onto the item (`url`, `source`, `external_id`).
    pub fn build(data: &AttackData) -> MitreCatalog {
        if data.objects.is_empty() {
            return MitreCatalog::default();
        }
        let mut related: HashMap<(&str, &'static str), Vec<&str>> = HashMap::new();
        let kind_of = |id: &str| AttackKind::of_stix_id(id);
        for r in &data.relations {
            let (s, t) = (r.source.as_str(), r.target.as_str());
            let links: &[(&str, &'static str, &str)] = match (r.kind, kind_of(s), kind_of(t)) {
                (RelationKind::Phase, _, _) => &[(s, "tactics", t), (t, "techniques", s)],
                (RelationKind::Mitigates, _, _) => &[(t, "mitigations", s), (s, "techniques", t)],
                (RelationKind::Uses, Some(AttackKind::Group), Some(AttackKind::Technique)) => {
                    &[(t, "groups", s), (s, "techniques", t)]
                }
                (RelationKind::Uses, Some(AttackKind::Software), Some(AttackKind::Technique)) => {
                    &[(t, "software", s), (s, "techniques", t)]
                }
                (RelationKind::Uses, Some(AttackKind::Group), Some(AttackKind::Software)) => {
                    &[(t, "groups", s), (s, "software", t)]
                }
                _ => &[],
            };
            for (owner, field, other) in links {
                related.entry((owner, field)).or_default().push(other);
            }
        }
        // Upstream reads each relation table ordered by its source id: a list owned by the
        // relation's target is sorted by the related (source) ids; a list owned by the source keeps
        // the relations' bundle order (mitre.db row order).
        for ((owner, field), list) in related.iter_mut() {
            let owner_is_source = matches!(
                (kind_of(owner), *field),
                (
                    Some(AttackKind::Mitigation | AttackKind::Group | AttackKind::Software),
                    "techniques"
                ) | (Some(AttackKind::Group), "software")
            );
            if !owner_is_source {
                list.sort_unstable();
            }
            let mut seen = std::collections::HashSet::new();
            list.retain(|id| seen.insert(*id));
        }
        let mut refs_by_owner: HashMap<&str, Vec<&AttackReference>> = HashMap::new();
        for r in &data.references {
            refs_by_owner.entry(r.id.as_str()).or_default().push(r);
        }
        for list in refs_by_owner.values_mut() {
            list.sort_by(|a, b| (&a.source, &a.url).cmp(&(&b.source, &b.url)));
        }

        let mut by_kind: HashMap<AttackKind, Vec<&AttackObject>> = HashMap::new();
        for o in &data.objects {
            if let Some(k) = o.kind {
                by_kind.entry(k).or_default().push(o);
            }
        }
        let mut kinds = HashMap::new();
        for (kind, mut objects) in by_kind {
            objects.sort_by(|a, b| a.id.cmp(&b.id));
            let records = objects
                .into_iter()
                .map(|o| item(o, kind, &related, refs_by_owner.get(o.id.as_str())))
                .collect();
            kinds.insert(kind, Items::new(records));
        }

        let mut references: Vec<&AttackReference> = data.references.iter().collect();
        references.sort_by(|a, b| (&a.id, &a.source, &a.url).cmp(&(&b.id, &b.source, &b.url)));
        let references = references.into_iter().map(reference_item).collect();

        MitreCatalog {
            metadata: vec![
                json!({"key": "db_version", "value": oxsec_types::mitre::DB_VERSION}),
                json!({"key": "mitre_version", "value": data.spec_version}),
            ],
            kinds,
            references: Items::new(references),
            attack: Attack::from_data(data),
        }
    }
}

/// The relation fields of each kind, in the order upstream adds them.
fn relation_fields(kind: AttackKind) -> &'static [&'static str] {
    match kind {
        AttackKind::Technique => &["tactics", "mitigations", "software", "groups"],
        AttackKind::Tactic | AttackKind::Mitigation => &["techniques"],
        AttackKind::Group => &["software", "techniques"],
        AttackKind::Software => &["groups", "techniques"],
    }
}

fn put(m: &mut Map<String, Value>, key: &str, v: Option<&String>) {
    if let Some(v) = v {
        m.insert(key.into(), Value::from(v.as_str()));
    }
}

fn item(
    o: &AttackObject,
    kind: AttackKind,
    related: &HashMap<(&str, &'static str), Vec<&str>>,
    refs: Option<&Vec<&AttackReference>>,
) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), Value::from(o.id.as_str()));
    m.insert("name".into(), Value::from(o.name.as_str()));
    put(&mut m, "description", o.description.as_ref());
    put(&mut m, "created_time", o.created.as_ref());
    put(&mut m, "modified_time", o.modified.as_ref());
    match kind {
        AttackKind::Tactic => put(&mut m, "short_name", o.short_name.as_ref()),
        AttackKind::Technique => {
            put(&mut m, "mitre_version", o.mitre_version.as_ref());
            put(&mut m, "mitre_detection", o.mitre_detection.as_ref());
            m.insert(
                "network_requirements".into(),
                Value::from(i64::from(o.network_requirements)),
            );
            m.insert("remote_support".into(), Value::from(i64::from(o.remote_support)));
            put(&mut m, "revoked_by", o.revoked_by.as_ref());
            m.insert("deprecated".into(), Value::from(i64::from(o.deprecated)));
            put(&mut m, "subtechnique_of", o.subtechnique_of.as_ref());
        }
        AttackKind::Group | AttackKind::Software | AttackKind::Mitigation => {
            put(&mut m, "mitre_version", o.mitre_version.as_ref());
            put(&mut m, "revoked_by", o.revoked_by.as_ref());
            m.insert("deprecated".into(), Value::from(i64::from(o.deprecated)));
        }
    }
    for field in relation_fields(kind) {
        let ids = related.get(&(o.id.as_str(), *field)).cloned().unwrap_or_default();
        m.insert((*field).into(), Value::from(ids));
    }
    let mut references: Vec<&AttackReference> = refs.cloned().unwrap_or_default();
    let own = references
        .iter()
        .position(|r| r.external_id.is_some() && r.source.as_deref() == Some("mitre-attack"))
        .map(|i| references.remove(i));
    let nested: Vec<Value> = references
        .into_iter()
        .map(|r| {
            let mut n = Map::new();
            n.insert("url".into(), Value::from(r.url.as_str()));
            put(&mut n, "description", r.description.as_ref());
            put(&mut n, "source", r.source.as_ref());
            put(&mut n, "external_id", r.external_id.as_ref());
            Value::Object(n)
        })
        .collect();
    m.insert("references".into(), Value::from(nested));
    if let Some(r) = own {
        put(&mut m, "source", r.source.as_ref());
        put(&mut m, "external_id", r.external_id.as_ref());
        m.insert("url".into(), Value::from(r.url.as_str()));
    }
    Value::Object(m)
}

fn reference_item(r: &AttackReference) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), Value::from(r.id.as_str()));
    m.insert("type".into(), Value::from(r.kind.as_str()));
    put(&mut m, "source", r.source.as_ref());
    put(&mut m, "external_id", r.external_id.as_ref());
    m.insert("url".into(), Value::from(r.url.as_str()));
    put(&mut m, "description", r.description.as_ref());
    Value::Object(m)
}

/// The fields of a kind's items: what can be selected, sorted and filtered on.
pub fn schema(kind: AttackKind) -> &'static Schema {
    static SCHEMAS: OnceLock<HashMap<AttackKind, Schema>> = OnceLock::new();
    let schemas = SCHEMAS.get_or_init(|| {
        AttackKind::ALL
            .into_iter()
            .map(|kind| {
                let text = |n: &str| Field::text(n, n).sorted_nocase();
                let mut b = Schema::builder()
                    .field(text("id"))
                    .field(text("name"))
                    .field(text("description"))
                    .field(Field::date("created_time", "created_time").sub_second())
                    .field(Field::date("modified_time", "modified_time").sub_second());
                let extra: &[&str] = match kind {
                    AttackKind::Tactic => &["short_name"],
                    AttackKind::Technique => &["mitre_version", "mitre_detection", "revoked_by", "subtechnique_of"],
                    _ => &["mitre_version", "revoked_by"],
                };
                for f in extra {
                    b = b.field(text(f));
                }
                if kind == AttackKind::Technique {
                    b = b
                        .field(Field::integer("network_requirements", "network_requirements"))
                        .field(Field::integer("remote_support", "remote_support"));
                }
                if kind != AttackKind::Tactic {
                    b = b.field(Field::integer("deprecated", "deprecated"));
                }
                for f in relation_fields(kind)
                    .iter()
                    .chain(&["references", "source", "external_id", "url"])
                {
                    b = b.field(text(f));
                }
                let schema = b
                    .default_sort("id")
                    .always_present("id")
                    .max_limit(oxsec_wql::WAZUH_MAX_LIMIT)
                    .build()
                    .expect("constant schema");
                (kind, schema)
            })
            .collect()
    });
    &schemas[&kind]
}

/// The fields of `GET /mitre/references` items.
pub fn references_schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let mut b = Schema::builder();
        for f in ["id", "source", "external_id", "url", "description", "type"] {
            b = b.field(Field::text(f, f).sorted_nocase());
        }
        b.default_sort("id")
            .always_present("id")
            .build()
            .expect("constant schema")
    })
}

/// The messages of a kind's listing (all, none).
fn messages(kind: AttackKind) -> (&'static str, &'static str) {
    match kind {
        AttackKind::Technique => (
            "MITRE techniques information was returned",
            "No MITRE techniques information was returned",
        ),
        AttackKind::Tactic => (
            "All tactics information was returned",
            "No tactics information was returned",
        ),
        AttackKind::Group => (
            "MITRE groups information was returned",
            "No MITRE groups information was returned",
        ),
        AttackKind::Software => (
            "MITRE software information was returned",
            "No MITRE software information was returned",
        ),
        AttackKind::Mitigation => (
            "MITRE mitigations information was returned",
            "No MITRE mitigations information was returned",
        ),
    }
}

/// Narrows `items` to those whose `id` is one of `ids` (none missing is a failure, as upstream).
fn page_of(
    result: &mut AffectedItems,
    items: &Items,
    ids: Option<&[String]>,
    query: &ListQuery,
    schema: &Schema,
) -> Result<(), ApiError> {
    // Upstream de-duplicates whole items when nothing is selected, and items differ by id.
    let whole_items;
    let query = if query.distinct && query.select.is_none() {
        whole_items = ListQuery {
            distinct: false,
            ..query.clone()
        };
        &whole_items
    } else {
        query
    };
    match ids {
        None => set_page_from(result, &items.records, &items.rendered, query, schema),
        Some(ids) => {
            let (records, rendered): (Vec<Value>, Vec<Box<[u8]>>) = items
                .records
                .iter()
                .zip(&items.rendered)
                .filter(|(r, _)| r["id"].as_str().is_some_and(|id| ids.iter().any(|i| i == id)))
                .map(|(r, b)| (r.clone(), b.clone()))
                .unzip();
            set_page_from(result, &records, &rendered, query, schema)
        }
    }
}

/// `GET /mitre/techniques`, `/tactics`, `/groups`, `/software`, `/mitigations`.
pub fn list(
    state: &AppState,
    kind: AttackKind,
    ids: Option<&[String]>,
    query: &ListQuery,
) -> Result<AffectedItems, ApiError> {
    let (all, none) = messages(kind);
    let mut result = AffectedItems::new(all, all, none);
    let catalog = state.mitre();
    if let Some(items) = catalog.kinds.get(&kind) {
        page_of(&mut result, items, ids, query, schema(kind))?;
    }
    Ok(result)
}

/// `GET /mitre/references`: `reference_ids` names the objects whose references to show.
pub fn references(state: &AppState, ids: Option<&[String]>, query: &ListQuery) -> Result<AffectedItems, ApiError> {
    let (all, none) = (
        "MITRE references information was returned",
        "No MITRE references information was returned",
    );
    let mut result = AffectedItems::new(all, all, none);
    page_of(&mut result, &state.mitre().references, ids, query, references_schema())?;
    Ok(result)
}

/// `GET /mitre/metadata`.
pub fn metadata(state: &AppState) -> AffectedItems {
    let (all, none) = (
        "MITRE metadata information was returned",
        "No MITRE metadata information was returned",
    );
    let mut result = AffectedItems::new(all, all, none);
    let items = state.mitre().metadata.clone();
    let total = items.len() as u64;
    result.set_page(items, total);
    result
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    /// The store already held this bundle.
    Unchanged,
    /// The store now holds the bundle: its object and reference counts.
    Replaced {
        /// Objects imported.
        objects: usize,
        /// References imported.
        references: usize,
    },
}

/// Imports the STIX bundle at `path` into the store, unless the store holds it already (same
/// digest). Parsing fails before anything is written; the write is one transaction.
pub fn import_file(store: &Store, path: &Path) -> Result<Imported, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let digest = hex::encode(sha2::Sha256::digest(&bytes));
    let stored = store
        .read_blocking(rows::import_info)
        .map_err(|e| format!("cannot read the stored ATT&CK import: {e}"))?;
    if stored.is_some_and(|s| s.digest == digest) {
        return Ok(Imported::Unchanged);
    }
    let data = oxsec_ruleset::mitre::parse_bundle(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    let info = ImportInfo {
        source: path.display().to_string(),
        digest,
        imported_at: oxsec_store::now_secs(),
    };
    store
        .write_blocking(|tx| rows::replace(tx, &data, &info))
        .map_err(|e| format!("cannot store the ATT&CK data: {e}"))?;
    Ok(Imported::Replaced {
        objects: data.objects.len(),
        references: data.references.len(),
    })
}

/// Builds the catalog from what the store holds (empty when nothing was imported).
pub fn load(store: &Store) -> Result<MitreCatalog, String> {
    let data = store
        .read_blocking(rows::load)
        .map_err(|e| format!("cannot read the stored ATT&CK data: {e}"))?;
    Ok(data.map(|d| MitreCatalog::build(&d)).unwrap_or_default())
}
