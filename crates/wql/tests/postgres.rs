//! The PostgreSQL dialect against the in-memory executor, through `psql`.
//!
//! Runs only when `WQL_TEST_PSQL` holds the psql connection arguments, e.g.
//! `WQL_TEST_PSQL="-h /tmp/pg -p 5432 -U postgres -d postgres"`; otherwise it passes without doing anything
//! (CI has no PostgreSQL). Each case runs in its own psql session with a temporary table.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write as _;
use std::process::{Command, Stdio};

use common::{query, row, schema, to_json, with_ids, Cell, Row};
use oxsec_wql::sql::{self, Dialect, SqlValue};
use oxsec_wql::{memory, parse_q, Error, ListQuery, Page, Schema};
use proptest::prelude::*;
use serde_json::Value;

fn psql_args() -> Option<Vec<String>> {
    std::env::var("WQL_TEST_PSQL")
        .ok()
        .map(|s| s.split_whitespace().map(String::from).collect())
}

fn text_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn literal(v: &SqlValue) -> String {
    match v {
        SqlValue::Text(s) => text_literal(s),
        SqlValue::Integer(i) => i.to_string(),
        SqlValue::Real(r) => format!("{r:?}"),
        SqlValue::Null => "NULL".into(),
    }
}

fn cell_literal<T: ToString>(c: &Cell<T>, hidden: bool, quote: bool) -> String {
    match c {
        Cell::Val(v) if !hidden => {
            if quote {
                text_literal(&v.to_string())
            } else {
                v.to_string()
            }
        }
        _ => "NULL".into(),
    }
}

fn execute(params: &[SqlValue], name: &str) -> String {
    if params.is_empty() {
        format!("EXECUTE {name};\n")
    } else {
        format!(
            "EXECUTE {name}({});\n",
            params.iter().map(literal).collect::<Vec<_>>().join(", ")
        )
    }
}

fn run_pg(args: &[String], rows: &[(i64, Row)], query: &ListQuery, schema: &Schema) -> Result<Page, Error> {
    let c = sql::compile(query, schema, "t", Dialect::Postgres)?;
    let mut script = String::from(
        "\\set ON_ERROR_STOP on\n\\pset format unaligned\n\\pset tuples_only on\nSET TimeZone = 'UTC';\n\
         CREATE TEMP TABLE t (id BIGINT NOT NULL, name TEXT, status TEXT, cnt BIGINT, added TEXT, \
         os_name TEXT, os_arch TEXT);\n",
    );
    for (id, r) in rows {
        script.push_str(&format!(
            "INSERT INTO t VALUES ({id}, {}, {}, {}, {}, {}, {});\n",
            cell_literal(&r.name, false, true),
            cell_literal(&r.status, false, true),
            cell_literal(&r.count, false, false),
            cell_literal(&r.added, false, true),
            cell_literal(&r.os_name, r.no_os, true),
            cell_literal(&r.os_arch, r.no_os, true),
        ));
    }
    script.push_str(&format!("PREPARE c AS {};\n", c.count_sql));
    script.push_str(&execute(c.count_params(), "c"));
    script.push_str(&format!(
        "PREPARE s AS SELECT row_to_json(x) FROM ({}) AS x;\n",
        c.select_sql
    ));
    script.push_str(&execute(&c.params, "s"));

    let mut child = Command::new("psql")
        .args(args)
        .args(["-X", "-q", "-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(script.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "psql failed: {}\n{script}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let mut lines = stdout.lines().filter(|l| !l.is_empty());
    let total: u64 = lines.next().unwrap().trim().parse().unwrap();
    let items = lines
        .map(|l| {
            let obj: serde_json::Map<String, Value> = serde_json::from_str(l).unwrap();
            let row: Vec<SqlValue> = obj
                .values()
                .map(|v| match v {
                    Value::Null => SqlValue::Null,
                    Value::String(s) => SqlValue::Text(s.clone()),
                    Value::Number(n) => n
                        .as_i64()
                        .map_or_else(|| SqlValue::Real(n.as_f64().unwrap()), SqlValue::Integer),
                    other => panic!("unexpected {other}"),
                })
                .collect();
            c.item_from_row(&row)
        })
        .collect();
    Ok(Page { total, items })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn memory_and_postgres_agree(
        rows in prop::collection::vec(row(true), 0..20),
        start in 0i64..1000,
        mut query in query(),
    ) {
        let Some(args) = psql_args() else { return Ok(()) };
        let rows = with_ids(rows, start);
        let records: Vec<Value> = rows.iter().map(|(id, r)| to_json(*id, r)).collect();
        if let Some(e) = &query.q {
            query.q = parse_q(&e.to_string()).ok();
        }
        let schema = schema();
        let mem = memory::execute(&records, &query, &schema);
        let pg = run_pg(&args, &rows, &query, &schema);
        prop_assert_eq!(&mem, &pg, "query {:?}\nrecords {}", query, Value::Array(records.clone()));
    }
}
