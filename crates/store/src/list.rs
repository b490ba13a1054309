//! Runs a list query compiled by the query engine (`oxsec_wql::sql`) against the store: the count
//! and the page, with every value bound as a parameter.

use oxsec_wql::sql::{SqlQuery, SqlValue};
use rusqlite::types::{ToSqlOutput, Value as SqlLite, ValueRef};
use rusqlite::Connection;
use serde_json::Value;

use crate::Result;

/// A bound value of a compiled query.
pub(crate) struct Param<'a>(pub(crate) &'a SqlValue);

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self.0 {
            SqlValue::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            SqlValue::Integer(i) => ToSqlOutput::Owned(SqlLite::Integer(*i)),
            SqlValue::Real(f) => ToSqlOutput::Owned(SqlLite::Real(*f)),
            SqlValue::Null => ToSqlOutput::Owned(SqlLite::Null),
        })
    }
}

fn from_sqlite(v: ValueRef<'_>) -> SqlValue {
    match v {
        ValueRef::Null | ValueRef::Blob(_) => SqlValue::Null,
        ValueRef::Integer(i) => SqlValue::Integer(i),
        ValueRef::Real(f) => SqlValue::Real(f),
        ValueRef::Text(t) => SqlValue::Text(String::from_utf8_lossy(t).into_owned()),
    }
}

/// `known_total`, or the query's rows counted.
fn total(conn: &Connection, query: &SqlQuery, known_total: Option<u64>) -> Result<i64> {
    Ok(match known_total {
        Some(n) => i64::try_from(n).unwrap_or(i64::MAX),
        None => {
            let count_params: Vec<Param<'_>> = query.count_params().iter().map(Param).collect();
            conn.prepare_cached(&query.count_sql)?
                .query_row(rusqlite::params_from_iter(count_params.iter()), |r| r.get(0))?
        }
    })
}

/// The total number of matching rows and the requested page as JSON items.
pub fn run(conn: &Connection, query: &SqlQuery) -> Result<(u64, Vec<Value>)> {
    run_with_total(conn, query, None)
}

/// [`run`], with the total already known when the caller has it from a kept count.
pub fn run_with_total(conn: &Connection, query: &SqlQuery, known_total: Option<u64>) -> Result<(u64, Vec<Value>)> {
    let total = total(conn, query, known_total)?;
    let params: Vec<Param<'_>> = query.params.iter().map(Param).collect();
    let mut stmt = conn.prepare_cached(&query.select_sql)?;
    let width = stmt.column_count();
    let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
    let mut items = Vec::new();
    while let Some(row) = rows.next()? {
        let values: Vec<SqlValue> = (0..width)
            .map(|i| row.get_ref(i).map(from_sqlite))
            .collect::<rusqlite::Result<_>>()?;
        items.push(query.item_from_row(&values));
    }
    Ok((u64::try_from(total).unwrap_or(0), items))
}

/// The total number of matching rows and the requested page as a JSON array, written straight
/// from the rows (see [`oxsec_wql::sql::SqlQuery::item_writer`]). `known_total`, when the caller
/// has it from a kept count, saves counting the rows.
pub fn run_json(conn: &Connection, query: &SqlQuery, known_total: Option<u64>) -> Result<(u64, Vec<u8>)> {
    let total = total(conn, query, known_total)?;
    let params: Vec<Param<'_>> = query.params.iter().map(Param).collect();
    let mut stmt = conn.prepare_cached(&query.select_sql)?;
    let width = stmt.column_count();
    let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
    let writer = query.item_writer();
    let mut out = Vec::with_capacity(4096);
    out.push(b'[');
    let mut values: Vec<SqlValue> = Vec::with_capacity(width);
    while let Some(row) = rows.next()? {
        values.clear();
        for i in 0..width {
            values.push(from_sqlite(row.get_ref(i)?));
        }
        if out.len() > 1 {
            out.push(b',');
        }
        writer.write(&values, &mut out);
    }
    out.push(b']');
    Ok((u64::try_from(total).unwrap_or(0), out))
}

