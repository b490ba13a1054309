//! Running a [`ListQuery`] over JSON records held in memory.
//!
//! The semantics are those of the SQL executor on SQLite (see the crate docs), reproduced value by value:
//! NOCASE comparisons, `LIKE`, SQLite's type order, date parsing. One extension has no SQL counterpart: when a
//! record holds a JSON array at a field, a condition holds if *some* element satisfies it (`!=` and negated
//! `LIKE`: if *no* element equals/matches), and `search` looks into every element. Arrays sort and compare
//! for `distinct` by their JSON text.

use std::collections::HashSet;

use serde_json::{Map, Value};

use crate::plan::{self, CmpOp, Filter, Number, Pred};
use crate::value::{
    lookup, nocase_cmp, parse_instant, parse_instant_micros, sqlite_cmp, to_scalar, LikePattern, Scalar,
};
use crate::{Error, Field, FieldKind, ListQuery, Schema};

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    /// Matching items before `offset`/`limit` (with `distinct`: unique combinations), Wazuh's `totalItems`.
    pub total: u64,
    /// The items of this page, each holding only the output fields, nested by dot path.
    pub items: Vec<Value>,
}

/// Filters, sorts, de-duplicates, pages and projects `records` (JSON objects; fields are found by dot path).
pub fn execute(records: &[Value], query: &ListQuery, schema: &Schema) -> Result<Page, Error> {
    let plan = plan::plan(query, schema)?;
    let (total, page) = page_positions(records, &plan);
    let items = page.into_iter().map(|i| project(&records[i], &plan.output)).collect();
    Ok(Page { total, items })
}

/// A page given as positions in the records, for callers holding each record already rendered.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PositionPage {
    /// Matching records before `offset`/`limit`.
    pub total: u64,
    /// Positions in `records` of this page's items, in order.
    pub positions: Vec<usize>,
}

/// Like [`execute`] when each output item would be its whole record: no `select` and no
/// `distinct`, and every record holding only schema fields, none of them null (the caller's
/// promise). Returns `None` when the query selects or de-duplicates; use [`execute`] then.
pub fn execute_positions(records: &[Value], query: &ListQuery, schema: &Schema) -> Result<Option<PositionPage>, Error> {
    let plan = plan::plan(query, schema)?;
    if query.select.is_some() || plan.distinct {
        return Ok(None);
    }
    let (total, positions) = page_positions(records, &plan);
    Ok(Some(PositionPage { total, positions }))
}

/// Filters, sorts, de-duplicates and pages: the total and the positions of the page's records.
fn page_positions(records: &[Value], plan: &plan::Plan<'_>) -> (u64, Vec<usize>) {
    let filter = plan.filter.as_ref().map(compile);
    let search = plan.search.as_ref().map(|s| (LikePattern::new(&s.pattern), s));

    let mut rows: Vec<(Vec<Scalar<'_>>, usize)> = records
        .iter()
        .enumerate()
        .filter(|(_, r)| filter.as_ref().is_none_or(|f| eval(f, r)))
        .filter(|(_, r)| {
            search.as_ref().is_none_or(|(pattern, s)| {
                let found = s
                    .fields
                    .iter()
                    .any(|f| lookup(r, &f.name).is_some_and(|v| any_nested(v, &|e: &Value| like(f, e, pattern))));
                found != s.negate
            })
        })
        // Wazuh's distinct mode leaves out rows where a selected value is NULL or ''.
        .filter(|(_, r)| {
            !plan.distinct
                || plan
                    .output
                    .iter()
                    .all(|f| !matches!(raw(f, r), Scalar::Null) && !is_empty(f, r))
        })
        .map(|(i, r)| (plan.sort.iter().map(|(f, _)| sort_value(f, r)).collect(), i))
        .collect();

    // Stable, so rows equal on every key keep their input order.
    rows.sort_by(|(a, _), (b, _)| {
        a.iter()
            .zip(b)
            .zip(&plan.sort)
            .map(|((x, y), (_, desc))| if *desc { sqlite_cmp(y, x) } else { sqlite_cmp(x, y) })
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });

    let mut selected: Vec<usize> = rows.into_iter().map(|(_, i)| i).collect();
    if plan.distinct {
        // Keep each combination's first row in sort order: the SQL side orders groups by MIN(row_number).
        let mut seen = HashSet::new();
        selected.retain(|i| {
            seen.insert(
                plan.output
                    .iter()
                    .map(|f| DistinctKey::of(&raw(f, &records[*i])))
                    .collect::<Vec<_>>(),
            )
        });
    }

    let total = selected.len() as u64;
    let offset = usize::try_from(plan.offset).unwrap_or(usize::MAX);
    let limit = plan
        .limit
        .map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
    (total, selected.into_iter().skip(offset).take(limit).collect())
}

/// Builds an output item: the non-NULL values of `fields`, nested by dot path, in `fields` order.
fn project(record: &Value, fields: &[&Field]) -> Value {
    let mut item = Map::new();
    for f in fields {
        if let Some(v) = lookup(record, &f.name) {
            insert_path(&mut item, &f.name, v.clone());
        }
    }
    Value::Object(item)
}

/// Inserts `value` at dot path `path`, creating intermediate objects (schemas forbid path conflicts).
pub(crate) fn insert_path(item: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            item.insert(path.to_string(), value);
        }
        Some((head, rest)) => {
            let child = item
                .entry(head.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(map) = child {
                insert_path(map, rest, value);
            }
        }
    }
}

