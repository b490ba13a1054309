//! `/alerts` (oxsec extension): searching the stored alerts.

use axum::extract::State;

use super::Routes;
use crate::auth::authz::Authz;
use crate::error::ApiResult;
use crate::params::Params;
use crate::render::Envelope;
use crate::service::alerts;
use crate::state::AppState;

/// Operations of this group.
pub fn routes() -> Routes {
    Routes::default()
        .get("/alerts", get_alerts)
        .get("/alerts/summary", get_summary)
        .get("/alerts/stream", get_stream)
}

/// `GET /alerts/stream`: Server-Sent Events (`text/event-stream`), resumable with `Last-Event-ID`.
async fn get_stream(
    State(state): State<AppState>,
    authz: Authz,
    headers: axum::http::HeaderMap,
    p: Params,
) -> ApiResult<axum::response::Response> {
    let last = match headers.get("last-event-id") {
        None => None,
        Some(v) => Some(
            v.to_str()
                .ok()
                .and_then(|v| v.trim().parse::<i64>().ok())
                .ok_or_else(|| {
                    crate::error::ApiError::Param(crate::spec::ParamError::Invalid {
                        name: "Last-Event-ID".into(),
                        value: String::new(),
                        message: "Last-Event-ID must be the id of an event this stream sent (a number)".into(),
                    })
                })?,
        ),
    };
    let events = alerts::stream(&state, &authz, &p, last).await?;
    let body = axum::body::Body::new(EventBody(events));
    axum::response::Response::builder()
        .header(axum::http::header::CONTENT_TYPE, "text/event-stream")
        .header(axum::http::header::CACHE_CONTROL, "no-cache")
        .body(body)
        .map_err(|e| crate::error::ApiError::Internal(e.to_string()))
}

/// A response body fed by a stream's events.
struct EventBody(tokio::sync::mpsc::Receiver<bytes::Bytes>);

impl hyper::body::Body for EventBody {
    type Data = bytes::Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        self.0
            .poll_recv(cx)
            .map(|event| event.map(|bytes| Ok(hyper::body::Frame::data(bytes))))
    }
}

async fn get_summary(State(state): State<AppState>, authz: Authz, p: Params) -> ApiResult<Envelope> {
    Ok(Envelope(alerts::summary(&state, &authz, &p).await?))
}

async fn get_alerts(State(state): State<AppState>, authz: Authz, p: Params) -> ApiResult<Envelope> {
    let query = crate::list::list_query(&p, &alerts::schema()?)?;
    Ok(Envelope(alerts::list(&state, &authz, &p, query).await?))
}
