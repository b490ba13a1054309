//! The loaded ruleset the rules, decoders and lists endpoints share: read at start and again after
//! every upload or delete, with each item's API form rendered once per load.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use oxsec_ruleset::config::AnalysisOptions;
use oxsec_ruleset::engine::Engine;
use oxsec_ruleset::upload::XmlKind;
use oxsec_ruleset::{Catalog, FileEntry, Roots, RulesetConfig};
use oxsec_types::envelope::ItemError;
use oxsec_types::{AffectedItems, WazuhCode};
use oxsec_wql::{ListQuery, Schema};
use serde_json::Value;

use crate::auth::authz::Authz;
use crate::config::Config;
use crate::error::ApiError;
use crate::state::AppState;

/// A catalog and the API items of its rules, decoders and lists (same order).
pub struct Loaded {
    /// What was read.
    pub catalog: Catalog,
    /// `Rule::to_json` of each rule.
    pub rules: Vec<Value>,
    /// `Decoder::to_json` of each decoder.
    pub decoders: Vec<Value>,
    /// `rules`, each already serialised (pages are written from these).
    pub rules_json: Vec<Box<[u8]>>,
    /// `decoders`, each already serialised.
    pub decoders_json: Vec<Box<[u8]>>,
    /// The catalog compiled for analysis (logtest, events).
    pub engine: Engine,
    /// `<alerts>` and `<rule_test>` of ossec.conf, read with the ruleset.
    pub options: AnalysisOptions,
}

