//! Manager operations that act on the analysis engine.

use oxsec_types::envelope::ItemError;
use oxsec_types::{AffectedItems, WazuhCode};
use serde_json::json;

use crate::error::ApiError;
use crate::state::AppState;

/// The node name a standalone manager reports for itself in reload results.
const STANDALONE_NODE: &str = "manager";

/// `PUT /manager/analysisd/reload`: reads and compiles the ruleset again and swaps it in; a
/// ruleset with unreadable or broken files is refused (1914) and the running one stays.
pub async fn reload_analysisd(state: &AppState) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "Reload request sent to ",
        "Could not send reload request to some specified nodes",
        "Could not send reload request to any node",
    );
    let _writes = state.lock_ruleset_files().await;
    match state.reload_sound_ruleset().await? {
        Ok(()) => result.push(json!({
            "name": STANDALONE_NODE,
            "msg": "Ruleset reload request sent successfully.",
        })),
        Err(problems) => {
            tracing::warn!("ruleset reload refused: {}", problems.join("; "));
            result.fail(
                STANDALONE_NODE,
                ItemError::with_details(WazuhCode::RulesetReloadFailed, problems.join(", ")),
            );
        }
    }
    Ok(result)
}
