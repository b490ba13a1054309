//! The commands that talk to a manager's API (oxsec or Wazuh) through the SDK.
//!
//! Exit codes scripts can rely on: 0 done; 1 the server refused or answered unexpectedly (its
//! error code is printed); 2 bad usage; 3 no connection (network, TLS, profile); 4 done for
//! some items, not all.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use futures_util::TryStreamExt;
use oxsec_client::{Client, Error};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// How to reach the manager; defaults come from the saved profile (`oxsec login`).
#[derive(Args, Clone)]
pub struct Connection {
    /// Profile saved by `oxsec login`.
    #[arg(long, env = "OXSEC_PROFILE", default_value = "default", global = true)]
    profile: String,
    /// API URL (https://manager:55000).
    #[arg(long, env = "OXSEC_URL", global = true)]
    url: Option<String>,
    /// API user.
    #[arg(long, env = "OXSEC_USER", global = true)]
    user: Option<String>,
    /// CA certificate (PEM) the server's certificate is checked against.
    #[arg(long, global = true)]
    ca_file: Option<PathBuf>,
    /// Accept any server certificate (a self-signed one you trust).
    #[arg(long, global = true)]
    insecure: bool,
    /// Output: table (default on a terminal), json, yaml or csv.
    #[arg(short = 'o', long, value_enum, global = true)]
    output: Option<Output>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Table,
    Json,
    Yaml,
    Csv,
}

/// `oxsec login`.
#[derive(Args)]
pub struct LoginArgs {
    #[command(flatten)]
    conn: Connection,
    /// Read the password from standard input (else from OXSEC_PASSWORD).
    #[arg(long)]
    password_stdin: bool,
    /// Also store the password in the profile (plain text, file mode 0600).
    #[arg(long)]
    save_password: bool,
}

#[derive(Subcommand)]
pub enum AgentsCommand {
    /// List agents.
    ///
    /// Example: oxsec agents list --status active -q 'os.platform=ubuntu' -o json | jq length
    List {
        #[command(flatten)]
        conn: Connection,
        /// active, disconnected, never_connected or pending.
        #[arg(long)]
        status: Option<String>,
        /// WQL filter.
        #[arg(short = 'q', long)]
        query: Option<String>,
        /// Fields to show (comma-separated).
        #[arg(long, default_value = "id,name,ip,status,version")]
        select: String,
        /// At most this many (all when not given).
        #[arg(long)]
        limit: Option<u64>,
    },
    /// Show one agent, every field.
    ///
    /// Example: oxsec agents show 001 -o yaml
    Show {
        #[command(flatten)]
        conn: Connection,
        /// Agent id.
        id: String,
    },
    /// Register an agent.
    ///
    /// Example: oxsec agents add web-01 --ip 10.0.0.5
    Add {
        #[command(flatten)]
        conn: Connection,
        /// Agent name.
        name: String,
        /// Its IP ("any" when it may connect from anywhere).
        #[arg(long, default_value = "any")]
        ip: String,
    },
    /// Delete agents.
    ///
    /// Example: oxsec agents delete 003 004
    Delete {
        #[command(flatten)]
        conn: Connection,
        /// Agent ids.
        #[arg(required = true)]
        ids: Vec<String>,
    },
}

#[derive(Subcommand)]
pub enum GroupsCommand {
    /// List agent groups.
    ///
    /// Example: oxsec groups list -o csv
    List {
        #[command(flatten)]
        conn: Connection,
    },
    /// Create a group.
    ///
    /// Example: oxsec groups add webservers
    Add {
        #[command(flatten)]
        conn: Connection,
        /// Group name.
        name: String,
    },
    /// Put an agent in a group.
    ///
    /// Example: oxsec groups assign webservers 001
    Assign {
        #[command(flatten)]
        conn: Connection,
        /// Group name.
        group: String,
        /// Agent id.
        agent: String,
    },
}

