//! The in-memory executor and the SQL compiler (run on SQLite) must agree on every query: same error, or the
//! same total and the same items in the same order.
//!
//! Records use a unique `id` (the schema's default sort, hence every sort's final tie-breaker), so any order
//! difference is a real semantic difference, not an artefact of ties.
#![allow(clippy::unwrap_used)]

use oxsec_wql::sql::{self, Dialect, SqlValue};
use oxsec_wql::{memory, parse_q, Error, Expr, Field, ListQuery, Op, Page, Schema, Search, SortKey};
use proptest::prelude::*;
use rusqlite::types::{Value as DbValue, ValueRef};
use serde_json::{json, Map, Value};

/// 2024-01-04T00:00:00Z: timeframes count back from here.
const NOW: i64 = 1_704_326_400;

fn schema() -> Schema {
    Schema::builder()
        .field(Field::integer("id", "id"))
        .field(Field::text("name", "name"))
        .field(Field::text("status", "status"))
        .field(Field::integer("count", "cnt"))
        .field(Field::date("added", "added"))
        .field(Field::text("os.name", "os_name"))
        .field(Field::text("os.arch", "os_arch").searchable(false))
        .default_sort("id")
        .always_present("id")
        .build()
        .unwrap()
}

/// A field's content in a generated record.
#[derive(Debug, Clone)]
enum Cell<T> {
    Missing,
    Null,
    Val(T),
}

#[derive(Debug, Clone)]
struct Row {
    name: Cell<String>,
    status: Cell<String>,
    count: Cell<i64>,
    added: Cell<String>,
    os_name: Cell<String>,
    os_arch: Cell<String>,
    /// Leave out the whole `os` object (both os.* fields then read as missing).
    no_os: bool,
}

/// Short ASCII strings with mixed case, blanks and LIKE wildcards, so collisions and case issues are common.
fn text() -> impl Strategy<Value = String> {
    "[aAbB _%1]{0,3}"
}

fn cell<T: std::fmt::Debug + Clone + 'static>(s: impl Strategy<Value = T> + 'static) -> impl Strategy<Value = Cell<T>> {
    prop_oneof![1 => Just(Cell::Missing), 1 => Just(Cell::Null), 5 => s.prop_map(Cell::Val)]
}

/// Dates in every accepted storage format, on a few instants so equal instants in different text occur.
fn date_text() -> impl Strategy<Value = String> {
    (1u32..=5, prop_oneof![Just(0u32), Just(12)], 0usize..6).prop_map(|(d, h, fmt)| match fmt {
        0 => format!("2024-01-0{d}"),
        1 => format!("2024-01-0{d} {h:02}:00:00"),
        2 => format!("2024-01-0{d}T{h:02}:00:00Z"),
        3 => format!("2024-01-0{d}T{h:02}:00:00.5Z"),
        4 => format!("2024-01-0{d}T{:02}:00:00+02:00", h + 2),
        // Not a date: both executors must treat it as an unknown instant.
        _ => ["garbage", "", "2024-01"][d as usize % 3].to_string(),
    })
}

fn row() -> impl Strategy<Value = Row> {
    (
        cell(text()),
        cell(prop_oneof![
            Just("active".to_string()),
            Just("Active".to_string()),
            Just("disconnected".to_string())
        ]),
        cell(-3i64..4),
        cell(date_text()),
        cell(text()),
        cell(text()),
        prop::bool::weighted(0.15),
    )
        .prop_map(|(name, status, count, added, os_name, os_arch, no_os)| Row {
            name,
            status,
            count,
            added,
            os_name,
            os_arch,
            no_os,
        })
}

fn put<T: Clone + Into<Value>>(m: &mut Map<String, Value>, key: &str, c: &Cell<T>) {
    match c {
        Cell::Missing => {}
        Cell::Null => {
            m.insert(key.into(), Value::Null);
        }
        Cell::Val(v) => {
            m.insert(key.into(), v.clone().into());
        }
    }
}

fn to_json(id: i64, r: &Row) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(id));
    put(&mut m, "name", &r.name);
    put(&mut m, "status", &r.status);
    put(&mut m, "count", &r.count);
    put(&mut m, "added", &r.added);
    if !r.no_os {
        let mut os = Map::new();
        put(&mut os, "name", &r.os_name);
        put(&mut os, "arch", &r.os_arch);
        m.insert("os".into(), Value::Object(os));
    }
    Value::Object(m)
}

