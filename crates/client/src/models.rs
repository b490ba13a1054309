//! The API's answers, typed. Each model keeps the fields the API documents that scripts use;
//! everything else is kept in `extra`, so nothing the server sends is lost.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The standard answer: `{"data": {...}, "message": ..., "error": 0|1|2}`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Envelope<T> {
    pub data: AffectedItems<T>,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub error: i64,
}

/// `data` of a list or bulk answer.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct AffectedItems<T> {
    #[serde(default = "Vec::new")]
    pub affected_items: Vec<T>,
    #[serde(default)]
    pub total_affected_items: u64,
    #[serde(default)]
    pub failed_items: Vec<FailedItem>,
    #[serde(default)]
    pub total_failed_items: u64,
}

/// Items that failed, with the reason.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct FailedItem {
    pub error: FailedError,
    #[serde(default)]
    pub id: Vec<Value>,
}

/// Why some items failed.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct FailedError {
    pub code: i64,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub remediation: Option<String>,
}

macro_rules! model {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $field:ident: $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, Deserialize, Serialize)]
        pub struct $name {
            $($(#[$fdoc])* #[serde(default)] pub $field: $ty,)*
            /// The other fields, as sent.
            #[serde(flatten)]
            pub extra: Map<String, Value>,
        }
    };
}

model!(
    /// An agent (`GET /agents`).
    Agent {
        id: String,
        name: String,
        ip: Option<String>,
        status: Option<String>,
        version: Option<String>,
        group: Option<Vec<String>>,
        node_name: Option<String>,
        #[serde(rename = "lastKeepAlive")]
        last_keep_alive: Option<String>,
        os: Option<Value>,
    }
);

model!(
    /// An agent group (`GET /groups`).
    Group {
        name: String,
        count: Option<u64>,
        #[serde(rename = "configSum")]
        config_sum: Option<String>,
        #[serde(rename = "mergedSum")]
        merged_sum: Option<String>,
    }
);

model!(
    /// A rule (`GET /rules`).
    Rule {
        id: u64,
        level: u64,
        description: String,
        filename: String,
        relative_dirname: String,
        status: String,
        groups: Vec<String>,
        pci_dss: Vec<String>,
        gdpr: Vec<String>,
        hipaa: Vec<String>,
        nist_800_53: Vec<String>,
        tsc: Vec<String>,
        mitre: Vec<String>,
    }
);

model!(
    /// A decoder (`GET /decoders`).
    Decoder {
        name: String,
        position: u64,
        filename: String,
        relative_dirname: String,
        status: String,
    }
);

model!(
    /// A CDB list (`GET /lists`).
    CdbList {
        filename: String,
        relative_dirname: String,
        items: Vec<Value>,
    }
);

model!(
    /// An API user (`GET /security/users`).
    User {
        id: u64,
        username: String,
        allow_run_as: bool,
        roles: Vec<u64>,
    }
);

model!(
    /// A security role (`GET /security/roles`).
    Role {
        id: u64,
        name: String,
        policies: Vec<u64>,
        users: Vec<u64>,
        rules: Vec<u64>,
    }
);

model!(
    /// A security policy (`GET /security/policies`).
    Policy {
        id: u64,
        name: String,
        policy: Value,
        roles: Vec<u64>,
    }
);

model!(
    /// A task (`GET /tasks/status`).
    Task {
        task_id: u64,
        agent: String,
        node: String,
        module: String,
        command: String,
        status: String,
        error_message: Option<String>,
    }
);

model!(
    /// `GET /manager/info`.
    ManagerInfo {
        path: String,
        version: String,
        #[serde(rename = "type")]
        kind: String,
        max_agents: Value,
        openssl_support: String,
        tz_offset: String,
        tz_name: String,
    }
);

model!(
    /// `PUT /logtest` `data.output`: what the event decoded to and the alert it raised.
    LogtestResult {
        token: String,
        alert: bool,
        decoder: Option<Value>,
        predecoder: Option<Value>,
        rule: Option<Value>,
        full_log: String,
        data: Option<Value>,
    }
);