#[derive(Subcommand)]
pub enum RulesCommand {
    /// List rules.
    ///
    /// Example: oxsec rules list --requirement pci_dss=10.2.4 --level 10-15
    List {
        #[command(flatten)]
        conn: Connection,
        /// A compliance requirement: pci_dss=10.2.4, gdpr=IV_35.7.d, hipaa=…, nist_800_53=…, tsc=…, mitre=T1110.
        #[arg(long)]
        requirement: Option<String>,
        /// Level or range (10-15).
        #[arg(long)]
        level: Option<String>,
        /// Rule group.
        #[arg(long)]
        group: Option<String>,
        /// WQL filter.
        #[arg(short = 'q', long)]
        query: Option<String>,
        /// At most this many (all when not given).
        #[arg(long)]
        limit: Option<u64>,
    },
    /// Show one rule.
    ///
    /// Example: oxsec rules show 5712
    Show {
        #[command(flatten)]
        conn: Connection,
        /// Rule id.
        id: String,
    },
}

/// `oxsec logtest`.
#[derive(Args)]
pub struct LogtestArgs {
    #[command(flatten)]
    conn: Connection,
    /// The log line.
    event: String,
    /// Where it was read from.
    #[arg(long, default_value = "stdin")]
    location: String,
    /// Its format.
    #[arg(long, default_value = "syslog")]
    log_format: String,
}

#[derive(Subcommand)]
pub enum EventsCommand {
    /// Send the lines of FILE (or - for standard input) to the manager for analysis, 100 per
    /// request.
    ///
    /// Example: oxsec events send /var/log/auth.log
    Send {
        #[command(flatten)]
        conn: Connection,
        /// File of events, one per line.
        file: PathBuf,
    },
}

/// `oxsec mcp`.
#[derive(Args)]
pub struct McpArgs {
    #[command(flatten)]
    conn: Connection,
    /// Serve MCP's HTTP transport on this address (POST /mcp) instead of stdio; clients must
    /// send `Authorization: Bearer $OXSEC_MCP_TOKEN`.
    #[arg(long)]
    listen: Option<String>,
}

/// `oxsec api`.
#[derive(Args)]
pub struct ApiArgs {
    #[command(flatten)]
    conn: Connection,
    /// GET, POST, PUT or DELETE.
    method: String,
    /// Path with its query (`/agents?limit=5`).
    path: String,
    /// JSON body.
    #[arg(long)]
    data: Option<String>,
}

/// A saved connection.
#[derive(Serialize, Deserialize, Default, Clone)]
struct Profile {
    url: String,
    user: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ca_file: Option<PathBuf>,
    #[serde(default)]
    insecure: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    password: Option<String>,
}

fn profiles_path() -> PathBuf {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("oxsec").join("profiles.json")
}

/// The saved profiles (none when the file does not exist yet).
fn load_profiles() -> Result<Map<String, Value>, Failure> {
    let path = profiles_path();
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
            Failure(
                3,
                format!("{}: not a profiles file ({e}); fix or remove it", path.display()),
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Map::new()),
        Err(e) => Err(Failure(3, format!("{}: {e}", path.display()))),
    }
}

/// Writes the profiles file atomically, readable by its owner only.
fn save_profiles(profiles: &Map<String, Value>) -> Result<PathBuf, String> {
    use std::os::unix::fs::OpenOptionsExt;
    let path = profiles_path();
    let dir = path.parent().map(PathBuf::from).unwrap_or_default();
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let tmp = dir.join(format!(".profiles.json.{}.tmp", std::process::id()));
    let text = serde_json::to_vec_pretty(profiles).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_file(&tmp);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(|e| format!("{}: {e}", tmp.display()))?;
    f.write_all(&text)
        .and_then(|()| f.sync_all())
        .map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, &path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

/// Why a command failed, with its exit code.
struct Failure(u8, String);

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let code = match e {
            Error::Api { .. } | Error::Decode(_) | Error::Unsupported { .. } => 1,
            Error::Query(_) => 2,
            Error::Http(_) | Error::Config(_) => 3,
        };
        Failure(code, e.to_string())
    }
}

