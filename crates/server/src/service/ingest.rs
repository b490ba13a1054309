//! `POST /agents/{agent_id}/state` (oxsec extension): an agent's reported state — inventory,
//! file integrity, SCA — in the shapes the GET endpoints answer with, checked field by field
//! and written in one transaction. Nothing is written unless the whole report is valid.
//! docs/AGENT-DATA.md documents the format.

use oxsec_store::models::agent_state::{AgentState, Row, ScaPolicy};
use oxsec_store::rusqlite::types::Value as Sql;
use oxsec_types::envelope::AffectedItems;
use oxsec_types::WazuhCode;
use serde_json::{Map, Value};

use super::syscollector::{Ty, ELEMENTS};
use crate::error::ApiError;
use crate::spec::ParamError;
use crate::state::AppState;

/// A field of a report: its name as the API shows it, the store column, and its type.
type Spec = (&'static str, &'static str, Kind);

/// How a reported value is checked and stored.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Integer,
    Number,
    Text,
    /// Unix seconds, given as a number or an RFC 3339 text (what the GET endpoints show).
    Epoch,
    /// syscollector's `YYYY/MM/DD HH:MM:SS` text, given as such or as RFC 3339.
    ScanTime,
}

const FIM_FIELDS: &[Spec] = &[
    ("file", "full_path", Kind::Text),
    ("type", "type", Kind::Text),
    ("date", "date", Kind::Epoch),
    ("mtime", "mtime", Kind::Epoch),
    ("changes", "changes", Kind::Integer),
    ("size", "size", Kind::Integer),
    ("perm", "perm", Kind::Text),
    ("uid", "uid", Kind::Text),
    ("gid", "gid", Kind::Text),
    ("uname", "uname", Kind::Text),
    ("gname", "gname", Kind::Text),
    ("md5", "md5", Kind::Text),
    ("sha1", "sha1", Kind::Text),
    ("sha256", "sha256", Kind::Text),
    ("inode", "inode", Kind::Integer),
    ("attributes", "attributes", Kind::Text),
    ("arch", "arch", Kind::Text),
    ("value.name", "value_name", Kind::Text),
    ("value.type", "value_type", Kind::Text),
];

const SCA_POLICY_FIELDS: &[Spec] = &[
    ("policy_id", "id", Kind::Text),
    ("name", "name", Kind::Text),
    ("file", "file", Kind::Text),
    ("description", "description", Kind::Text),
    ("references", "references", Kind::Text),
    ("hash_file", "hash_file", Kind::Text),
];

const SCA_SCAN_FIELDS: &[Spec] = &[
    ("scan_id", "id", Kind::Integer),
    ("start_scan", "start_scan", Kind::Epoch),
    ("end_scan", "end_scan", Kind::Epoch),
    ("pass", "pass", Kind::Integer),
    ("fail", "fail", Kind::Integer),
    ("invalid", "invalid", Kind::Integer),
    ("total_checks", "total_checks", Kind::Integer),
    ("score", "score", Kind::Integer),
    ("hash", "hash", Kind::Text),
];

const SCA_CHECK_FIELDS: &[Spec] = &[
    ("id", "id", Kind::Integer),
    ("title", "title", Kind::Text),
    ("description", "description", Kind::Text),
    ("rationale", "rationale", Kind::Text),
    ("remediation", "remediation", Kind::Text),
    ("file", "file", Kind::Text),
    ("process", "process", Kind::Text),
    ("directory", "directory", Kind::Text),
    ("registry", "registry", Kind::Text),
    ("command", "command", Kind::Text),
    ("references", "references", Kind::Text),
    ("result", "result", Kind::Text),
    ("reason", "reason", Kind::Text),
    ("condition", "condition", Kind::Text),
];

/// A 400 naming the part of the report that is wrong.
fn bad(at: &str, message: impl std::fmt::Display) -> ApiError {
    ApiError::Param(ParamError::Invalid {
        name: at.to_owned(),
        value: String::new(),
        message: format!("{at}: {message}"),
    })
}

