//! Agent groups: the registry rows (store) and their files (`etc/shared`, see [`super::shared`]).

use std::sync::OnceLock;

use oxsec_store::models::group;
use oxsec_types::envelope::ItemError;
use oxsec_types::{AffectedItems, WazuhCode};
use oxsec_wql::{Field, ListQuery, Schema};
use serde_json::{json, Value};

use super::shared::{SharedDir, MERGED};
use crate::auth::authz::{denied_item, Authz};
use crate::error::ApiError;
use crate::state::AppState;

/// Wazuh's longest group name.
const MAX_GROUP_NAME: usize = 255;

/// Wazuh's group-name rule: letters, digits, `.`, `_`, `-`; not `.`, `..` or `all`; at most 255.
pub fn valid_group_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_GROUP_NAME
        && !matches!(name, "." | ".." | "all")
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// A file name that stays inside its directory: no separators, not `.`/`..`, not hidden.
pub fn valid_file_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// A digest of `data` by the name the API's `hash` parameter uses.
pub fn digest(algorithm: &str, data: &[u8]) -> Option<String> {
    use sha2::Digest;
    Some(match algorithm {
        "md5" => super::shared::md5_hex(data),
        "sha1" => hex::encode(sha1::Sha1::digest(data)),
        "sha224" => hex::encode(sha2::Sha224::digest(data)),
        "sha256" => hex::encode(sha2::Sha256::digest(data)),
        "sha384" => hex::encode(sha2::Sha384::digest(data)),
        "sha512" => hex::encode(sha2::Sha512::digest(data)),
        "blake2b" => hex::encode(blake2::Blake2b512::digest(data)),
        "blake2s" => hex::encode(blake2::Blake2s256::digest(data)),
        "sha3_224" => hex::encode(sha3::Sha3_224::digest(data)),
        "sha3_256" => hex::encode(sha3::Sha3_256::digest(data)),
        "sha3_384" => hex::encode(sha3::Sha3_384::digest(data)),
        "sha3_512" => hex::encode(sha3::Sha3_512::digest(data)),
        _ => return None,
    })
}

fn io_error(e: std::io::Error) -> ApiError {
    ApiError::Internal(e.to_string())
}

fn shared(state: &AppState) -> SharedDir {
    SharedDir::new(&state.config().data_dir)
}

/// Fields of `GET /groups`.
pub fn groups_schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        Schema::builder()
            .field(Field::text("name", "name"))
            .field(Field::integer("count", "count"))
            .field(Field::text("mergedSum", "mergedSum"))
            .field(Field::text("configSum", "configSum"))
            .default_sort("name")
            .always_present("name")
            .build()
            .expect("static schema")
    })
}

/// Fields of `GET /groups/{group_id}/files`.
pub fn files_schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        Schema::builder()
            .field(Field::text("filename", "filename"))
            .field(Field::text("hash", "hash"))
            .always_present("filename")
            .build()
            .expect("static schema")
    })
}

/// Whether a group exists (registry row; its directory comes with it).
pub async fn exists(state: &AppState, name: &str) -> Result<bool, ApiError> {
    if !valid_group_name(name) {
        return Ok(false);
    }
    let n = name.to_owned();
    Ok(state.store().read(move |c| group::exists(c, &n)).await?)
}

/// Refuses with 1710 unless the group exists.
pub async fn require(state: &AppState, name: &str) -> Result<(), ApiError> {
    if exists(state, name).await? {
        Ok(())
    } else {
        Err(ApiError::code(WazuhCode::GroupNotFound))
    }
}

