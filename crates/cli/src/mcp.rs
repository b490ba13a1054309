//! `oxsec mcp`: a Model Context Protocol server on stdio (JSON-RPC 2.0, one message per line)
//! that gives an AI agent the SOC tools of a manager's API, logged in as the configured user.
//! Only the tools that user may use are listed (a read-only user gets read-only tools); outputs
//! are bounded to fit a model's context; errors say what failed and what to do.

use std::io::{BufRead, Write};

use oxsec_client::{Client, Error, Method};
use serde_json::{json, Value};

/// MCP versions this server speaks (tools only; the first is offered by default).
const PROTOCOL_VERSIONS: &[&str] = &["2024-11-05", "2025-03-26"];

/// Items a tool returns at most.
const MAX_ITEMS: u64 = 100;
/// Characters of a tool's text at most.
const MAX_TEXT: usize = 24_000;

/// A tool: its name, description, input schema, and the permission it needs.
struct Tool {
    name: &'static str,
    description: &'static str,
    action: &'static str,
    schema: fn() -> Value,
}

fn limit_schema() -> Value {
    json!({"type": "integer", "minimum": 1, "maximum": MAX_ITEMS, "description": "Items to return (default 20)"})
}

const TOOLS: &[Tool] = &[
    Tool {
        name: "list_agents",
        description: "List or search agents (endpoints) with their status, IP, OS and version.",
        action: "agent:read",
        schema: || {
            json!({"type": "object", "properties": {
                "status": {"type": "string", "enum": ["active", "disconnected", "never_connected", "pending"]},
                "search": {"type": "string", "description": "Text to look for in any field"},
                "q": {"type": "string", "description": "WQL filter, e.g. os.platform=ubuntu;version<v4.8.0"},
                "limit": limit_schema()
            }, "additionalProperties": false})
        },
    },
    Tool {
        name: "get_agent",
        description: "Every detail of one agent: OS, groups, versions, last keep-alive.",
        action: "agent:read",
        schema: || {
            json!({"type": "object", "properties": {
                "agent_id": {"type": "string", "description": "Agent id, e.g. 001"}
            }, "required": ["agent_id"], "additionalProperties": false})
        },
    },
    Tool {
        name: "list_rules",
        description: "Detection rules, filtered by compliance requirement, MITRE technique, group or level.",
        action: "rules:read",
        schema: || {
            json!({"type": "object", "properties": {
                "requirement": {"type": "string", "description": "standard=value: pci_dss=10.2.4, gdpr=IV_35.7.d, hipaa=164.312.b, nist_800_53=AU.14, tsc=CC6.8"},
                "mitre": {"type": "string", "description": "MITRE ATT&CK technique id, e.g. T1110"},
                "group": {"type": "string", "description": "Rule group, e.g. authentication_failed"},
                "level": {"type": "string", "description": "Level or range, e.g. 10-15"},
                "limit": limit_schema()
            }, "additionalProperties": false})
        },
    },
    Tool {
        name: "run_logtest",
        description: "Decode a log line with the manager's ruleset and show the rule and alert it triggers.",
        action: "logtest:run",
        schema: || {
            json!({"type": "object", "properties": {
                "event": {"type": "string", "description": "The log line"},
                "location": {"type": "string", "description": "Where it was read from (default stdin)"},
                "log_format": {"type": "string", "description": "syslog (default), json, …"}
            }, "required": ["event"], "additionalProperties": false})
        },
    },
    Tool {
        name: "send_events",
        description: "Send log lines to the manager for analysis (alerts are raised as for collected logs).",
        action: "event:ingest",
        schema: || {
            json!({"type": "object", "properties": {
                "events": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 100}
            }, "required": ["events"], "additionalProperties": false})
        },
    },
    Tool {
        name: "manager_status",
        description: "Which manager daemons are running, and the manager's version.",
        action: "manager:read",
        schema: || json!({"type": "object", "properties": {}, "additionalProperties": false}),
    },
    Tool {
        name: "manager_logs",
        description: "The manager's recent log lines (ossec.log), newest first.",
        action: "manager:read",
        schema: || {
            json!({"type": "object", "properties": {
                "level": {"type": "string", "enum": ["critical", "debug", "debug2", "error", "info", "warning"]},
                "tag": {"type": "string", "description": "Daemon, e.g. wazuh-analysisd"},
                "limit": limit_schema()
            }, "additionalProperties": false})
        },
    },
    Tool {
        name: "search_alerts",
        description: "Search alerts (newest first) by time window, level, rule, agent, group, MITRE id or compliance requirement.",
        action: "alerts:read",
        schema: || {
            json!({"type": "object", "properties": {
                "from": {"type": "string", "description": "Start: ISO date or time ago, e.g. 24h, 7d"},
                "to": {"type": "string"},
                "level": {"type": "string", "description": "12 or 10-15"},
                "rule_ids": {"type": "string", "description": "Comma-separated rule ids"},
                "agents_list": {"type": "string", "description": "Comma-separated agent ids"},
                "rule_group": {"type": "string"},
                "mitre": {"type": "string", "description": "Technique or tactic id"},
                "limit": limit_schema()
            }, "additionalProperties": false})
        },
    },
    Tool {
        name: "alerts_summary",
        description: "Count alerts by rule, level, agent, rule group, MITRE tactic/technique, srcip or compliance standard.",
        action: "alerts:read",
        schema: || {
            json!({"type": "object", "properties": {
                "by": {"type": "string", "description": "Comma-separated: rule, level, agent, rule_group, mitre_tactic, mitre_technique, srcip, pci_dss, gdpr…"},
                "from": {"type": "string", "description": "e.g. 24h"},
                "top": {"type": "integer", "minimum": 1, "maximum": 100}
            }, "required": ["by"], "additionalProperties": false})
        },
    },
];

