//! The loaded ruleset the rules, decoders and lists endpoints share: read at start and again after
//! every upload or delete, with each item's API form rendered once per load.

use std::path::Path;
use std::sync::Arc;

use oxsec_ruleset::{Catalog, Roots, RulesetConfig};
use serde_json::Value;

use crate::config::Config;

/// A catalog and the API items of its rules, decoders and lists (same order).
pub struct Loaded {
    /// What was read.
    pub catalog: Catalog,
    /// `Rule::to_json` of each rule.
    pub rules: Vec<Value>,
    /// `Decoder::to_json` of each decoder.
    pub decoders: Vec<Value>,
}

impl Loaded {
    /// Nothing loaded yet (no disk access).
    pub fn empty(config: &Config) -> Loaded {
        Loaded {
            catalog: Catalog::empty(roots(config)),
            rules: Vec::new(),
            decoders: Vec::new(),
        }
    }
}

/// Where `ruleset/…` and `etc/…` point for this server.
pub fn roots(config: &Config) -> Roots {
    Roots {
        ruleset: config.ruleset_dir.clone(),
        data_dir: config.data_dir.clone(),
    }
}

/// The `<ruleset>` options: from `<data_dir>/etc/ossec.conf` when it has that section, else
/// Wazuh's defaults.
pub fn ruleset_config(config: &Config) -> RulesetConfig {
    let path = config.data_dir.join("etc").join("ossec.conf");
    match std::fs::read_to_string(&path).map(|t| RulesetConfig::from_ossec_conf(&t)) {
        Ok(Ok(Some(c))) => c,
        Ok(Err(e)) => {
            tracing::warn!("{}: {e}; using the default ruleset options", path.display());
            RulesetConfig::default()
        }
        _ => RulesetConfig::default(),
    }
}

/// Reads the ruleset.
pub fn load(config: &Config) -> Loaded {
    let catalog = Catalog::load(roots(config), ruleset_config(config));
    for p in &catalog.problems {
        tracing::warn!("ruleset: {p} (skipped)");
    }
    let rules = catalog.rules.iter().map(|r| r.to_json()).collect();
    let decoders = catalog.decoders.iter().map(|d| d.to_json()).collect();
    Loaded {
        catalog,
        rules,
        decoders,
    }
}

/// Prepares the data dir's ruleset directories at start: `etc/rules`, `etc/decoders` and
/// `etc/lists` exist, and the shipped lists are installed into `etc/lists` the first time (Wazuh
/// keeps its lists there). Says once when no shipped ruleset is configured.
pub fn prepare_dirs(config: &Config) -> Result<(), String> {
    let etc = config.data_dir.join("etc");
    let lists = etc.join("lists");
    let fresh_lists = !lists.exists();
    for d in ["rules", "decoders", "lists"] {
        crate::fsutil::ensure_dir(&etc.join(d), 0o750)
            .map_err(|e| format!("cannot create {}/{d}: {e}", etc.display()))?;
    }
    match &config.ruleset_dir {
        None => tracing::warn!(
            "no ruleset configured (ruleset_dir / --ruleset): only {}/{{rules,decoders,lists}} are read",
            etc.display()
        ),
        Some(dir) if !dir.join("rules").is_dir() => {
            tracing::warn!("ruleset_dir {} has no rules/ directory", dir.display());
        }
        Some(dir) if fresh_lists => {
            copy_tree(&dir.join("lists"), &lists, 0).map_err(|e| format!("cannot install the shipped lists: {e}"))?;
        }
        Some(_) => {}
    }
    Ok(())
}

/// Copies a directory tree of regular files (depth-bounded; links are not followed).
fn copy_tree(from: &Path, to: &Path, depth: usize) -> std::io::Result<()> {
    if depth > 8 || !from.is_dir() {
        return Ok(());
    }
    crate::fsutil::ensure_dir(to, 0o750)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_tree(&entry.path(), &target, depth + 1)?;
        } else if kind.is_file() {
            let data = std::fs::read(entry.path())?;
            crate::fsutil::write_atomic(&target, &data, 0o640)?;
        }
    }
    Ok(())
}

/// The shared, swappable ruleset of a running server.
pub type Shared = std::sync::RwLock<Arc<Loaded>>;

