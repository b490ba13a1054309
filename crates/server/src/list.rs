//! The common list parameters (`offset`, `limit`, `sort`, `search`, `select`, `q`, `distinct`) turned
//! into one [`ListQuery`] for the list-query engine, and the engine's errors turned into Wazuh's codes.

use oxsec_types::WazuhCode;
use oxsec_wql::{Expr, ListQuery, Op, Schema};

use crate::error::ApiError;
use crate::params::Params;

/// Wazuh's default page size when `limit` is not given.
pub const DEFAULT_LIMIT: u64 = 500;

/// Builds and validates the list query of a request against `schema`.
pub fn list_query(params: &Params, schema: &Schema) -> Result<ListQuery, ApiError> {
    let query = unchecked_list_query(params)?;
    query.validate(schema).map_err(wql_error)?;
    Ok(query)
}

/// Builds the list query of a request without checking its fields against a schema yet: for
/// Wazuh's in-memory listings, which check `select` and `sort` only when there are items.
pub fn unchecked_list_query(params: &Params) -> Result<ListQuery, ApiError> {
    let mut query = ListQuery {
        offset: params.int("offset").map_or(0, |o| o.max(0) as u64),
        limit: Some(params.int("limit").map_or(DEFAULT_LIMIT, |l| l.max(0) as u64)),
        distinct: params.flag("distinct"),
        ..ListQuery::default()
    };
    if let Some(sort) = params.text("sort") {
        query.sort = oxsec_wql::parse_sort(&sort).map_err(wql_error)?;
    }
    if let Some(search) = params.text("search") {
        query.search = Some(oxsec_wql::parse_search(&search));
    }
    if let Some(select) = params.list("select") {
        query.select = Some(select);
    }
    if let Some(q) = params.text("q").filter(|q| !q.is_empty()) {
        query.q = Some(oxsec_wql::parse_q(&q).map_err(wql_error)?);
    }
    Ok(query)
}

/// The one mapping from the query engine's errors to Wazuh codes; the engine's message (which says
/// where the query went wrong and what was expected) becomes the detail.
pub fn wql_error(e: oxsec_wql::Error) -> ApiError {
    use oxsec_wql::Error as E;
    let code = match &e {
        E::Syntax { .. } | E::TooDeep { .. } | E::InvalidValue { .. } => WazuhCode::InvalidQuery,
        E::UnknownField { .. } => WazuhCode::InvalidQueryField,
        E::InvalidOperator { .. } => WazuhCode::InvalidQueryOperator,
        E::InvalidTimeframe { .. } => WazuhCode::InvalidTimeframe,
        E::InvalidDate { .. } => WazuhCode::InvalidDateFilter,
        E::InvalidSort { .. } | E::UnknownSortField { .. } => WazuhCode::InvalidSortField,
        E::UnknownSelectField { .. } | E::EmptySelect => WazuhCode::InvalidSelectField,
        E::ZeroLimit { .. } => WazuhCode::LimitZero,
        E::LimitTooLarge { .. } => WazuhCode::LimitTooLarge,
        E::InvalidSchema(_) => return ApiError::Internal(e.to_string()),
    };
    ApiError::with_details(code, e.to_string())
}

/// `field = value`: an endpoint's filter parameter as a condition of `q`.
pub fn equals(field: &str, value: impl Into<String>) -> Expr {
    Expr::Cond {
        field: field.to_owned(),
        op: Op::Eq,
        value: value.into(),
    }
}

/// ANDs an endpoint's filter conditions with the request's own `q`, as Wazuh joins them.
pub fn and_filters(query: &mut ListQuery, mut conds: Vec<Expr>) {
    if conds.is_empty() {
        return;
    }
    if let Some(q) = query.q.take() {
        conds.push(q);
    }
    query.q = Some(Expr::And(conds));
}