/// The tools the client's user may use.
async fn permitted_tools(client: &Client) -> Result<Vec<&'static Tool>, String> {
    let allowed = allowed_actions(client)
        .await
        .map_err(|e| format!("cannot read your permissions: {e}"))?;
    Ok(TOOLS.iter().filter(|t| allowed(t.action)).collect())
}

/// Serves MCP's HTTP transport on `listen`: each JSON-RPC message is POSTed to `/mcp` with
/// `Authorization: Bearer <token>` and answered in the response body (202 for notifications).
pub async fn serve_http(client: Client, listen: &str, token: String) -> Result<(), String> {
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::IntoResponse;
    let tools = std::sync::Arc::new(permitted_tools(&client).await?);
    let token = std::sync::Arc::new(token);
    let app = axum::Router::new().route(
        "/mcp",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let (client, tools, token) = (client.clone(), tools.clone(), token.clone());
            async move {
                let presented = headers
                    .get(axum::http::header::AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.strip_prefix("Bearer "));
                if !presented.is_some_and(|p| constant_time_eq(p.as_bytes(), token.as_bytes())) {
                    return (StatusCode::UNAUTHORIZED, "a valid bearer token is required").into_response();
                }
                let reply = match serde_json::from_str::<Value>(&body) {
                    Err(e) => Some(error_reply(Value::Null, -32700, &format!("not JSON: {e}"))),
                    Ok(message) => handle(&client, &tools, message).await,
                };
                match reply {
                    Some(reply) => axum::Json(reply).into_response(),
                    None => StatusCode::ACCEPTED.into_response(),
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    eprintln!("oxsec mcp: listening on http://{addr}/mcp");
    axum::serve(listener, app).await.map_err(|e| e.to_string())
}

/// Compares secrets without an early exit on the first difference.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Runs the server until standard input closes.
pub async fn serve(client: Client) -> Result<(), String> {
    let tools = permitted_tools(&client).await?;
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout();
    for line in stdin.lock().lines() {
        let line = line.map_err(|e| e.to_string())?;
        if line.trim().is_empty() {
            continue;
        }
        let reply = match serde_json::from_str::<Value>(&line) {
            Err(e) => Some(error_reply(Value::Null, -32700, &format!("not JSON: {e}"))),
            Ok(message) => handle(&client, &tools, message).await,
        };
        if let Some(reply) = reply {
            writeln!(stdout, "{reply}")
                .and_then(|()| stdout.flush())
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

fn error_reply(id: Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

/// The answer to one message (`None` for notifications).
async fn handle(client: &Client, tools: &[&Tool], message: Value) -> Option<Value> {
    if !message.is_object() {
        return Some(error_reply(
            Value::Null,
            -32600,
            "send one JSON-RPC request object per message (no batches)",
        ));
    }
    let id = message.get("id").cloned();
    // A response to us (an id without a method) or a notification (no id) gets no answer.
    let method = message.get("method").and_then(Value::as_str)?;
    let params = message.get("params").cloned().unwrap_or(Value::Null);
    let id = id?;
    let result = match method {
        "initialize" => {
            // The version asked for when this server speaks it, else the one it speaks.
            let version = params
                .get("protocolVersion")
                .and_then(Value::as_str)
                .filter(|v| PROTOCOL_VERSIONS.contains(v))
                .unwrap_or(PROTOCOL_VERSIONS[0]);
            json!({
                "protocolVersion": version,
                "capabilities": {"tools": {"listChanged": false}},
                "serverInfo": {"name": "oxsec", "version": env!("CARGO_PKG_VERSION")},
                "instructions": "Tools over a Wazuh-compatible manager's API, as the configured user."
            })
        }
        "ping" => json!({}),
        "tools/list" => {
            let listed: Vec<Value> = tools
                .iter()
                .map(|t| json!({"name": t.name, "description": t.description, "inputSchema": (t.schema)()}))
                .collect();
            json!({ "tools": listed })
        }
        "tools/call" => {
            let name = params.get("name").and_then(Value::as_str).unwrap_or_default();
            let Some(tool) = tools.iter().find(|t| t.name == name) else {
                return Some(error_reply(
                    id,
                    -32602,
                    &format!("unknown tool '{name}' (see tools/list)"),
                ));
            };
            let args = params.get("arguments").cloned().unwrap_or_else(|| json!({}));
            match call(client, tool.name, &args).await {
                Ok(text) => json!({"content": [{"type": "text", "text": bound(text)}], "isError": false}),
                Err(message) => json!({"content": [{"type": "text", "text": message}], "isError": true}),
            }
        }
        other => return Some(error_reply(id, -32601, &format!("method '{other}' is not supported"))),
    };
    Some(json!({"jsonrpc": "2.0", "id": id, "result": result}))
}

/// Cuts a tool's text to what fits a model's context, saying so.
fn bound(mut text: String) -> String {
    if text.len() > MAX_TEXT {
        let mut cut = MAX_TEXT;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str("\n… (cut: narrow the query or lower limit)");
    }
    text
}

/// The permissions of the client's user: whether it may use `action`.
async fn allowed_actions(client: &Client) -> Result<impl Fn(&str) -> bool, Error> {
    let answer = client
        .raw(Method::GET, "/security/users/me/policies", &[], None)
        .await?;
    let data = answer.get("data").cloned().unwrap_or(Value::Null);
    let black = data.get("rbac_mode").and_then(Value::as_str) == Some("black");
    Ok(move |action: &str| match data.get(action).and_then(Value::as_object) {
        Some(resources) => resources.values().any(|effect| effect == "allow"),
        None => black,
    })
}

fn text_arg(args: &Value, name: &str) -> Option<String> {
    args.get(name)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .filter(|s| !s.is_empty())
}

fn limit_arg(args: &Value) -> u64 {
    args.get("limit")
        .and_then(Value::as_u64)
        .unwrap_or(20)
        .clamp(1, MAX_ITEMS)
}

/// An error the model can act on: the server's code and words, and what to change.
fn explain(e: Error) -> String {
    match &e {
        Error::Api { status: 403, .. } => {
            format!("{e}. The configured user may not do this; ask an administrator for the permission.")
        }
        Error::Api { status: 400, .. } => format!("{e}. Fix the arguments and call again."),
        Error::Api { status: 429, .. } => format!("{e}. Too many requests: wait a minute and call again."),
        _ => e.to_string(),
    }
}

async fn list(client: &Client, path: &str, params: Vec<(&str, String)>, limit: u64) -> Result<String, String> {
    let mut request = client.list::<Value>(path).limit(limit);
    for (k, v) in params {
        request = request.param(k, v);
    }
    let page = request.page().await.map_err(explain)?;
    let shown = page.affected_items.len();
    Ok(format!(
        "{} of {} item(s):\n{}",
        shown,
        page.total_affected_items,
        serde_json::to_string_pretty(&page.affected_items).unwrap_or_default()
    ))
}

async fn call(client: &Client, tool: &str, args: &Value) -> Result<String, String> {
    let mut params: Vec<(&str, String)> = Vec::new();
    let mut take = |names: &[&'static str]| {
        for name in names {
            if let Some(v) = text_arg(args, name) {
                params.push((name, v));
            }
        }
    };
    match tool {
        "list_agents" => {
            take(&["status", "search", "q"]);
            list(client, "/agents", params, limit_arg(args)).await
        }
        "get_agent" => {
            let id = text_arg(args, "agent_id").ok_or("give agent_id, e.g. 001")?;
            list(client, "/agents", vec![("agents_list", id)], 1).await
        }
        "list_rules" => {
            take(&["mitre", "group", "level"]);
            if let Some(req) = text_arg(args, "requirement") {
                let (standard, value) = req
                    .split_once('=')
                    .ok_or("requirement must be standard=value, e.g. pci_dss=10.2.4")?;
                let name = match standard {
                    "pci_dss" => "pci_dss",
                    "gdpr" => "gdpr",
                    "hipaa" => "hipaa",
                    "nist_800_53" | "nist-800-53" => "nist-800-53",
                    "tsc" => "tsc",
                    "gpg13" => "gpg13",
                    other => {
                        return Err(format!(
                            "'{other}' is not a standard: pci_dss, gdpr, hipaa, nist_800_53, tsc or gpg13"
                        ))
                    }
                };
                params.push((name, value.to_owned()));
            }
            params.push(("select", "id,level,description,groups,mitre,pci_dss,filename".into()));
            list(client, "/rules", params, limit_arg(args)).await
        }
        "run_logtest" => {
            let event = text_arg(args, "event").ok_or("give the log line as event")?;
            let location = text_arg(args, "location").unwrap_or_else(|| "stdin".into());
            let format = text_arg(args, "log_format").unwrap_or_else(|| "syslog".into());
            let result = client.logtest(&event, &location, &format).await.map_err(explain)?;
            Ok(serde_json::to_string_pretty(&result).unwrap_or_default())
        }
        "send_events" => {
            let events: Vec<String> = args
                .get("events")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default();
            if events.is_empty() || events.len() > 100 {
                return Err("give 1 to 100 log lines as events".into());
            }
            let result = client.send_events(&events).await.map_err(explain)?;
            Ok(format!(
                "{} event(s) accepted, {} refused",
                result.total_affected_items, result.total_failed_items
            ))
        }
        "manager_status" => {
            let status = client
                .raw(Method::GET, "/manager/status", &[], None)
                .await
                .map_err(explain)?;
            let info = client.manager_info().await.map_err(explain)?;
            let daemons = status.pointer("/data/affected_items/0").cloned().unwrap_or(Value::Null);
            Ok(serde_json::to_string_pretty(&json!({"version": info.version, "daemons": daemons})).unwrap_or_default())
        }
        "manager_logs" => {
            take(&["level", "tag"]);
            list(client, "/manager/logs", params, limit_arg(args)).await
        }
        "search_alerts" => {
            take(&["from", "to", "level", "rule_ids", "agents_list", "rule_group", "mitre"]);
            list(client, "/alerts", params, limit_arg(args)).await
        }
        "alerts_summary" => {
            take(&["by", "from"]);
            let top = args.get("top").and_then(Value::as_u64).unwrap_or(10).clamp(1, 100);
            params.push(("top", top.to_string()));
            let query: Vec<(String, String)> = params.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            let answer = client
                .raw(Method::GET, "/alerts/summary", &query, None)
                .await
                .map_err(explain)?;
            let items = answer.pointer("/data/affected_items").cloned().unwrap_or(Value::Null);
            Ok(serde_json::to_string_pretty(&items).unwrap_or_default())
        }
        other => Err(format!("unknown tool {other}")),
    }
}
