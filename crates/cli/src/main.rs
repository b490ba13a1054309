//! `oxsec`: runs the server (`oxsec serve`) and, as it grows, talks to it.

use std::path::PathBuf;
use std::process::ExitCode;

mod mcp;
mod remote;

use clap::{Parser, Subcommand};
use oxsec_server::bootstrap::Seeded;
use oxsec_server::config::{Config, Overrides};

// glibc's allocator spent about 40% of a 100,000-agent listing in malloc/free and page faults
// (docs/PERFORMANCE.md); mimalloc keeps freed memory for reuse per thread.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "oxsec", version, about = "A Wazuh-compatible security manager")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Run the API server (HTTPS on 0.0.0.0:55000, data in ./oxsec-data by default).
    ///
    /// Example: oxsec serve --data-dir /var/lib/oxsec --port 55000
    Serve {
        /// YAML configuration (a superset of Wazuh's api.yaml); see docs/CONFIG.md.
        #[arg(long, env = "OXSEC_CONFIG")]
        config: Option<PathBuf>,
        /// Data directory (store, keys, certificates, logs).
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Address to listen on.
        #[arg(long)]
        host: Option<String>,
        /// Port to listen on.
        #[arg(long)]
        port: Option<u16>,
        /// The shipped ruleset: a directory with rules/, decoders/ and lists/ (e.g. a Wazuh
        /// install's ruleset/). oxsec ships none of its own.
        #[arg(long = "ruleset")]
        ruleset_dir: Option<PathBuf>,
    },
    /// Import state from elsewhere.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Manage the ruleset (rules, decoders, CDB lists).
    #[command(subcommand)]
    Ruleset(RulesetCommand),
    /// Manage the MITRE ATT&CK data.
    #[command(subcommand)]
    Mitre(MitreCommand),
    /// Developer tools (test data).
    #[command(subcommand)]
    Dev(DevCommand),
    /// Save a connection profile (URL, user, CA; the password only with --save-password) after
    /// checking it by logging in. The other client commands use it.
    ///
    /// Example: OXSEC_PASSWORD=... oxsec login --url https://manager:55000 --user wazuh --ca-file ca.pem
    Login(remote::LoginArgs),
    /// Agents on a manager (oxsec or Wazuh).
    #[command(subcommand)]
    Agents(remote::AgentsCommand),
    /// Agent groups on a manager.
    #[command(subcommand)]
    Groups(remote::GroupsCommand),
    /// Rules of a manager's ruleset.
    #[command(subcommand)]
    Rules(remote::RulesCommand),
    /// Analyse one log line with the manager's ruleset (PUT /logtest).
    ///
    /// Example: oxsec logtest "Dec 25 20:45:02 host sshd[1]: Failed password for root from 10.0.0.1 port 22 ssh2"
    Logtest(remote::LogtestArgs),
    /// Send events to a manager.
    #[command(subcommand)]
    Events(remote::EventsCommand),
    /// Serve the Model Context Protocol on stdio: SOC tools for AI agents (list and search
    /// agents, rules by requirement or MITRE id, logtest, send events, manager status and logs,
    /// alert search and summaries), as the configured user — a read-only user gets read-only
    /// tools.
    ///
    /// Example: OXSEC_PASSWORD=... oxsec mcp --url https://manager:55000 --user soc-bot --ca-file ca.pem
    Mcp(remote::McpArgs),
    /// Print a shell completion script.
    ///
    /// Example: oxsec completions bash > /etc/bash_completion.d/oxsec
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Call any API endpoint and print its JSON answer.
    ///
    /// Example: oxsec api GET '/agents?limit=5&select=id,name'
    Api(remote::ApiArgs),
}