impl Loaded {
    /// Nothing loaded yet (no disk access).
    pub fn empty(config: &Config) -> Loaded {
        Loaded {
            catalog: Catalog::empty(roots(config)),
            rules: Vec::new(),
            decoders: Vec::new(),
            rules_json: Vec::new(),
            decoders_json: Vec::new(),
            engine: Engine::empty(),
            options: AnalysisOptions::default(),
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

/// The copy `oxsec ruleset install` put in the data dir, resolved to the directory its link
/// names now (so the running server keeps reading that one).
pub fn installed_copy(data_dir: &Path) -> Option<PathBuf> {
    let installed = oxsec_ruleset::install::installed_dir(data_dir);
    installed
        .join("rules")
        .is_dir()
        .then(|| installed.canonicalize().ok())
        .flatten()
}

/// The `<ruleset>` options and the analysis options of `<data_dir>/etc/ossec.conf`, Wazuh's
/// defaults for what it does not say.
pub fn ruleset_config(config: &Config) -> (RulesetConfig, AnalysisOptions) {
    let path = config.data_dir.join("etc").join("ossec.conf");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return (RulesetConfig::default(), AnalysisOptions::default());
    };
    match (
        RulesetConfig::from_ossec_conf(&text),
        AnalysisOptions::from_ossec_conf(&text),
    ) {
        (Ok(ruleset), Ok(options)) => (ruleset.unwrap_or_default(), options),
        (Err(e), _) | (_, Err(e)) => {
            tracing::warn!(
                "{}: {e}; using the default ruleset and analysis options",
                path.display()
            );
            (RulesetConfig::default(), AnalysisOptions::default())
        }
    }
}

/// Reads the ruleset.
pub fn load(config: &Config) -> Loaded {
    let started = std::time::Instant::now();
    let (ruleset, options) = ruleset_config(config);
    let catalog = Catalog::load(roots(config), ruleset);
    for p in &catalog.problems {
        tracing::warn!("ruleset: {p} (skipped)");
    }
    let rules: Vec<Value> = catalog.rules.iter().map(|r| r.to_json()).collect();
    let decoders: Vec<Value> = catalog.decoders.iter().map(|d| d.to_json()).collect();
    let engine = Engine::build(&catalog);
    tracing::info!(
        "ruleset loaded and compiled in {} ms: {} rules, {} decoders, {} lists",
        started.elapsed().as_millis(),
        rules.len(),
        decoders.len(),
        catalog.lists.len()
    );
    Loaded {
        catalog,
        engine,
        options,
        rules_json: serialised(&rules),
        decoders_json: serialised(&decoders),
        rules,
        decoders,
    }
}

fn serialised(items: &[Value]) -> Vec<Box<[u8]>> {
    items
        .iter()
        .map(|v| serde_json::to_vec(v).unwrap_or_default().into_boxed_slice())
        .collect()
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
            "no ruleset configured (ruleset_dir / --ruleset, or `oxsec ruleset install`): only {}/{{rules,decoders,lists}} are read",
            etc.display()
        ),
        Some(dir) if !dir.join("rules").is_dir() => {
            tracing::warn!("ruleset_dir {} has no rules/ directory", dir.display());
        }
        Some(dir) if fresh_lists => {
            oxsec_ruleset::install::copy_tree(&dir.join("lists"), &lists, 0)
                .map_err(|e| format!("cannot install the shipped lists: {e}"))?;
        }
        Some(_) => {}
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

/// `GET /rules/files`, `GET /decoders/files`: names the caller may not read are left out
/// (named ones become 4000 failed items, all of them a 403), then the filters and the list query
/// apply.
pub fn files(
    family: &XmlFamily,
    state: &AppState,
    authz: &Authz,
    filters: FileFilters,
    query: &ListQuery,
) -> Result<AffectedItems, ApiError> {
    let [all, some, none] = family.list_messages;
    let mut result = AffectedItems::new(all, some, none);
    let loaded = state.ruleset();
    let files = family.files(&loaded.catalog);
    let resource = family.resource;
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
    let page = page(&records, query, files_schema())?;
    result.set_page(page.items, page.total);
    Ok(result)
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
            .field(oxsec_wql::Field::text("filename", "filename").sorted_nocase())
            .field(oxsec_wql::Field::text("relative_dirname", "relative_dirname").sorted_nocase())
            .field(oxsec_wql::Field::text("status", "status").sorted_nocase())
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

/// Finds a rule or decoder file by name (and directory, if given); with the same name in several
/// directories, the shortest directory wins as upstream. (Whether the caller may read it was
/// decided by the contract layer from the path.)
pub fn find_file<'a>(files: &'a [FileEntry], filename: &str, relative_dirname: Option<&str>) -> Option<&'a FileEntry> {
    files
        .iter()
        .filter(|f| f.filename == filename)
        .filter(|f| relative_dirname.is_none_or(|d| f.relative_dirname == d.trim_end_matches('/')))
        .min_by_key(|f| f.relative_dirname.len())
}

/// Reads a file of the catalog for `GET …/files/{filename}`.
pub fn read_file(roots: &Roots, file: &FileEntry, raw: bool) -> Result<FileView, std::io::Error> {
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

/// What differs between rule files and decoder files: their RBAC names, directories, codes and
/// messages. Everything else about the two kinds of file is shared.
pub struct XmlFamily {
    /// RBAC resource kind, e.g. `rule:file`.
    pub resource: &'static str,
    /// The action an overwrite also needs on the file, e.g. `rules:delete`.
    pub delete_action: &'static str,
    /// How an upload is checked.
    pub kind: XmlKind,
    /// Where uploads and deletes go without `relative_dirname`.
    pub default_dir: &'static str,
    /// Codes: directory not declared, shipped (read-only) directory, declared but missing.
    pub dir_codes: [WazuhCode; 3],
    /// Code of a file the catalog does not list.
    pub not_found: WazuhCode,
    /// Code of a file that is not well-formed XML.
    pub unreadable: WazuhCode,
    /// Code of a file that cannot be read at all.
    pub io_error: WazuhCode,
    /// `GET …/files` messages: all, some, none returned.
    pub list_messages: [&'static str; 3],
    /// `GET …/files/{f}` messages: found, not found.
    pub read_messages: [&'static str; 2],
    /// Upload messages: done, not done.
    pub upload_messages: [&'static str; 2],
    /// Delete messages: done, not done.
    pub delete_messages: [&'static str; 2],
}

/// Rule files.
pub const RULES: XmlFamily = XmlFamily {
    resource: "rule:file",
    delete_action: "rules:delete",
    kind: XmlKind::Rules,
    default_dir: "etc/rules",
    dir_codes: [
        WazuhCode::RuleDirNotDeclared,
        WazuhCode::DefaultRulesReadOnly,
        WazuhCode::RuleDirMissing,
    ],
    not_found: WazuhCode::RulesFileNotFound,
    unreadable: WazuhCode::RulesFileUnreadable,
    io_error: WazuhCode::RulesFileIo,
    list_messages: [
        "All rule files were returned",
        "Some rule files were not returned",
        "No rule files were returned",
    ],
    read_messages: ["Selected rule was returned", "No rule was returned"],
    upload_messages: ["Rule was successfully uploaded", "Could not upload rule"],
    delete_messages: ["Rule was successfully deleted", "Could not delete rule"],
};

/// Decoder files.
pub const DECODERS: XmlFamily = XmlFamily {
    resource: "decoder:file",
    delete_action: "decoders:delete",
    kind: XmlKind::Decoders,
    default_dir: "etc/decoders",
    dir_codes: [
        WazuhCode::DecoderDirNotDeclared,
        WazuhCode::DefaultDecodersReadOnly,
        WazuhCode::DecoderDirMissing,
    ],
    not_found: WazuhCode::DecodersFileNotFound,
    unreadable: WazuhCode::DecodersFileUnreadable,
    io_error: WazuhCode::DecodersFileIo,
    list_messages: [
        "All decoder files were returned",
        "Some decoder files were not returned",
        "No decoder files were returned",
    ],
    read_messages: ["Selected decoder was returned", "No decoder was returned"],
    upload_messages: ["Decoder was successfully uploaded", "Could not upload decoder"],
    delete_messages: ["Decoder file was successfully deleted", "Could not delete decoder file"],
};

impl XmlFamily {
    /// This family's files in a catalog.
    pub fn files<'a>(&self, catalog: &'a Catalog) -> &'a [FileEntry] {
        match self.kind {
            XmlKind::Rules => &catalog.rule_files,
            XmlKind::Decoders => &catalog.decoder_files,
        }
    }

    /// The directories the `<ruleset>` section declares for this family.
    fn declared_dirs<'a>(&self, config: &'a RulesetConfig) -> &'a [String] {
        match self.kind {
            XmlKind::Rules => &config.rule_dirs,
            XmlKind::Decoders => &config.decoder_dirs,
        }
    }

    /// The names of this family's files the caller may read (`None`: every file).
    pub fn readable<'a>(&self, catalog: &'a Catalog, authz: &Authz) -> Option<HashSet<&'a str>> {
        if authz.permits_everything(self.resource) {
            return None;
        }
        Some(
            self.files(catalog)
                .iter()
                .filter(|f| authz.permits(self.resource, &f.filename))
                .map(|f| f.filename.as_str())
                .collect(),
        )
    }