/// `GET /groups`.
pub async fn list(
    state: &AppState,
    authz: &Authz,
    wanted: Option<Vec<String>>,
    hash: &str,
    query: ListQuery,
) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "All selected groups information was returned",
        "Some groups information was not returned",
        "No group information was returned",
    );
    let (names, counts) = state
        .store()
        .read(|c| Ok((group::names(c)?, group::counts(c)?)))
        .await?;
    let mut selected: Vec<String> = names.into_iter().filter(|n| authz.permits("group:id", n)).collect();
    if let Some(wanted) = wanted {
        let (allowed, refused) = authz.split_ids("group:id", wanted)?;
        for id in refused {
            result.fail(id, denied_item("group:id"));
        }
        for id in allowed.iter().filter(|w| !selected.contains(w)) {
            result.fail(id.clone(), ItemError::new(WazuhCode::GroupNotFound));
        }
        selected.retain(|n| allowed.contains(n));
    }
    let dir = shared(state);
    let records: Vec<Value> = selected
        .iter()
        .map(|name| {
            let mut item = json!({"name": name, "count": counts.get(name).copied().unwrap_or(0)});
            for (key, file) in [("mergedSum", MERGED), ("configSum", "agent.conf")] {
                if let Some(sum) = dir.read(name, file).ok().and_then(|d| digest(hash, &d)) {
                    item[key] = Value::String(sum);
                }
            }
            item
        })
        .collect();
    let page = oxsec_wql::memory::execute(&records, &query, groups_schema()).map_err(crate::list::wql_error)?;
    result.set_page(page.items, page.total);
    Ok(result)
}

/// `POST /groups`.
pub async fn create(state: &AppState, name: &str) -> Result<String, ApiError> {
    if !valid_group_name(name) {
        return Err(ApiError::code(WazuhCode::InvalidGroupName));
    }
    let dir = shared(state);
    if name.eq_ignore_ascii_case("default") || dir.group_dir(name).exists() || exists(state, name).await? {
        let code = if dir.group_dir(name).is_file() {
            WazuhCode::GroupNameReserved
        } else {
            WazuhCode::GroupExists
        };
        return Err(ApiError::with_details(code, name));
    }
    dir.create_group(name).map_err(io_error)?;
    let n = name.to_owned();
    let now = crate::timefmt::now_iso();
    state.store().write(move |tx| group::insert(tx, &n, &now)).await?;
    Ok(format!("Group '{name}' created."))
}

/// `DELETE /groups`: deletes groups (never `default`); their agents keep their other groups, and
/// an agent left without any goes back to `default`, as wazuh-db does.
pub async fn delete(state: &AppState, authz: &Authz, wanted: Vec<String>) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "All selected groups were deleted",
        "Some groups were not deleted",
        "No group was deleted",
    );
    let all = state.store().read(group::names).await?;
    // `all` is every group the caller may delete; upstream then leaves out `default`'s 1712.
    let every = wanted.iter().any(|w| w == "all");
    let allowed = if every {
        all.iter().filter(|n| authz.permits("group:id", n)).cloned().collect()
    } else {
        let (allowed, refused) = authz.split_ids("group:id", wanted)?;
        for id in refused {
            result.fail(id, denied_item("group:id"));
        }
        allowed
    };
    let dir = shared(state);
    let mut deleted = Vec::new();
    for name in allowed {
        if !all.contains(&name) {
            result.fail(name, ItemError::new(WazuhCode::GroupNotFound));
        } else if name == "default" {
            result.fail(name, ItemError::new(WazuhCode::DefaultGroupNotDeletable));
        } else {
            deleted.push(name);
        }
    }
    let names = deleted.clone();
    state
        .store()
        .write(move |tx| {
            for name in &names {
                group::delete_and_reassign(tx, name)?;
            }
            Ok(())
        })
        .await?;
    for name in &deleted {
        dir.remove_group(name).map_err(io_error)?;
    }
    deleted.sort();
    for name in deleted {
        result.push(Value::String(name));
    }
    if every {
        result.drop_failures(&[WazuhCode::GroupNotFound, WazuhCode::DefaultGroupNotDeletable]);
    }
    Ok(result)
}

