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
        if let Some(ValidatedBody(v)) = req.extensions().get::<ValidatedBody>().cloned() {
            return Ok(Self(v));
        }
        let limit = state.config().max_upload_size;
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| ApiError::PayloadTooLarge { limit })?;
        parse_and_validate(&bytes, &Value::Null).map(Self)
    }
}

/// The body the contract layer already parsed and checked against the operation's schema.
#[derive(Clone)]
pub struct ValidatedBody(pub Value);

/// Parses a JSON object body (empty = `{}`) and checks it against `schema` (`Null` = no schema).
pub fn parse_and_validate(bytes: &[u8], schema: &Value) -> Result<Value, ApiError> {
    let v: Value = if bytes.is_empty() {
        Value::Object(Default::default())
    } else {
        serde_json::from_slice(bytes).map_err(|_| ApiError::code(WazuhCode::BodyNotJson))?
    };
    if !v.is_object() {
        return Err(ApiError::Param(crate::spec::ParamError::Invalid {
            name: "body".into(),
            value: String::new(),
            message: format!("{} is not of type 'object'", crate::spec::pyrepr(&v)),
        }));
    }
    if !schema.is_null() {
        crate::spec::validate_body(&v, schema)?;
    }
    Ok(v)
}

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

/// An uploaded file (rule, decoder and list files): `application/octet-stream` or no
/// Content-Type at all (Wazuh takes that as octet-stream), read within `max_upload_size`. Any
/// other type is refused with 415, as Wazuh does, so a form-encoded body is not stored by mistake.
pub struct UploadBody(pub Bytes);

impl FromRequest<AppState> for UploadBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(ct) = req.headers().get(axum::http::header::CONTENT_TYPE) {
            let sent = String::from_utf8_lossy(ct.as_bytes()).into_owned();
            let essence = sent.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
            if essence != "application/octet-stream" {
                return Err(ApiError::UnsupportedMediaType(sent));
            }
        }
        RawBody::from_request(req, state).await.map(|RawBody(b)| UploadBody(b))
    }
}

/// A raw request body (file uploads: XML, CDB lists), read within `max_upload_size`.
pub struct RawBody(pub Bytes);

impl FromRequest<AppState> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let limit = state.config().max_upload_size;
        let bytes = axum::body::to_bytes(req.into_body(), usize::try_from(limit).unwrap_or(usize::MAX))
            .await
            .map_err(|_| ApiError::PayloadTooLarge { limit })?;
        Ok(Self(bytes))
    }
}