    /// Where an upload or delete of `filename` in `relative_dirname` goes, checked as Wazuh does:
    /// the directory must be a declared one, outside the shipped ruleset, and exist. Returns the
    /// reported path (`etc/rules/x.xml`) and, when allowed, the file's path on disk.
    fn target(&self, loaded: &Loaded, filename: &str, relative_dirname: Option<&str>) -> Target {
        let dir = relative_dirname
            .map(|d| d.trim_end_matches('/'))
            .filter(|d| !d.is_empty())
            .unwrap_or(self.default_dir);
        let id = format!("{dir}/{filename}");
        let declared = self
            .declared_dirs(&loaded.catalog.config)
            .iter()
            .any(|d| d.trim_end_matches('/') == dir);
        let [not_declared, read_only, missing] = self.dir_codes;
        let path = loaded.catalog.roots.file(dir, filename);
        let refused = if !declared {
            Some(not_declared)
        } else if dir == "ruleset" || dir.starts_with("ruleset/") {
            Some(read_only)
        } else if path.is_none() {
            Some(not_declared)
        } else if !path.as_ref().and_then(|p| p.parent()).is_some_and(Path::is_dir) {
            Some(missing)
        } else {
            None
        };
        match (refused, path) {
            (None, Some(path)) => Target { id, path: Ok(path) },
            (refused, _) => Target {
                id,
                path: Err(refused.unwrap_or(not_declared)),
            },
        }
    }
}

