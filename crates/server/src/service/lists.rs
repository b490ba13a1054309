//! `/lists…`: the CDB lists under `etc/lists`, their files, uploads and deletes.

use oxsec_ruleset::lists::CdbList;
use oxsec_types::envelope::ItemError;
use oxsec_types::{AffectedItems, WazuhCode};
use oxsec_wql::{Field, ListQuery, Schema};
use serde_json::{json, Map, Value};

use super::ruleset::{self, FileAnswer};
use crate::auth::authz::Authz;
use crate::error::ApiError;
use crate::state::AppState;

/// The RBAC resource of list files.
pub const RESOURCE: &str = "list:file";

/// Where lists are read and written, relative to the data dir.
const LISTS_DIR: &str = "etc/lists";

/// The fields of a `GET /lists` item.
pub fn schema() -> &'static Schema {
    static SCHEMA: std::sync::OnceLock<Schema> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| {
        Schema::builder()
            .field(Field::text("items", "items").sorted_nocase())
            .field(Field::text("relative_dirname", "relative_dirname").sorted_nocase())
            .field(Field::text("filename", "filename").sorted_nocase())
            .default_sort("relative_dirname,filename")
            .always_present("relative_dirname")
            .always_present("filename")
            .build()
            .expect("constant schema")
    })
}

/// The fields of a `GET /lists/files` item.
pub fn files_schema() -> &'static Schema {
    static SCHEMA: std::sync::OnceLock<Schema> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| {
        Schema::builder()
            .field(Field::text("relative_dirname", "relative_dirname").sorted_nocase())
            .field(Field::text("filename", "filename").sorted_nocase())
            .default_sort("relative_dirname,filename")
            .build()
            .expect("constant schema")
    })
}

/// The lists a listing shows: the named ones (each name is the first list of that name, top
/// directory first, as Wazuh resolves names; unknown names are skipped) or every readable one,
/// restricted to one exact directory when given. Named lists the caller may not read become
/// 4000 failed items (all of them: a 403).
fn selected<'a>(
    lists: &'a [CdbList],
    authz: &Authz,
    filenames: Option<Vec<String>>,
    relative_dirname: Option<&str>,
    result: &mut AffectedItems,
) -> Result<Vec<&'a CdbList>, ApiError> {
    let chosen: Vec<&CdbList> = match filenames {
        Some(names) => {
            let (allowed, refused) = authz.split_ids(RESOURCE, names)?;
            for name in refused {
                result.fail(name, crate::auth::authz::denied_item(RESOURCE));
            }
            let mut out: Vec<&CdbList> = Vec::new();
            for name in allowed {
                if let Some(l) = lists.iter().find(|l| l.filename == name) {
                    if !out.iter().any(|o| std::ptr::eq(*o, l)) {
                        out.push(l);
                    }
                }
            }
            out
        }
        None => lists.iter().filter(|l| authz.permits(RESOURCE, &l.filename)).collect(),
    };
    Ok(chosen
        .into_iter()
        .filter(|l| relative_dirname.is_none_or(|d| d.trim_end_matches('/') == l.relative_dirname))
        .collect())
}

/// `GET /lists`.
pub fn list(
    state: &AppState,
    authz: &Authz,
    filenames: Option<Vec<String>>,
    relative_dirname: Option<&str>,
    query: &ListQuery,
) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "All specified lists were returned",
        "Some lists were not returned",
        "No list was returned",
    );
    let loaded = state.ruleset();
    let lists = selected(&loaded.catalog.lists, authz, filenames, relative_dirname, &mut result)?;
    // As upstream, one list that cannot be read fails the whole listing, saying which.
    if let Some(bad) = lists.iter().find(|l| l.problem.is_some()) {
        return Err(ApiError::with_details(
            WazuhCode::ListBadFormat,
            format!(
                "{}/{}: {}",
                bad.relative_dirname,
                bad.filename,
                bad.problem.as_deref().unwrap_or_default()
            ),
        ));
    }
    let records: Vec<Value> = lists
        .into_iter()
        .map(|l| {
            let items: Vec<Value> = l.items.iter().map(|(k, v)| json!({"key": k, "value": v})).collect();
            json!({"items": items, "relative_dirname": l.relative_dirname, "filename": l.filename})
        })
        .collect();
    let page = ruleset::page(&records, query, schema())?;
    result.set_page(page.items, page.total);
    Ok(result)
}

/// `GET /lists/files`.
pub fn files(
    state: &AppState,
    authz: &Authz,
    filenames: Option<Vec<String>>,
    relative_dirname: Option<&str>,
    query: &ListQuery,
) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "All specified paths were returned",
        "Some paths were not returned",
        "No path was returned",
    );
    let loaded = state.ruleset();
    let records: Vec<Value> = selected(&loaded.catalog.lists, authz, filenames, relative_dirname, &mut result)?
        .into_iter()
        .map(|l| json!({"relative_dirname": l.relative_dirname, "filename": l.filename}))
        .collect();
    let page = ruleset::page(&records, query, files_schema())?;
    result.set_page(page.items, page.total);
    Ok(result)
}

