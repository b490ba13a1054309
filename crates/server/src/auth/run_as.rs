//! Run_as logins: security rules (MATCH, MATCH$, FIND, FIND$, AND, OR, NOT) evaluated over the
//! authorization context a client sends, deciding which roles the token gets. Semantics follow
//! Wazuh's `framework/wazuh/rbac/auth_context.py` (see the notes on each function).

use blake2::digest::{Update, VariableOutput};
use blake2::Blake2bVar;
use regex::Regex;
use serde_json::Value;

/// FIND gives up below this nesting depth (upstream's limit).
const MAX_FIND_DEPTH: usize = 8;

/// Whether `rule` matches `ctx`.
pub fn check_rule(rule: &Value, ctx: &Value) -> bool {
    eval(rule, ctx).unwrap_or(false)
}

/// `Some(true/false)` decides; `None` lets the next key of the rule decide (upstream's failed AND).
fn eval(rule: &Value, ctx: &Value) -> Option<bool> {
    let obj = rule.as_object()?;
    for (key, value) in obj {
        match key.as_str() {
            "AND" | "OR" | "NOT" => {
                let (count, len) = match value {
                    Value::Array(items) => (items.iter().filter(|i| check_rule(i, ctx)).count(), items.len()),
                    Value::Object(m) => (usize::from(check_rule(value, ctx)), m.len()),
                    _ => (0, 1),
                };
                match key.as_str() {
                    "AND" if count == len => return Some(true),
                    "AND" => {}
                    "OR" => return Some(count > 0),
                    _ => return Some(count != len),
                }
            }
            "MATCH" => return Some(match_item(value, ctx, false)),
            "MATCH$" => return Some(match_item(value, ctx, true)),
            "FIND" => return Some(find_item(value, ctx, false, 0)),
            "FIND$" => return Some(find_item(value, ctx, true, 0)),
            _ => {}
        }
    }
    Some(false)
}

/// A rule string of the form `r'…'` is a regular expression (anchored at the start, like `re.match`).
fn as_regex(s: &str) -> Option<Regex> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    // Patterns come from security rules stored by administrators; compiled ones are cached, and
    // their size is bounded so a pathological pattern cannot exhaust memory.
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Regex>>>> = OnceLock::new();
    let pattern = s.strip_prefix("r'")?.strip_suffix('\'')?;
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(pattern).cloned()) {
        return hit;
    }
    let compiled = regex::RegexBuilder::new(&format!("^(?:{pattern})"))
        .size_limit(1 << 20)
        .dfa_size_limit(1 << 20)
        .build()
        .ok();
    if let Ok(mut c) = cache.lock() {
        if c.len() > 1024 {
            c.clear();
        }
        c.insert(pattern.to_owned(), compiled.clone());
    }
    compiled
}

fn scalar_eq(rule: &Value, ctx: &Value) -> bool {
    match (rule, ctx) {
        (Value::String(r), Value::String(c)) => as_regex(r).map_or(r == c, |re| re.is_match(c)),
        _ => rule == ctx,
    }
}

fn match_item(chunk: &Value, ctx: &Value, exact: bool) -> bool {
    match (chunk, ctx) {
        (Value::Object(rule), Value::Object(c)) => {
            let mut count = 0;
            for (k, v) in rule {
                if let Some(cv) = c.get(k) {
                    count += usize::from(match_item(v, cv, exact));
                }
                if let Some(re) = as_regex(k) {
                    count += c
                        .iter()
                        .filter(|(ck, cv)| *ck != k && re.is_match(ck) && match_item(v, cv, exact))
                        .count();
                }
            }
            count == rule.len()
        }
        (Value::Object(rule), _) => rule.is_empty(),
        (Value::Array(_), Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null) => false,
        _ => {
            if let Value::String(r) = chunk {
                if let Some(re) = as_regex(r) {
                    return match ctx {
                        Value::String(c) => re.is_match(c),
                        Value::Array(items) => items.iter().any(|i| i.as_str().is_some_and(|c| re.is_match(c))),
                        _ => false,
                    };
                }
            }
            if chunk == ctx {
                return true;
            }
            let rule_list: Vec<&Value> = match chunk {
                Value::Array(a) => a.iter().collect(),
                other => vec![other],
            };
            let Value::Array(ctx_list) = ctx else { return false };
            let count = ctx_list
                .iter()
                .map(|c| rule_list.iter().filter(|r| scalar_eq(r, c)).count())
                .sum::<usize>();
            if exact {
                count == ctx_list.len() && count == rule_list.len()
            } else {
                count == rule_list.len()
            }
        }
    }
}