/// Where a write goes: the reported id and the path, or the code refusing it.
struct Target {
    id: String,
    path: Result<PathBuf, WazuhCode>,
}

/// What `GET …/files/{filename}` answers: the file's text (`raw=true`), or the envelope holding
/// the rendered file or the failure.
pub enum FileAnswer {
    /// The text as stored.
    Raw(String),
    /// The envelope.
    Items(AffectedItems),
}

/// `GET …/files/{filename}` of a rule or decoder file.
pub fn file_item(
    family: &XmlFamily,
    state: &AppState,
    filename: &str,
    relative_dirname: Option<&str>,
    raw: bool,
) -> FileAnswer {
    let [found, none] = family.read_messages;
    let mut result = AffectedItems::new(found, found, none);
    let loaded = state.ruleset();
    let Some(entry) = find_file(family.files(&loaded.catalog), filename, relative_dirname) else {
        result.fail(filename, ItemError::with_details(family.not_found, filename));
        return FileAnswer::Items(result);
    };
    match read_file(&loaded.catalog.roots, entry, raw) {
        Ok(FileView::Raw(text)) => FileAnswer::Raw(text),
        Ok(FileView::Json(Ok(doc))) => {
            result.push(doc);
            FileAnswer::Items(result)
        }
        Ok(FileView::Json(Err(e))) => {
            result.fail(
                filename,
                ItemError::with_details(family.unreadable, format!("{filename}: {e}")),
            );
            FileAnswer::Items(result)
        }
        Err(e) => {
            result.fail(
                filename,
                ItemError::with_details(family.io_error, format!("{e}: {filename}")),
            );
            FileAnswer::Items(result)
        }
    }
}

/// The text of an uploaded file: refused outright (400) when empty or not UTF-8, as upstream.
pub fn upload_text(body: &[u8]) -> Result<&str, ApiError> {
    if body.is_empty() {
        return Err(ApiError::code(WazuhCode::EmptyFile));
    }
    std::str::from_utf8(body).map_err(|e| ApiError::with_details(WazuhCode::BodyNotUtf8, e.to_string()))
}

/// `PUT /rules/files/{f}`, `PUT /decoders/files/{f}`: checks the file, writes it atomically and
/// reloads the catalog. Any refusal leaves the previous file and catalog as they were.
pub async fn upload_xml(
    family: &XmlFamily,
    state: &AppState,
    authz: &Authz,
    filename: &str,
    relative_dirname: Option<&str>,
    overwrite: bool,
    body: &[u8],
) -> Result<AffectedItems, ApiError> {
    let text = upload_text(body)?;
    let [done, not_done] = family.upload_messages;
    let mut result = AffectedItems::new(done, done, not_done);
    let _guard = state.lock_ruleset_files().await;
    let loaded = state.ruleset();
    let target = family.target(&loaded, filename, relative_dirname);
    let path = match target.path {
        Ok(p) => p,
        Err(code) => {
            result.fail(target.id, ItemError::new(code));
            return Ok(result);
        }
    };
    if let Err(e) = oxsec_ruleset::upload::check_xml(family.kind, text) {
        result.fail(target.id, ItemError::with_details(WazuhCode::XmlSyntax, e.to_string()));
        return Ok(result);
    }
    if let Some(code) = overwrite_refusal(authz, family.resource, family.delete_action, filename, &path, overwrite) {
        result.fail(target.id, code);
        return Ok(result);
    }
    crate::fsutil::write_atomic(&path, text.as_bytes(), 0o640)
        .map_err(|e| ApiError::Internal(format!("writing {}: {e}", path.display())))?;
    state.reload_ruleset().await?;
    result.push(Value::from(target.id));
    Ok(result)
}

