//! Compiling a [`ListQuery`] to SQL for SQLite or PostgreSQL.
//!
//! Every user-supplied value becomes a bound parameter; only schema text (column expressions and the `from`
//! clause) is spliced into the statement.
//!
//! Requirements on the database side, so results equal [`crate::memory::execute`]:
//! * text fields are stored as text, integer fields as integers, date fields as text in one of the
//!   [`FieldKind::Date`] formats (SQLite would read a bare number as a Julian day);
//! * PostgreSQL sessions run with `TimeZone = 'UTC'` (zone-less date text is read in the session zone).
//!
//! Dialect differences handled here: placeholders (`?N` / `$N`, the latter with explicit casts so drivers
//! know the types), case-insensitive comparison (`COLLATE NOCASE` / `lower()`), `LIKE` without an escape
//! character (`LIKE` / `ILIKE ... ESCAPE ''`), byte-order text sorting (default / `COLLATE "C"`), date
//! arithmetic (`strftime('%s', ..)` / `EXTRACT(EPOCH ..)`), and an unbounded `LIMIT`. On PostgreSQL, `lower()`
//! and `ILIKE` also fold non-ASCII letters, which SQLite does not: results can differ only there.

use std::fmt::Write as _;

use serde_json::{Map, Number as JsonNumber, Value};

use crate::memory::insert_path;
use crate::plan::{self, CmpOp, Filter, Number, Plan, Pred, SearchPlan};
use crate::{Error, Field, FieldKind, ListQuery, Schema};

/// Target SQL dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// SQLite 3.25 or later (window functions).
    Sqlite,
    /// PostgreSQL 10 or later.
    Postgres,
}

/// A bound parameter value.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    /// Text.
    Text(String),
    /// 64-bit integer.
    Integer(i64),
    /// Double.
    Real(f64),
    /// SQL NULL (never produced as a parameter; accepted in result rows).
    Null,
}

/// A compiled list query.
///
/// Bind `params` (all of them) to `select_sql`, and [`SqlQuery::count_params`] (the first
/// `count_param_len` of them) to `count_sql`: the page's LIMIT/OFFSET parameters come last and are the only
/// ones `count_sql` lacks. Turn each result row into an output item with [`SqlQuery::item_from_row`].
#[derive(Debug, Clone, PartialEq)]
pub struct SqlQuery {
    /// `SELECT COUNT(*) ...`: the total before offset/limit (with distinct: the number of combinations).
    pub count_sql: String,
    /// The page: one column per entry of `columns`, filtered, ordered, limited.
    pub select_sql: String,
    /// Parameters of `select_sql`, in placeholder order (`?1`/`$1` is `params[0]`).
    pub params: Vec<SqlValue>,
    /// How many leading `params` `count_sql` uses.
    pub count_param_len: usize,
    /// Field names of the selected columns, in order (schema order).
    pub columns: Vec<String>,
    /// Per column: whether the database yields it as JSON text (a field with `output_json`).
    pub json_columns: Vec<bool>,
    /// The filter alone (` WHERE …`, or empty), binding [`SqlQuery::count_params`]: for statements
    /// of the caller's own over the same `from` (e.g. counting related rows).
    pub where_sql: String,
    /// Only for [`compile_per_group`]: the largest group's number of matching rows, and the page
    /// without per-group numbering (right when that number fits in `limit` and there is no
    /// offset, and much cheaper). Both bind [`SqlQuery::count_params`].
    pub per_group: Option<PerGroupShortcut>,
}

/// See [`SqlQuery::per_group`].
#[derive(Debug, Clone, PartialEq)]
pub struct PerGroupShortcut {
    /// `SELECT MAX(n) FROM (SELECT COUNT(*) … GROUP BY group)`.
    pub largest_group_sql: String,
    /// The page's rows in the same order and columns as `select_sql`, with no limit.
    pub all_rows_sql: String,
    /// The query's per-group `offset` and `limit`.
    pub offset: u64,
    pub limit: Option<u64>,
}

impl SqlQuery {
    /// The parameters of `count_sql`.
    pub fn count_params(&self) -> &[SqlValue] {
        self.params.get(..self.count_param_len).unwrap_or(&self.params)
    }

