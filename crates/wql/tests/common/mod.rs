//! Record and query generators shared by the executor-equivalence tests.
#![allow(dead_code, clippy::unwrap_used)]

use oxsec_wql::{Expr, Field, ListQuery, Op, Schema, Search, SortKey};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// 2024-01-04T00:00:00Z: timeframes count back from here.
pub const NOW: i64 = 1_704_326_400;

pub fn schema() -> Schema {
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
pub enum Cell<T> {
    Missing,
    Null,
    Val(T),
}

#[derive(Debug, Clone)]
pub struct Row {
    pub name: Cell<String>,
    pub status: Cell<String>,
    pub count: Cell<i64>,
    pub added: Cell<String>,
    pub os_name: Cell<String>,
    pub os_arch: Cell<String>,
    /// Leave out the whole `os` object (both os.* fields then read as missing).
    pub no_os: bool,
}

/// Short ASCII strings with mixed case, blanks and LIKE wildcards, so collisions and case issues are common.
pub fn text() -> impl Strategy<Value = String> {
    "[aAbB _%1]{0,3}"
}

pub fn cell<T: std::fmt::Debug + Clone + 'static>(
    s: impl Strategy<Value = T> + 'static,
) -> impl Strategy<Value = Cell<T>> {
    prop_oneof![1 => Just(Cell::Missing), 1 => Just(Cell::Null), 5 => s.prop_map(Cell::Val)]
}

/// Dates in every accepted storage format, on a few instants so equal instants in different text occur.
/// `valid_only` leaves out non-dates (PostgreSQL refuses to cast them, SQLite reads them as NULL).
pub fn date_text(valid_only: bool) -> impl Strategy<Value = String> {
    (
        1u32..=5,
        prop_oneof![Just(0u32), Just(12)],
        0usize..if valid_only { 5 } else { 6 },
    )
        .prop_map(|(d, h, fmt)| match fmt {
            0 => format!("2024-01-0{d}"),
            1 => format!("2024-01-0{d} {h:02}:00:00"),
            2 => format!("2024-01-0{d}T{h:02}:00:00Z"),
            3 => format!("2024-01-0{d}T{h:02}:00:00.5Z"),
            4 => format!("2024-01-0{d}T{:02}:00:00+02:00", h + 2),
            // Not a date: both executors must treat it as an unknown instant.
            _ => ["garbage", "", "2024-01"][d as usize % 3].to_string(),
        })
}

pub fn row(valid_dates: bool) -> impl Strategy<Value = Row> {
    (
        cell(text()),
        cell(prop_oneof![
            Just("active".to_string()),
            Just("Active".to_string()),
            Just("disconnected".to_string())
        ]),
        cell(-3i64..4),
        cell(date_text(valid_dates)),
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

pub fn put<T: Clone + Into<Value>>(m: &mut Map<String, Value>, key: &str, c: &Cell<T>) {
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

pub fn to_json(id: i64, r: &Row) -> Value {
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

pub const FIELDS: [&str; 7] = ["id", "name", "status", "count", "added", "os.name", "os.arch"];

pub fn value_for(field: &'static str) -> BoxedStrategy<String> {
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

pub fn op() -> impl Strategy<Value = Op> {
    prop_oneof![Just(Op::Eq), Just(Op::Ne), Just(Op::Lt), Just(Op::Gt), Just(Op::Like)]
}

pub fn cond() -> impl Strategy<Value = Expr> {
    (0usize..FIELDS.len(), op())
        .prop_flat_map(|(i, op)| value_for(FIELDS[i]).prop_map(move |v| Expr::cond(FIELDS[i], op, v)))
}

pub fn expr() -> impl Strategy<Value = Expr> {
    cond().prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(Expr::And),
            prop::collection::vec(inner, 1..4).prop_map(Expr::Or),
        ]
    })
}

pub fn query() -> impl Strategy<Value = ListQuery> {
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

/// Gives generated rows distinct ids in an order unrelated to their position.
pub fn with_ids(rows: Vec<Row>, start: i64) -> Vec<(i64, Row)> {
    rows.into_iter()
        .enumerate()
        .map(|(i, r)| ((i as i64 * 37 + start) % 1000, r))
        .collect()
}
