//! Request bodies: read within `max_upload_size`, parsed as JSON with Wazuh's errors.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use oxsec_types::WazuhCode;
use serde_json::Value;

use crate::error::ApiError;
use crate::state::AppState;

/// A JSON request body (an object).
pub struct JsonBody(pub Value);

impl FromRequest<AppState> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let limit = state.config().max_upload_size;
        let extensions_schema = req.extensions().get::<BodySchema>().cloned();
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| ApiError::PayloadTooLarge { limit })?;
        if bytes.is_empty() {
            return Ok(Self(Value::Object(Default::default())));
        }
        let v: Value = serde_json::from_slice(&bytes).map_err(|_| ApiError::code(WazuhCode::BodyNotJson))?;
        if !v.is_object() {
            return Err(ApiError::Param(crate::spec::ParamError::Invalid {
                name: "body".into(),
                value: String::new(),
                message: format!("{} is not of type 'object'", crate::spec::pyrepr(&v)),
            }));
        }
        if let Some(BodySchema(schema)) = extensions_schema {
            crate::spec::validate_body(&v, &schema)?;
        }
        Ok(Self(v))
    }
}

/// The request-body schema of the matched operation, put in the request by the contract layer.
#[derive(Clone)]
pub struct BodySchema(pub Value);

/// A required string field of a body, or the upstream-style 400 naming it.
pub fn required_str<'a>(body: &'a Value, field: &str) -> Result<&'a str, ApiError> {
    body.get(field).and_then(Value::as_str).ok_or_else(|| {
        ApiError::Param(crate::spec::ParamError::Invalid {
            name: field.into(),
            value: String::new(),
            message: format!("'{field}' is a required property"),
        })
    })
}
