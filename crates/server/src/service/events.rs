//! `POST /events` and the manager's own analysis: events analysed as analysisd analyses what the
//! API forwards to it (agent 000, location `API-Webhook`; Windows event-log records as the
//! agent's `EventChannel`), alerts written to alerts.json and the store.

use std::sync::{Arc, Mutex};

use oxsec_ruleset::alert::{render, AlertContext};
use oxsec_ruleset::analyze::Memory;
use oxsec_store::models::alert::NewAlert;
use oxsec_types::envelope::ItemError;
use oxsec_types::{AffectedItems, WazuhCode};
use time::OffsetDateTime;

use super::alert_log::AlertLog;
use super::ruleset::Loaded;
use crate::error::ApiError;
use crate::state::AppState;

/// Events one request may carry.
pub const MAX_EVENTS: usize = 100;

/// What the API puts before each event on analysisd's queue.
const HEADER: &str = "1:API-Webhook:";

/// The longest message analysisd's queue takes, header included.
const MAX_MESSAGE: usize = 65_535;

/// The manager's analysis state: one correlation memory, as analysisd keeps one, and the alert
/// file. Held for a whole batch, so alerts get their file positions in order.
pub struct ManagerAnalysis {
    inner: Mutex<Inner>,
    counters: AnalysisCounters,
}

/// What the manager's analysis has done since start (`/manager/stats/analysisd`).
#[derive(Default, Debug)]
pub struct AnalysisCounters {
    /// Events handed to analysis.
    pub events_received: std::sync::atomic::AtomicU64,
    /// Events analysed (decoded and matched).
    pub events_processed: std::sync::atomic::AtomicU64,
    /// Events that could not be analysed.
    pub events_dropped: std::sync::atomic::AtomicU64,
    /// Alerts written to alerts.json.
    pub alerts_written: std::sync::atomic::AtomicU64,
}

struct Inner {
    memory: Memory,
    /// The ruleset `memory` refers to: correlation state names rules by their place in it, so
    /// a new ruleset starts from an empty memory.
    ruleset: Option<Arc<Loaded>>,
    log: AlertLog,
}

impl ManagerAnalysis {
    /// Analysis writing to the alert file `log`.
    pub fn new(log: AlertLog) -> Self {
        Self {
            inner: Mutex::new(Inner {
                memory: Memory::default(),
                ruleset: None,
                log,
            }),
            counters: AnalysisCounters::default(),
        }
    }

    /// The counters since start.
    pub fn counters(&self) -> &AnalysisCounters {
        &self.counters
    }

    /// Analyses `events` (framed already) with `ruleset` at `now` and appends their alerts to
    /// alerts.json (durably); returns them as the store keeps them.
    pub fn analyze(
        &self,
        ruleset: &Arc<Loaded>,
        attack: Option<&oxsec_ruleset::mitre::Attack>,
        host: &str,
        events: &[String],
        now: OffsetDateTime,
    ) -> std::io::Result<Vec<NewAlert>> {
        let mut guard = match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let inner = &mut *guard;
        if !inner.ruleset.as_ref().is_some_and(|r| Arc::ptr_eq(r, ruleset)) {
            inner.memory = Memory::default();
            inner.ruleset = Some(ruleset.clone());
        }
        let epoch = now.unix_timestamp();
        let timestamp = crate::timefmt::alert_stamp(now);
        let mut offset = inner.log.len();
        let mut lines = Vec::new();
        let mut rows = Vec::new();
        use std::sync::atomic::Ordering::Relaxed;
        self.counters.events_received.fetch_add(events.len() as u64, Relaxed);
        for framed in events {
            let Ok(a) = ruleset.engine.analyze(framed, host, &mut inner.memory, epoch) else {
                self.counters.events_dropped.fetch_add(1, Relaxed);
                continue;
            };
            self.counters.events_processed.fetch_add(1, Relaxed);
            let Some(fired) = &a.fired else { continue };
            let logged = fired.alert
                && fired.level >= ruleset.options.log_alert_level
                && !fired.meta.options.iter().any(|o| o == "no_log");
            if !logged {
                continue;
            }
            let ctx = AlertContext::manager(host, timestamp.clone(), format!("{epoch}.{offset}"));
            let body = render(Some(fired), &a.pre, &a.decoded, &ctx, attack).to_string();
            rows.extend(NewAlert::from_line(&body, offset));
            offset += body.len() as u64 + 1;
            lines.push(body);
        }
        inner.log.append(&lines)?;
        self.counters.alerts_written.fetch_add(lines.len() as u64, Relaxed);
        Ok(rows)
    }