/// Why an upload may not replace `path`: it exists and `overwrite` is off (1905), or the caller
/// may not delete the file it would replace (4000), as upstream deletes before it writes.
pub fn overwrite_refusal(
    authz: &Authz,
    resource: &str,
    delete_action: &str,
    filename: &str,
    path: &Path,
    overwrite: bool,
) -> Option<ItemError> {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return None;
    };
    if !overwrite {
        return Some(ItemError::new(WazuhCode::FileExists));
    }
    if !meta.is_file() {
        return Some(ItemError::with_details(
            WazuhCode::FileNotDeleted,
            "it is not a regular file",
        ));
    }
    let may_delete = authz.perms.allows(delete_action, resource, filename, &|_| Vec::new());
    (!may_delete).then(|| crate::auth::authz::denied_item(resource))
}

/// `DELETE /rules/files/{f}`, `DELETE /decoders/files/{f}`.
pub async fn delete_xml(
    family: &XmlFamily,
    state: &AppState,
    filename: &str,
    relative_dirname: Option<&str>,
) -> Result<AffectedItems, ApiError> {
    let [done, not_done] = family.delete_messages;
    let mut result = AffectedItems::new(done, done, not_done);
    let _guard = state.lock_ruleset_files().await;
    let loaded = state.ruleset();
    let target = family.target(&loaded, filename, relative_dirname);
    let path = match target.path {
        Ok(p) => p,
        Err(code) => {
            result.fail(target.id, ItemError::new(code));
            return Ok(result);
        }
    };
    if let Some(e) = remove(&path) {
        result.fail(target.id, e);
        return Ok(result);
    }
    state.reload_ruleset().await?;
    result.push(Value::from(target.id));
    Ok(result)
}

/// Removes a ruleset file: 1906 when there is none, 1907 when it cannot be removed.
pub fn remove(path: &Path) -> Option<ItemError> {
    match std::fs::symlink_metadata(path) {
        Err(_) => Some(ItemError::new(WazuhCode::FileMissing)),
        Ok(m) if !m.is_file() => Some(ItemError::with_details(WazuhCode::FileNotDeleted, "not a regular file")),
        Ok(_) => std::fs::remove_file(path)
            .err()
            .map(|e| ItemError::with_details(WazuhCode::FileNotDeleted, e.to_string())),
    }
}

/// Runs a list query over in-memory items as Wazuh's `process_array` does: an empty set is not
/// checked at all, so a `select` or `sort` naming an unknown field only fails when there is
/// something to select from or sort. `details` holds whatever options an item has, so any
/// `details.<option>` may be selected: the item keeps only those options, and loses `details`
/// when it has none of them.
pub fn page(records: &[Value], query: &ListQuery, schema: &Schema) -> Result<oxsec_wql::memory::Page, ApiError> {
    if records.is_empty() {
        return Ok(oxsec_wql::memory::Page::default());
    }
    let (mut query, detail_paths) = split_details_select(query, schema);
    // Conditions may look inside `details` (`q=details.prematch.pattern~wazuh`).
    let inner: Vec<oxsec_wql::Field> = query
        .q
        .as_ref()
        .map(|q| q.fields())
        .unwrap_or_default()
        .into_iter()
        .filter(|f| f.starts_with("details.") && schema.field("details").is_some())
        .map(|f| oxsec_wql::Field::text(f, f).searchable(false))
        .collect();
    let extended;
    let schema = if inner.is_empty() {
        schema
    } else {
        if query.select.is_none() {
            // The added paths are for filtering only: the items keep their usual fields.
            query.select = Some(schema.fields().iter().map(|f| f.name.clone()).collect());
        }
        extended = schema.extended(inner);
        &extended
    };
    let mut page = oxsec_wql::memory::execute(records, &query, schema).map_err(crate::list::wql_error)?;
    if let Some(paths) = detail_paths {
        for item in &mut page.items {
            keep_details(item, &paths);
        }
    }
    Ok(page)
}