/// `GET /groups/{group_id}/files`.
pub async fn files(state: &AppState, name: &str, hash: &str, query: ListQuery) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "All selected groups files were returned",
        "Some groups files were not returned",
        "No groups files were returned",
    );
    if !exists(state, name).await? {
        result.fail(name.to_owned(), ItemError::new(WazuhCode::GroupNotFound));
        return Ok(result);
    }
    let dir = shared(state);
    let names = dir
        .files(name)
        .map_err(|e| ApiError::with_details(WazuhCode::GroupFilesError, e.to_string()))?;
    let mut records: Vec<Value> = names
        .iter()
        .map(|f| json!({"filename": f, "hash": dir.read(name, f).ok().and_then(|d| digest(hash, &d))}))
        .collect();
    let ar = std::fs::read(state.config().data_dir.join("etc/shared/ar.conf")).ok();
    records.push(json!({"filename": "ar.conf", "hash": ar.and_then(|d| digest(hash, &d))}));
    let page = oxsec_wql::memory::execute(&records, &query, files_schema()).map_err(crate::list::wql_error)?;
    result.set_page(page.items, page.total);
    Ok(result)
}

/// What `GET /groups/{group_id}/files/{file_name}` returns.
pub enum FileContent {
    /// `raw=true`: the text as stored.
    Raw(String),
    /// The file rendered to JSON as Wazuh does.
    Json(Value),
}

fn read_text(state: &AppState, name: &str, file: &str) -> Result<String, ApiError> {
    let path = if file == "ar.conf" {
        state.config().data_dir.join("etc/shared/ar.conf")
    } else {
        shared(state).group_dir(name).join(file)
    };
    let bytes = std::fs::read(&path).map_err(|_| ApiError::with_details(WazuhCode::FileNotFound, file))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// `agent.conf` text as Wazuh's JSON (`{total_affected_items, affected_items}`), paged.
fn agent_conf_json(text: &str, offset: usize, limit: Option<usize>) -> Result<Value, ApiError> {
    let roots =
        oxsec_xml::parse(text).map_err(|e| ApiError::with_details(WazuhCode::ComponentNotFound, e.to_string()))?;
    let blocks = oxsec_xml::json::agent_conf(&roots);
    let total = blocks.len();
    let page: Vec<Value> = blocks
        .into_iter()
        .skip(offset)
        .take(limit.unwrap_or(usize::MAX))
        .collect();
    Ok(json!({"total_affected_items": total, "affected_items": page}))
}

/// `GET /groups/{group_id}/files/{file_name}`.
pub async fn file(
    state: &AppState,
    name: &str,
    file: &str,
    kind: Option<&str>,
    raw: bool,
) -> Result<FileContent, ApiError> {
    require(state, name).await?;
    if !valid_file_name(file) {
        return Err(ApiError::with_details(WazuhCode::FileNotFound, file));
    }
    let text = read_text(state, name, file)?;
    if raw {
        return Ok(FileContent::Raw(text));
    }
    let kind = match kind {
        Some(k) => k,
        None if file == "agent.conf" => "conf",
        None if file == "ar.conf" => "ar",
        None if file == MERGED => "merged",
        None if file == "rootkit_files.txt" => "rootkit_files",
        None if file == "rootkit_trojans.txt" => "rootkit_trojans",
        None => "rcl",
    };
    let data = match kind {
        "conf" => agent_conf_json(&text, 0, None)?,
        "ar" => Value::Array(
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| Value::String(l.to_owned()))
                .collect(),
        ),
        "merged" => merged_json(&text),
        "rootkit_files" | "rootkit_trojans" | "rcl" => line_records(kind, &text),
        other => {
            return Err(ApiError::with_details(
                WazuhCode::InvalidType,
                format!("{other}. Valid types: dict_keys(['conf', 'rootkit_files', 'rootkit_trojans', 'rcl'])"),
            ))
        }
    };
    Ok(FileContent::Json(data))
}