/// The report's sections, checked: `syscollector`, `syscheck`, `sca`.
pub fn parse(body: &Value) -> Result<AgentState, ApiError> {
    let Some(top) = body.as_object() else {
        return Err(bad("body", "expected an object"));
    };
    let mut state = AgentState::default();
    for (key, value) in top {
        match key.as_str() {
            "syscollector" => parse_inventory(value, &mut state)?,
            "syscheck" => parse_syscheck(value, &mut state)?,
            "sca" => parse_sca(value, &mut state)?,
            other => return Err(bad(other, "unknown section (expected syscollector, syscheck or sca)")),
        }
    }
    Ok(state)
}

fn parse_inventory(value: &Value, state: &mut AgentState) -> Result<(), ApiError> {
    let Some(elements) = value.as_object() else {
        return Err(bad("syscollector", "expected an object of element lists"));
    };
    for (name, items) in elements {
        let at = format!("syscollector.{name}");
        let Some(element) = ELEMENTS.iter().find(|e| e.name == name.as_str()) else {
            let names: Vec<&str> = ELEMENTS.iter().map(|e| e.name).collect();
            return Err(bad(
                &at,
                format!("unknown element (expected one of {})", names.join(", ")),
            ));
        };
        let specs: Vec<(&'static str, String, Kind)> = element
            .fields
            .iter()
            .map(|(f, ty)| {
                let kind = match ty {
                    Ty::I => Kind::Integer,
                    Ty::R => Kind::Number,
                    Ty::T if matches!(*f, "scan.time" | "scan_time" | "install_time") => Kind::ScanTime,
                    Ty::T => Kind::Text,
                };
                (*f, f.replace('.', "_"), kind)
            })
            .collect();
        let rows = list(items, &at)?
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let at = format!("{at}[{i}]");
                let fields = flatten(item, &at)?;
                let mut row: Row = Vec::new();
                for (key, value) in fields {
                    if key == "agent_id" {
                        continue;
                    }
                    let Some((_, column, kind)) = specs.iter().find(|(f, _, _)| *f == key) else {
                        return Err(bad(&format!("{at}.{key}"), format!("unknown field of {name}")));
                    };
                    let column = oxsec_store::models::inventory::table(element.table)
                        .and_then(|t| t.columns.iter().find(|(c, _)| c.eq_ignore_ascii_case(column)))
                        .map(|(c, _)| *c)
                        .ok_or_else(|| ApiError::Internal(format!("no column {column} in {}", element.table)))?;
                    row.push((column, convert(&value, *kind, &format!("{at}.{key}"))?));
                }
                Ok(row)
            })
            .collect::<Result<Vec<Row>, ApiError>>()?;
        state.inventory.push((element.table, rows));
    }
    Ok(())
}

fn parse_syscheck(value: &Value, state: &mut AgentState) -> Result<(), ApiError> {
    let Some(section) = value.as_object() else {
        return Err(bad(
            "syscheck",
            "expected an object with files, deleted and/or last_scan",
        ));
    };
    for (key, value) in section {
        match key.as_str() {
            "files" => {
                for (i, item) in list(value, "syscheck.files")?.iter().enumerate() {
                    let at = format!("syscheck.files[{i}]");
                    let mut row = row_of(item, FIM_FIELDS, &at)?;
                    let Some(path) = row.iter().find(|(c, _)| *c == "full_path").map(|(_, v)| v.clone()) else {
                        return Err(bad(&format!("{at}.file"), "required"));
                    };
                    if !matches!(path, Sql::Text(_)) {
                        return Err(bad(&format!("{at}.file"), "required"));
                    }
                    for (column, field) in [("type", "type"), ("date", "date"), ("changes", "changes")] {
                        if row.iter().any(|(c, v)| *c == column && *v == Sql::Null) {
                            return Err(bad(&format!("{at}.{field}"), "may not be null"));
                        }
                    }
                    match row.iter().find(|(c, _)| *c == "arch").map(|(_, v)| v) {
                        None | Some(Sql::Null) => {}
                        Some(Sql::Text(a)) if matches!(a.as_str(), "[x64]" | "[x32]") => {}
                        Some(_) => return Err(bad(&format!("{at}.arch"), "expected [x64] or [x32]")),
                    }
                    match row.iter().find(|(c, _)| *c == "type").map(|(_, v)| v) {
                        None => row.push(("type", Sql::Text("file".into()))),
                        Some(Sql::Text(t)) if matches!(t.as_str(), "file" | "registry_key" | "registry_value") => {}
                        Some(_) => {
                            return Err(bad(
                                &format!("{at}.type"),
                                "expected file, registry_key or registry_value",
                            ))
                        }
                    }
                    if !row.iter().any(|(c, _)| *c == "date") {
                        row.push(("date", Sql::Integer(oxsec_store::now_secs())));
                    }
                    row.push(("file", path));
                    state.fim_entries.push(row);
                }
            }
            "deleted" => {
                for (i, path) in list(value, "syscheck.deleted")?.iter().enumerate() {
                    let Some(path) = path.as_str() else {
                        return Err(bad(&format!("syscheck.deleted[{i}]"), "expected a path text"));
                    };
                    state.fim_deleted.push(path.to_owned());
                }
            }
            "last_scan" => {
                let row = row_of(
                    value,
                    &[("start", "start", Kind::Epoch), ("end", "end", Kind::Epoch)],
                    "syscheck.last_scan",
                )?;
                let get = |name: &str| match row.iter().find(|(c, _)| *c == name).map(|(_, v)| v) {
                    Some(Sql::Integer(n)) => Ok(*n),
                    _ => Err(bad(&format!("syscheck.last_scan.{name}"), "required")),
                };
                state.fim_scan = Some((get("start")?, get("end")?));
            }
            other => {
                return Err(bad(
                    &format!("syscheck.{other}"),
                    "unknown (expected files, deleted or last_scan)",
                ))
            }
        }
    }
    Ok(())
}