    /// Builds the output item of one `select_sql` row (values in `columns` order): NULLs are left out and
    /// dot paths nest, exactly as [`crate::memory::execute`] builds items. Extra values are ignored.
    pub fn item_from_row(&self, row: &[SqlValue]) -> Value {
        let mut item = Map::new();
        for ((name, v), is_json) in self.columns.iter().zip(row).zip(&self.json_columns) {
            let json = match v {
                SqlValue::Null => continue,
                SqlValue::Text(s) if *is_json => serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.clone())),
                SqlValue::Text(s) => Value::String(s.clone()),
                SqlValue::Integer(i) => Value::Number((*i).into()),
                SqlValue::Real(r) => match JsonNumber::from_f64(*r) {
                    Some(n) => Value::Number(n),
                    None => continue,
                },
            };
            insert_path(&mut item, name, json);
        }
        Value::Object(item)
    }

    /// A writer of items as compact JSON text: byte for byte what serializing
    /// [`SqlQuery::item_from_row`] gives, without building the values (a 100,000-agent page spends
    /// most of its time allocating and freeing them otherwise).
    pub fn item_writer(&self) -> ItemWriter<'_> {
        let mut layout: Vec<Node<'_>> = Vec::new();
        for (i, name) in self.columns.iter().enumerate() {
            insert_node(&mut layout, name, i);
        }
        ItemWriter { query: self, layout }
    }
}

/// Writes result rows as JSON items; see [`SqlQuery::item_writer`].
pub struct ItemWriter<'a> {
    query: &'a SqlQuery,
    /// The output tree: top-level names in first-appearance order, dot paths grouped under their
    /// head, as `insert_path` nests them.
    layout: Vec<Node<'a>>,
}

impl ItemWriter<'_> {
    /// Appends one row's item (values in `columns` order) to `out`.
    pub fn write(&self, row: &[SqlValue], out: &mut Vec<u8>) {
        out.push(b'{');
        let mut first = true;
        self.write_members(&self.layout, row, out, &mut first);
        out.push(b'}');
    }

    fn write_members(&self, nodes: &[Node<'_>], row: &[SqlValue], out: &mut Vec<u8>, first: &mut bool) {
        // A name takes its place when its first value is inserted: an object whose leading values
        // are NULL comes after names that follow it in the schema, exactly as `insert_path` orders.
        let mut present: Vec<(usize, &Node<'_>)> = nodes
            .iter()
            .filter_map(|n| first_present(n, row).map(|i| (i, n)))
            .collect();
        present.sort_by_key(|(i, _)| *i);
        for (_, node) in present {
            match node {
                Node::Leaf(key, i) => {
                    let Some(v) = row.get(*i) else { continue };
                    write_key(out, key, first);
                    // Writing JSON into a Vec cannot fail.
                    let _ = match v {
                        SqlValue::Text(s) if self.query.json_columns.get(*i).copied().unwrap_or(false) => {
                            if serde_json::from_str::<Value>(s).is_ok() {
                                out.extend_from_slice(s.as_bytes());
                                Ok(())
                            } else {
                                serde_json::to_writer(&mut *out, s)
                            }
                        }
                        SqlValue::Text(s) => serde_json::to_writer(&mut *out, s),
                        SqlValue::Integer(n) => serde_json::to_writer(&mut *out, n),
                        SqlValue::Real(r) => serde_json::to_writer(&mut *out, &JsonNumber::from_f64(*r)),
                        SqlValue::Null => Ok(()),
                    };
                }
                Node::Object(key, children) => {
                    write_key(out, key, first);
                    out.push(b'{');
                    let mut inner_first = true;
                    self.write_members(children, row, out, &mut inner_first);
                    out.push(b'}');
                }
            }
        }
    }
}

/// The first column under `node` that holds a value in `row`.
fn first_present(node: &Node<'_>, row: &[SqlValue]) -> Option<usize> {
    match node {
        Node::Leaf(_, i) => row.get(*i).filter(|v| present(v)).map(|_| *i),
        Node::Object(_, children) => children.iter().filter_map(|c| first_present(c, row)).min(),
    }
}

/// Whether `item_from_row` keeps a value (NULLs and non-finite reals are left out).
fn present(v: &SqlValue) -> bool {
    match v {
        SqlValue::Null => false,
        SqlValue::Real(r) => r.is_finite(),
        _ => true,
    }
}

/// A node of an item's output tree: a value column, or an object of nested names.
enum Node<'a> {
    Leaf(&'a str, usize),
    Object(&'a str, Vec<Node<'a>>),
}

fn insert_node<'a>(nodes: &mut Vec<Node<'a>>, path: &'a str, column: usize) {
    match path.split_once('.') {
        // Field names are unique in a schema, so a plain name is never seen twice.
        None => nodes.push(Node::Leaf(path, column)),
        Some((head, rest)) => {
            let pos = nodes
                .iter()
                .position(|n| matches!(n, Node::Leaf(k, _) | Node::Object(k, _) if *k == head));
            let idx = match pos {
                Some(p) => p,
                None => {
                    nodes.push(Node::Object(head, Vec::new()));
                    nodes.len() - 1
                }
            };
            if let Some(Node::Object(_, children)) = nodes.get_mut(idx) {
                insert_node(children, rest, column);
            }
        }
    }
}