/// `merged.mg` as a list of `{file_name, file_content}` entries.
fn merged_json(text: &str) -> Value {
    let mut out = Vec::new();
    let mut rest = text;
    // Skip the `#group` header line.
    if rest.starts_with('#') {
        rest = rest.split_once('\n').map_or("", |(_, r)| r);
    }
    while let Some(line_end) = rest.find('\n') {
        let header = &rest[..line_end];
        let Some((size, name)) = header.strip_prefix('!').and_then(|h| h.split_once(' ')) else {
            break;
        };
        let Ok(size) = size.parse::<usize>() else { break };
        let body_start = line_end + 1;
        let body_end = (body_start + size).min(rest.len());
        let body = rest.get(body_start..body_end).unwrap_or_default();
        out.push(json!({"file_name": name, "file_content": body}));
        rest = rest.get(body_end..).unwrap_or_default();
    }
    Value::Array(out)
}

/// Rootcheck text files (`name ! comment` lines) as simple records.
fn line_records(kind: &str, text: &str) -> Value {
    let items: Vec<Value> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (name, comment) = l.split_once('!').map_or((l, ""), |(a, b)| (a.trim(), b.trim()));
            match kind {
                "rootkit_trojans" => json!({"filename": name, "name": comment}),
                "rootkit_files" => json!({"filename": name, "name": comment}),
                _ => json!({"line": l}),
            }
        })
        .collect();
    Value::Array(items)
}

/// `GET /groups/{group_id}/configuration`.
pub async fn configuration(
    state: &AppState,
    name: &str,
    offset: usize,
    limit: Option<usize>,
) -> Result<Value, ApiError> {
    require(state, name).await?;
    let text = read_text(state, name, "agent.conf")?;
    agent_conf_json(&text, offset, limit)
}

/// `PUT /groups/{group_id}/configuration`: validates the new `agent.conf` (well-formed XML of
/// `<agent_config>` blocks, no DTD) before it atomically replaces the old one and the bundle.
pub async fn put_configuration(state: &AppState, name: &str, body: &[u8]) -> Result<String, ApiError> {
    require(state, name).await?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::code(WazuhCode::EmptyFile));
    }
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::with_details(WazuhCode::XmlSyntax, "the file is not UTF-8 text"))?;
    let roots = oxsec_xml::parse(text).map_err(|e| ApiError::with_details(WazuhCode::XmlSyntax, e.to_string()))?;
    if let Some(bad) = roots.iter().find(|r| r.name != "agent_config") {
        return Err(ApiError::with_details(
            WazuhCode::XmlSyntax,
            format!(
                "<{}> at the top level: agent.conf holds only <agent_config> blocks",
                bad.name
            ),
        ));
    }
    shared(state).write(name, "agent.conf", body).map_err(io_error)?;
    let n = name.to_owned();
    state
        .store()
        .write(move |tx| group::mark_members_not_synced(tx, &n))
        .await?;
    Ok("Agent configuration was successfully updated".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names_follow_wazuhs_rule() {
        for ok in ["default", "group1", "a.b", "A_b-9", &"x".repeat(255)] {
            assert!(valid_group_name(ok), "{ok}");
        }
        for bad in ["", ".", "..", "all", "a/b", "../etc", "a b", "ä", &"x".repeat(256)] {
            assert!(!valid_group_name(bad), "{bad}");
        }
        assert!(!valid_file_name("../agent.conf"));
        assert!(!valid_file_name(".hidden"));
        assert!(valid_file_name("agent.conf"));
    }

    #[test]
    fn merged_bundle_splits_into_files() {
        let v = merged_json("#g\n!3 a.txt\nab\n!2 b\nxy");
        assert_eq!(
            v,
            json!([{"file_name": "a.txt", "file_content": "ab\n"}, {"file_name": "b", "file_content": "xy"}])
        );
    }

    #[test]
    fn digests_by_name() {
        assert_eq!(digest("md5", b"").as_deref(), Some("d41d8cd98f00b204e9800998ecf8427e"));
        assert_eq!(
            digest("sha1", b"").as_deref(),
            Some("da39a3ee5e6b4b0d3255bfef95601890afd80709")
        );
        assert!(digest("crc32", b"").is_none());
    }
}
