//! Checking a [`ListQuery`] against a [`Schema`] and lowering it to a plan both executors run.
//!
//! All Wazuh quirks (`all`, `null`, quotes as wildcards, timeframes, integer parsing) are decided here, once,
//! so the in-memory and SQL executors cannot disagree about what a condition means.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::query::MAX_DEPTH;
use crate::schema::is_path_prefix;
use crate::value::{parse_date_value, parse_decimal, DateValue};
use crate::{Error, Expr, Field, FieldKind, ListQuery, Op, Schema};

/// Deepest `Expr` tree accepted: what the parser can produce with [`MAX_DEPTH`] parentheses
/// (each level may add an OR and an AND node, plus the condition).
pub(crate) const MAX_TREE_DEPTH: usize = 2 * (MAX_DEPTH + 1) + 1;

/// A comparison after lowering (`~` has become [`Pred::Like`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Gt,
}

/// A number bound against an integer field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Number {
    Int(i64),
    Real(f64),
}

/// One leaf test. NULL (missing) values fail every predicate except [`Pred::IsNull`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Pred<'s> {
    IsNull(&'s Field),
    NotNull(&'s Field),
    /// Matches nothing (e.g. `=` a non-number on an integer field).
    Never,
    /// ASCII-case-insensitive text comparison (SQLite `COLLATE NOCASE`).
    Text {
        field: &'s Field,
        op: CmpOp,
        value: String,
    },
    /// Numeric comparison on an integer field.
    Num {
        field: &'s Field,
        op: CmpOp,
        value: Number,
    },
    /// Comparison of the field's instant (Unix seconds) on a date field; `micros` is the same
    /// instant in microseconds, for fields compared to the microsecond ([`Field::sub_second`]).
    Instant {
        field: &'s Field,
        op: CmpOp,
        value: i64,
        micros: i64,
    },
    /// SQLite `LIKE` on the field's text; `negate` is `NOT LIKE` (still false on NULL).
    Like {
        field: &'s Field,
        pattern: String,
        negate: bool,
    },
}

/// A boolean tree of predicates; never empty (empty groups are pruned away).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Filter<'s> {
    And(Vec<Filter<'s>>),
    Or(Vec<Filter<'s>>),
    Pred(Pred<'s>),
}

/// `search`: some searchable, non-NULL field is `LIKE pattern` (or none is, when negated).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SearchPlan<'s> {
    pub fields: Vec<&'s Field>,
    pub pattern: String,
    pub negate: bool,
}

/// Everything an executor needs, fully checked.
#[derive(Debug, Clone)]
pub(crate) struct Plan<'s> {
    pub filter: Option<Filter<'s>>,
    pub search: Option<SearchPlan<'s>>,
    /// Output fields in schema order: selected plus always-present (distinct: selected only).
    pub output: Vec<&'s Field>,
    /// Whether rows collapse to unique combinations of `output`.
    pub distinct: bool,
    /// Full ordering: requested keys (or the default) plus the default keys as tie-breakers.
    pub sort: Vec<(&'s Field, bool)>,
    pub offset: u64,
    pub limit: Option<u64>,
}

/// Characters Wazuh swaps for the single-character wildcard `_` (it cannot quote them safely).
const QUOTES: [char; 2] = ['\'', '"'];

pub(crate) fn plan<'s>(query: &ListQuery, schema: &'s Schema) -> Result<Plan<'s>, Error> {
    // Same order of checks as Wazuh's `general_run`: select, filters, search, sort, limit.
    let output = plan_output(query, schema)?;
    let now = query.now.unwrap_or_else(system_now);
    let filter = match &query.q {
        None => None,
        Some(expr) => {
            if expr.depth() > MAX_TREE_DEPTH {
                return Err(Error::TooDeep { max: MAX_DEPTH });
            }
            lower(expr, schema, now)?
        }
    };
    let search = query.search.as_ref().map(|s| SearchPlan {
        fields: schema.fields().iter().filter(|f| f.searchable).collect(),
        pattern: format!("%{}%", s.text.replace(QUOTES, "_")),
        negate: s.negate,
    });
    let sort = plan_sort(query, schema)?;
    if let Some(limit) = query.limit {
        if limit == 0 {
            return Err(Error::ZeroLimit {
                max: schema.max_limit(),
            });
        }
        if limit > schema.max_limit() {
            return Err(Error::LimitTooLarge {
                limit,
                max: schema.max_limit(),
            });
        }
    }
    Ok(Plan {
        filter,
        search,
        output,
        distinct: query.distinct,
        sort,
        offset: query.offset,
        limit: query.limit,
    })
}