fn find_item(chunk: &Value, ctx: &Value, exact: bool, depth: usize) -> bool {
    if depth >= MAX_FIND_DEPTH {
        return false;
    }
    if match_item(chunk, ctx, exact) {
        return true;
    }
    let children: Vec<&Value> = match ctx {
        Value::Object(m) => m.values().collect(),
        Value::Array(a) => a.iter().collect(),
        _ => Vec::new(),
    };
    children.into_iter().any(|v| match v {
        Value::Object(_) => find_item(chunk, v, exact, depth + 1),
        Value::Array(items) => {
            match_item(chunk, v, exact)
                || items
                    .iter()
                    .any(|i| i.is_object() && find_item(chunk, i, exact, depth + 1))
        }
        _ => match_item(chunk, v, exact),
    })
}

/// Wazuh's `hash_auth_context` claim: BLAKE2b (16 bytes) of the context as Python's `json.dumps`
/// prints it.
pub fn context_hash(ctx: &Value) -> String {
    let text = python_json(ctx);
    let mut out = [0u8; 16];
    if let Ok(mut h) = Blake2bVar::new(16) {
        h.update(text.as_bytes());
        let _ = h.finalize_variable(&mut out);
    }
    out.iter().map(|b| format!("{b:02x}")).collect()
}

/// JSON as Python's `json.dumps` writes it (`", "` and `": "`, non-ASCII escaped).
fn python_json(v: &Value) -> String {
    match v {
        Value::Array(a) => format!("[{}]", a.iter().map(python_json).collect::<Vec<_>>().join(", ")),
        Value::Object(o) => {
            let items: Vec<String> = o
                .iter()
                .map(|(k, v)| format!("{}: {}", python_str(k), python_json(v)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        Value::String(s) => python_str(s),
        other => other.to_string(),
    }
}

fn python_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn match_is_top_level_and_allows_extra_context() {
        let rule = json!({"MATCH": {"team": "blue"}});
        assert!(check_rule(&rule, &json!({"team": "blue"})));
        assert!(check_rule(&rule, &json!({"team": ["blue", "x"]})));
        assert!(!check_rule(&rule, &json!({"other": {"team": "blue"}})));
        assert!(!check_rule(&rule, &json!({"team": "red"})));
        assert!(check_rule(
            &json!({"FIND": {"team": "blue"}}),
            &json!({"other": {"team": "blue"}})
        ));
        assert!(check_rule(
            &json!({"FIND": {"username": "elastic"}}),
            &json!({"username": "elastic"})
        ));
    }

    #[test]
    fn exact_match_needs_the_same_list() {
        assert!(check_rule(
            &json!({"MATCH$": {"g": ["a", "b"]}}),
            &json!({"g": ["b", "a"]})
        ));
        assert!(!check_rule(&json!({"MATCH$": {"g": ["a"]}}), &json!({"g": ["a", "b"]})));
        assert!(check_rule(&json!({"MATCH": {"g": ["a"]}}), &json!({"g": ["a", "b"]})));
    }

    #[test]
    fn logic_operators_and_regexes() {
        let ctx = json!({"user": "bob", "team": "blue"});
        assert!(check_rule(
            &json!({"AND": [{"MATCH": {"user": "bob"}}, {"MATCH": {"team": "blue"}}]}),
            &ctx
        ));
        assert!(!check_rule(
            &json!({"AND": [{"MATCH": {"user": "bob"}}, {"MATCH": {"team": "red"}}]}),
            &ctx
        ));
        assert!(check_rule(
            &json!({"OR": [{"MATCH": {"user": "x"}}, {"MATCH": {"team": "blue"}}]}),
            &ctx
        ));
        assert!(check_rule(&json!({"NOT": {"MATCH": {"user": "x"}}}), &ctx));
        assert!(check_rule(&json!({"MATCH": {"user": "r'^b.b$'"}}), &ctx));
        assert!(
            !check_rule(&json!({"FOO": {"user": "bob"}}), &ctx),
            "unknown operators never match"
        );
    }

    #[test]
    fn context_hash_is_wazuhs() {
        // Values observed on Wazuh 4.14.7.
        assert_eq!(context_hash(&json!({})), "2afb9b83f9314e5d029766197f539792");
        assert_eq!(
            context_hash(&json!({"team": "blue"})),
            "e584048a8877b3c9af2d88f64e9c7ad1"
        );
        assert_eq!(
            context_hash(&json!({"username": "elastic"})),
            "7e3bd7c5ea0e07beb34e9dbef70eae6d"
        );
    }
}