impl Connection {
    fn profile(&self) -> Result<Profile, Failure> {
        let saved: Profile = load_profiles()?
            .get(&self.profile)
            .and_then(|p| serde_json::from_value(p.clone()).ok())
            .unwrap_or_default();
        Ok(Profile {
            url: self.url.clone().unwrap_or(saved.url),
            user: self.user.clone().unwrap_or(saved.user),
            ca_file: self.ca_file.clone().or(saved.ca_file),
            insecure: self.insecure || saved.insecure,
            password: std::env::var("OXSEC_PASSWORD").ok().or(saved.password),
        })
    }

    fn client_for(profile: &Profile) -> Result<Client, Failure> {
        if profile.url.is_empty() || profile.user.is_empty() {
            return Err(Failure(
                3,
                "no manager to talk to: run `oxsec login --url https://manager:55000 --user wazuh`, or give --url and --user".into(),
            ));
        }
        let password = profile.password.clone().ok_or_else(|| {
            Failure(
                3,
                "no password: set OXSEC_PASSWORD (or `oxsec login --save-password`)".into(),
            )
        })?;
        let mut builder =
            Client::builder(&profile.url, &profile.user, password).danger_accept_invalid_certs(profile.insecure);
        if let Some(ca) = &profile.ca_file {
            builder = builder.ca_file(ca);
        }
        Ok(builder.build()?)
    }

    fn client(&self) -> Result<Client, Failure> {
        Self::client_for(&self.profile()?)
    }

    fn output(&self) -> Output {
        self.output.unwrap_or(if std::io::stdout().is_terminal() {
            Output::Table
        } else {
            Output::Json
        })
    }
}

/// Runs a remote command.
pub fn run(command: crate::Command) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("oxsec: {e}");
            return ExitCode::from(3);
        }
    };
    match runtime.block_on(dispatch(command)) {
        Ok(code) => ExitCode::from(code),
        Err(Failure(code, message)) => {
            eprintln!("oxsec: {message}");
            ExitCode::from(code)
        }
    }
}