fn system_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn plan_output<'s>(query: &ListQuery, schema: &'s Schema) -> Result<Vec<&'s Field>, Error> {
    let fields = schema.fields();
    let mut chosen = vec![false; fields.len()];
    match &query.select {
        None => chosen.iter_mut().for_each(|c| *c = true),
        Some(select) => {
            if select.is_empty() {
                return Err(Error::EmptySelect);
            }
            let mut unknown = Vec::new();
            for name in select {
                let mut hit = false;
                for (i, f) in fields.iter().enumerate() {
                    // A prefix selects the whole nested object, like Wazuh's in-memory `select_array`.
                    if f.name == *name || is_path_prefix(name, &f.name) {
                        chosen[i] = true;
                        hit = true;
                    }
                }
                if !hit && !unknown.contains(name) {
                    unknown.push(name.clone());
                }
            }
            if !unknown.is_empty() {
                return Err(Error::UnknownSelectField {
                    fields: unknown,
                    allowed: schema.names(),
                });
            }
            // Wazuh drops its minimum fields in distinct mode so they do not break the uniqueness.
            if !query.distinct {
                for name in schema.always_present() {
                    if let Some(i) = schema.index_of(name) {
                        chosen[i] = true;
                    }
                }
            }
        }
    }
    Ok(fields.iter().zip(chosen).filter_map(|(f, c)| c.then_some(f)).collect())
}

fn plan_sort<'s>(query: &ListQuery, schema: &'s Schema) -> Result<Vec<(&'s Field, bool)>, Error> {
    let requested = if query.sort.is_empty() {
        schema.default_sort()
    } else {
        &query.sort
    };
    let mut unknown: Vec<String> = Vec::new();
    let mut keys: Vec<(&Field, bool)> = Vec::new();
    for key in requested {
        match schema.field(&key.field) {
            // A repeated field cannot change the order; keep the first mention.
            Some(f) if !keys.iter().any(|(k, _)| k.name == f.name) => keys.push((f, key.descending)),
            Some(_) => {}
            None if !unknown.contains(&key.field) => unknown.push(key.field.clone()),
            None => {}
        }
    }
    if !unknown.is_empty() {
        return Err(Error::UnknownSortField {
            fields: unknown,
            allowed: schema.names(),
        });
    }
    for key in schema.default_sort() {
        if let Some(f) = schema.field(&key.field) {
            if !keys.iter().any(|(k, _)| k.name == f.name) {
                keys.push((f, key.descending));
            }
        }
    }
    Ok(keys)
}

/// Lowers an expression; `None` means "no constraint" (everything in it was an `all` condition).
fn lower<'s>(expr: &Expr, schema: &'s Schema, now: i64) -> Result<Option<Filter<'s>>, Error> {
    match expr {
        Expr::Cond { field, op, value } => lower_cond(expr, field, *op, value, schema, now),
        Expr::And(items) | Expr::Or(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                if let Some(f) = lower(item, schema, now)? {
                    out.push(f);
                }
            }
            // Wazuh drops `all` conditions from the SQL text, so a group that loses all members vanishes
            // rather than becoming true or false.
            Ok(match out.len() {
                0 => None,
                1 => out.pop(),
                _ if matches!(expr, Expr::And(_)) => Some(Filter::And(out)),
                _ => Some(Filter::Or(out)),
            })
        }
    }
}

