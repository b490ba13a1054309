//! The `q` language: AST, parser and printer.
//!
//! The parser accepts what Wazuh's `WazuhDBQuery.query_regex` accepts when the whole string is a well-formed
//! query, and rejects (with a position) strings that Wazuh would silently truncate or turn into broken SQL.

use std::fmt;

use crate::schema::is_word_char;
use crate::Error;

/// Deepest parenthesis nesting accepted; bounds recursion on hostile input.
pub const MAX_DEPTH: usize = 64;

/// A comparison operator of WQL. Wazuh knows exactly these five; `<=`, `>=`, `==` are rejected (code 1409).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `=`: equal (ASCII-case-insensitive on text).
    Eq,
    /// `!=`: not equal (never matches a missing value).
    Ne,
    /// `<`: smaller than (on dates: before; with a timeframe: within the last ...).
    Lt,
    /// `>`: greater than (on dates: after; with a timeframe: longer ago than ...).
    Gt,
    /// `~`: contains, as SQL `LIKE '%value%'` (so `%` and `_` in the value are wildcards, as in Wazuh).
    Like,
}

impl Op {
    /// The operator as written in WQL.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Gt => ">",
            Op::Like => "~",
        }
    }

    fn from_str(s: &str) -> Option<Op> {
        Some(match s {
            "=" => Op::Eq,
            "!=" => Op::Ne,
            "<" => Op::Lt,
            ">" => Op::Gt,
            "~" => Op::Like,
            _ => return None,
        })
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed `q` expression.
///
/// `And(vec![])` is "no filter" (what an empty `q` parses to). Conditions whose value is the literal `all`
/// are dropped before evaluation, as Wazuh does; a group left empty by that is dropped too.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Expr {
    /// `field op value`.
    Cond {
        /// Exposed field name (dot path).
        field: String,
        /// The operator.
        op: Op,
        /// The value exactly as written (WQL has no escapes; `null` and `all` are special, see the crate docs).
        value: String,
    },
    /// All children hold (`;`).
    And(Vec<Expr>),
    /// Any child holds (`,`).
    Or(Vec<Expr>),
}

impl Expr {
    /// Convenience constructor for a condition.
    pub fn cond(field: impl Into<String>, op: Op, value: impl Into<String>) -> Expr {
        Expr::Cond {
            field: field.into(),
            op,
            value: value.into(),
        }
    }

    /// The field names its conditions use, in order (repeats included).
    pub fn fields(&self) -> Vec<&str> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            match e {
                Expr::Cond { field, .. } => out.push(field.as_str()),
                Expr::And(v) | Expr::Or(v) => stack.extend(v.iter().rev()),
            }
        }
        out
    }

    /// Nesting depth (a condition is 1).
    pub fn depth(&self) -> usize {
        // Iterative so that checking a hostile, very deep tree cannot overflow the stack.
        let mut max = 0;
        let mut stack = vec![(self, 1usize)];
        while let Some((e, d)) = stack.pop() {
            max = max.max(d);
            if let Expr::And(v) | Expr::Or(v) = e {
                stack.extend(v.iter().map(|c| (c, d + 1)));
            }
        }
        max
    }
}

impl fmt::Display for Expr {
    /// Prints WQL that [`parse_q`] reads back to an equal tree, provided every value is itself valid WQL
    /// value text and no group is empty (an empty group prints as `()`, which does not parse).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Cond { field, op, value } => write!(f, "{field}{op}{value}"),
            Expr::And(v) if v.len() == 1 => v[0].fmt(f),
            Expr::Or(v) if v.len() == 1 => v[0].fmt(f),
            Expr::And(v) | Expr::Or(v) if v.is_empty() => Ok(()),
            Expr::And(v) => {
                for (i, c) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(";")?;
                    }
                    // Explicit groups stay explicit so the printed text parses back to the same tree.
                    match c {
                        Expr::Cond { .. } => c.fmt(f)?,
                        _ => write!(f, "({c})")?,
                    }
                }
                Ok(())
            }
            Expr::Or(v) => {
                for (i, c) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    match c {
                        Expr::Cond { .. } => c.fmt(f)?,
                        _ => write!(f, "({c})")?,
                    }
                }
                Ok(())
            }
        }
    }
}

/// Characters a value may contain outside of groups: Wazuh's value class `[\[\]\w _\-.:?\\/'"=@%<>{}$]`.
fn is_value_char(c: char) -> bool {
    is_word_char(c) || " []-.:?\\/'\"=@%<>{}$".contains(c)
}

fn is_op_char(c: char) -> bool {
    "=!<>~".contains(c)
}

const VALUE_CHARS_HELP: &str =
    "a value character (letter, digit, space or one of _ - . : ? \\ / ' \" = @ % < > { } $ [ ] ( )), ',', ';' or ')'";