fn db<T: Clone + Into<DbValue>>(c: &Cell<T>, hidden: bool) -> DbValue {
    match c {
        Cell::Val(v) if !hidden => v.clone().into(),
        _ => DbValue::Null,
    }
}

const FIELDS: [&str; 7] = ["id", "name", "status", "count", "added", "os.name", "os.arch"];

fn value_for(field: &'static str) -> BoxedStrategy<String> {
    let special = prop_oneof![Just("null".to_string()), Just("all".to_string())];
    match field {
        "id" | "count" => prop_oneof![
            6 => (-3i64..30).prop_map(|i| i.to_string()),
            1 => Just("2.5".to_string()),
            1 => Just(" 2".to_string()),
            1 => Just("abc".to_string()),
            1 => Just("'1".to_string()),
            1 => special,
        ]
        .boxed(),
        "added" => prop_oneof![
            4 => (1u32..=5, prop_oneof![Just(0u32), Just(12)]).prop_map(|(d, h)| format!("2024-01-0{d} {h:02}:00:00")),
            2 => (1u32..=5).prop_map(|d| format!("2024-01-0{d}")),
            1 => (1u32..=5).prop_map(|d| format!("2024-01-0{d}T12:00:00Z")),
            3 => prop_oneof![Just("1d"), Just("36h"), Just("2d12h"), Just("3600"), Just("90m")].prop_map(String::from),
            1 => prop_oneof![Just("1dx"), Just("zzz")].prop_map(String::from),
            1 => special,
        ]
        .boxed(),
        "status" => prop_oneof![
            4 => prop_oneof![Just("active"), Just("ACTIVE"), Just("disc"), Just("act'v%")].prop_map(String::from),
            1 => special,
        ]
        .boxed(),
        _ => prop_oneof![4 => "[aAbB_%]{1,2}", 3 => "[aAbB _%1'\"]{1,4}", 1 => special].boxed(),
    }
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![Just(Op::Eq), Just(Op::Ne), Just(Op::Lt), Just(Op::Gt), Just(Op::Like)]
}

fn cond() -> impl Strategy<Value = Expr> {
    (0usize..FIELDS.len(), op())
        .prop_flat_map(|(i, op)| value_for(FIELDS[i]).prop_map(move |v| Expr::cond(FIELDS[i], op, v)))
}

fn expr() -> impl Strategy<Value = Expr> {
    cond().prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(Expr::And),
            prop::collection::vec(inner, 1..4).prop_map(Expr::Or),
        ]
    })
}

fn query() -> impl Strategy<Value = ListQuery> {
    let sort = prop::collection::vec(
        (0usize..FIELDS.len(), any::<bool>()).prop_map(|(i, d)| SortKey {
            field: FIELDS[i].into(),
            descending: d,
        }),
        0..3,
    );
    let search = prop::option::weighted(
        0.3,
        ("[aAbB _%1'2-]{0,3}", prop::bool::weighted(0.3)).prop_map(|(text, negate)| Search { text, negate }),
    );
    let select_names = prop_oneof![
        Just("os"),
        Just("id"),
        Just("name"),
        Just("status"),
        Just("count"),
        Just("added"),
        Just("os.name")
    ];
    let select = prop::option::weighted(0.4, prop::collection::vec(select_names.prop_map(String::from), 1..4));
    let limit = prop_oneof![2 => Just(None), 6 => (1u64..12).prop_map(Some), 1 => Just(Some(0))];
    (
        prop::option::weighted(0.8, expr()),
        sort,
        search,
        select,
        prop_oneof![3 => Just(0u64), 1 => 0u64..8],
        limit,
        prop::bool::weighted(0.3),
    )
        .prop_map(|(q, sort, search, select, offset, limit, distinct)| ListQuery {
            offset,
            limit,
            sort,
            search,
            select,
            q,
            distinct,
            now: Some(NOW),
        })
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
        rows in prop::collection::vec(row(), 0..30),
        start in 0i64..1000,
        mut query in query(),
    ) {
        // Distinct ids in an order unrelated to insertion order.
        let rows: Vec<(i64, Row)> =
            rows.into_iter().enumerate().map(|(i, r)| ((i as i64 * 37 + start) % 1000, r)).collect();
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