/// `GET /lists/files/{filename}`: the raw text, or the envelope with the list as one
/// `{key: value}` object, or the failure.
pub fn file(state: &AppState, filename: &str, raw: bool) -> FileAnswer {
    let mut result = AffectedItems::new("CDB list was returned", "CDB list was returned", "No list was returned");
    let loaded = state.ruleset();
    let Some(list) = loaded.catalog.lists.iter().find(|l| l.filename == filename) else {
        let code = if is_directory(&loaded.catalog.roots, filename) {
            ItemError::with_details(WazuhCode::ListFileUnreadable, format!("{filename} is a directory"))
        } else {
            ItemError::new(WazuhCode::ListFileNotFound)
        };
        result.fail(filename, code);
        return FileAnswer::Items(result);
    };
    if let (Some(problem), false) = (&list.problem, raw) {
        result.fail(
            filename,
            ItemError::with_details(
                WazuhCode::ListBadFormat,
                format!("{}/{filename}: {problem}", list.relative_dirname),
            ),
        );
        return FileAnswer::Items(result);
    }
    if raw {
        let path = loaded.catalog.roots.file(&list.relative_dirname, &list.filename);
        return match path.map(std::fs::read_to_string) {
            Some(Ok(text)) => FileAnswer::Raw(text),
            Some(Err(e)) => {
                result.fail(
                    filename,
                    ItemError::with_details(WazuhCode::ListFileUnreadable, e.to_string()),
                );
                FileAnswer::Items(result)
            }
            None => {
                result.fail(filename, ItemError::new(WazuhCode::ListFileNotFound));
                FileAnswer::Items(result)
            }
        };
    }
    let object: Map<String, Value> = list
        .items
        .iter()
        .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
        .collect();
    result.push(Value::Object(object));
    FileAnswer::Items(result)
}

/// Whether a name under `etc/lists` (or one of its subdirectories) is a directory.
fn is_directory(roots: &oxsec_ruleset::Roots, name: &str) -> bool {
    roots.file(LISTS_DIR, name).is_some_and(|p| p.is_dir())
}

/// `PUT /lists/files/{filename}`: always `etc/lists/<filename>`. The content is checked line by
/// line first; a name used in a subdirectory is refused (1805) so names stay unambiguous.
pub async fn upload(
    state: &AppState,
    authz: &Authz,
    filename: &str,
    overwrite: bool,
    body: &[u8],
) -> Result<AffectedItems, ApiError> {
    let text = ruleset::upload_text(body)?;
    let mut result = AffectedItems::new(
        "CDB list file uploaded successfully",
        "CDB list file uploaded successfully",
        "Could not upload CDB list file",
    );
    let id = format!("{LISTS_DIR}/{filename}");
    let _guard = state.lock_ruleset_files().await;
    let loaded = state.ruleset();
    let Some(path) = loaded.catalog.roots.file(LISTS_DIR, filename) else {
        result.fail(
            id,
            ItemError::with_details(WazuhCode::ListFileNotFound, "not a plain list name"),
        );
        return Ok(result);
    };
    if let Err(e) = oxsec_ruleset::lists::validate_upload(text) {
        result.fail(id, ItemError::with_details(WazuhCode::ListBadFormat, e.to_string()));
        return Ok(result);
    }
    let in_subdirectory = loaded
        .catalog
        .lists
        .iter()
        .any(|l| l.filename == filename && l.relative_dirname != LISTS_DIR);
    if in_subdirectory && (overwrite || !path.exists()) {
        result.fail(id, ItemError::new(WazuhCode::ListNameInSubdirectory));
        return Ok(result);
    }
    if let Some(e) = ruleset::overwrite_refusal(authz, RESOURCE, "lists:delete", filename, &path, overwrite) {
        result.fail(id, e);
        return Ok(result);
    }
    crate::fsutil::write_atomic(&path, text.as_bytes(), 0o640)
        .map_err(|e| ApiError::Internal(format!("writing {}: {e}", path.display())))?;
    remove_compiled(&path);
    state.reload_ruleset().await?;
    result.push(Value::from(id));
    Ok(result)
}

/// `DELETE /lists/files/{filename}`: `etc/lists/<filename>` and its compiled `.cdb`.
pub async fn delete(state: &AppState, filename: &str) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "CDB list file was successfully deleted",
        "CDB list file was successfully deleted",
        "Could not delete CDB list file",
    );
    let id = format!("{LISTS_DIR}/{filename}");
    let _guard = state.lock_ruleset_files().await;
    let loaded = state.ruleset();
    let Some(path) = loaded.catalog.roots.file(LISTS_DIR, filename) else {
        result.fail(id, ItemError::new(WazuhCode::FileMissing));
        return Ok(result);
    };
    if let Some(e) = ruleset::remove(&path) {
        result.fail(id, e);
        return Ok(result);
    }
    remove_compiled(&path);
    state.reload_ruleset().await?;
    result.push(Value::from(id));
    Ok(result)
}

/// A list's compiled form is stale once its text changes; Wazuh removes it too.
fn remove_compiled(path: &std::path::Path) {
    let mut cdb = path.as_os_str().to_owned();
    cdb.push(".cdb");
    let _ = std::fs::remove_file(cdb);
}
