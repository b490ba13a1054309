//! The one error type of the crate.
//!
//! Variants carry no HTTP status or Wazuh code on purpose: the server owns that mapping. Each variant's doc
//! comment names the Wazuh 4.14 error code (`framework/wazuh/core/exception.py`) the server should answer with.

use std::fmt;

/// Everything that can go wrong while parsing or checking a list query.
///
/// Messages say where the input went wrong and what was expected, because they are shown to API users verbatim.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// `q` is not well formed (bad character, missing value, unbalanced parentheses, ...).
    ///
    /// Wazuh code **1407** ("Query does not match expected format").
    #[error("unexpected {found} at position {position}: expected {expected}")]
    Syntax {
        /// 0-based character offset into the `q` string.
        position: usize,
        /// What was found there, e.g. `end of query` or `character '+'`.
        found: String,
        /// What would have been accepted there.
        expected: String,
    },

    /// An operator made of operator characters that WQL does not know, e.g. `<=`, `==`, `=~`.
    ///
    /// Wazuh code **1409** ("Invalid query operator").
    #[error("invalid operator '{operator}' at position {position}: expected one of =, !=, <, >, ~")]
    InvalidOperator {
        /// 0-based character offset of the operator.
        position: usize,
        /// The operator as written.
        operator: String,
    },

    /// A `q` expression nests deeper than the engine evaluates (guards the stack against hostile input).
    ///
    /// Wazuh code **1407**.
    #[error("query nests parentheses deeper than {max} levels")]
    TooDeep {
        /// The nesting limit.
        max: usize,
    },

    /// A `q` condition names a field the list does not have.
    ///
    /// Wazuh code **1408** ("Field does not exist").
    #[error("unknown field '{field}' in q condition '{condition}': expected one of {}", join(.allowed))]
    UnknownField {
        /// The field as written.
        field: String,
        /// The condition it appeared in, re-rendered as WQL.
        condition: String,
        /// Fields that may be used in `q`.
        allowed: Vec<String>,
    },

    /// A value that cannot be compared with the field's type, e.g. `id<abc` on an integer field.
    ///
    /// Wazuh code **1407** (Wazuh itself has no dedicated code; the value makes the query ill-formed).
    #[error("invalid value '{value}' for {kind} field '{field}' in q condition '{condition}': expected {expected}")]
    InvalidValue {
        /// The field.
        field: String,
        /// The field's kind in words (`integer`, ...).
        kind: &'static str,
        /// The offending value.
        value: String,
        /// The condition it appeared in.
        condition: String,
        /// What would be accepted.
        expected: &'static str,
    },

    /// A value on a date field that is neither a date nor a timeframe.
    ///
    /// Wazuh code **1412** ("Date filter not valid ...").
    #[error(
        "invalid date '{value}' for field '{field}' in q condition '{condition}': expected YYYY-MM-DD, \
         YYYY-MM-DD HH:MM:SS, YYYY-MM-DDTHH:MM:SSZ (optionally with .fraction or a +HH:MM offset), \
         or a timeframe such as 3600, 30s, 15m, 12h or 7d"
    )]
    InvalidDate {
        /// The date field.
        field: String,
        /// The offending value.
        value: String,
        /// The condition it appeared in.
        condition: String,
    },

    /// A value on a date field that starts like a timeframe (`7d...`) but is not one.
    ///
    /// Wazuh code **1411** ("TimeFrame is not valid").
    #[error(
        "invalid timeframe '{value}' for field '{field}' in q condition '{condition}': expected plain seconds \
         (3600) or numbers each followed by d, h, m or s (7d, 1h30m)"
    )]
    InvalidTimeframe {
        /// The date field.
        field: String,
        /// The offending value.
        value: String,
        /// The condition it appeared in.
        condition: String,
    },

    /// The `sort` parameter is not well formed (empty, empty field name, bad character).
    ///
    /// Wazuh code **1403** ("Not a valid sort field").
    #[error("invalid sort at position {position}: unexpected {found}, expected {expected}")]
    InvalidSort {
        /// 0-based character offset into the `sort` string.
        position: usize,
        /// What was found there.
        found: String,
        /// What would have been accepted.
        expected: String,
    },

    /// `sort` names fields the list does not have.
    ///
    /// Wazuh code **1403** ("Not a valid sort field").
    #[error("unknown sort field(s) {}: expected one of {}", quoted(.fields), join(.allowed))]
    UnknownSortField {
        /// The unknown fields, in the order given.
        fields: Vec<String>,
        /// Fields that may be sorted by.
        allowed: Vec<String>,
    },

    /// `select` names fields the list does not have.
    ///
    /// Wazuh code **1724** ("Not a valid select field").
    #[error("unknown select field(s) {}: expected one of {} (or a prefix of them, e.g. 'os' for 'os.name')",
        quoted(.fields), join(.allowed))]
    UnknownSelectField {
        /// The unknown fields, in the order given.
        fields: Vec<String>,
        /// Fields that may be selected.
        allowed: Vec<String>,
    },

    /// `select` was given but names no field at all.
    ///
    /// Wazuh code **1724** ("Not a valid select field").
    #[error("empty select: expected at least one field name")]
    EmptySelect,

    /// `limit=0`.
    ///
    /// Wazuh code **1406** ("0 is not a valid limit").
    #[error("limit 0 is not valid: expected a limit between 1 and {max}")]
    ZeroLimit {
        /// The largest accepted limit.
        max: u64,
    },

    /// `limit` above the schema's maximum (Wazuh: 100000).
    ///
    /// Wazuh code **1405** ("Specified limit exceeds maximum allowed").
    #[error("limit {limit} exceeds the maximum: expected a limit between 1 and {max}")]
    LimitTooLarge {
        /// The requested limit.
        limit: u64,
        /// The largest accepted limit.
        max: u64,
    },

    /// The [`Schema`](crate::Schema) itself is inconsistent (a programming error in the server, not user input).
    ///
    /// Wazuh code **1000** (internal error).
    #[error("invalid schema: {0}")]
    InvalidSchema(String),
}

fn join(items: &[String]) -> String {
    items.join(", ")
}

fn quoted(items: &[String]) -> String {
    struct Q<'a>(&'a [String]);
    impl fmt::Display for Q<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            for (i, s) in self.0.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "'{s}'")?;
            }
            Ok(())
        }
    }
    Q(items).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_place_and_the_expectation() {
        let e = Error::Syntax {
            position: 15,
            found: "end of query".into(),
            expected: "a field name or '(' after '('".into(),
        };
        assert_eq!(
            e.to_string(),
            "unexpected end of query at position 15: expected a field name or '(' after '('"
        );
        let e = Error::UnknownSortField {
            fields: vec!["x".into(), "y".into()],
            allowed: vec!["id".into()],
        };
        assert_eq!(e.to_string(), "unknown sort field(s) 'x', 'y': expected one of id");
    }
}