/// The value as the column stores it (dates: their raw text).
fn raw<'a>(f: &Field, r: &'a Value) -> Scalar<'a> {
    lookup(r, &f.name).map_or(Scalar::Null, |v| to_scalar(f.kind, v))
}

fn is_empty(f: &Field, r: &Value) -> bool {
    matches!(raw(f, r), Scalar::Text(t) if t.is_empty())
}

/// The value ORDER BY sees: dates as instants (unparsable = NULL), others as stored. A list sorts
/// element by element, shorter first on a common prefix (as Python compares lists): its elements'
/// texts joined by a byte below any printable one.
fn sort_value<'a>(f: &Field, r: &'a Value) -> Scalar<'a> {
    if let Some(Value::Array(items)) = lookup(r, &f.name) {
        let joined = items
            .iter()
            .map(|e| to_scalar(f.kind, e).like_text().unwrap_or_default().into_owned())
            .collect::<Vec<_>>()
            .join("\u{1}");
        return Scalar::Text(std::borrow::Cow::Owned(if f.sort_nocase {
            joined.to_lowercase()
        } else {
            joined
        }));
    }
    match f.kind {
        FieldKind::Date if f.sub_second => lookup(r, &f.name)
            .and_then(|v| v.as_str().and_then(parse_instant_micros))
            .map_or(Scalar::Null, Scalar::Int),
        FieldKind::Date => lookup(r, &f.name).and_then(instant).map_or(Scalar::Null, Scalar::Int),
        _ if f.sort_nocase => match raw(f, r) {
            Scalar::Text(t) => Scalar::Text(std::borrow::Cow::Owned(t.to_lowercase())),
            other => other,
        },
        _ => raw(f, r),
    }
}

fn instant(v: &Value) -> Option<i64> {
    v.as_str().and_then(parse_instant)
}

/// Canonical, hashable form of a stored value for `distinct` (SQLite groups 5 and 5.0 together).
#[derive(Debug, PartialEq, Eq, Hash)]
enum DistinctKey {
    Null,
    Int(i64),
    Real(u64),
    Text(String),
}

impl DistinctKey {
    fn of(s: &Scalar<'_>) -> Self {
        match s {
            Scalar::Null => DistinctKey::Null,
            Scalar::Int(i) => DistinctKey::Int(*i),
            Scalar::Real(r) if r.fract() == 0.0 && r.abs() < 9.0e18 => DistinctKey::Int(*r as i64),
            Scalar::Real(r) => DistinctKey::Real(r.to_bits()),
            Scalar::Text(t) => DistinctKey::Text(t.to_string()),
        }
    }
}

/// A filter with its LIKE patterns compiled once.
enum Compiled<'p, 's> {
    And(Vec<Compiled<'p, 's>>),
    Or(Vec<Compiled<'p, 's>>),
    Pred(&'p Pred<'s>, Option<LikePattern>),
}

fn compile<'p, 's>(f: &'p Filter<'s>) -> Compiled<'p, 's> {
    match f {
        Filter::And(v) => Compiled::And(v.iter().map(compile).collect()),
        Filter::Or(v) => Compiled::Or(v.iter().map(compile).collect()),
        Filter::Pred(p) => {
            let pattern = match p {
                Pred::Like { pattern, .. } => Some(LikePattern::new(pattern)),
                _ => None,
            };
            Compiled::Pred(p, pattern)
        }
    }
}

fn eval(f: &Compiled<'_, '_>, r: &Value) -> bool {
    match f {
        Compiled::And(v) => v.iter().all(|c| eval(c, r)),
        Compiled::Or(v) => v.iter().any(|c| eval(c, r)),
        Compiled::Pred(p, pattern) => eval_pred(p, pattern.as_ref(), r),
    }
}

