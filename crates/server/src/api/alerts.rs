//! `/alerts` (oxsec extension): searching the stored alerts.

use axum::extract::{Path, State};

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
        .get("/compliance/{standard}", get_compliance)
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

/// `GET /compliance/{standard}`: the posture report, as the envelope (`format=json`, the
/// default), CSV, or a self-contained printable HTML page.
async fn get_compliance(
    State(state): State<AppState>,
    authz: Authz,
    Path(standard): Path<String>,
    p: Params,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let requirements = alerts::compliance(&state, &authz, &standard, &p).await?;
    let format = p.text("format").unwrap_or_else(|| "json".into());
    match format.as_str() {
        "csv" => {
            let mut out = String::from("requirement,rules,alerts,agents\n");
            for r in &requirements {
                let agents: Vec<String> = r.agents.iter().map(|(a, n)| format!("{a}:{n}")).collect();
                out.push_str(&format!(
                    "{},{},{},{}\n",
                    csv_field(&r.requirement),
                    csv_field(&r.rules.join(" ")),
                    r.alerts,
                    csv_field(&agents.join(" "))
                ));
            }
            Ok(([(axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8")], out).into_response())
        }
        "html" => Ok((
            [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html_report(&standard, &requirements),
        )
            .into_response()),
        "json" => {
            let mut result = oxsec_types::AffectedItems::new(
                "All requirements of the standard were returned",
                "Some requirements of the standard were not returned",
                "No requirement of the standard was returned",
            );
            let total = requirements.len() as u64;
            let items = requirements
                .into_iter()
                .map(|r| {
                    serde_json::json!({
                        "requirement": r.requirement,
                        "rules": r.rules,
                        "alerts": r.alerts,
                        "agents": r.agents,
                        "covered": r.alerts > 0,
                    })
                })
                .collect();
            result.set_page(items, total);
            Ok(Envelope(result).into_response())
        }
        other => Err(crate::error::ApiError::Param(crate::spec::ParamError::Invalid {
            name: "format".into(),
            value: other.to_owned(),
            message: format!("'{other}' is not a report format: use json, csv or html - 'format'"),
        })),
    }
}

/// A CSV field, quoted when it needs to be.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A printable report with no external assets.
fn html_report(standard: &str, requirements: &[alerts::Requirement]) -> String {
    let covered = requirements.iter().filter(|r| r.alerts > 0).count();
    let mut rows = String::new();
    for r in requirements {
        let agents: Vec<String> = r.agents.iter().map(|(a, n)| format!("{a} ({n})")).collect();
        rows.push_str(&format!(
            "<tr class=\"{}\"><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>\n",
            if r.alerts > 0 { "hit" } else { "none" },
            html_escape(&r.requirement),
            html_escape(&r.rules.join(", ")),
            r.alerts,
            html_escape(&agents.join(", "))
        ));
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\n<style>\
         body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse;width:100%}}\
         th,td{{border:1px solid #999;padding:4px 6px;text-align:left;vertical-align:top}}\
         th{{background:#eee}}td.n{{text-align:right}}tr.none td{{color:#777}}\
         @media print{{body{{margin:0}}}}</style></head>\n<body><h1>{title}</h1>\n\
         <p>Generated {when} by oxsec {version}. {total} requirements mapped by the loaded ruleset or seen in alerts; \
         {covered} with alerts in the window, {uncovered} without.</p>\n\
         <table><thead><tr><th>Requirement</th><th>Rules</th><th>Alerts</th><th>Agents (alerts)</th></tr></thead>\n\
         <tbody>\n{rows}</tbody></table></body></html>\n",
        title = html_escape(&format!("Compliance posture: {standard}")),
        when = crate::timefmt::now_iso(),
        version = env!("CARGO_PKG_VERSION"),
        total = requirements.len(),
        uncovered = requirements.len() - covered,
    )
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
