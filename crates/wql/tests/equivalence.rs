//! The in-memory executor and the SQL compiler (run on SQLite) must agree on every query: same error, or the
//! same total and the same items in the same order.
//!
//! Records use a unique `id` (the schema's default sort, hence every sort's final tie-breaker), so any order
//! difference is a real semantic difference, not an artefact of ties.
#![allow(clippy::unwrap_used)]

mod common;

use common::{query, row, schema, to_json, with_ids, Cell, Row, NOW};
use oxsec_wql::sql::{self, Dialect, SqlValue};
use oxsec_wql::{memory, parse_q, Error, ListQuery, Page, Schema};
use proptest::prelude::*;
use rusqlite::types::{Value as DbValue, ValueRef};
use serde_json::{json, Value};

fn db<T: Clone + Into<DbValue>>(c: &Cell<T>, hidden: bool) -> DbValue {
    match c {
        Cell::Val(v) if !hidden => v.clone().into(),
        _ => DbValue::Null,
    }
}

fn load(rows: &[(i64, Row)]) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE t (id INTEGER NOT NULL, name TEXT, status TEXT, cnt INTEGER, added TEXT, \
         os_name TEXT, os_arch TEXT)",
    )
    .unwrap();
    for (id, r) in rows {
        conn.execute(
            "INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            rusqlite::params![
                id,
                db(&r.name, false),
                db(&r.status, false),
                db(&r.count, false),
                db(&r.added, false),
                db(&r.os_name, r.no_os),
                db(&r.os_arch, r.no_os),
            ],
        )
        .unwrap();
    }
    conn
}

fn bind(params: &[SqlValue]) -> Vec<DbValue> {
    params
        .iter()
        .map(|p| match p {
            SqlValue::Text(s) => DbValue::Text(s.clone()),
            SqlValue::Integer(i) => DbValue::Integer(*i),
            SqlValue::Real(r) => DbValue::Real(*r),
            SqlValue::Null => DbValue::Null,
        })
        .collect()
}

fn run_sql(conn: &rusqlite::Connection, query: &ListQuery, schema: &Schema) -> Result<Page, Error> {
    let c = sql::compile(query, schema, "t", Dialect::Sqlite)?;
    let total: i64 = conn
        .query_row(&c.count_sql, rusqlite::params_from_iter(bind(c.count_params())), |r| {
            r.get(0)
        })
        .unwrap_or_else(|e| panic!("{e}: {}", c.count_sql));
    let mut stmt = conn
        .prepare(&c.select_sql)
        .unwrap_or_else(|e| panic!("{e}: {}", c.select_sql));
    let items = stmt
        .query_map(rusqlite::params_from_iter(bind(&c.params)), |r| {
            let row: Vec<SqlValue> = (0..c.columns.len())
                .map(|i| match r.get_ref(i).unwrap() {
                    ValueRef::Null => SqlValue::Null,
                    ValueRef::Integer(i) => SqlValue::Integer(i),
                    ValueRef::Real(x) => SqlValue::Real(x),
                    ValueRef::Text(t) => SqlValue::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(_) => panic!("blob"),
                })
                .collect();
            Ok(c.item_from_row(&row))
        })
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    Ok(Page {
        total: u64::try_from(total).unwrap(),
        items,
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn memory_and_sqlite_agree(
        rows in prop::collection::vec(row(false), 0..30),
        start in 0i64..1000,
        mut query in query(),
    ) {
        // Distinct ids in an order unrelated to insertion order.
        let rows = with_ids(rows, start);
        let records: Vec<Value> = rows.iter().map(|(id, r)| to_json(*id, r)).collect();

        // Go through the text form so the parser is part of the loop.
        if let Some(e) = &query.q {
            let text = e.to_string();
            let parsed = parse_q(&text);
            prop_assert!(parsed.is_ok(), "printed q {text:?} does not parse: {parsed:?}");
            query.q = parsed.ok();
        }

        let schema = schema();
        let mem = memory::execute(&records, &query, &schema);
        let conn = load(&rows);
        let db = run_sql(&conn, &query, &schema);
        prop_assert_eq!(&mem, &db, "query {:?}\nrecords {}", query, Value::Array(records.clone()));
        if let Ok(page) = &mem {
            prop_assert!(page.items.len() as u64 <= page.total.saturating_sub(query.offset));
        }
    }
}

/// Fixed cases the random generator reaches only rarely, checked on both executors.
#[test]
fn targeted_cases_agree() {
    let rows: Vec<(i64, Row)> = vec![
        (
            1,
            Row {
                name: Cell::Val("Web_1".into()),
                status: Cell::Val("active".into()),
                count: Cell::Val(3),
                added: Cell::Val("2024-01-02T12:00:00Z".into()),
                os_name: Cell::Val("Ubuntu".into()),
                os_arch: Cell::Val("x86".into()),
                no_os: false,
            },
        ),
        (
            2,
            Row {
                name: Cell::Val("web%2".into()),
                status: Cell::Val("ACTIVE".into()),
                count: Cell::Null,
                added: Cell::Val("2024-01-02 14:00:00+02:00".into()),
                os_name: Cell::Val("ubuntu".into()),
                os_arch: Cell::Missing,
                no_os: false,
            },
        ),
        (
            3,
            Row {
                name: Cell::Val("db".into()),
                status: Cell::Missing,
                count: Cell::Val(-1),
                added: Cell::Val("2023-12-31".into()),
                os_name: Cell::Missing,
                os_arch: Cell::Missing,
                no_os: true,
            },
        ),
    ];
    let records: Vec<Value> = rows.iter().map(|(id, r)| to_json(*id, r)).collect();
    let conn = load(&rows);
    let schema = schema();
    let cases: Vec<(&str, Option<&str>, Vec<i64>)> = vec![
        ("status=active", None, vec![1, 2]),
        ("name~web_", None, vec![1, 2]),
        ("name~b%2", None, vec![2]),
        ("added=2024-01-02T12:00:00Z", None, vec![1, 2]),
        ("added<2d", None, vec![1, 2]),
        ("count>2.5,count=null", None, vec![1, 2]),
        ("os.name!=null", Some("-name"), vec![2, 1]),
        ("status=all;id<3", Some("-id"), vec![2, 1]),
    ];
    for (q, sort, want) in cases {
        let query = ListQuery {
            q: Some(parse_q(q).unwrap()),
            sort: sort.map(|s| oxsec_wql::parse_sort(s).unwrap()).unwrap_or_default(),
            now: Some(NOW),
            ..ListQuery::default()
        };
        let mem = memory::execute(&records, &query, &schema).unwrap();
        let ids: Vec<i64> = mem.items.iter().map(|i| i["id"].as_i64().unwrap()).collect();
        assert_eq!(ids, want, "q = {q}");
        assert_eq!(run_sql(&conn, &query, &schema).unwrap(), mem, "q = {q}");
    }

    // Distinct: case-different values stay apart, the row without `os` is left out, no `id` is added.
    let query = ListQuery {
        select: Some(vec!["os.name".into()]),
        distinct: true,
        sort: oxsec_wql::parse_sort("-id").unwrap(),
        ..ListQuery::default()
    };
    let mem = memory::execute(&records, &query, &schema).unwrap();
    assert_eq!(mem.total, 2);
    assert_eq!(
        mem.items,
        [json!({"os": {"name": "ubuntu"}}), json!({"os": {"name": "Ubuntu"}})]
    );
    assert_eq!(run_sql(&conn, &query, &schema).unwrap(), mem);
}