async fn dispatch(command: crate::Command) -> Result<u8, Failure> {
    use crate::Command as C;
    match command {
        C::Login(args) => login(args).await,
        C::Agents(AgentsCommand::List {
            conn,
            status,
            query,
            select,
            limit,
        }) => {
            let client = conn.client()?;
            let mut request = client.list::<Value>("/agents").select(select.split(','));
            if let Some(s) = status {
                request = request.param("status", s);
            }
            if let Some(q) = query {
                request = request.param("q", q);
            }
            if let Some(l) = limit {
                request = request.limit(l);
            }
            let items: Vec<Value> = request.stream().try_collect().await?;
            print_items(&items, conn.output());
            Ok(0)
        }
        C::Agents(AgentsCommand::Show { conn, id }) => {
            let agent = first_item(&conn, "/agents", "agents_list", &id, "agent").await?;
            print_one(&agent, conn.output());
            Ok(0)
        }
        C::Agents(AgentsCommand::Add { conn, name, ip }) => {
            let client = conn.client()?;
            let body = serde_json::json!({"name": name, "ip": ip});
            let answer = client.raw(reqwest_method("POST")?, "/agents", &[], Some(&body)).await?;
            print_one(answer.get("data").unwrap_or(&Value::Null), conn.output());
            Ok(0)
        }
        C::Agents(AgentsCommand::Delete { conn, ids }) => {
            // Only explicit agents: the API reads `all` as every agent.
            if let Some(bad) = ids
                .iter()
                .find(|id| id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()))
            {
                return Err(Failure(2, format!("'{bad}' is not an agent id (digits, e.g. 003)")));
            }
            let client = conn.client()?;
            let query = vec![
                ("agents_list".to_owned(), ids.join(",")),
                ("status".to_owned(), "all".to_owned()),
                ("older_than".to_owned(), "0s".to_owned()),
            ];
            let answer = client.raw(reqwest_method("DELETE")?, "/agents", &query, None).await?;
            bulk_result(&answer, conn.output())
        }
        C::Groups(GroupsCommand::List { conn }) => {
            let client = conn.client()?;
            let items: Vec<Value> = client.list::<Value>("/groups").stream().try_collect().await?;
            print_items(&items, conn.output());
            Ok(0)
        }
        C::Groups(GroupsCommand::Add { conn, name }) => {
            let client = conn.client()?;
            let body = serde_json::json!({ "group_id": name });
            let answer = client.raw(reqwest_method("POST")?, "/groups", &[], Some(&body)).await?;
            println!("{}", answer.get("message").and_then(Value::as_str).unwrap_or_default());
            Ok(0)
        }
        C::Groups(GroupsCommand::Assign { conn, group, agent }) => {
            let client = conn.client()?;
            let path = format!("/agents/{agent}/group/{group}");
            let answer = client.raw(reqwest_method("PUT")?, &path, &[], None).await?;
            bulk_result(&answer, conn.output())
        }
        C::Rules(RulesCommand::List {
            conn,
            requirement,
            level,
            group,
            query,
            limit,
        }) => {
            let client = conn.client()?;
            let mut request = client
                .rules()
                .select(["id", "level", "description", "groups", "filename"]);
            if let Some(req) = requirement {
                let Some((standard, value)) = req.split_once('=') else {
                    return Err(Failure(
                        2,
                        format!("--requirement '{req}': use standard=value, e.g. pci_dss=10.2.4"),
                    ));
                };
                let name = if standard == "nist_800_53" {
                    "nist-800-53"
                } else {
                    standard
                };
                request = request.param(name, value);
            }
            if let Some(l) = level {
                request = request.param("level", l);
            }
            if let Some(g) = group {
                request = request.param("group", g);
            }
            if let Some(q) = query {
                request = request.param("q", q);
            }
            if let Some(l) = limit {
                request = request.limit(l);
            }
            let items: Vec<Value> = request.stream().map_ok(|r| rule_row(&r)).try_collect().await?;
            print_items(&items, conn.output());
            Ok(0)
        }
        C::Rules(RulesCommand::Show { conn, id }) => {
            let rule = first_item(&conn, "/rules", "rule_ids", &id, "rule").await?;
            print_one(&rule, conn.output());
            Ok(0)
        }
        C::Logtest(args) => {
            let client = args.conn.client()?;
            let result = client.logtest(&args.event, &args.location, &args.log_format).await?;
            print_one(&serde_json::to_value(result).unwrap_or_default(), args.conn.output());
            Ok(0)
        }
        C::Events(EventsCommand::Send { conn, file }) => send_events(&conn, &file).await,
        C::Mcp(args) => {
            let client = args.conn.client()?;
            match args.listen {
                Some(listen) => {
                    let token = std::env::var("OXSEC_MCP_TOKEN")
                        .ok()
                        .filter(|t| t.len() >= 16)
                        .ok_or_else(|| {
                            Failure(
                                2,
                                "the HTTP transport needs OXSEC_MCP_TOKEN (16 characters or more) for its clients"
                                    .into(),
                            )
                        })?;
                    crate::mcp::serve_http(client, &listen, token)
                        .await
                        .map_err(|e| Failure(3, e))?;
                }
                None => crate::mcp::serve(client).await.map_err(|e| Failure(3, e))?,
            }
            Ok(0)
        }
        C::Api(args) => {
            let client = args.conn.client()?;
            let body = match &args.data {
                Some(text) => Some(
                    serde_json::from_str::<Value>(text).map_err(|e| Failure(2, format!("--data is not JSON: {e}")))?,
                ),
                None => None,
            };
            // The path goes as typed, its query included (already URL-encoded by the user).
            let answer = client
                .raw(reqwest_method(&args.method)?, &args.path, &[], body.as_ref())
                .await?;
            println!("{}", serde_json::to_string_pretty(&answer).unwrap_or_default());
            Ok(match answer.get("error").and_then(Value::as_i64) {
                Some(1) => 1,
                Some(2) => 4,
                _ => 0,
            })
        }
        _ => Err(Failure(2, "not a remote command".into())),
    }
}

