//! Costs of the common paths: parsing a typical `q`, running it over 10,000 in-memory records, and compiling
//! it to SQL.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use oxsec_wql::sql::{self, Dialect};
use oxsec_wql::{memory, parse_q, parse_search, parse_sort, Field, ListQuery, Schema};
use serde_json::{json, Value};

const TYPICAL_Q: &str = "status=active;(os.name~ubuntu,os.name~centos);id>10;lastKeepAlive<7d";

fn schema() -> Schema {
    Schema::builder()
        .field(Field::integer("id", "id"))
        .field(Field::text("name", "name"))
        .field(Field::text("status", "connection_status"))
        .field(Field::text("ip", "ip"))
        .field(Field::date("lastKeepAlive", "last_keepalive"))
        .field(Field::text("os.name", "os_name"))
        .field(Field::text("os.version", "os_version"))
        .default_sort("id")
        .always_present("id")
        .build()
        .unwrap()
}

fn records(n: usize) -> Vec<Value> {
    let oses = ["Ubuntu", "CentOS Linux", "Microsoft Windows 10", "macOS"];
    let statuses = ["active", "disconnected", "never_connected", "pending"];
    (0..n)
        .map(|i| {
            json!({
                "id": i,
                "name": format!("agent-{i:05}"),
                "status": statuses[i % statuses.len()],
                "ip": format!("10.0.{}.{}", i / 256 % 256, i % 256),
                "lastKeepAlive": format!("2024-01-{:02}T{:02}:00:00Z", 1 + i % 28, i % 24),
                "os": {"name": oses[i % oses.len()], "version": format!("{}.{}", 10 + i % 5, i % 3)},
            })
        })
        .collect()
}

fn typical_query() -> ListQuery {
    ListQuery {
        q: Some(parse_q(TYPICAL_Q).unwrap()),
        sort: parse_sort("-os.name,name").unwrap(),
        search: Some(parse_search("agent-0")),
        select: Some(vec!["name".into(), "os.name".into(), "lastKeepAlive".into()]),
        limit: Some(500),
        offset: 0,
        now: Some(1_704_931_200),
        ..ListQuery::default()
    }
}

fn benches(c: &mut Criterion) {
    let schema = schema();
    let data = records(10_000);

    c.bench_function("parse_q typical", |b| b.iter(|| parse_q(black_box(TYPICAL_Q)).unwrap()));

    c.bench_function("parse + execute q over 10k records", |b| {
        b.iter(|| {
            let query = ListQuery {
                q: Some(parse_q(black_box(TYPICAL_Q)).unwrap()),
                limit: Some(500),
                now: Some(1_704_931_200),
                ..ListQuery::default()
            };
            memory::execute(black_box(&data), &query, &schema).unwrap()
        })
    });

    let full = typical_query();
    c.bench_function("execute full list query over 10k records", |b| {
        b.iter(|| memory::execute(black_box(&data), black_box(&full), &schema).unwrap())
    });

    c.bench_function("sql compile typical (sqlite)", |b| {
        b.iter(|| sql::compile(black_box(&full), &schema, "agent", Dialect::Sqlite).unwrap())
    });
    c.bench_function("sql compile typical (postgres)", |b| {
        b.iter(|| sql::compile(black_box(&full), &schema, "agent", Dialect::Postgres).unwrap())
    });
}

criterion_group!(query_benches, benches);
criterion_main!(query_benches);