/// The total number of matching rows and the requested page as raw values (in
/// `query.columns` order, plus any extra columns the query adds), for callers that shape items
/// themselves.
///
/// A query from [`oxsec_wql::sql::compile_per_group`] reads its rows without numbering them per
/// group when the largest group fits in one page (the common case, and several times cheaper).
pub fn run_values(conn: &Connection, query: &SqlQuery) -> Result<(u64, Vec<Vec<SqlValue>>)> {
    let count_params: Vec<Param<'_>> = query.count_params().iter().map(Param).collect();
    let total: i64 = conn
        .prepare_cached(&query.count_sql)?
        .query_row(rusqlite::params_from_iter(count_params.iter()), |r| r.get(0))?;
    let mut select = (&query.select_sql, query.params.iter().map(Param).collect::<Vec<_>>());
    if let Some(shortcut) = query.per_group.as_ref().filter(|s| s.offset == 0) {
        let largest: Option<i64> = conn
            .prepare_cached(&shortcut.largest_group_sql)?
            .query_row(rusqlite::params_from_iter(count_params.iter()), |r| r.get(0))?;
        let fits = shortcut
            .limit
            .is_none_or(|limit| u64::try_from(largest.unwrap_or(0)).unwrap_or(0) <= limit);
        if fits {
            select = (&shortcut.all_rows_sql, query.count_params().iter().map(Param).collect());
        }
    }
    let (sql, params) = select;
    let mut stmt = conn.prepare_cached(sql)?;
    let width = stmt.column_count();
    let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let values: Vec<SqlValue> = (0..width)
            .map(|i| row.get_ref(i).map(from_sqlite))
            .collect::<rusqlite::Result<_>>()?;
        out.push(values);
    }
    Ok((u64::try_from(total).unwrap_or(0), out))
}

/// Runs `sql` (a caller's `SELECT key, COUNT(*) … GROUP BY` over a compiled query's filter)
/// with the filter's `values`: each key as JSON with its count.
pub fn run_grouped(conn: &Connection, sql: &str, values: &[SqlValue]) -> Result<Vec<(Value, u64)>> {
    let params: Vec<Param<'_>> = values.iter().map(Param).collect();
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let key = match from_sqlite(row.get_ref(0)?) {
            SqlValue::Text(t) => Value::String(t),
            SqlValue::Integer(i) => Value::from(i),
            SqlValue::Real(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
            SqlValue::Null => Value::Null,
        };
        let count: i64 = row.get(1)?;
        out.push((key, u64::try_from(count).unwrap_or(0)));
    }
    Ok(out)
}