/// Sets `result`'s page from records rendered once at load (`rendered[i]` is `records[i]`
/// serialised) when the query outputs whole records; otherwise runs [`page`].
pub fn set_page_from(
    result: &mut AffectedItems,
    records: &[Value],
    rendered: &[Box<[u8]>],
    query: &ListQuery,
    schema: &Schema,
) -> Result<(), ApiError> {
    let looks_inside = query
        .q
        .as_ref()
        .is_some_and(|q| q.fields().iter().any(|f| schema.field(f).is_none()));
    let whole_items = query.select.is_none() && !query.distinct;
    if whole_items && !records.is_empty() && !looks_inside && rendered.len() == records.len() {
        if let Some(p) = oxsec_wql::memory::execute_positions(records, query, schema).map_err(crate::list::wql_error)? {
            let size: usize = p.positions.iter().map(|i| rendered[*i].len() + 1).sum();
            let mut bytes = Vec::with_capacity(size + 2);
            bytes.push(b'[');
            for (n, i) in p.positions.iter().enumerate() {
                if n > 0 {
                    bytes.push(b',');
                }
                bytes.extend_from_slice(&rendered[*i]);
            }
            bytes.push(b']');
            result.set_rendered_page(bytes, p.total);
            return Ok(());
        }
    }
    let p = page(records, query, schema)?;
    result.set_page(p.items, p.total);
    Ok(())
}

/// Separates `details.<option>` selections (which the schema cannot list) from the others: the
/// query selects `details` whole instead, and the paths are returned for [`keep_details`].
fn split_details_select(query: &ListQuery, schema: &Schema) -> (ListQuery, Option<Vec<String>>) {
    let Some(select) = &query.select else {
        return (query.clone(), None);
    };
    if schema.field("details").is_none() || select.iter().any(|s| s == "details") {
        return (query.clone(), None);
    }
    let (nested, mut plain): (Vec<String>, Vec<String>) =
        select.iter().cloned().partition(|s| s.starts_with("details."));
    if nested.is_empty() {
        return (query.clone(), None);
    }
    plain.push("details".to_owned());
    let mut q = query.clone();
    q.select = Some(plain);
    let paths = nested.iter().map(|s| s["details.".len()..].to_owned()).collect();
    (q, Some(paths))
}

/// Keeps only the given (dotted) paths of an item's `details`.
fn keep_details(item: &mut Value, paths: &[String]) {
    let Some(obj) = item.as_object_mut() else { return };
    let Some(details) = obj.remove("details") else { return };
    let mut kept = serde_json::Map::new();
    for path in paths {
        let mut parts = path.split('.');
        let Some(first) = parts.next() else { continue };
        let mut value = details.get(first);
        let rest: Vec<&str> = parts.collect();
        for part in &rest {
            value = value.and_then(|v| v.get(part));
        }
        let Some(value) = value else { continue };
        // Rebuild the nesting below `details` for the selected value.
        let mut nested = value.clone();
        for part in rest.iter().rev() {
            let mut m = serde_json::Map::new();
            m.insert((*part).to_owned(), nested);
            nested = Value::Object(m);
        }
        merge(&mut kept, first, nested);
    }
    if !kept.is_empty() {
        obj.insert("details".to_owned(), Value::Object(kept));
    }
}

fn merge(into: &mut serde_json::Map<String, Value>, key: &str, value: Value) {
    match (into.get_mut(key), value) {
        (Some(Value::Object(existing)), Value::Object(new)) => {
            for (k, v) in new {
                merge(existing, &k, v);
            }
        }
        (_, value) => {
            into.insert(key.to_owned(), value);
        }
    }
}