fn eval_pred(p: &Pred<'_>, pattern: Option<&LikePattern>, r: &Value) -> bool {
    match p {
        Pred::IsNull(f) => lookup(r, &f.name).is_none(),
        Pred::NotNull(f) => lookup(r, &f.name).is_some(),
        Pred::Never => false,
        Pred::Text { field, op, value } => compare(field, r, *op, |v| match to_scalar(field.kind, v) {
            Scalar::Text(t) => Some(nocase_cmp(&t, value)),
            Scalar::Null => None,
            // A number in a text column: SQLite's TEXT affinity stores its text, which to_scalar returns.
            other => Some(sqlite_cmp(&other, &Scalar::Text(value.as_str().into()))),
        }),
        Pred::Num { field, op, value } => compare(field, r, *op, |v| {
            let rhs = match value {
                Number::Int(i) => Scalar::Int(*i),
                Number::Real(x) => Scalar::Real(*x),
            };
            match to_scalar(field.kind, v) {
                Scalar::Null => None,
                lhs => Some(sqlite_cmp(&lhs, &rhs)),
            }
        }),
        Pred::Instant {
            field,
            op,
            value,
            micros,
        } => compare(field, r, *op, |v| {
            if field.sub_second {
                v.as_str().and_then(parse_instant_micros).map(|t| t.cmp(micros))
            } else {
                instant(v).map(|t| t.cmp(value))
            }
        }),
        Pred::Like { field, negate, .. } => {
            let Some(pattern) = pattern else { return false };
            if lookup(r, &field.name).is_none() {
                return false;
            }
            let hit = any_element(field, r, |v| like(field, v, pattern));
            hit != *negate
        }
    }
}

/// Applies a comparison to the field's value(s). `cmp` yields `None` where SQL would yield NULL.
/// For arrays, positive operators need one element to hold; `!=` needs no element to be equal.
fn compare(field: &Field, r: &Value, op: CmpOp, cmp: impl Fn(&Value) -> Option<std::cmp::Ordering>) -> bool {
    let Some(v) = lookup(r, &field.name) else { return false };
    let holds = |o: std::cmp::Ordering| match op {
        CmpOp::Eq | CmpOp::Ne => o.is_eq(),
        CmpOp::Lt => o.is_lt(),
        CmpOp::Gt => o.is_gt(),
    };
    match (v, op) {
        (Value::Array(items), CmpOp::Ne) => !items.iter().any(|e| cmp(e).is_some_and(holds)),
        (Value::Array(items), _) => items.iter().any(|e| cmp(e).is_some_and(holds)),
        (v, CmpOp::Ne) => cmp(v).is_some_and(|o| !o.is_eq()),
        (v, _) => cmp(v).is_some_and(holds),
    }
}

/// `pred` holds for the value, or for some element when it is an array.
fn any_element(field: &Field, r: &Value, pred: impl Fn(&Value) -> bool) -> bool {
    match lookup(r, &field.name) {
        None => false,
        Some(Value::Array(items)) => items.iter().any(|e| !e.is_null() && pred(e)),
        Some(v) => pred(v),
    }
}

/// `pred` holds for the value or for any value nested in it (array elements, object values):
/// `search` looks at values only, never at the keys of nested objects (Wazuh's `get_values`).
fn any_nested(v: &Value, pred: &impl Fn(&Value) -> bool) -> bool {
    match v {
        Value::Null => false,
        Value::Array(items) => items.iter().any(|e| any_nested(e, pred)),
        Value::Object(map) => map.values().any(|e| any_nested(e, pred)),
        v => pred(v),
    }
}

