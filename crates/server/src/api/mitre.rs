//! `/mitre…`: MITRE ATT&CK objects and references.

use axum::extract::State;
use oxsec_types::mitre::AttackKind;

use super::Routes;
use crate::error::ApiResult;
use crate::params::Params;
use crate::render::Envelope;
use crate::service::mitre;
use crate::state::AppState;

/// Operations of this group.
pub fn routes() -> Routes {
    Routes::default()
        .get("/mitre/metadata", get_metadata)
        .get("/mitre/techniques", get_techniques)
        .get("/mitre/tactics", get_tactics)
        .get("/mitre/groups", get_groups)
        .get("/mitre/software", get_software)
        .get("/mitre/mitigations", get_mitigations)
        .get("/mitre/references", get_references)
}

async fn get_metadata(State(state): State<AppState>, _p: Params) -> Envelope {
    Envelope(mitre::metadata(&state))
}

fn listing(state: &AppState, params: &Params, kind: AttackKind, ids_param: &str) -> ApiResult<Envelope> {
    let query = crate::list::unchecked_list_query(params)?;
    let ids = params.list(ids_param);
    Ok(Envelope(mitre::list(state, kind, ids.as_deref(), &query)?))
}

async fn get_techniques(State(state): State<AppState>, p: Params) -> ApiResult<Envelope> {
    listing(&state, &p, AttackKind::Technique, "technique_ids")
}

async fn get_tactics(State(state): State<AppState>, p: Params) -> ApiResult<Envelope> {
    listing(&state, &p, AttackKind::Tactic, "tactic_ids")
}

async fn get_groups(State(state): State<AppState>, p: Params) -> ApiResult<Envelope> {
    listing(&state, &p, AttackKind::Group, "group_ids")
}

async fn get_software(State(state): State<AppState>, p: Params) -> ApiResult<Envelope> {
    listing(&state, &p, AttackKind::Software, "software_ids")
}

async fn get_mitigations(State(state): State<AppState>, p: Params) -> ApiResult<Envelope> {
    listing(&state, &p, AttackKind::Mitigation, "mitigation_ids")
}

async fn get_references(State(state): State<AppState>, p: Params) -> ApiResult<Envelope> {
    let query = crate::list::unchecked_list_query(&p)?;
    let ids = p.list("reference_ids");
    Ok(Envelope(mitre::references(&state, ids.as_deref(), &query)?))
}
