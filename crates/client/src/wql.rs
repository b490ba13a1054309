//! WQL (`q=`) built from parts, checked so that it always parses: field names are dotted
//! words, values hold only the characters Wazuh's grammar allows (it has no escapes).

use crate::Error;

/// A WQL expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wql(String);

/// A field, ready for an operator.
#[derive(Debug, Clone)]
pub struct Field(String);

impl Wql {
    /// `field` compared with a value: `Wql::field("status")?.eq("active")?`.
    pub fn field(name: &str) -> Result<Field, Error> {
        let valid = !name.is_empty()
            && name
                .split('.')
                .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        if !valid {
            return Err(Error::Query(format!("'{name}' is not a field name (dotted words)")));
        }
        Ok(Field(name.to_owned()))
    }

    /// Both.
    pub fn and(self, other: Wql) -> Wql {
        Wql(format!("{};{}", self.0, other.0))
    }

    /// Either (grouped, so it combines safely with `and`). Wazuh's grammar has one level of
    /// parentheses, so an operand that is itself grouped is refused.
    pub fn or(self, other: Wql) -> Result<Wql, Error> {
        if self.0.contains('(') || other.0.contains('(') {
            return Err(Error::Query(
                "WQL has one level of parentheses: build (a,b,c) from plain conditions".into(),
            ));
        }
        Ok(Wql(format!("({},{})", self.0, other.0)))
    }

    /// The text for `q=`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Wql {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Field {
    fn op(self, op: &str, value: &str) -> Result<Wql, Error> {
        let allowed = |c: char| c.is_alphanumeric() || " _[]-.:?\\/'\"=@%<>{}$".contains(c);
        // A value starting like an operator would merge with the one before it (`x=<5`).
        let starts_like_operator = value.starts_with(['=', '<', '>', '!', '~']);
        if value.is_empty() || starts_like_operator || !value.chars().all(allowed) {
            return Err(Error::Query(format!(
                "'{value}' cannot be a WQL value: it must be non-empty and may not contain , ; ( ) ~ ! or other separators"
            )));
        }
        Ok(Wql(format!("{}{op}{value}", self.0)))
    }

    /// `field=value`.
    pub fn eq(self, value: &str) -> Result<Wql, Error> {
        self.op("=", value)
    }
    /// `field!=value`.
    pub fn ne(self, value: &str) -> Result<Wql, Error> {
        self.op("!=", value)
    }
    /// `field~value` (contains).
    pub fn like(self, value: &str) -> Result<Wql, Error> {
        self.op("~", value)
    }
    /// `field<value`.
    pub fn lt(self, value: &str) -> Result<Wql, Error> {
        self.op("<", value)
    }
    /// `field>value`.
    pub fn gt(self, value: &str) -> Result<Wql, Error> {
        self.op(">", value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_built_or_refused() {
        let q = Wql::field("status")
            .and_then(|f| f.eq("active"))
            .map(|a| a.and(Wql::field("os.platform").and_then(|f| f.like("ubuntu")).expect("like")));
        assert_eq!(q.expect("query").as_str(), "status=active;os.platform~ubuntu");
        assert!(Wql::field("bad field").is_err());
        assert!(
            Wql::field("name").and_then(|f| f.eq("a,b")).is_err(),
            "a comma would split the query"
        );
        assert!(Wql::field("name").and_then(|f| f.eq("x;y")).is_err());
        assert!(Wql::field("name").and_then(|f| f.eq("")).is_err());
        assert!(
            Wql::field("name").and_then(|f| f.eq("<5")).is_err(),
            "would read as x=<5"
        );
        assert!(Wql::field("os-name").is_err());
        let either = |v: &str| Wql::field("status").and_then(|f| f.eq(v)).expect("cond");
        let grouped = either("active").or(either("pending")).expect("or");
        assert_eq!(grouped.as_str(), "(status=active,status=pending)");
        assert!(grouped.or(either("x")).is_err(), "nested groups do not parse");
    }
}