/// Runs `sql` (a caller's `SELECT <integer>, <text> …`) with `values`: each row's pair.
pub fn run_id_texts(conn: &Connection, sql: &str, values: &[SqlValue]) -> Result<Vec<(i64, String)>> {
    let params: Vec<Param<'_>> = values.iter().map(Param).collect();
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(params.iter()), |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Runs a query compiled with [`oxsec_wql::sql::compile_counts`]: each combination as an item with
/// its number of rows.
pub fn run_counts(conn: &Connection, query: &SqlQuery) -> Result<Vec<(Value, u64)>> {
    let params: Vec<Param<'_>> = query.params.iter().map(Param).collect();
    let mut stmt = conn.prepare_cached(&query.select_sql)?;
    let width = stmt.column_count();
    let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let values: Vec<SqlValue> = (0..width)
            .map(|i| row.get_ref(i).map(from_sqlite))
            .collect::<rusqlite::Result<_>>()?;
        let count = match values.last() {
            Some(SqlValue::Integer(n)) => u64::try_from(*n).unwrap_or(0),
            _ => 0,
        };
        out.push((query.item_from_row(&values[..width.saturating_sub(1)]), count));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxsec_wql::sql::{compile, Dialect};
    use oxsec_wql::{Field, ListQuery, Schema};

    #[test]
    fn per_group_pages_apply_to_each_group() {
        let conn = Connection::open_in_memory().expect("db");
        conn.execute_batch(
            "CREATE TABLE p (agent_id INTEGER, scan_id INTEGER, name TEXT);
             INSERT INTO p VALUES (2, 1, 'zsh'), (1, 1, 'bash'), (1, 1, 'apt'), (2, 1, 'apt'), (1, 0, 'vim'), (3, 1, 'curl');",
        )
        .expect("rows");
        let schema = Schema::builder()
            .field(Field::integer("scan.id", "scan_id"))
            .field(Field::text("name", "name"))
            .default_sort("scan.id")
            .tie_breaker("row_order")
            .build()
            .expect("schema");
        let from = "(SELECT rowid AS row_order, * FROM p WHERE agent_id IN (1, 2)) AS t";
        let page = |offset: u64, limit: u64, q: &str| {
            let query = ListQuery {
                offset,
                limit: Some(limit),
                q: (!q.is_empty()).then(|| oxsec_wql::parse_q(q).expect("q")),
                ..ListQuery::default()
            };
            let sql =
                oxsec_wql::sql::compile_per_group(&query, &schema, from, Dialect::Sqlite, "agent_id").expect("sql");
            let rows_of = |sql: &oxsec_wql::sql::SqlQuery| {
                let (total, values) = run_values(&conn, sql).expect("run values");
                let rows: Vec<(i64, String)> = values
                    .into_iter()
                    .map(|row| match (&row[1], &row[2]) {
                        (SqlValue::Text(n), SqlValue::Integer(g)) => (*g, n.clone()),
                        _ => (0, String::new()),
                    })
                    .collect();
                (total, rows)
            };
            // Numbering rows per group always, or only when a group needs it: the same rows.
            let numbered = oxsec_wql::sql::SqlQuery {
                per_group: None,
                ..sql.clone()
            };
            assert_eq!(rows_of(&sql), rows_of(&numbered));
            rows_of(&sql)
        };
        // Default order: scan id, then arrival; each agent paged on its own; agent 3 out of scope.
        let (total, rows) = page(0, 2, "");
        assert_eq!(total, 5);
        assert_eq!(
            rows,
            [
                (1, "vim".into()),
                (1, "bash".into()),
                (2, "zsh".into()),
                (2, "apt".into())
            ]
        );
        let (_, rows) = page(1, 1, "");
        assert_eq!(rows, [(1, "bash".into()), (2, "apt".into())]);
        let (total, rows) = page(0, 10, "name=apt");
        assert_eq!(total, 2);
        assert_eq!(rows, [(1, "apt".into()), (2, "apt".into())]);
    }

    #[test]
    fn compiled_queries_run_with_bound_values() {
        let conn = Connection::open_in_memory().expect("db");
        conn.execute_batch(
            "CREATE TABLE t (id INTEGER, name TEXT, os_name TEXT);
             INSERT INTO t VALUES (1, 'alpha', 'Ubuntu'), (2, 'beta''; DROP TABLE t; --', 'Debian'), (3, 'gamma', 'Ubuntu');",
        )
        .expect("seed");
        let schema = Schema::builder()
            .field(Field::integer("id", "id"))
            .field(Field::text("name", "name"))
            .field(Field::text("os.name", "os_name"))
            .default_sort("id")
            .always_present("id")
            .build()
            .expect("schema");
        let query = ListQuery {
            q: Some(oxsec_wql::parse_q("os.name=ubuntu").expect("q")),
            sort: oxsec_wql::parse_sort("-id").expect("sort"),
            select: Some(vec!["os.name".into()]),
            limit: Some(1),
            ..ListQuery::default()
        };
        let sql = compile(&query, &schema, "t", Dialect::Sqlite).expect("compile");
        let (total, items) = run(&conn, &sql).expect("run");
        assert_eq!(total, 2);
        assert_eq!(items, [serde_json::json!({"id": 3, "os": {"name": "Ubuntu"}})]);
        // A hostile value is data, not SQL.
        let query = ListQuery {
            q: Some(oxsec_wql::parse_q("name~DROP TABLE").expect("q")),
            ..ListQuery::default()
        };
        let sql = compile(&query, &schema, "t", Dialect::Sqlite).expect("compile");
        assert_eq!(run(&conn, &sql).expect("run").0, 1);
        let all = compile(&ListQuery::default(), &schema, "t", Dialect::Sqlite).expect("compile");
        let (total, items) = run(&conn, &all).expect("run");
        let (json_total, json) = run_json(&conn, &all, None).expect("run_json");
        assert_eq!((json_total, json), (total, serde_json::to_vec(&items).expect("json")));
        let by_os = ListQuery {
            select: Some(vec!["os.name".into()]),
            sort: oxsec_wql::parse_sort("-id").expect("sort"),
            ..ListQuery::default()
        };
        let counts = oxsec_wql::sql::compile_counts(&by_os, &schema, "t", Dialect::Sqlite).expect("compile");
        assert_eq!(
            run_counts(&conn, &counts).expect("counts"),
            vec![
                (serde_json::json!({"os": {"name": "Ubuntu"}}), 2),
                (serde_json::json!({"os": {"name": "Debian"}}), 1)
            ]
        );
        assert_eq!(
            run(
                &conn,
                &compile(&ListQuery::default(), &schema, "t", Dialect::Sqlite).expect("c")
            )
            .expect("r")
            .0,
            3
        );
    }
}
