//! Validated request parameters, handed to handlers by the contract layer.

use std::collections::HashMap;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::error::ApiError;
use crate::spec::ParamValue;

/// The query parameters of a request, already checked against the contract.
#[derive(Debug, Clone, Default)]
pub struct Params {
    values: HashMap<String, ParamValue>,
}

impl Params {
    /// Wraps validated values.
    pub fn new(values: HashMap<String, ParamValue>) -> Self {
        Self { values }
    }

    /// A boolean parameter; absent means false.
    pub fn flag(&self, name: &str) -> bool {
        matches!(self.values.get(name), Some(ParamValue::Bool(true)))
    }

    /// A text parameter.
    pub fn text(&self, name: &str) -> Option<String> {
        self.values.get(name).map(ParamValue::as_text)
    }

    /// An integer parameter.
    pub fn int(&self, name: &str) -> Option<i64> {
        match self.values.get(name) {
            Some(ParamValue::Int(i)) => Some(*i),
            _ => None,
        }
    }

    /// A list parameter as strings.
    pub fn list(&self, name: &str) -> Option<Vec<String>> {
        match self.values.get(name) {
            Some(ParamValue::List(l)) => Some(l.iter().map(ParamValue::as_text).collect()),
            Some(v) => Some(vec![v.as_text()]),
            None => None,
        }
    }

    /// Whether the parameter was sent.
    pub fn has(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Params>()
            .cloned()
            .ok_or_else(|| ApiError::Internal("parameters were not validated for this route".into()))
    }
}