/// The one item of a list endpoint filtered by id (`/agents?agents_list=001`).
async fn first_item(conn: &Connection, path: &str, filter: &str, id: &str, what: &str) -> Result<Value, Failure> {
    let client = conn.client()?;
    let page = client.list::<Value>(path).param(filter, id).page().await?;
    page.affected_items
        .into_iter()
        .next()
        .ok_or_else(|| Failure(1, format!("{what} {id} does not exist (or you may not see it)")))
}

fn rule_row(rule: &oxsec_client::Rule) -> Value {
    serde_json::json!({
        "id": rule.id,
        "level": rule.level,
        "description": rule.description,
        "groups": rule.groups.join(","),
        "filename": rule.filename,
    })
}

fn reqwest_method(name: &str) -> Result<oxsec_client::Method, Failure> {
    match name.to_ascii_uppercase().as_str() {
        "GET" => Ok(oxsec_client::Method::GET),
        "POST" => Ok(oxsec_client::Method::POST),
        "PUT" => Ok(oxsec_client::Method::PUT),
        "DELETE" => Ok(oxsec_client::Method::DELETE),
        other => Err(Failure(2, format!("'{other}' is not GET, POST, PUT or DELETE"))),
    }
}

async fn login(args: LoginArgs) -> Result<u8, Failure> {
    let mut profile = args.conn.profile()?;
    if args.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| Failure(3, format!("cannot read the password: {e}")))?;
        profile.password = Some(line.trim_end_matches(['\n', '\r']).to_owned());
    }
    let client = Connection::client_for(&profile)?;
    let info = client.manager_info().await?;
    let version = client.api_version().await.unwrap_or_default();
    if !args.save_password {
        profile.password = None;
    }
    let mut profiles = load_profiles()?;
    profiles.insert(
        args.conn.profile.clone(),
        serde_json::to_value(&profile).unwrap_or_default(),
    );
    let path = save_profiles(&profiles).map_err(|e| Failure(3, e))?;
    println!(
        "logged in to {} as {} (API {version}, manager {}); profile '{}' saved in {}",
        profile.url,
        profile.user,
        info.version,
        args.conn.profile,
        path.display()
    );
    Ok(0)
}

async fn send_events(conn: &Connection, file: &PathBuf) -> Result<u8, Failure> {
    let client = conn.client()?;
    let reader: Box<dyn BufRead> = if file.as_os_str() == "-" {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        Box::new(std::io::BufReader::new(
            std::fs::File::open(file).map_err(|e| Failure(3, format!("{}: {e}", file.display())))?,
        ))
    };
    let progress = std::io::stderr().is_terminal();
    let (mut sent, mut failed) = (0u64, 0u64);
    let mut batch = Vec::with_capacity(100);
    let mut lines = reader.lines();
    loop {
        let line = lines
            .next()
            .transpose()
            .map_err(|e| Failure(3, format!("{}: {e}", file.display())))?;
        if let Some(l) = &line {
            if !l.trim().is_empty() {
                batch.push(l.clone());
            }
        }
        if batch.len() == 100 || (line.is_none() && !batch.is_empty()) {
            let result = client.send_events(&batch).await.map_err(|e| {
                let Failure(code, message) = Failure::from(e);
                Failure(code, format!("{message} (after {sent} events sent; the rest were not)"))
            })?;
            sent += result.total_affected_items;
            failed += result.total_failed_items;
            batch.clear();
            if progress {
                eprint!("\r{sent} events sent, {failed} refused");
            }
        }
        if line.is_none() {
            break;
        }
    }
    if progress {
        eprintln!();
    }
    println!("{sent} events sent, {failed} refused");
    Ok(if failed > 0 { 4 } else { 0 })
}

