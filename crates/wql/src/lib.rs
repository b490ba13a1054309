//! List queries compatible with the Wazuh 4.14 manager API: the `q`, `sort`, `search`, `select`, `offset`,
//! `limit` and `distinct` parameters, run either over in-memory JSON records ([`memory`]) or compiled to SQL
//! for SQLite or PostgreSQL ([`sql`]). Both executors implement one set of semantics (see `SEMANTICS.md`)
//! and are checked against each other by a property test.
//!
//! # Flow
//!
//! 1. Parse the request strings: [`parse_q`], [`parse_sort`], [`parse_search`], [`parse_select`].
//! 2. Put them in a [`ListQuery`] and, optionally, [`ListQuery::validate`] it against the list's [`Schema`]
//!    (both executors validate anyway).
//! 3. Run it: [`memory::execute`] or [`sql::compile`].
//!
//! # WQL grammar (`q`)
//!
//! ```text
//! query      ::= ""                                  (no filter)
//!              | or_expr
//! or_expr    ::= and_expr ( "," and_expr )*          ("," is OR)
//! and_expr   ::= term ( ";" term )*                  (";" is AND and binds tighter than ",")
//! term       ::= " "* ( "(" or_expr ")" | condition )
//! condition  ::= field operator value
//! field      ::= fchar+                              (must name a schema field, e.g. os.name)
//! fchar      ::= letter | digit | "_" | "."
//! operator   ::= "=" | "!=" | "<" | ">" | "~"
//! value      ::= ( vchar | bracket | group )+         (taken verbatim, no escapes, no trimming)
//! vchar      ::= letter | digit | " " | "_" | "-" | "." | ":" | "?" | "\" | "/" | "'" | "\""
//!              | "=" | "@" | "%" | "<" | ">" | "{" | "}" | "$" | "[" | "]"
//! bracket    ::= "[" ( vchar | "," )* "]"            (the only place a value may contain ",")
//! group      ::= "(" ( vchar* | bracket ) ")"        (parentheses inside a value, e.g. f(x))
//! ```
//!
//! At most [`query::MAX_DEPTH`] parentheses may nest. `,` `;` `(` `)` can never be escaped (Wazuh has no
//! escape syntax), so a value cannot contain them except as above.
//!
//! # Meaning, in short
//!
//! * `=` `!=` `<` `>` on text compare ASCII-case-insensitively; `~` is "contains" through SQL `LIKE`, so `%`
//!   and `_` in the value are wildcards. A `'` or `"` in a value is a one-character wildcard (Wazuh's quirk).
//! * The value `null` tests for a missing value (`!=null`: present). The value `all` removes the condition.
//! * Integer fields compare numerically; date fields compare instants and accept timeframes (`lastKeepAlive<7d`
//!   is "within the last 7 days").
//! * A missing value fails every condition except `=null`.
//! * Sorting: text in byte order, numbers numerically, dates by instant; missing values first ascending and
//!   last descending; ties broken by the schema's default sort.
//! * `search` is a case-insensitive substring over the searchable fields; a leading `-` negates it.
//! * `distinct` returns the unique combinations of the selected fields (rows with a missing or empty selected
//!   value are left out), in the order of their first row, and counts those combinations.

pub mod error;
pub mod memory;
pub mod query;
pub mod schema;
pub mod sql;

mod plan;
mod value;

pub use error::Error;
pub use memory::Page;
pub use query::{parse_q, Expr, Op};
pub use schema::{Field, FieldKind, Schema, SchemaBuilder, WAZUH_MAX_LIMIT};
pub use value::timeframe_seconds;

/// One sort key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SortKey {
    /// Exposed field name.
    pub field: String,
    /// Descending order (missing values then come last).
    pub descending: bool,
}

/// The free-text `search` parameter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Search {
    /// Text to look for (case-insensitive substring; `%` and `_` are wildcards, as in Wazuh).
    pub text: String,
    /// Keep the records that do *not* contain the text.
    pub negate: bool,
}

/// A complete list request. `ListQuery::default()` lists everything in the default order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListQuery {
    /// Items to skip (after filtering, sorting and distinct).
    pub offset: u64,
    /// Items to return at most; `None` = all. Wazuh's API defaults to 500, which is the server's business.
    pub limit: Option<u64>,
    /// Sort keys; empty = the schema's default sort.
    pub sort: Vec<SortKey>,
    /// Free-text search.
    pub search: Option<Search>,
    /// Fields to return (exact names or dot-path prefixes such as `os`); `None` = all fields.
    pub select: Option<Vec<String>>,
    /// Filter expression.
    pub q: Option<Expr>,
    /// Return unique combinations of the selected fields.
    pub distinct: bool,
    /// Unix seconds that timeframes in `q` count back from (`lastKeepAlive<1d`); `None` = the system clock at
    /// execution. Set it to make results reproducible, e.g. to run both executors on the same instant.
    pub now: Option<i64>,
}

impl ListQuery {
    /// Checks every part of the query against `schema`, in Wazuh's order: select, q, sort, limit.
    /// The executors call this themselves; call it directly to fail early.
    pub fn validate(&self, schema: &Schema) -> Result<(), Error> {
        plan::plan(self, schema).map(|_| ())
    }
}