fn like(field: &Field, v: &Value, pattern: &LikePattern) -> bool {
    to_scalar(field.kind, v)
        .like_text()
        .is_some_and(|t| pattern.matches(&t))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::{parse_q, parse_search, parse_sort, Field};
    use serde_json::json;

    fn schema() -> Schema {
        Schema::builder()
            .field(Field::integer("id", "id"))
            .field(Field::text("name", "name"))
            .field(Field::date("added", "added"))
            .field(Field::text("os.name", "os_name"))
            .field(Field::text("groups", "groups"))
            .default_sort("id")
            .always_present("id")
            .build()
            .unwrap()
    }

    fn records() -> Vec<Value> {
        vec![
            json!({"id": 3, "name": "Web-1", "added": "2024-01-03 00:00:00", "os": {"name": "Ubuntu"}, "groups": ["web", "default"]}),
            json!({"id": 1, "name": "db", "added": "2024-01-01T00:00:00Z", "os": {"name": "centos"}}),
            json!({"id": 2, "name": "web-2", "os": {"name": "ubuntu"}, "groups": ["default"]}),
            json!({"id": 4, "name": "50%_off", "added": "2023-12-31"}),
        ]
    }

    fn run(f: impl FnOnce(&mut ListQuery)) -> Result<Page, Error> {
        let mut q = ListQuery {
            now: Some(1_704_153_600),
            ..ListQuery::default()
        }; // 2024-01-02T00:00:00Z
        f(&mut q);
        execute(&records(), &q, &schema())
    }

    fn ids(p: &Page) -> Vec<i64> {
        p.items.iter().map(|i| i["id"].as_i64().unwrap()).collect()
    }

    #[test]
    fn filters() {
        let cases: Vec<(&str, Vec<i64>)> = vec![
            ("name=WEB-1", vec![3]),
            ("name~web", vec![2, 3]),
            ("name~%_%", vec![1, 2, 3, 4]),
            ("name~0\\%", vec![]),
            ("name~50%\\_", vec![]),
            ("os.name=ubuntu", vec![2, 3]),
            ("os.name!=ubuntu", vec![1]),
            ("os.name=null", vec![4]),
            ("os.name!=null", vec![1, 2, 3]),
            ("id>1;id<4", vec![2, 3]),
            ("id<2,id>3", vec![1, 4]),
            ("(id<2,id>3);name~d", vec![1]),
            ("id=x", vec![]),
            ("id!=x", vec![1, 2, 3, 4]),
            ("added<2024-01-02", vec![1, 4]),
            ("added>2024-01-01", vec![3]),
            ("added=2024-01-01", vec![1]),
            ("added<1d", vec![3]),
            ("added>1d", vec![4]),
            ("groups=web", vec![3]),
            ("groups!=web", vec![2]),
            ("groups~fau", vec![2, 3]),
            ("name=all;id=1", vec![1]),
            ("name=\"db\"", vec![]),
            ("name='b", vec![1]),
        ];
        for (q, want) in cases {
            let page = run(|l| l.q = Some(parse_q(q).unwrap())).unwrap();
            assert_eq!(ids(&page), want, "q = {q}");
            assert_eq!(page.total, want.len() as u64);
        }
    }

    #[test]
    fn search_sort_page() {
        let p = run(|q| q.search = Some(parse_search("UBU"))).unwrap();
        assert_eq!(ids(&p), [2, 3]);
        let p = run(|q| q.search = Some(parse_search("-ubu"))).unwrap();
        assert_eq!(ids(&p), [1, 4]);
        let p = run(|q| q.search = Some(parse_search("2024-01"))).unwrap();
        assert_eq!(ids(&p), [1, 3], "dates are searched as stored");

        // Byte order: upper case before lower case; NULL first ascending.
        let p = run(|q| q.sort = parse_sort("os.name").unwrap()).unwrap();
        assert_eq!(ids(&p), [4, 3, 1, 2]);
        let p = run(|q| q.sort = parse_sort("-added").unwrap()).unwrap();
        assert_eq!(ids(&p), [3, 1, 4, 2]);

        let p = run(|q| {
            q.offset = 1;
            q.limit = Some(2);
        })
        .unwrap();
        assert_eq!((p.total, ids(&p)), (4, vec![2, 3]));
        let p = run(|q| q.offset = 10).unwrap();
        assert_eq!((p.total, p.items.len()), (4, 0));
    }

    #[test]
    fn select_and_distinct() {
        let p = run(|q| q.select = Some(vec!["os.name".into()])).unwrap();
        assert_eq!(p.items[0], json!({"id": 1, "os": {"name": "centos"}}));
        assert_eq!(
            p.items[3],
            json!({"id": 4}),
            "missing values are left out, like wazuh-db rows"
        );

        let p = run(|q| {
            q.select = Some(vec!["os.name".into()]);
            q.distinct = true;
        })
        .unwrap();
        // ubuntu/Ubuntu differ (exact values); NULL os.name is left out.
        assert_eq!(p.total, 3);
        assert_eq!(
            p.items,
            [
                json!({"os": {"name": "centos"}}),
                json!({"os": {"name": "ubuntu"}}),
                json!({"os": {"name": "Ubuntu"}})
            ]
        );

        let p = run(|q| {
            q.select = Some(vec!["os.name".into()]);
            q.distinct = true;
            q.sort = parse_sort("-id").unwrap();
            q.limit = Some(1);
        })
        .unwrap();
        assert_eq!((p.total, p.items.clone()), (3, vec![json!({"os": {"name": "Ubuntu"}})]));
    }

    #[test]
    fn errors_surface() {
        assert!(matches!(
            run(|q| q.q = Some(parse_q("nope=1").unwrap())),
            Err(Error::UnknownField { .. })
        ));
        assert!(matches!(run(|q| q.limit = Some(0)), Err(Error::ZeroLimit { .. })));
        assert_eq!(
            execute(&[], &ListQuery::default(), &schema()),
            Ok(Page {
                total: 0,
                items: vec![]
            })
        );
    }
}