fn parse_sca(value: &Value, state: &mut AgentState) -> Result<(), ApiError> {
    for (i, item) in list(value, "sca")?.iter().enumerate() {
        let at = format!("sca[{i}]");
        let Some(obj) = item.as_object() else {
            return Err(bad(&at, "expected a policy object"));
        };
        let mut policy_part = Map::new();
        let mut scan_part = Map::new();
        let mut checks = Vec::new();
        for (key, value) in obj {
            if key == "checks" {
                for (j, check) in list(value, &format!("{at}.checks"))?.iter().enumerate() {
                    checks.push(parse_check(check, &format!("{at}.checks[{j}]"))?);
                }
            } else if SCA_POLICY_FIELDS.iter().any(|(f, _, _)| f == key) {
                policy_part.insert(key.clone(), value.clone());
            } else if SCA_SCAN_FIELDS.iter().any(|(f, _, _)| f == key) {
                scan_part.insert(key.clone(), value.clone());
            } else {
                return Err(bad(&format!("{at}.{key}"), "unknown field of an SCA policy"));
            }
        }
        let policy = row_of(&Value::Object(policy_part), SCA_POLICY_FIELDS, &at)?;
        let Some((_, Sql::Text(policy_id))) = policy.iter().find(|(c, _)| *c == "id") else {
            return Err(bad(&format!("{at}.policy_id"), "required"));
        };
        let policy_id = policy_id.clone();
        let scan = if scan_part.is_empty() {
            None
        } else {
            let mut scan = row_of(&Value::Object(scan_part), SCA_SCAN_FIELDS, &at)?;
            if !scan.iter().any(|(c, v)| *c == "id" && matches!(v, Sql::Integer(_))) {
                return Err(bad(&format!("{at}.scan_id"), "required with the scan summary"));
            }
            scan.push(("policy_id", Sql::Text(policy_id.clone())));
            Some(scan)
        };
        let checks = checks
            .into_iter()
            .map(|(mut row, compliance, rules)| {
                row.push(("policy_id", Sql::Text(policy_id.clone())));
                if let Some(scan) = &scan {
                    if let Some((_, id)) = scan.iter().find(|(c, _)| *c == "id") {
                        row.push(("scan_id", id.clone()));
                    }
                }
                (row, compliance, rules)
            })
            .collect();
        state.sca.push(ScaPolicy { policy, scan, checks });
    }
    Ok(())
}

type Pairs = Vec<(String, String)>;