/// Parses the `sort` parameter: comma-separated field names, optionally prefixed with `+` (ascending) or
/// `-` (descending).
///
/// As in Wazuh, a sign at the very start applies to *every* field (`-name,id` sorts both descending). As an
/// extension that no valid Wazuh request can observe, a later field may carry its own sign (`+name,-id`).
/// Blanks around names are ignored.
pub fn parse_sort(s: &str) -> Result<Vec<SortKey>, Error> {
    let chars: Vec<char> = s.chars().collect();
    let err = |position: usize, expected: &str| Error::InvalidSort {
        position,
        found: chars
            .get(position)
            .map_or_else(|| "end of sort".to_string(), |c| format!("character '{c}'")),
        expected: expected.to_string(),
    };
    let mut pos = 0;
    let global_desc = match chars.first() {
        Some('-') => {
            pos = 1;
            true
        }
        Some('+') => {
            pos = 1;
            false
        }
        _ => false,
    };
    let mut keys = Vec::new();
    loop {
        while chars.get(pos).is_some_and(|c| c.is_whitespace()) {
            pos += 1;
        }
        let mut descending = global_desc;
        // The first field's sign was the global one; a second sign there would be `--name`.
        if !keys.is_empty() {
            match chars.get(pos) {
                Some('-') => {
                    descending = true;
                    pos += 1;
                }
                Some('+') => {
                    descending = false;
                    pos += 1;
                }
                _ => {}
            }
        }
        let start = pos;
        while chars.get(pos).is_some_and(|&c| schema::is_word_char(c) || c == '.') {
            pos += 1;
        }
        if pos == start {
            return Err(err(pos, "a field name"));
        }
        keys.push(SortKey {
            field: chars[start..pos].iter().collect(),
            descending,
        });
        while chars.get(pos).is_some_and(|c| c.is_whitespace()) {
            pos += 1;
        }
        match chars.get(pos) {
            None => return Ok(keys),
            Some(',') => pos += 1,
            Some(_) => return Err(err(pos, "',' or end of sort")),
        }
    }
}

/// Parses the `search` parameter: a leading `-` asks for the complement; the rest is the text, verbatim.
pub fn parse_search(s: &str) -> Search {
    match s.strip_prefix('-') {
        Some(rest) => Search {
            text: rest.to_string(),
            negate: true,
        },
        None => Search {
            text: s.to_string(),
            negate: false,
        },
    }
}

/// Parses the `select` parameter: comma-separated field names (or dot-path prefixes). Blanks around names
/// are trimmed, empty entries and repeats dropped. An all-empty input gives an empty list, which
/// [`ListQuery::validate`] rejects (Wazuh code 1724).
pub fn parse_select(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if !out.iter().any(|o| o == part) {
            out.push(part.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn key(f: &str, d: bool) -> SortKey {
        SortKey {
            field: f.into(),
            descending: d,
        }
    }

    #[test]
    fn sort_parsing() {
        let cases: Vec<(&str, Vec<SortKey>)> = vec![
            ("name", vec![key("name", false)]),
            ("+name", vec![key("name", false)]),
            ("-os.name", vec![key("os.name", true)]),
            ("-name,id", vec![key("name", true), key("id", true)]),
            ("+name,-id", vec![key("name", false), key("id", true)]),
            ("-name,+id", vec![key("name", true), key("id", false)]),
            ("name, id ", vec![key("name", false), key("id", false)]),
        ];
        for (s, want) in cases {
            assert_eq!(parse_sort(s).unwrap(), want, "sort = {s:?}");
        }
        let bad: Vec<(&str, &str)> = vec![
            (
                "",
                "invalid sort at position 0: unexpected end of sort, expected a field name",
            ),
            (
                "-",
                "invalid sort at position 1: unexpected end of sort, expected a field name",
            ),
            (
                "--name",
                "invalid sort at position 1: unexpected character '-', expected a field name",
            ),
            (
                "name,",
                "invalid sort at position 5: unexpected end of sort, expected a field name",
            ),
            (
                "name,,id",
                "invalid sort at position 5: unexpected character ',', expected a field name",
            ),
            (
                "name id",
                "invalid sort at position 5: unexpected character 'i', expected ',' or end of sort",
            ),
            (
                "na;me",
                "invalid sort at position 2: unexpected character ';', expected ',' or end of sort",
            ),
        ];
        for (s, want) in bad {
            assert_eq!(parse_sort(s).unwrap_err().to_string(), want, "sort = {s:?}");
        }
    }

    #[test]
    fn search_parsing() {
        assert_eq!(
            parse_search("web"),
            Search {
                text: "web".into(),
                negate: false
            }
        );
        assert_eq!(
            parse_search("-web"),
            Search {
                text: "web".into(),
                negate: true
            }
        );
        assert_eq!(
            parse_search("--web"),
            Search {
                text: "-web".into(),
                negate: true
            }
        );
        assert_eq!(
            parse_search("a-b"),
            Search {
                text: "a-b".into(),
                negate: false
            }
        );
        assert_eq!(
            parse_search(""),
            Search {
                text: "".into(),
                negate: false
            }
        );
    }

    #[test]
    fn select_parsing() {
        assert_eq!(parse_select("id,os.name"), ["id", "os.name"]);
        assert_eq!(parse_select(" id , name,id,,"), ["id", "name"]);
        assert!(parse_select(",").is_empty());
    }
}