fn write_key(out: &mut Vec<u8>, key: &str, first: &mut bool) {
    if !*first {
        out.push(b',');
    }
    *first = false;
    write_str(out, key);
    out.push(b':');
}

fn write_str(out: &mut Vec<u8>, s: &str) {
    // Writing JSON into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// Compiles `query` against `from` (a table name, join or parenthesised subquery with alias). Validates
/// the query first, so it fails exactly where [`crate::memory::execute`] would.
pub fn compile(query: &ListQuery, schema: &Schema, from: &str, dialect: Dialect) -> Result<SqlQuery, Error> {
    compile_as(query, schema, from, dialect, false)
}

/// Compiles `query` into the combinations of its output fields among the matching rows, NULLs
/// included, each with its number of rows as an extra last column, in the order each combination
/// first appears in the requested sort. Unlike `distinct`, rows with empty fields count too, and
/// `offset` and `limit` are not applied: this
/// serves counting statistics (`GET /agents/stats/distinct`), which page over the combinations.
pub fn compile_counts(query: &ListQuery, schema: &Schema, from: &str, dialect: Dialect) -> Result<SqlQuery, Error> {
    let query = ListQuery {
        // Planned as distinct, so the schema's always-present fields stay out of the combinations.
        distinct: true,
        offset: 0,
        limit: None,
        ..query.clone()
    };
    compile_as(&query, schema, from, dialect, true)
}

fn compile_as(
    query: &ListQuery,
    schema: &Schema,
    from: &str,
    dialect: Dialect,
    counts: bool,
) -> Result<SqlQuery, Error> {
    let plan = plan::plan(query, schema)?;
    let mut b = Builder {
        dialect,
        params: Vec::new(),
    };

    let mut conditions = Vec::new();
    if let Some(f) = &plan.filter {
        conditions.push(b.filter(f));
    }
    if let Some(s) = &plan.search {
        conditions.push(b.search(s));
    }
    if plan.distinct && !counts && !schema.distinct_keeps_empty() {
        for f in &plan.output {
            conditions.push(b.present(f));
        }
    }
    let where_sql = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    let count_param_len = b.params.len();

    let order = order_by(&b, &plan, schema);
    let columns: Vec<String> = plan.output.iter().map(|f| f.name.clone()).collect();
    let json_columns: Vec<bool> = plan.output.iter().map(|f| f.output_json.is_some()).collect();

    let (count_sql, mut select_sql) = if plan.distinct || counts {
        distinct_sql(&plan, from, &where_sql, &order, counts)
    } else {
        let cols = plan
            .output
            .iter()
            .map(|f| f.output_sql())
            .collect::<Vec<_>>()
            .join(", ");
        (
            format!("SELECT COUNT(*) FROM {from}{where_sql}"),
            format!("SELECT {cols} FROM {from}{where_sql} ORDER BY {order}"),
        )
    };
    b.limit_offset(&plan, &mut select_sql);
    Ok(SqlQuery {
        count_sql,
        select_sql,
        params: b.params,
        count_param_len,
        columns,
        json_columns,
        where_sql,
        per_group: None,
    })
}

/// The ORDER BY list of a plan: its sort keys, then the schema's tie-breaker.
fn order_by(b: &Builder, plan: &Plan<'_>, schema: &Schema) -> String {
    let mut keys: Vec<String> = plan.sort.iter().map(|(f, desc)| b.order_key(f, *desc)).collect();
    if let Some(tie) = schema.tie_breaker() {
        keys.push(tie.to_owned());
    }
    keys.join(", ")
}

/// Compiles `query` with `offset` and `limit` applied within each group of rows that share
/// `group` (trusted SQL, e.g. `agent_id`) instead of over the whole result: each agent's own
/// page, as Wazuh pages a multi-agent listing agent by agent. Rows come ordered by group, then by
/// the requested sort; the group's value is an extra last column of `select_sql` (`item_from_row`
/// ignores it). `count_sql` counts every matching row. `distinct` is not supported here: the
/// query is compiled as if it were false.
pub fn compile_per_group(
    query: &ListQuery,
    schema: &Schema,
    from: &str,
    dialect: Dialect,
    group: &str,
) -> Result<SqlQuery, Error> {
    let query = ListQuery {
        distinct: false,
        ..query.clone()
    };
    let plan = plan::plan(&query, schema)?;
    let mut b = Builder {
        dialect,
        params: Vec::new(),
    };
    let mut conditions = Vec::new();
    if let Some(f) = &plan.filter {
        conditions.push(b.filter(f));
    }
    if let Some(s) = &plan.search {
        conditions.push(b.search(s));
    }
    let where_sql = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    let count_param_len = b.params.len();
    let order = order_by(&b, &plan, schema);
    let inner: Vec<String> = plan
        .output
        .iter()
        .enumerate()
        .map(|(i, f)| format!("{} AS wql_c{i}", f.output_sql()))
        .collect();
    let aliases: Vec<String> = (0..plan.output.len()).map(|i| format!("wql_c{i}")).collect();
    let as_i64 = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    let first = b.bind(SqlValue::Integer(as_i64(plan.offset)));
    let window = match plan.limit {
        Some(limit) => {
            let last = b.bind(SqlValue::Integer(as_i64(plan.offset.saturating_add(limit))));
            format!("wql_rn > {first} AND wql_rn <= {last}")
        }
        None => format!("wql_rn > {first}"),
    };
    let select_sql = format!(
        "SELECT {}, wql_g FROM (SELECT {}, {group} AS wql_g, ROW_NUMBER() OVER (PARTITION BY {group} ORDER BY {order}) \
         AS wql_rn FROM {from}{where_sql}) AS wql_w WHERE {window} ORDER BY wql_g, wql_rn",
        aliases.join(", "),
        inner.join(", "),
    );
    let per_group = PerGroupShortcut {
        largest_group_sql: format!(
            "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM {from}{where_sql} GROUP BY {group}) AS wql_n"
        ),
        all_rows_sql: format!(
            "SELECT {}, {group} AS wql_g FROM {from}{where_sql} ORDER BY {group}, {order}",
            plan.output
                .iter()
                .map(|f| f.output_sql())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        offset: plan.offset,
        limit: plan.limit,
    };
    Ok(SqlQuery {
        count_sql: format!("SELECT COUNT(*) FROM {from}{where_sql}"),
        select_sql,
        params: b.params,
        count_param_len,
        columns: plan.output.iter().map(|f| f.name.clone()).collect(),
        json_columns: plan.output.iter().map(|f| f.output_json.is_some()).collect(),
        where_sql,
        per_group: Some(per_group),
    })
}

/// Distinct: unique combinations of the output columns, each placed where its first row falls in the
/// requested order. A window numbers the rows in that order and the groups sort by their smallest number,
/// which also keeps PostgreSQL's rule that DISTINCT's ORDER BY only uses selected columns.
fn distinct_sql(plan: &Plan<'_>, from: &str, where_sql: &str, order: &str, counts: bool) -> (String, String) {
    let inner_cols: Vec<String> = plan
        .output
        .iter()
        .enumerate()
        .map(|(i, f)| format!("{} AS wql_c{i}", f.output_sql()))
        .collect();
    let aliases: Vec<String> = (0..plan.output.len()).map(|i| format!("wql_c{i}")).collect();
    let aliases = aliases.join(", ");
    let inner = inner_cols.join(", ");
    let count = format!("SELECT COUNT(*) FROM (SELECT {inner} FROM {from}{where_sql} GROUP BY {aliases}) AS wql_n");
    let count_column = if counts { ", COUNT(*)" } else { "" };
    let select = format!(
        "SELECT {aliases}{count_column} FROM (SELECT {inner}, ROW_NUMBER() OVER (ORDER BY {order}) AS wql_rn \
         FROM {from}{where_sql}) AS wql_d GROUP BY {aliases} ORDER BY MIN(wql_rn)"
    );
    (count, select)
}

struct Builder {
    dialect: Dialect,
    params: Vec<SqlValue>,
}

impl Builder {
    /// Adds a parameter and returns its placeholder.
    fn bind(&mut self, v: SqlValue) -> String {
        let cast = match (&v, self.dialect) {
            (_, Dialect::Sqlite) => None,
            (SqlValue::Text(_), Dialect::Postgres) => Some("TEXT"),
            (SqlValue::Integer(_), Dialect::Postgres) => Some("BIGINT"),
            (SqlValue::Real(_), Dialect::Postgres) => Some("DOUBLE PRECISION"),
            (SqlValue::Null, Dialect::Postgres) => None,
        };
        self.params.push(v);
        let n = self.params.len();
        match (self.dialect, cast) {
            (Dialect::Sqlite, _) => format!("?{n}"),
            (Dialect::Postgres, Some(t)) => format!("CAST(${n} AS {t})"),
            (Dialect::Postgres, None) => format!("${n}"),
        }
    }

    fn filter(&mut self, f: &Filter<'_>) -> String {
        match f {
            Filter::And(v) => self.group(v, " AND "),
            Filter::Or(v) => self.group(v, " OR "),
            Filter::Pred(p) => self.pred(p),
        }
    }

    fn group(&mut self, items: &[Filter<'_>], sep: &str) -> String {
        let parts: Vec<String> = items.iter().map(|f| self.filter(f)).collect();
        format!("({})", parts.join(sep))
    }

    fn pred(&mut self, p: &Pred<'_>) -> String {
        match p {
            Pred::IsNull(f) => format!("({} IS NULL)", f.column),
            Pred::NotNull(f) => format!("({} IS NOT NULL)", f.column),
            Pred::Never => "(1 = 0)".to_string(),
            Pred::Text { field, op, value } if field.members.is_some() => {
                let ph = self.bind(SqlValue::Text(value.clone()));
                let (exists, op) = match op {
                    CmpOp::Ne => ("NOT EXISTS", CmpOp::Eq),
                    other => ("EXISTS", *other),
                };
                let cmp = self.member_cmp(field, sql_op(op), &ph);
                format!("({exists} {cmp})")
            }
            Pred::Like { field, pattern, negate } if field.members.is_some() => {
                let ph = self.bind(SqlValue::Text(pattern.clone()));
                let cmp = self.member_cmp(field, "LIKE", &ph);
                format!("({}EXISTS {cmp})", if *negate { "NOT " } else { "" })
            }
            Pred::Text { field, op, value } => {
                let ph = self.bind(SqlValue::Text(value.clone()));
                let op = sql_op(*op);
                match self.dialect {
                    Dialect::Sqlite => format!("({} {op} {ph} COLLATE NOCASE)", field.column),
                    // lower() on both sides, compared in byte order like NOCASE.
                    Dialect::Postgres => format!("(lower({}) {op} lower({ph}) COLLATE \"C\")", field.column),
                }
            }
            Pred::Num { field, op, value } => {
                let ph = self.bind(match value {
                    Number::Int(i) => SqlValue::Integer(*i),
                    Number::Real(r) => SqlValue::Real(*r),
                });
                format!("({} {} {ph})", field.column, sql_op(*op))
            }
            Pred::Instant { field, op, value, .. } => {
                let ph = self.bind(SqlValue::Integer(*value));
                format!("({} {} {ph})", self.epoch(field), sql_op(*op))
            }
            Pred::Like { field, pattern, negate } => {
                let ph = self.bind(SqlValue::Text(pattern.clone()));
                let like = self.like(field, &ph);
                if *negate {
                    format!("(NOT {like})")
                } else {
                    format!("({like})")
                }
            }
        }
    }

    /// `(SELECT 1 FROM <members> AND value <op> ph)` for a list-valued field.
    fn member_cmp(&self, field: &Field, op: &str, ph: &str) -> String {
        let (from_where, col) = field
            .members
            .as_ref()
            .map_or(("", ""), |(f, c)| (f.as_str(), c.as_str()));
        match (self.dialect, op) {
            (Dialect::Sqlite, "LIKE") => format!("(SELECT 1 FROM {from_where} AND {col} LIKE {ph})"),
            (Dialect::Sqlite, _) => format!("(SELECT 1 FROM {from_where} AND {col} {op} {ph} COLLATE NOCASE)"),
            (Dialect::Postgres, "LIKE") => format!("(SELECT 1 FROM {from_where} AND {col} ILIKE {ph} ESCAPE '')"),
            (Dialect::Postgres, _) => {
                format!("(SELECT 1 FROM {from_where} AND lower({col}) {op} lower({ph}) COLLATE \"C\")")
            }
        }
    }

    /// `field LIKE ph`, case-insensitive for ASCII and with no escape character in both dialects.
    fn like(&self, field: &Field, ph: &str) -> String {
        match self.dialect {
            Dialect::Sqlite => format!("{} LIKE {ph}", field.column),
            Dialect::Postgres => format!("{} ILIKE {ph} ESCAPE ''", self.as_text(field)),
        }
    }

    fn as_text(&self, field: &Field) -> String {
        match (self.dialect, field.kind) {
            (Dialect::Postgres, FieldKind::Integer | FieldKind::Date) => format!("CAST({} AS TEXT)", field.column),
            _ => field.column.clone(),
        }
    }

    /// Whole Unix seconds of a date column; NULL when absent or unparsable.
    fn epoch(&self, field: &Field) -> String {
        match self.dialect {
            Dialect::Sqlite => format!("CAST(strftime('%s', {}) AS INTEGER)", field.column),
            Dialect::Postgres => {
                format!(
                    "CAST(FLOOR(EXTRACT(EPOCH FROM CAST({} AS TIMESTAMPTZ))) AS BIGINT)",
                    field.column
                )
            }
        }
    }

    fn search(&mut self, s: &SearchPlan<'_>) -> String {
        if s.fields.is_empty() {
            return if s.negate { "(1 = 1)" } else { "(1 = 0)" }.to_string();
        }
        // One parameter, referenced once per field.
        let ph = self.bind(SqlValue::Text(s.pattern.clone()));
        let parts: Vec<String> = s
            .fields
            .iter()
            .map(|f| format!("({} AND {} IS NOT NULL)", self.like(f, &ph), f.column))
            .collect();
        let any = format!("({})", parts.join(" OR "));
        if s.negate {
            format!("(NOT {any})")
        } else {
            any
        }
    }

    /// Distinct mode's "value present": not NULL and not the empty string.
    fn present(&self, f: &Field) -> String {
        match (self.dialect, f.kind) {
            // An integer column can hold neither '' nor compare with it on PostgreSQL.
            (Dialect::Postgres, FieldKind::Integer) => format!("({} IS NOT NULL)", f.column),
            _ => format!("({} IS NOT NULL AND {} <> '')", f.column, self.as_text(f)),
        }
    }

    fn order_key(&self, f: &Field, desc: bool) -> String {
        let expr = match (f.kind, self.dialect) {
            (FieldKind::Date, _) => self.epoch(f),
            (FieldKind::Text, _) if f.sort_nocase => format!("lower({})", f.column),
            (FieldKind::Text, Dialect::Postgres) => format!("({}) COLLATE \"C\"", f.column),
            _ => f.column.clone(),
        };
        // SQLite's default NULL placement, spelled out so PostgreSQL (NULLS LAST ascending) agrees.
        if desc {
            format!("{expr} DESC NULLS LAST")
        } else {
            format!("{expr} ASC NULLS FIRST")
        }
    }

    fn limit_offset(&mut self, plan: &Plan<'_>, sql: &mut String) {
        let as_i64 = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        match plan.limit {
            Some(limit) => {
                let ph = self.bind(SqlValue::Integer(as_i64(limit)));
                let _ = write!(sql, " LIMIT {ph}");
            }
            // SQLite needs a LIMIT before OFFSET; -1 means none.
            None if plan.offset > 0 && self.dialect == Dialect::Sqlite => sql.push_str(" LIMIT -1"),
            None => {}
        }
        if plan.offset > 0 {
            let ph = self.bind(SqlValue::Integer(as_i64(plan.offset)));
            let _ = write!(sql, " OFFSET {ph}");
        }
    }
}

fn sql_op(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "=",
        CmpOp::Ne => "<>",
        CmpOp::Lt => "<",
        CmpOp::Gt => ">",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::{parse_q, parse_search, parse_sort, Field};

    #[test]
    fn written_items_equal_serialized_items() {
        let query = SqlQuery {
            count_sql: String::new(),
            select_sql: String::new(),
            params: Vec::new(),
            count_param_len: 0,
            columns: ["id", "os.name", "name", "os.arch", "group", "score", "zone"]
                .map(String::from)
                .to_vec(),
            json_columns: vec![false, false, false, false, true, false, false],
            where_sql: String::new(),
            per_group: None,
        };
        let t = |s: &str| SqlValue::Text(s.to_owned());
        let rows = vec![
            vec![
                SqlValue::Integer(1),
                t("Ubuntu"),
                t("a\"b\n"),
                t("x86_64"),
                t("[\"default\",\"g2\"]"),
                SqlValue::Real(1.5),
                t("late"),
            ],
            vec![
                SqlValue::Integer(2),
                SqlValue::Null,
                t("b"),
                SqlValue::Null,
                SqlValue::Null,
                SqlValue::Real(f64::NAN),
                SqlValue::Null,
            ],
            vec![
                SqlValue::Null,
                SqlValue::Null,
                t("ünï"),
                t("arm"),
                t("not json ["),
                SqlValue::Integer(-3),
                t(""),
            ],
            vec![SqlValue::Integer(4)],
        ];
        let writer = query.item_writer();
        for row in rows {
            let mut written = Vec::new();
            writer.write(&row, &mut written);
            let expected = serde_json::to_vec(&query.item_from_row(&row)).unwrap();
            assert_eq!(
                String::from_utf8(written).unwrap(),
                String::from_utf8(expected).unwrap()
            );
        }
    }

    fn schema() -> Schema {
        Schema::builder()
            .field(Field::integer("id", "id"))
            .field(Field::text("name", "name"))
            .field(Field::date("added", "date_add"))
            .field(Field::text("os.name", "os_name").searchable(false))
            .default_sort("id")
            .always_present("id")
            .build()
            .unwrap()
    }

    #[test]
    fn sqlite_statement() {
        let q = ListQuery {
            q: Some(parse_q("name=web;(id>5,os.name~ubu);added<2024-01-01").unwrap()),
            search: Some(parse_search("-x")),
            sort: parse_sort("-name").unwrap(),
            select: Some(vec!["name".into()]),
            offset: 10,
            limit: Some(5),
            ..ListQuery::default()
        };
        let c = compile(&q, &schema(), "agent", Dialect::Sqlite).unwrap();
        assert_eq!(c.columns, ["id", "name"]);
        let filter = "WHERE ((name = ?1 COLLATE NOCASE) AND ((id > ?2) OR (os_name LIKE ?3)) AND \
                      (CAST(strftime('%s', date_add) AS INTEGER) < ?4)) AND (NOT ((id LIKE ?5 AND id IS NOT NULL) \
                      OR (name LIKE ?5 AND name IS NOT NULL) OR (date_add LIKE ?5 AND date_add IS NOT NULL)))";
        assert_eq!(c.count_sql, format!("SELECT COUNT(*) FROM agent {filter}"));
        assert_eq!(
            c.select_sql,
            format!("SELECT id, name FROM agent {filter} ORDER BY name DESC NULLS LAST, id ASC NULLS FIRST LIMIT ?6 OFFSET ?7")
        );
        assert_eq!(
            c.params,
            [
                SqlValue::Text("web".into()),
                SqlValue::Integer(5),
                SqlValue::Text("%ubu%".into()),
                SqlValue::Integer(1_704_067_200),
                SqlValue::Text("%x%".into()),
                SqlValue::Integer(5),
                SqlValue::Integer(10),
            ]
        );
        assert_eq!(c.count_params().len(), 5);
    }

    #[test]
    fn list_fields_match_any_member() {
        let schema = Schema::builder()
            .field(Field::integer("id", "a.id"))
            .field(Field::text("group", "g_csv").members("g WHERE g.a = a.id", "g.name"))
            .default_sort("id")
            .build()
            .unwrap();
        let q = ListQuery {
            q: Some(parse_q("group=web;group!=db;group~we").unwrap()),
            ..ListQuery::default()
        };
        let c = compile(&q, &schema, "a", Dialect::Sqlite).unwrap();
        assert!(
            c.count_sql.contains(
                "((EXISTS (SELECT 1 FROM g WHERE g.a = a.id AND g.name = ?1 COLLATE NOCASE)) AND \
                 (NOT EXISTS (SELECT 1 FROM g WHERE g.a = a.id AND g.name = ?2 COLLATE NOCASE)) AND \
                 (EXISTS (SELECT 1 FROM g WHERE g.a = a.id AND g.name LIKE ?3)))"
            ),
            "{}",
            c.count_sql
        );
    }

    #[test]
    fn postgres_statement() {
        let q = ListQuery {
            q: Some(parse_q("name<web,id~1,name!='x").unwrap()),
            search: Some(parse_search("a")),
            offset: 3,
            ..ListQuery::default()
        };
        let c = compile(&q, &schema(), "agent a", Dialect::Postgres).unwrap();
        assert_eq!(
            c.select_sql,
            "SELECT id, name, date_add, os_name FROM agent a WHERE ((lower(name) < lower(CAST($1 AS TEXT)) \
             COLLATE \"C\") OR (CAST(id AS TEXT) ILIKE CAST($2 AS TEXT) ESCAPE '') OR (NOT name ILIKE \
             CAST($3 AS TEXT) ESCAPE '')) AND ((CAST(id AS TEXT) ILIKE CAST($4 AS TEXT) ESCAPE '' AND id IS NOT \
             NULL) OR (name ILIKE CAST($4 AS TEXT) ESCAPE '' AND name IS NOT NULL) OR (CAST(date_add AS TEXT) \
             ILIKE CAST($4 AS TEXT) ESCAPE '' AND date_add IS NOT NULL)) ORDER BY id ASC NULLS FIRST OFFSET \
             CAST($5 AS BIGINT)"
        );
        assert_eq!(c.count_param_len, 4);
    }

    #[test]
    fn distinct_statement() {
        let q = ListQuery {
            select: Some(vec!["os".into(), "added".into()]),
            distinct: true,
            sort: parse_sort("-added").unwrap(),
            limit: Some(2),
            ..ListQuery::default()
        };
        let c = compile(&q, &schema(), "agent", Dialect::Sqlite).unwrap();
        assert_eq!(c.columns, ["added", "os.name"]);
        let where_sql = "WHERE (date_add IS NOT NULL AND date_add <> '') AND (os_name IS NOT NULL AND os_name <> '')";
        assert_eq!(
            c.count_sql,
            format!(
                "SELECT COUNT(*) FROM (SELECT date_add AS wql_c0, os_name AS wql_c1 FROM agent {where_sql} \
                 GROUP BY wql_c0, wql_c1) AS wql_n"
            )
        );
        assert_eq!(
            c.select_sql,
            format!(
                "SELECT wql_c0, wql_c1 FROM (SELECT date_add AS wql_c0, os_name AS wql_c1, ROW_NUMBER() OVER \
                 (ORDER BY CAST(strftime('%s', date_add) AS INTEGER) DESC NULLS LAST, id ASC NULLS FIRST) AS wql_rn \
                 FROM agent {where_sql}) AS wql_d GROUP BY wql_c0, wql_c1 ORDER BY MIN(wql_rn) LIMIT ?1"
            )
        );
    }

    #[test]
    fn values_are_never_spliced() {
        let q = ListQuery {
            q: Some(parse_q("name=x' OR 1=1 --").unwrap()),
            ..ListQuery::default()
        };
        let c = compile(&q, &schema(), "agent", Dialect::Sqlite).unwrap();
        assert!(!c.select_sql.contains("OR 1=1"));
        assert_eq!(c.params, [SqlValue::Text("x_ OR 1=1 --".into())]);
    }

    #[test]
    fn rows_become_items() {
        let c = compile(&ListQuery::default(), &schema(), "agent", Dialect::Sqlite).unwrap();
        let item = c.item_from_row(&[
            SqlValue::Integer(1),
            SqlValue::Text("n".into()),
            SqlValue::Null,
            SqlValue::Text("ubuntu".into()),
        ]);
        assert_eq!(
            item,
            serde_json::json!({"id": 1, "name": "n", "os": {"name": "ubuntu"}})
        );
    }

    #[test]
    fn errors_match_validation() {
        let q = ListQuery {
            limit: Some(0),
            ..ListQuery::default()
        };
        assert_eq!(
            compile(&q, &schema(), "agent", Dialect::Sqlite),
            Err(Error::ZeroLimit { max: 100_000 })
        );
    }
}