fn parse_check(value: &Value, at: &str) -> Result<(Row, Pairs, Pairs), ApiError> {
    let Some(obj) = value.as_object() else {
        return Err(bad(at, "expected a check object"));
    };
    let mut own = Map::new();
    let mut compliance = Vec::new();
    let mut rules = Vec::new();
    for (key, value) in obj {
        match key.as_str() {
            "compliance" => compliance = pairs(value, &format!("{at}.compliance"), ["key", "value"])?,
            "rules" => rules = pairs(value, &format!("{at}.rules"), ["type", "rule"])?,
            _ => {
                own.insert(key.clone(), value.clone());
            }
        }
    }
    let row = row_of(&Value::Object(own), SCA_CHECK_FIELDS, at)?;
    if !row.iter().any(|(c, v)| *c == "id" && matches!(v, Sql::Integer(_))) {
        return Err(bad(&format!("{at}.id"), "required"));
    }
    Ok((row, compliance, rules))
}

/// A list of `{a: text, b: text}` objects, as the SCA GET endpoints show compliance and rules.
fn pairs(value: &Value, at: &str, names: [&str; 2]) -> Result<Pairs, ApiError> {
    list(value, at)?
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let get = |n: &str| {
                item.get(n)
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| bad(&format!("{at}[{i}].{n}"), "required text"))
            };
            Ok((get(names[0])?, get(names[1])?))
        })
        .collect()
}

fn list<'a>(value: &'a Value, at: &str) -> Result<&'a Vec<Value>, ApiError> {
    value.as_array().ok_or_else(|| bad(at, "expected a list"))
}

/// An item's fields by dotted name, from nested objects or dotted keys alike.
fn flatten(item: &Value, at: &str) -> Result<Vec<(String, Value)>, ApiError> {
    let Some(obj) = item.as_object() else {
        return Err(bad(at, "expected an object"));
    };
    let mut out: Vec<(String, Value)> = Vec::new();
    for (key, value) in obj {
        let fields = match value {
            Value::Object(inner) => inner.iter().map(|(k, v)| (format!("{key}.{k}"), v.clone())).collect(),
            other => vec![(key.clone(), other.clone())],
        };
        for (name, value) in fields {
            if out.iter().any(|(n, _)| *n == name) {
                return Err(bad(&format!("{at}.{name}"), "given twice (nested and dotted)"));
            }
            out.push((name, value));
        }
    }
    Ok(out)
}

/// The row of an object whose fields must all be among `specs`.
fn row_of(item: &Value, specs: &[Spec], at: &str) -> Result<Row, ApiError> {
    let mut row = Row::new();
    for (key, value) in flatten(item, at)? {
        let Some((_, column, kind)) = specs.iter().find(|(f, _, _)| *f == key) else {
            let names: Vec<&str> = specs.iter().map(|(f, _, _)| *f).collect();
            return Err(bad(
                &format!("{at}.{key}"),
                format!("unknown field (expected one of {})", names.join(", ")),
            ));
        };
        row.push((column, convert(&value, *kind, &format!("{at}.{key}"))?));
    }
    Ok(row)
}

fn convert(value: &Value, kind: Kind, at: &str) -> Result<Sql, ApiError> {
    let got = || crate::spec::pyrepr(value);
    Ok(match (kind, value) {
        (_, Value::Null) => Sql::Null,
        (Kind::Integer, Value::Number(n)) => Sql::Integer(
            n.as_i64()
                .ok_or_else(|| bad(at, format!("expected an integer, got {}", got())))?,
        ),
        (Kind::Number, Value::Number(n)) => match n.as_i64() {
            Some(i) => Sql::Integer(i),
            None => Sql::Real(n.as_f64().unwrap_or_default()),
        },
        (Kind::Text, Value::String(s)) => Sql::Text(s.clone()),
        (Kind::Epoch, Value::Number(n)) => Sql::Integer(
            n.as_i64()
                .ok_or_else(|| bad(at, format!("expected Unix seconds, got {}", got())))?,
        ),
        (Kind::Epoch, Value::String(s)) => Sql::Integer(crate::timefmt::iso_epoch(s).ok_or_else(|| {
            bad(
                at,
                format!(
                    "expected Unix seconds or a date like 2026-01-31T12:00:00+00:00, got {}",
                    got()
                ),
            )
        })?),
        (Kind::ScanTime, Value::String(s)) => Sql::Text(scan_time(s).ok_or_else(|| {
            bad(
                at,
                format!(
                    "expected a date like 2026/01/31 12:00:00 or 2026-01-31T12:00:00+00:00, got {}",
                    got()
                ),
            )
        })?),
        (Kind::Integer, _) => return Err(bad(at, format!("expected an integer, got {}", got()))),
        (Kind::Number, _) => return Err(bad(at, format!("expected a number, got {}", got()))),
        (Kind::Text, _) => return Err(bad(at, format!("expected a text, got {}", got()))),
        (Kind::Epoch | Kind::ScanTime, _) => return Err(bad(at, format!("expected a date, got {}", got()))),
    })
}