/// The filters of a file listing (`GET /rules/files`, `GET /decoders/files`).
pub struct FileFilters {
    /// `filename`: exact names.
    pub filenames: Option<Vec<String>>,
    /// `relative_dirname`: exact.
    pub relative_dirname: Option<String>,
    /// `status`: `enabled`, `disabled` or `all`.
    pub status: Option<String>,
}

/// Lists rule or decoder files: names the caller may not read are left out (named ones become
/// 4000 failed items, all of them a 403), then the filters and the list query apply.
pub fn list_files(
    files: &[oxsec_ruleset::FileEntry],
    authz: &crate::auth::authz::Authz,
    resource: &str,
    filters: FileFilters,
    query: &oxsec_wql::ListQuery,
    result: &mut oxsec_types::AffectedItems,
) -> Result<(), crate::error::ApiError> {
    let named = match filters.filenames {
        Some(names) => {
            let (allowed, refused) = authz.split_ids(resource, names)?;
            for name in refused {
                result.fail(name, crate::auth::authz::denied_item(resource));
            }
            Some(allowed)
        }
        None => None,
    };
    let records: Vec<Value> = files
        .iter()
        .filter(|f| match &named {
            Some(names) => names.contains(&f.filename),
            None => authz.permits(resource, &f.filename),
        })
        .filter(|f| filters.relative_dirname.as_deref().is_none_or(|d| d.trim_end_matches('/') == f.relative_dirname))
        .filter(|f| status_matches(filters.status.as_deref(), f.status))
        .map(|f| serde_json::json!({"filename": f.filename, "relative_dirname": f.relative_dirname, "status": f.status.as_str()}))
        .collect();
    let page = oxsec_wql::memory::execute(&records, query, files_schema()).map_err(crate::list::wql_error)?;
    result.set_page(page.items, page.total);
    Ok(())
}

/// Whether a file status passes a `status` filter (`all` or none: every file).
pub fn status_matches(filter: Option<&str>, status: oxsec_ruleset::Status) -> bool {
    match filter {
        None | Some("all") => true,
        Some(s) => s == status.as_str(),
    }
}

/// The fields of a rule or decoder file item.
pub fn files_schema() -> &'static oxsec_wql::Schema {
    static SCHEMA: std::sync::OnceLock<oxsec_wql::Schema> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| {
        oxsec_wql::Schema::builder()
            .field(oxsec_wql::Field::text("filename", "filename"))
            .field(oxsec_wql::Field::text("relative_dirname", "relative_dirname"))
            .field(oxsec_wql::Field::text("status", "status"))
            .default_sort("filename")
            .always_present("filename")
            .build()
            .expect("constant schema")
    })
}

/// A rule or decoder file's content: as written, or as Wazuh renders it (xmltodict of the file,
/// read strictly: Wazuh's leniency does not apply here).
pub enum FileView {
    /// `raw=true`: the bytes, served as XML.
    Raw(String),
    /// The rendered document, or the parse error.
    Json(Result<Value, String>),
}

/// Finds a rule or decoder file by name (and directory, if given) among those the caller may
/// read; with the same name in several directories, the shortest directory wins as upstream.
pub fn find_file<'a>(
    files: &'a [oxsec_ruleset::FileEntry],
    filename: &str,
    relative_dirname: Option<&str>,
) -> Option<&'a oxsec_ruleset::FileEntry> {
    files
        .iter()
        .filter(|f| f.filename == filename)
        .filter(|f| relative_dirname.is_none_or(|d| f.relative_dirname == d.trim_end_matches('/')))
        .min_by_key(|f| f.relative_dirname.len())
}

/// Reads a file of the catalog for `GET …/files/{filename}`.
pub fn read_file(roots: &Roots, file: &oxsec_ruleset::FileEntry, raw: bool) -> Result<FileView, std::io::Error> {
    let path = roots
        .file(&file.relative_dirname, &file.filename)
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "outside the ruleset"))?;
    let text = std::fs::read_to_string(path)?;
    if raw {
        return Ok(FileView::Raw(text));
    }
    Ok(FileView::Json(
        oxsec_xml::parse(&text)
            .map(|roots| oxsec_xml::json::xmltodict(&roots))
            .map_err(|e| e.to_string()),
    ))
}