fn lower_cond<'s>(
    expr: &Expr,
    name: &str,
    op: Op,
    value: &str,
    schema: &'s Schema,
    now: i64,
) -> Result<Option<Filter<'s>>, Error> {
    let Some(field) = schema.field(name) else {
        return Err(Error::UnknownField {
            field: name.into(),
            condition: expr.to_string(),
            allowed: schema.names(),
        });
    };
    // `field=all` is Wazuh's "do not filter on this".
    if value == "all" {
        return Ok(None);
    }
    let cmp = |op: Op| match op {
        Op::Eq | Op::Like => CmpOp::Eq,
        Op::Ne => CmpOp::Ne,
        Op::Lt => CmpOp::Lt,
        Op::Gt => CmpOp::Gt,
    };
    let pred = if value == "null" {
        // Wazuh emits `IS null` whatever the operator; `!=null` meaning "is not null" is our fix.
        if op == Op::Ne {
            Pred::NotNull(field)
        } else {
            Pred::IsNull(field)
        }
    } else if field.kind == FieldKind::Date {
        match parse_date_value(value) {
            // `<7d` reads "less than 7 days ago": newer than the threshold. Wazuh maps `=` like `<` and every
            // other operator like `>`.
            Ok(DateValue::Ago(secs)) => {
                let threshold = now.saturating_sub(secs);
                let op = if matches!(op, Op::Lt | Op::Eq) {
                    CmpOp::Gt
                } else {
                    CmpOp::Lt
                };
                Pred::Instant {
                    field,
                    op,
                    value: threshold,
                    micros: threshold.saturating_mul(1_000_000),
                }
            }
            Ok(DateValue::At(us)) => Pred::Instant {
                field,
                op: cmp(op),
                value: us.div_euclid(1_000_000),
                micros: us,
            },
            Err(true) => {
                return Err(Error::InvalidTimeframe {
                    field: field.name.clone(),
                    value: value.into(),
                    condition: expr.to_string(),
                })
            }
            Err(false) => {
                return Err(Error::InvalidDate {
                    field: field.name.clone(),
                    value: value.into(),
                    condition: expr.to_string(),
                })
            }
        }
    } else if value.contains(QUOTES) {
        // Wazuh cannot bind quotes, so it turns them into `_` and compares with LIKE (no `%` unless `~`).
        let pattern = value.replace(QUOTES, "_");
        match op {
            Op::Like => Pred::Like {
                field,
                pattern: format!("%{pattern}%"),
                negate: false,
            },
            Op::Ne => Pred::Like {
                field,
                pattern,
                negate: true,
            },
            Op::Eq | Op::Lt | Op::Gt => Pred::Like {
                field,
                pattern,
                negate: false,
            },
        }
    } else if op == Op::Like {
        Pred::Like {
            field,
            pattern: format!("%{value}%"),
            negate: false,
        }
    } else if field.kind == FieldKind::Integer {
        let trimmed = value.trim();
        let number = match trimmed.parse::<i64>() {
            Ok(i) => Some(Number::Int(i)),
            Err(_) => parse_decimal(trimmed).map(Number::Real),
        };
        match (number, op) {
            (Some(n), _) => Pred::Num {
                field,
                op: cmp(op),
                value: n,
            },
            // An integer never equals text: what SQLite answers for `int_col = 'abc'`.
            (None, Op::Eq) => Pred::Never,
            (None, Op::Ne) => Pred::NotNull(field),
            (None, _) => {
                return Err(Error::InvalidValue {
                    field: field.name.clone(),
                    kind: field.kind.word(),
                    value: value.into(),
                    condition: expr.to_string(),
                    expected: "an integer or decimal number",
                })
            }
        }
    } else {
        Pred::Text {
            field,
            op: cmp(op),
            value: value.into(),
        }
    };
    Ok(Some(Filter::Pred(pred)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::{parse_q, parse_sort, Search, SortKey};

    fn schema() -> Schema {
        Schema::builder()
            .field(Field::integer("id", "id"))
            .field(Field::text("name", "name"))
            .field(Field::date("added", "added"))
            .field(Field::text("os.name", "os_name"))
            .field(Field::text("os.arch", "os_arch").searchable(false))
            .default_sort("id")
            .always_present("id")
            .build()
            .unwrap()
    }

    fn lowered(q: &str) -> Result<Option<Filter<'static>>, Error> {
        let s: &'static Schema = Box::leak(Box::new(schema()));
        let query = ListQuery {
            q: Some(parse_q(q)?),
            now: Some(1_000_000),
            ..ListQuery::default()
        };
        plan(&query, s).map(|p| p.filter)
    }

    fn pred_of(q: &str) -> Pred<'static> {
        match lowered(q) {
            Ok(Some(Filter::Pred(p))) => p,
            other => panic!("{q}: {other:?}"),
        }
    }

    #[test]
    fn all_drops_conditions_and_empty_groups() {
        assert_eq!(lowered("name=all").unwrap(), None);
        assert_eq!(lowered("name=all;id=all").unwrap(), None);
        assert!(matches!(
            lowered("name=all,id=1").unwrap(),
            Some(Filter::Pred(Pred::Num { .. }))
        ));
        assert!(matches!(
            lowered("(name=all),id=1").unwrap(),
            Some(Filter::Pred(Pred::Num { .. }))
        ));
        // Still checked: an unknown field with `all` is an error, as in Wazuh.
        assert!(matches!(lowered("nope=all"), Err(Error::UnknownField { .. })));
    }

    #[test]
    fn null_and_quotes() {
        assert!(matches!(pred_of("name=null"), Pred::IsNull(_)));
        assert!(matches!(pred_of("name~null"), Pred::IsNull(_)));
        assert!(matches!(pred_of("name!=null"), Pred::NotNull(_)));
        assert!(matches!(pred_of("name=NULL"), Pred::Text { .. }));
        assert!(matches!(pred_of("name=\"a b\""), Pred::Like { pattern, negate: false, .. } if pattern == "_a b_"));
        assert!(matches!(pred_of("name!='x'"), Pred::Like { pattern, negate: true, .. } if pattern == "_x_"));
        assert!(matches!(pred_of("name~'x"), Pred::Like { pattern, .. } if pattern == "%_x%"));
    }

    #[test]
    fn integers() {
        assert!(matches!(
            pred_of("id=5"),
            Pred::Num {
                value: Number::Int(5),
                op: CmpOp::Eq,
                ..
            }
        ));
        assert!(matches!(
            pred_of("id< 5 "),
            Pred::Num {
                value: Number::Int(5),
                op: CmpOp::Lt,
                ..
            }
        ));
        assert!(matches!(
            pred_of("id>2.5"),
            Pred::Num {
                value: Number::Real(_),
                op: CmpOp::Gt,
                ..
            }
        ));
        assert!(matches!(pred_of("id=abc"), Pred::Never));
        assert!(matches!(pred_of("id!=abc"), Pred::NotNull(_)));
        assert!(matches!(pred_of("id~12"), Pred::Like { pattern, .. } if pattern == "%12%"));
        assert_eq!(
            lowered("name=x;id<abc").unwrap_err().to_string(),
            "invalid value 'abc' for integer field 'id' in q condition 'id<abc': expected an integer or decimal number"
        );
    }

    #[test]
    fn dates() {
        assert!(matches!(
            pred_of("added<1h"),
            Pred::Instant {
                op: CmpOp::Gt,
                value: 996_400,
                ..
            }
        ));
        assert!(matches!(
            pred_of("added=60"),
            Pred::Instant {
                op: CmpOp::Gt,
                value: 999_940,
                ..
            }
        ));
        assert!(matches!(
            pred_of("added>1h"),
            Pred::Instant {
                op: CmpOp::Lt,
                value: 996_400,
                ..
            }
        ));
        assert!(matches!(pred_of("added~1h"), Pred::Instant { op: CmpOp::Lt, .. }));
        assert!(matches!(
            pred_of("added<1970-01-02"),
            Pred::Instant {
                op: CmpOp::Lt,
                value: 86_400,
                ..
            }
        ));
        assert!(matches!(
            pred_of("added~1970-01-02"),
            Pred::Instant { op: CmpOp::Eq, .. }
        ));
        assert!(matches!(pred_of("added=null"), Pred::IsNull(_)));
        assert!(matches!(lowered("added<7x"), Err(Error::InvalidDate { .. })));
        assert!(matches!(lowered("added<7dd"), Err(Error::InvalidTimeframe { .. })));
        assert!(matches!(lowered("added='2024-01-01'"), Err(Error::InvalidDate { .. })));
    }

    #[test]
    fn unknown_field_message() {
        assert_eq!(
            lowered("id=1;(name=a,nope~b)").unwrap_err().to_string(),
            "unknown field 'nope' in q condition 'nope~b': expected one of id, name, added, os.name, os.arch"
        );
    }

    #[test]
    fn select_sort_limit_checks() {
        let s = schema();
        let q = |f: &dyn Fn(&mut ListQuery)| {
            let mut q = ListQuery::default();
            f(&mut q);
            plan(&q, &s).map(|p| {
                (
                    p.output.iter().map(|f| f.name.clone()).collect::<Vec<_>>(),
                    p.sort.len(),
                )
            })
        };
        assert_eq!(
            q(&|q| q.select = Some(vec!["os".into()])).unwrap().0,
            ["id", "os.name", "os.arch"]
        );
        assert_eq!(
            q(&|q| {
                q.select = Some(vec!["name".into()]);
                q.distinct = true;
            })
            .unwrap()
            .0,
            ["name"]
        );
        assert_eq!(
            q(&|q| q.select = Some(vec!["x".into(), "name".into(), "x".into()])),
            Err(Error::UnknownSelectField {
                fields: vec!["x".into()],
                allowed: s.names()
            })
        );
        assert_eq!(q(&|q| q.select = Some(vec![])), Err(Error::EmptySelect));
        assert_eq!(
            q(&|q| q.sort = parse_sort("-name").unwrap()).unwrap().1,
            2,
            "id appended as tie-breaker"
        );
        assert_eq!(
            q(&|q| q.sort = vec![SortKey {
                field: "id".into(),
                descending: true
            }])
            .unwrap()
            .1,
            1
        );
        assert!(matches!(
            q(&|q| q.sort = parse_sort("nope,os").unwrap()),
            Err(Error::UnknownSortField { .. })
        ));
        assert_eq!(q(&|q| q.limit = Some(0)), Err(Error::ZeroLimit { max: 100_000 }));
        assert_eq!(
            q(&|q| q.limit = Some(100_001)),
            Err(Error::LimitTooLarge {
                limit: 100_001,
                max: 100_000
            })
        );
        assert!(q(&|q| q.limit = Some(100_000)).is_ok());
        // Select errors come before q errors, as in Wazuh.
        assert_eq!(
            q(&|q| {
                q.select = Some(vec![]);
                q.q = Some(Expr::cond("nope", Op::Eq, "1"));
            }),
            Err(Error::EmptySelect)
        );
    }

    #[test]
    fn search_pattern_and_fields() {
        let s = schema();
        let query = ListQuery {
            search: Some(Search {
                text: "a\"b".into(),
                negate: true,
            }),
            ..ListQuery::default()
        };
        let p = plan(&query, &s).unwrap().search.unwrap();
        assert_eq!(p.pattern, "%a_b%");
        assert!(p.negate);
        assert_eq!(p.fields.len(), 4, "os.arch is not searchable");
    }

    #[test]
    fn hostile_trees_are_refused() {
        let mut e = Expr::cond("id", Op::Eq, "1");
        for _ in 0..10_000 {
            e = Expr::And(vec![e]);
        }
        let q = ListQuery {
            q: Some(e),
            ..ListQuery::default()
        };
        assert_eq!(plan(&q, &schema()).err(), Some(Error::TooDeep { max: MAX_DEPTH }));
    }
}