/// Parses WQL text into an [`Expr`]. See the crate docs for the grammar.
///
/// The empty string parses to `Expr::And(vec![])` (no filter), like an absent `q` in Wazuh.
pub fn parse_q(q: &str) -> Result<Expr, Error> {
    if q.is_empty() {
        return Ok(Expr::And(Vec::new()));
    }
    let mut p = Parser {
        chars: q.chars().collect(),
        pos: 0,
        depth: 0,
    };
    let expr = p.or_expr("")?;
    match p.peek() {
        None => Ok(expr),
        Some(c) => Err(p.unexpected(
            c,
            if c == ')' {
                "',', ';' or end of query (no '(' is open)"
            } else {
                "',', ';' or end of query"
            },
        )),
    }
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn at(&self, i: usize) -> Option<char> {
        self.chars.get(i).copied()
    }

    fn found(&self) -> String {
        match self.peek() {
            None => "end of query".to_string(),
            Some(c) => format!("character '{c}'"),
        }
    }

    fn error(&self, expected: impl Into<String>) -> Error {
        Error::Syntax {
            position: self.pos,
            found: self.found(),
            expected: expected.into(),
        }
    }

    fn unexpected(&self, c: char, expected: &str) -> Error {
        Error::Syntax {
            position: self.pos,
            found: format!("character '{c}'"),
            expected: expected.into(),
        }
    }

    /// `or_expr ::= and_expr ("," and_expr)*`. `after` names the token before it, for messages.
    fn or_expr(&mut self, after: &str) -> Result<Expr, Error> {
        let mut items = vec![self.and_expr(after)?];
        while self.peek() == Some(',') {
            self.pos += 1;
            items.push(self.and_expr(" after ','")?);
        }
        Ok(if items.len() == 1 {
            items.swap_remove(0)
        } else {
            Expr::Or(items)
        })
    }

    /// `and_expr ::= term (";" term)*` — `;` binds tighter than `,`, as the SQL Wazuh emits (AND before OR).
    fn and_expr(&mut self, after: &str) -> Result<Expr, Error> {
        let mut items = vec![self.term(after)?];
        while self.peek() == Some(';') {
            self.pos += 1;
            items.push(self.term(" after ';'")?);
        }
        Ok(if items.len() == 1 {
            items.swap_remove(0)
        } else {
            Expr::And(items)
        })
    }

    /// `term ::= ws* ( "(" or_expr ")" | condition )`.
    fn term(&mut self, after: &str) -> Result<Expr, Error> {
        // Wazuh tolerates blanks before a field (its findall skips them), e.g. `a=1; b=2`.
        while self.peek() == Some(' ') {
            self.pos += 1;
        }
        if self.peek() == Some('(') {
            let open = self.pos;
            if self.depth >= MAX_DEPTH {
                return Err(Error::Syntax {
                    position: open,
                    found: "character '('".into(),
                    expected: format!("at most {MAX_DEPTH} nested parentheses"),
                });
            }
            self.pos += 1;
            self.depth += 1;
            let inner = self.or_expr(" after '('")?;
            self.depth -= 1;
            if self.peek() != Some(')') {
                let expected = format!("')' to close the '(' at position {open}");
                return Err(match self.peek() {
                    None => self.error(expected),
                    Some(_) => self.error(format!("',', ';' or {expected}")),
                });
            }
            self.pos += 1;
            return Ok(inner);
        }
        self.condition(after)
    }

    /// `condition ::= field op value`.
    fn condition(&mut self, after: &str) -> Result<Expr, Error> {
        let start = self.pos;
        while self.peek().is_some_and(|c| is_word_char(c) || c == '.') {
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.error(format!("a field name or '('{after}")));
        }
        let field: String = self.chars[start..self.pos].iter().collect();

        // Like Wazuh's `[=!<>~]{1,2}`: take up to two operator characters, then insist they form an operator,
        // so `a<=1` reports the operator `<=` (1409) instead of a value starting with `=`.
        let op_start = self.pos;
        while self.pos - op_start < 2 && self.peek().is_some_and(is_op_char) {
            self.pos += 1;
        }
        if self.pos == op_start {
            return Err(self.error(format!("an operator (=, !=, <, >, ~) after field '{field}'")));
        }
        let op_text: String = self.chars[op_start..self.pos].iter().collect();
        let op = match Op::from_str(&op_text) {
            Some(op) => op,
            None => {
                return Err(Error::InvalidOperator {
                    position: op_start,
                    operator: op_text,
                })
            }
        };

        let value = self.value()?;
        if value.is_empty() {
            return Err(self.error(format!("a value after '{field}{op}'")));
        }
        Ok(Expr::Cond { field, op, value })
    }

    /// `value ::= (vchar | "[" bchar* "]" | "(" (vchar* | "[" bchar* "]") ")")+`; stops at `,` `;` `)` or end.
    fn value(&mut self) -> Result<String, Error> {
        let start = self.pos;
        while let Some(c) = self.peek() {
            match c {
                ',' | ';' | ')' => break,
                '[' => self.pos = self.bracket_end(self.pos).unwrap_or(self.pos + 1),
                '(' => {
                    // A group inside a value holds one bracket group or plain value characters, then ')'.
                    let open = self.pos;
                    let mut i = open + 1;
                    match self.bracket_end(i).filter(|&j| self.at(j) == Some(')')) {
                        Some(j) => i = j,
                        None => {
                            while self.at(i).is_some_and(is_value_char) {
                                i += 1;
                            }
                        }
                    }
                    if self.at(i) != Some(')') {
                        self.pos = i;
                        return Err(match self.peek() {
                            None => self.error(format!("')' to close the '(' at position {open} in the value")),
                            Some(c) => self.unexpected(
                                c,
                                &format!("a value character or ')' to close the '(' at position {open} in the value"),
                            ),
                        });
                    }
                    self.pos = i + 1;
                }
                c if is_value_char(c) => self.pos += 1,
                c => return Err(self.unexpected(c, VALUE_CHARS_HELP)),
            }
        }
        Ok(self.chars[start..self.pos].iter().collect())
    }

    /// If a bracket group `[...]` (which may hold commas) starts at `open`, the index just past its `]`.
    /// The first `]` closes it (Wazuh's regex is greedy here and can swallow later conditions; see SEMANTICS.md).
    fn bracket_end(&self, open: usize) -> Option<usize> {
        if self.at(open) != Some('[') {
            return None;
        }
        let mut i = open + 1;
        while let Some(c) = self.at(i) {
            if c == ']' {
                return Some(i + 1);
            }
            if !(is_value_char(c) || c == ',') {
                return None;
            }
            i += 1;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn c(f: &str, op: Op, v: &str) -> Expr {
        Expr::cond(f, op, v)
    }

    #[test]
    fn valid_queries() {
        let cases: Vec<(&str, Expr)> = vec![
            ("status=active", c("status", Op::Eq, "active")),
            ("os.name!=ubuntu", c("os.name", Op::Ne, "ubuntu")),
            ("id<10", c("id", Op::Lt, "10")),
            ("id>10", c("id", Op::Gt, "10")),
            ("name~web", c("name", Op::Like, "web")),
            ("a=1;b=2", Expr::And(vec![c("a", Op::Eq, "1"), c("b", Op::Eq, "2")])),
            ("a=1,b=2", Expr::Or(vec![c("a", Op::Eq, "1"), c("b", Op::Eq, "2")])),
            // `;` binds tighter than `,`.
            (
                "a=1,b=2;c=3",
                Expr::Or(vec![
                    c("a", Op::Eq, "1"),
                    Expr::And(vec![c("b", Op::Eq, "2"), c("c", Op::Eq, "3")]),
                ]),
            ),
            (
                "(a=1,b=2);c=3",
                Expr::And(vec![
                    Expr::Or(vec![c("a", Op::Eq, "1"), c("b", Op::Eq, "2")]),
                    c("c", Op::Eq, "3"),
                ]),
            ),
            ("((a=1))", c("a", Op::Eq, "1")),
            ("name=web server 01", c("name", Op::Eq, "web server 01")),
            ("name= padded ", c("name", Op::Eq, " padded ")),
            ("a=1; b=2", Expr::And(vec![c("a", Op::Eq, "1"), c("b", Op::Eq, "2")])),
            ("a=b=c", c("a", Op::Eq, "b=c")),
            ("a=x<y>z", c("a", Op::Eq, "x<y>z")),
            ("path=C:\\Windows\\sys32", c("path", Op::Eq, "C:\\Windows\\sys32")),
            ("a=50%_x", c("a", Op::Eq, "50%_x")),
            ("a=\"quoted\"", c("a", Op::Eq, "\"quoted\"")),
            ("a=f(x)", c("a", Op::Eq, "f(x)")),
            ("(a=f(x))", c("a", Op::Eq, "f(x)")),
            (
                "a=f(x)g;b=1",
                Expr::And(vec![c("a", Op::Eq, "f(x)g"), c("b", Op::Eq, "1")]),
            ),
            (
                "a=[1,2],b=3",
                Expr::Or(vec![c("a", Op::Eq, "[1,2]"), c("b", Op::Eq, "3")]),
            ),
            ("a=[x", c("a", Op::Eq, "[x")),
            ("a=x]", c("a", Op::Eq, "x]")),
            ("a=f([1,2])", c("a", Op::Eq, "f([1,2])")),
            ("a=$HOME{x}@y?", c("a", Op::Eq, "$HOME{x}@y?")),
            ("nombre=año", c("nombre", Op::Eq, "año")),
            ("", Expr::And(vec![])),
        ];
        for (q, want) in cases {
            assert_eq!(parse_q(q), Ok(want), "q = {q:?}");
        }
    }

    #[test]
    fn invalid_queries() {
        let plus = format!("unexpected character '+' at position 3: expected {VALUE_CHARS_HELP}");
        let bang = format!("unexpected character '!' at position 3: expected {VALUE_CHARS_HELP}");
        let cases: Vec<(&str, &str)> = vec![
            (
                "status=active;(",
                "unexpected end of query at position 15: expected a field name or '(' after '('",
            ),
            (
                "status=active;",
                "unexpected end of query at position 14: expected a field name or '(' after ';'",
            ),
            (
                "a=1,",
                "unexpected end of query at position 4: expected a field name or '(' after ','",
            ),
            (
                "=1",
                "unexpected character '=' at position 0: expected a field name or '('",
            ),
            (
                " ",
                "unexpected end of query at position 1: expected a field name or '('",
            ),
            (
                "name",
                "unexpected end of query at position 4: expected an operator (=, !=, <, >, ~) after field 'name'",
            ),
            (
                "name = x",
                "unexpected character ' ' at position 4: expected an operator (=, !=, <, >, ~) after field 'name'",
            ),
            (
                "name=",
                "unexpected end of query at position 5: expected a value after 'name='",
            ),
            (
                "a=;b=1",
                "unexpected character ';' at position 2: expected a value after 'a='",
            ),
            (
                "(a=1",
                "unexpected end of query at position 4: expected ')' to close the '(' at position 0",
            ),
            (
                "(a=1)(b=2)",
                "unexpected character '(' at position 5: expected ',', ';' or end of query",
            ),
            (
                "a=1)",
                "unexpected character ')' at position 3: expected ',', ';' or end of query (no '(' is open)",
            ),
            (
                "((a=1)",
                "unexpected end of query at position 6: expected ')' to close the '(' at position 0",
            ),
            ("a=C++", &plus),
            ("a=x!", &bang),
            (
                "a=f(x",
                "unexpected end of query at position 5: expected ')' to close the '(' at position 3 in the value",
            ),
            (
                "a=f(x,y)",
                "unexpected character ',' at position 5: expected a value character or ')' to close the '(' at \
                 position 3 in the value",
            ),
            (
                "()",
                "unexpected character ')' at position 1: expected a field name or '(' after '('",
            ),
            (
                "a<=1",
                "invalid operator '<=' at position 1: expected one of =, !=, <, >, ~",
            ),
            (
                "a==1",
                "invalid operator '==' at position 1: expected one of =, !=, <, >, ~",
            ),
            (
                "a=~1",
                "invalid operator '=~' at position 1: expected one of =, !=, <, >, ~",
            ),
            (
                "a!1",
                "invalid operator '!' at position 1: expected one of =, !=, <, >, ~",
            ),
            (
                "x=1;a>=1",
                "invalid operator '>=' at position 5: expected one of =, !=, <, >, ~",
            ),
        ];
        for (q, want) in cases {
            match parse_q(q) {
                Err(e) => assert_eq!(e.to_string(), want, "q = {q:?}"),
                Ok(e) => panic!("q = {q:?} parsed as {e:?}"),
            }
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let ok = format!("{}a=1{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(parse_q(&ok).is_ok());
        let deep = format!("{}a=1{}", "(".repeat(100_000), ")".repeat(100_000));
        assert_eq!(
            parse_q(&deep),
            Err(Error::Syntax {
                position: MAX_DEPTH,
                found: "character '('".into(),
                expected: format!("at most {MAX_DEPTH} nested parentheses"),
            })
        );
    }

    #[test]
    fn display_round_trips() {
        for q in [
            "a=1",
            "a=1;b=2",
            "a=1,b=2;c=3",
            "(a=1,b=2);c=3",
            "a=1,(b=2,c=3)",
            "((a=1;b=2);c=3),d~x y",
        ] {
            let e = parse_q(q).unwrap();
            assert_eq!(parse_q(&e.to_string()).unwrap(), e, "q = {q:?} printed as {e}");
        }
        assert_eq!(parse_q("(a=1,b=2);c=3").unwrap().to_string(), "(a=1,b=2);c=3");
        // Single-member groups print as their member.
        assert_eq!(Expr::And(vec![Expr::Or(vec![c("a", Op::Eq, "1")])]).to_string(), "a=1");
    }

    #[test]
    fn depth_counts_levels() {
        assert_eq!(c("a", Op::Eq, "1").depth(), 1);
        assert_eq!(parse_q("(a=1,b=2);c=3").unwrap().depth(), 3);
    }
}