#[derive(Subcommand)]
enum MitreCommand {
    /// Import MITRE's enterprise ATT&CK STIX bundle (enterprise-attack.json, from
    /// https://github.com/mitre-attack/attack-stix-data) into the store: what /mitre/... serves
    /// and alerts name techniques from. It replaces any earlier import; a running server serves
    /// it after its next start or PUT /manager/restart. The `mitre_file` setting imports a
    /// bundle at every start instead (skipped when unchanged).
    ///
    /// Example: oxsec mitre import enterprise-attack.json --data-dir /var/lib/oxsec
    Import {
        /// The STIX bundle.
        file: PathBuf,
        /// YAML configuration (for data_dir).
        #[arg(long, env = "OXSEC_CONFIG")]
        config: Option<PathBuf>,
        /// Data directory to import into.
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum DevCommand {
    /// Add N synthetic agents (mixed OS, versions, groups and statuses) for tests and benchmarks.
    ///
    /// Example: oxsec dev seed-agents 100000 --data-dir ./bench-data
    SeedAgents {
        /// How many agents to add.
        count: u64,
        /// Data directory (created if needed).
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// Fill every agent's inventory (OS, hardware, network, packages, processes, ports), file
    /// integrity entries and an SCA policy with realistic data, replacing what they had.
    ///
    /// Example: oxsec dev seed-inventory --packages 500 --data-dir ./bench-data
    SeedInventory {
        /// Packages per agent.
        #[arg(long, default_value_t = 500)]
        packages: u32,
        /// Data directory.
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum RulesetCommand {
    /// Copy a ruleset into the data dir (as <data_dir>/ruleset), where the server finds it when
    /// no ruleset_dir / --ruleset is configured. The shipped lists are added to etc/lists unless
    /// a list of that name is already there. A running server picks the new ruleset up at its
    /// next start.
    ///
    /// The source is a ruleset directory (with rules/, decoders/, lists/), a Wazuh install (its
    /// ruleset/ is used), or a tarball of either. It is checked by loading it before it replaces
    /// anything.
    ///
    /// Example: oxsec ruleset install --from wazuh-ruleset-4.14.7.tar.gz --data-dir /var/lib/oxsec
    Install {
        /// Ruleset directory, Wazuh install dir, or tarball.
        #[arg(long = "from")]
        from: PathBuf,
        /// YAML configuration (for data_dir).
        #[arg(long, env = "OXSEC_CONFIG")]
        config: Option<PathBuf>,
        /// Data directory to install into.
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import a Wazuh manager's alerts.json (one alert per line) into the store, where
    /// GET /alerts and /alerts/summary find them. Alerts already stored (same id) are skipped, so
    /// importing a file again (or a rotated copy) is safe.
    ///
    /// Example: oxsec import alerts /var/ossec/logs/alerts/alerts.json --data-dir /var/lib/oxsec
    Alerts {
        /// The alerts.json file.
        file: PathBuf,
        /// YAML configuration (for data_dir).
        #[arg(long, env = "OXSEC_CONFIG")]
        config: Option<PathBuf>,
        /// Data directory to import into.
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// Import a Wazuh manager's security state (users, roles, policies, rules, links; ids kept).
    ///
    /// Each --from is a Wazuh install dir (its api/configuration/security/rbac.db is read), an
    /// rbac.db file, or a .sql file of INSERT/DELETE statements against Wazuh's rbac tables. Wazuh's
    /// password hashes keep working and are replaced by argon2id at each user's next login.
    ///
    /// Example: oxsec import wazuh --from /var/ossec --data-dir /var/lib/oxsec
    Wazuh {
        /// Source: install dir, rbac.db or .sql file (repeatable, applied in order).
        #[arg(long = "from", required = true)]
        from: Vec<PathBuf>,
        /// YAML configuration (for data_dir).
        #[arg(long, env = "OXSEC_CONFIG")]
        config: Option<PathBuf>,
        /// Data directory to import into.
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Also set the RBAC mode (white or black).
        #[arg(long, value_parser = ["white", "black"])]
        rbac_mode: Option<String>,
        /// Also set the token lifetime in seconds.
        #[arg(long)]
        token_timeout: Option<i64>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(shell, &mut Cli::command(), "oxsec", &mut std::io::stdout());
            ExitCode::SUCCESS
        }
        remote @ (Command::Login(_)
        | Command::Agents(_)
        | Command::Groups(_)
        | Command::Rules(_)
        | Command::Logtest(_)
        | Command::Events(_)
        | Command::Mcp(_)
        | Command::Api(_)) => remote::run(remote),
        Command::Dev(DevCommand::SeedInventory { packages, data_dir }) => {
            let overrides = Overrides {
                data_dir,
                ..Overrides::default()
            };
            let env = std::env::vars().filter(|(k, _)| k != "OXSEC_CONFIG");
            let result = Config::load(None, env, &overrides)
                .map_err(|e| e.to_string())
                .and_then(|config| oxsec_server::bootstrap::seed_inventory(&config, packages));
            match result {
                Ok(n) => {
                    println!("wrote {n} rows");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("oxsec: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Dev(DevCommand::SeedAgents { count, data_dir }) => {
            let overrides = Overrides {
                data_dir,
                ..Overrides::default()
            };
            let env = std::env::vars().filter(|(k, _)| k != "OXSEC_CONFIG");
            let result = Config::load(None, env, &overrides)
                .map_err(|e| e.to_string())
                .and_then(|config| oxsec_server::bootstrap::seed_agents(&config, count));
            match result {
                Ok(n) => {
                    println!("added {n} agents");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("oxsec: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Command::Mitre(MitreCommand::Import { file, config, data_dir }) => {
            let overrides = Overrides {
                data_dir,
                ..Overrides::default()
            };
            let env = std::env::vars().filter(|(k, _)| k != "OXSEC_CONFIG");
            let result = Config::load(config.as_deref(), env, &overrides)
                .map_err(|e| e.to_string())
                .and_then(|config| oxsec_server::mitre_import(&config, &file));
            match result {
                Ok(line) => {
                    println!("{line}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("oxsec: mitre import failed: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Command::Ruleset(RulesetCommand::Install { from, config, data_dir }) => {
            let overrides = Overrides {
                data_dir,
                ..Overrides::default()
            };
            let env = std::env::vars().filter(|(k, _)| k != "OXSEC_CONFIG");
            let result = Config::load(config.as_deref(), env, &overrides)
                .map_err(|e| e.to_string())
                .and_then(|config| oxsec_server::ruleset_install(&config, &from));
            match result {
                Ok(i) => {
                    println!(
                        "installed {}: {} rules in {} files, {} decoders in {} files; {} lists added to etc/lists",
                        i.path.display(),
                        i.rules,
                        i.rule_files,
                        i.decoders,
                        i.decoder_files,
                        i.lists_added
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("oxsec: ruleset install failed: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Command::Import(ImportCommand::Alerts { file, config, data_dir }) => {
            let overrides = Overrides {
                data_dir,
                ..Overrides::default()
            };
            let env = std::env::vars().filter(|(k, _)| k != "OXSEC_CONFIG");
            let config = match Config::load(config.as_deref(), env, &overrides) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("oxsec: {e}");
                    return ExitCode::from(2);
                }
            };
            let mut last = 0u64;
            let mut progress = |read: u64, size: u64| {
                let percent = (read * 100).checked_div(size).unwrap_or(100);
                if percent >= last + 10 || read == size {
                    eprintln!("  ... {percent}% ({read} of {size} bytes)");
                    last = percent;
                }
            };
            match oxsec_server::bootstrap::import_alerts(&config, &file, &mut progress) {
                Ok(done) => {
                    println!(
                        "{}: {} alerts stored, {} already present, {} lines skipped (not alerts)",
                        file.display(),
                        done.stored,
                        done.present,
                        done.skipped
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("oxsec: import failed: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Command::Import(ImportCommand::Wazuh {
            from,
            config,
            data_dir,
            rbac_mode,
            token_timeout,
        }) => {
            let overrides = Overrides {
                data_dir,
                ..Overrides::default()
            };
            let env = std::env::vars().filter(|(k, _)| k != "OXSEC_CONFIG");
            let config = match Config::load(config.as_deref(), env, &overrides) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("oxsec: {e}");
                    return ExitCode::from(2);
                }
            };
            let security = (rbac_mode.is_some() || token_timeout.is_some()).then(|| {
                let mut s = oxsec_server::state::SecurityConfig::default();
                if let Some(m) = rbac_mode {
                    s.rbac_mode = m;
                }
                if let Some(t) = token_timeout {
                    s.auth_token_exp_timeout = t;
                }
                s
            });
            match oxsec_server::bootstrap::import_wazuh(
                &config,
                &from,
                std::env::var("OXSEC_ADMIN_PASSWORD").ok(),
                security,
            ) {
                Ok(lines) => {
                    for l in lines {
                        println!("{l}");
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("oxsec: import failed: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Command::Serve {
            config,
            data_dir,
            host,
            port,
            ruleset_dir,
        } => {
            let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("oxsec: cannot start the runtime: {e}");
                    return ExitCode::from(1);
                }
            };
            let overrides = Overrides {
                data_dir,
                host,
                port,
                ruleset_dir,
            };
            match runtime.block_on(serve(config, overrides)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("oxsec: {e}");
                    ExitCode::from(2)
                }
            }
        }
    }
}

async fn serve(config_file: Option<PathBuf>, overrides: Overrides) -> Result<(), String> {
    // `OXSEC_CONFIG` is consumed by clap; the remaining OXSEC_ variables are configuration keys.
    let env = std::env::vars().filter(|(k, _)| k != "OXSEC_CONFIG");
    let config = Config::load(config_file.as_deref(), env, &overrides).map_err(|e| e.to_string())?;
    let layout = oxsec_server::bootstrap::Layout::new(&config.data_dir);
    layout
        .create()
        .map_err(|e| format!("cannot create the data dir {}: {e}", config.data_dir.display()))?;
    oxsec_server::logging::init(&config, &layout.logs_dir())?;
    for w in &config.warnings {
        tracing::warn!("{w}");
    }
    let scheme = if config.https.enabled { "https" } else { "http" };
    let password = std::env::var("OXSEC_ADMIN_PASSWORD").ok();
    let prepared = oxsec_server::prepare(config, password).await?;
    match &prepared.seeded {
        Seeded::Generated(file, pw) => {
            // Printed once, on the first start only; also kept 0600 in the data dir.
            eprintln!(
                "\n  Initial password for users 'wazuh' and 'wazuh-wui': {pw}\n  (also saved to {})\n",
                file.display()
            );
        }
        Seeded::FromEnvironment => {
            tracing::info!("default users created with the password from OXSEC_ADMIN_PASSWORD");
        }
        Seeded::Existing => {}
    }
    for addr in &prepared.addrs {
        tracing::info!("listening on {scheme}://{addr}");
    }
    oxsec_server::run(prepared, shutdown_signal()).await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