/// Prints a bulk answer's message and failures; exit code 4 when some items failed.
fn bulk_result(answer: &Value, output: Output) -> Result<u8, Failure> {
    let data = answer.get("data").cloned().unwrap_or(Value::Null);
    match output {
        Output::Table => {
            println!("{}", answer.get("message").and_then(Value::as_str).unwrap_or_default());
            for failed in data.get("failed_items").and_then(Value::as_array).into_iter().flatten() {
                println!(
                    "  {}: {}",
                    failed.get("id").map(Value::to_string).unwrap_or_default(),
                    failed
                        .pointer("/error/message")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                );
            }
        }
        other => print_one(&data, other),
    }
    let failed = data.get("total_failed_items").and_then(Value::as_u64).unwrap_or(0);
    let done = data.get("total_affected_items").and_then(Value::as_u64).unwrap_or(0);
    Ok(match (done, failed) {
        (_, 0) => 0,
        (0, _) => 1,
        _ => 4,
    })
}

/// A cell's text: strings as they are, lists joined, other values as JSON.
fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            items.iter().map(cell).collect::<Vec<_>>().join(",")
        }
        other => other.to_string(),
    }
}

/// The columns of a list: each item's keys, in first-seen order.
fn columns(items: &[Value]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        if let Value::Object(map) = item {
            for key in map.keys() {
                if !out.contains(key) {
                    out.push(key.clone());
                }
            }
        }
    }
    out
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

fn print_items(items: &[Value], output: Output) {
    match output {
        Output::Json => println!("{}", serde_json::to_string_pretty(items).unwrap_or_default()),
        Output::Yaml => print!("{}", serde_norway::to_string(items).unwrap_or_default()),
        Output::Csv => {
            let cols = columns(items);
            println!("{}", cols.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(","));
            for item in items {
                let row: Vec<String> = cols
                    .iter()
                    .map(|c| csv_field(&cell(item.get(c).unwrap_or(&Value::Null))))
                    .collect();
                println!("{}", row.join(","));
            }
        }
        Output::Table => {
            let cols = columns(items);
            let rows: Vec<Vec<String>> = items
                .iter()
                .map(|item| {
                    cols.iter()
                        .map(|c| {
                            let text = cell(item.get(c).unwrap_or(&Value::Null));
                            if text.chars().count() > 60 {
                                text.chars().take(57).collect::<String>() + "..."
                            } else {
                                text
                            }
                        })
                        .collect()
                })
                .collect();
            let widths: Vec<usize> = cols
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    rows.iter()
                        .map(|r| r[i].chars().count())
                        .chain([c.len()])
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            let line = |cells: &[String]| {
                cells
                    .iter()
                    .zip(&widths)
                    .map(|(c, w)| format!("{c:<w$}"))
                    .collect::<Vec<_>>()
                    .join("  ")
                    .trim_end()
                    .to_owned()
            };
            println!("{}", line(&cols.iter().map(|c| c.to_uppercase()).collect::<Vec<_>>()));
            for row in &rows {
                println!("{}", line(row));
            }
            eprintln!("{} item(s)", items.len());
        }
    }
}

fn print_one(value: &Value, output: Output) {
    match output {
        Output::Json => println!("{}", serde_json::to_string_pretty(value).unwrap_or_default()),
        Output::Yaml => print!("{}", serde_norway::to_string(value).unwrap_or_default()),
        Output::Csv => print_items(std::slice::from_ref(value), Output::Csv),
        Output::Table => {
            if let Value::Object(map) = value {
                let width = map.keys().map(String::len).max().unwrap_or(0);
                for (k, v) in map {
                    println!("{k:<width$}  {}", cell(v));
                }
            } else {
                println!("{}", cell(value));
            }
        }
    }
}