    /// The alerts in the file from byte `from` on (for the store to catch up at start).
    pub fn logged_since(&self, from: u64) -> std::io::Result<Vec<NewAlert>> {
        let mut guard = match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        guard.log.read_from(from)
    }
}

/// `POST /events`: each event is analysed as coming from the manager; an event too large for
/// analysisd's queue fails with 1012 and the others go on.
pub async fn ingest(state: &AppState, events: Vec<String>) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "All events were forwarded to analisysd",
        "Some events were forwarded to analisysd",
        "No events were forwarded to analisysd",
    );
    let mut accepted = Vec::new();
    let mut framed = Vec::new();
    for event in events {
        if HEADER.len() + event.len() > MAX_MESSAGE {
            result.fail(
                event,
                ItemError::with_details(
                    WazuhCode::InvalidQueueMessage,
                    format!("The event is too large to be sent to analysisd (maximum is {MAX_MESSAGE}B)"),
                ),
            );
        } else {
            // oxsec extension: an event as Wazuh agents send it from the Windows event log goes
            // to analysisd's event-channel queue, as the agent's own would (Wazuh's API puts
            // every event on the local-file queue, where no Windows rule can match it).
            if oxsec_ruleset::winevt::is_eventchannel_record(&event) {
                framed.push(oxsec_ruleset::engine::frame_on(
                    oxsec_ruleset::winevt::QUEUE,
                    oxsec_ruleset::winevt::LOCATION,
                    &event,
                ));
            } else {
                framed.push(format!("{HEADER}{event}"));
            }
            accepted.push(event);
        }
    }
    let ruleset = state.ruleset();
    let worker = state.clone();
    let alerts = tokio::task::spawn_blocking(move || {
        let mitre = worker.mitre();
        worker.analysis().analyze(
            &ruleset,
            mitre.attack(),
            worker.hostname(),
            &framed,
            OffsetDateTime::now_utc(),
        )
    })
    .await
    .map_err(|e| ApiError::Internal(format!("event analysis failed: {e}")))?
    .map_err(|e| ApiError::Internal(format!("cannot write alerts.json: {e}")))?;
    if !alerts.is_empty() {
        // alerts.json has them durably; should the store fail, the next start reads them back.
        if let Err(e) = state
            .store()
            .write(move |tx| oxsec_store::models::alert::insert_many(tx, &alerts))
            .await
        {
            tracing::error!(error = %e, "cannot store alerts; they are in alerts.json and will be stored at the next start");
        } else {
            state.alerts_stored();
        }
    }
    for event in accepted {
        result.push(serde_json::Value::from(event));
    }
    Ok(result)
}

/// Stores the alerts of alerts.json the store does not have yet (after a crash between the two
/// writes).
pub fn catch_up(store: &oxsec_store::Store, analysis: &ManagerAnalysis) -> Result<usize, String> {
    let from = store
        .read_blocking(oxsec_store::models::alert::stored_until)
        .map_err(|e| format!("cannot read the stored alerts: {e}"))?;
    let missing = analysis
        .logged_since(from)
        .map_err(|e| format!("cannot read alerts.json: {e}"))?;
    if missing.is_empty() {
        return Ok(0);
    }
    store
        .write_blocking(move |tx| oxsec_store::models::alert::insert_many(tx, &missing))
        .map_err(|e| format!("cannot store the alerts of alerts.json: {e}"))
}
