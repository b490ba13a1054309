//! HTTP handlers, one module per Wazuh URL group (`/security/…` lives in `security.rs`). Each module
//! has `routes()` listing its operations with full literal paths, so grepping a path from the spec
//! lands on its handler. Handlers parse → authorize → call a service → wrap in the envelope.

pub mod active_response;
pub mod agents;
pub mod alerts;
pub mod ciscat;
pub mod cluster;
pub mod decoders;
pub mod default;
pub mod events;
pub mod groups;
pub mod lists;
pub mod logtest;
pub mod manager;
pub mod mitre;
pub mod overview;
pub mod rootcheck;
pub mod rules;
pub mod ruleset_files;
pub mod sca;
pub mod security;
pub mod syscheck;
pub mod syscollector;
pub mod vulnerability;

use axum::http::Method;
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::Router;

use crate::state::AppState;

/// A router that remembers which operations it serves, so the server can check them against the
/// contract and publish exactly them in `/openapi.json`.
pub struct Routes {
    router: Router<AppState>,
    served: Vec<(Method, &'static str)>,
}

impl Default for Routes {
    fn default() -> Self {
        Self {
            router: Router::new(),
            served: Vec::new(),
        }
    }
}

impl Routes {
    fn add(mut self, method: Method, path: &'static str, h: MethodRouter<AppState>) -> Self {
        // axum merges method routers registered on the same path.
        self.router = self.router.route(path, h);
        self.served.push((method, path));
        self
    }

    /// Serves `GET path`.
    pub fn get<H, T>(self, path: &'static str, handler: H) -> Self
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::GET, path, on(MethodFilter::GET, handler))
    }

    /// Serves `POST path`.
    pub fn post<H, T>(self, path: &'static str, handler: H) -> Self
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::POST, path, on(MethodFilter::POST, handler))
    }

    /// Serves `PUT path`.
    pub fn put<H, T>(self, path: &'static str, handler: H) -> Self
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::PUT, path, on(MethodFilter::PUT, handler))
    }

    /// Serves `DELETE path`.
    pub fn delete<H, T>(self, path: &'static str, handler: H) -> Self
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::DELETE, path, on(MethodFilter::DELETE, handler))
    }

    /// Adds every operation of `other`.
    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.served.extend(other.served);
        self
    }

    /// The operations served.
    pub fn served(&self) -> &[(Method, &'static str)] {
        &self.served
    }

    /// The axum router.
    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}

/// Every operation oxsec serves.
pub fn routes() -> Routes {
    Routes::default()
        .merge(default::routes())
        .merge(security::routes())
        .merge(agents::routes())
        .merge(groups::routes())
        .merge(overview::routes())
        .merge(rules::routes())
        .merge(decoders::routes())
        .merge(lists::routes())
        .merge(logtest::routes())
        .merge(events::routes())
        .merge(manager::routes())
        .merge(cluster::routes())
        .merge(mitre::routes())
        .merge(syscheck::routes())
        .merge(rootcheck::routes())
        .merge(sca::routes())
        .merge(ciscat::routes())
        .merge(syscollector::routes())
        .merge(active_response::routes())
        .merge(vulnerability::routes())
        .merge(alerts::routes())
}