/// syscollector's stamp from its own form or from RFC 3339 (UTC).
fn scan_time(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let wazuh_form = b.len() == 19
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'/',
            10 => *c == b' ',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        });
    if wazuh_form {
        return Some(s.to_owned());
    }
    let t = time::OffsetDateTime::from_unix_timestamp(crate::timefmt::iso_epoch(s)?).ok()?;
    Some(format!(
        "{:04}/{:02}/{:02} {:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    ))
}

/// `POST /agents/{agent_id}/state`.
pub async fn ingest(state: &AppState, agent: i64, body: &Value) -> Result<AffectedItems, ApiError> {
    let report = parse(body)?;
    if !super::agents::exists(state, agent).await? {
        return Err(ApiError::code(WazuhCode::AgentNotFound));
    }
    let now = oxsec_store::now_secs();
    state
        .store()
        .write(move |tx| oxsec_store::models::agent_state::apply(tx, agent, &report, now))
        .await?
        .map_err(|refused| match refused.0.split_once(": ") {
            Some((at, why)) => bad(at, why),
            None => bad("body", refused.0),
        })?;
    let mut result = AffectedItems::new(
        "The agent's reported state was stored",
        "The agent's reported state was not stored",
        "The agent's reported state was not stored",
    );
    result.push(Value::String(super::agents::pad(agent)));
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn detail(e: ApiError) -> String {
        match e {
            ApiError::Param(p) => p.to_string(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn reports_parse_into_rows_of_the_stores_columns() {
        let state = parse(&json!({
            "syscollector": {"packages": [{"name": "openssl", "size": 10, "scan": {"id": 1, "time": "2026-01-31T12:00:00+00:00"}}]},
            "syscheck": {"files": [{"file": "/etc/passwd", "mtime": 1700000000}], "last_scan": {"start": 1, "end": 2}},
        }))
        .expect("valid");
        let (table, rows) = &state.inventory[0];
        assert_eq!(*table, "sys_programs");
        assert!(rows[0].contains(&("scan_time", Sql::Text("2026/01/31 12:00:00".into()))));
        assert!(rows[0].contains(&("size", Sql::Integer(10))));
        assert!(state.fim_entries[0].contains(&("type", Sql::Text("file".into()))));
        assert_eq!(state.fim_scan, Some((1, 2)));
    }

    #[test]
    fn a_wrong_value_is_named_by_its_place() {
        let e = parse(&json!({"syscollector": {"packages": [{"name": "a"}, {"size": "big"}]}})).err();
        assert_eq!(
            e.map(detail).as_deref(),
            Some("syscollector.packages[1].size: expected an integer, got 'big'")
        );
        let e = parse(&json!({"syscollector": {"pakages": []}}))
            .err()
            .map(detail)
            .unwrap_or_default();
        assert!(e.starts_with("syscollector.pakages: unknown element"), "{e}");
        let e = parse(&json!({"syscheck": {"files": [{"size": 1}]}}))
            .err()
            .map(detail)
            .unwrap_or_default();
        assert_eq!(e, "syscheck.files[0].file: required");
        let e = |v: Value| parse(&v).err().map(detail).unwrap_or_default();
        assert_eq!(
            e(json!({"syscheck": {"files": [{"file": "/x", "date": null}]}})),
            "syscheck.files[0].date: may not be null"
        );
        assert_eq!(
            e(json!({"syscheck": {"files": [{"file": "/x", "arch": "x64"}]}})),
            "syscheck.files[0].arch: expected [x64] or [x32]"
        );
        assert_eq!(
            e(json!({"syscollector": {"hardware": [{"scan": {"id": 1}, "scan.id": 2}]}})),
            "syscollector.hardware[0].scan.id: given twice (nested and dotted)"
        );
    }
}
