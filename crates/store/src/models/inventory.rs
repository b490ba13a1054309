//! What syscollector reports about each agent's system (migration 0011): the inventory tables,
//! named and typed as wazuh-db's `sys_*` tables, so a Wazuh import is a straight copy and the
//! ingest path knows each column's type.

use rusqlite::Connection;

use crate::Result;

/// A column's SQLite type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Integer,
    Real,
    Text,
}

/// One inventory table.
#[derive(Debug)]
pub struct Table {
    /// The table name, in the store and in wazuh-db alike.
    pub name: &'static str,
    /// Its columns besides `agent_id`, in wazuh-db's order.
    pub columns: &'static [(&'static str, Kind)],
}

impl Table {
    /// The type of `column`, if the table has it.
    pub fn kind(&self, column: &str) -> Option<Kind> {
        self.columns.iter().find(|(c, _)| *c == column).map(|(_, k)| *k)
    }
}

/// The table called `name`.
pub fn table(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name)
}

/// Deletes every inventory row of `agent` (a full rescan replaces them).
pub fn clear(conn: &Connection, agent: i64) -> Result<()> {
    for t in TABLES {
        conn.execute(&format!("DELETE FROM {} WHERE agent_id = ?1", t.name), [agent])?;
    }
    Ok(())
}

/// Every inventory table.
pub const TABLES: &[Table] = &[
    Table {
        name: "sys_osinfo",
        columns: &[
            ("scan_id", Kind::Integer),
            ("scan_time", Kind::Text),
            ("hostname", Kind::Text),
            ("architecture", Kind::Text),
            ("os_name", Kind::Text),
            ("os_version", Kind::Text),
            ("os_codename", Kind::Text),
            ("os_major", Kind::Text),
            ("os_minor", Kind::Text),
            ("os_patch", Kind::Text),
            ("os_build", Kind::Text),
            ("os_platform", Kind::Text),
            ("sysname", Kind::Text),
            ("release", Kind::Text),
            ("version", Kind::Text),
            ("os_release", Kind::Text),
            ("checksum", Kind::Text),
            ("os_display_version", Kind::Text),
            ("reference", Kind::Text),
        ],
    },
    Table {
        name: "sys_hwinfo",
        columns: &[
            ("scan_id", Kind::Integer),
            ("scan_time", Kind::Text),
            ("board_serial", Kind::Text),
            ("cpu_name", Kind::Text),
            ("cpu_cores", Kind::Integer),
            ("cpu_mhz", Kind::Real),
            ("ram_total", Kind::Integer),
            ("ram_free", Kind::Integer),
            ("ram_usage", Kind::Integer),
            ("checksum", Kind::Text),
        ],
    },
    Table {
        name: "sys_programs",
        columns: &[
            ("scan_id", Kind::Integer),
            ("scan_time", Kind::Text),
            ("format", Kind::Text),
            ("name", Kind::Text),
            ("priority", Kind::Text),
            ("section", Kind::Text),
            ("size", Kind::Integer),
            ("vendor", Kind::Text),
            ("install_time", Kind::Text),
            ("version", Kind::Text),
            ("architecture", Kind::Text),
            ("multiarch", Kind::Text),
            ("source", Kind::Text),
            ("description", Kind::Text),
            ("location", Kind::Text),
            ("cpe", Kind::Text),
            ("msu_name", Kind::Text),
            ("checksum", Kind::Text),
            ("item_id", Kind::Text),
        ],
    },
    Table {
        name: "sys_processes",
        columns: &[
            ("scan_id", Kind::Integer),
            ("scan_time", Kind::Text),
            ("pid", Kind::Text),
            ("name", Kind::Text),
            ("state", Kind::Text),
            ("ppid", Kind::Integer),
            ("utime", Kind::Integer),
            ("stime", Kind::Integer),
            ("cmd", Kind::Text),
            ("argvs", Kind::Text),
            ("euser", Kind::Text),
            ("ruser", Kind::Text),
            ("suser", Kind::Text),
            ("egroup", Kind::Text),
            ("rgroup", Kind::Text),
            ("sgroup", Kind::Text),
            ("fgroup", Kind::Text),
            ("priority", Kind::Integer),
            ("nice", Kind::Integer),
            ("size", Kind::Integer),
            ("vm_size", Kind::Integer),
            ("resident", Kind::Integer),
            ("share", Kind::Integer),
            ("start_time", Kind::Integer),
            ("pgrp", Kind::Integer),
            ("session", Kind::Integer),
            ("nlwp", Kind::Integer),
            ("tgid", Kind::Integer),
            ("tty", Kind::Integer),
            ("processor", Kind::Integer),
            ("checksum", Kind::Text),
        ],
    },
    Table {
        name: "sys_ports",
        columns: &[
            ("scan_id", Kind::Integer),
            ("scan_time", Kind::Text),
            ("protocol", Kind::Text),
            ("local_ip", Kind::Text),
            ("local_port", Kind::Integer),
            ("remote_ip", Kind::Text),
            ("remote_port", Kind::Integer),
            ("tx_queue", Kind::Integer),
            ("rx_queue", Kind::Integer),
            ("inode", Kind::Integer),
            ("state", Kind::Text),
            ("PID", Kind::Integer),
            ("process", Kind::Text),
            ("checksum", Kind::Text),
            ("item_id", Kind::Text),
        ],
    },
    Table {
        name: "sys_netaddr",
        columns: &[
            ("scan_id", Kind::Integer),
            ("iface", Kind::Text),
            ("proto", Kind::Text),
            ("address", Kind::Text),
            ("netmask", Kind::Text),
            ("broadcast", Kind::Text),
            ("checksum", Kind::Text),
            ("item_id", Kind::Text),
        ],
    },
    Table {
        name: "sys_netproto",
        columns: &[
            ("scan_id", Kind::Integer),
            ("iface", Kind::Text),
            ("type", Kind::Text),
            ("gateway", Kind::Text),
            ("dhcp", Kind::Text),
            ("metric", Kind::Integer),
            ("checksum", Kind::Text),
            ("item_id", Kind::Text),
        ],
    },
    Table {
        name: "sys_netiface",
        columns: &[
            ("scan_id", Kind::Integer),
            ("scan_time", Kind::Text),
            ("name", Kind::Text),
            ("adapter", Kind::Text),
            ("type", Kind::Text),
            ("state", Kind::Text),
            ("mtu", Kind::Integer),
            ("mac", Kind::Text),
            ("tx_packets", Kind::Integer),
            ("rx_packets", Kind::Integer),
            ("tx_bytes", Kind::Integer),
            ("rx_bytes", Kind::Integer),
            ("tx_errors", Kind::Integer),
            ("rx_errors", Kind::Integer),
            ("tx_dropped", Kind::Integer),
            ("rx_dropped", Kind::Integer),
            ("checksum", Kind::Text),
            ("item_id", Kind::Text),
        ],
    },
    Table {
        name: "sys_hotfixes",
        columns: &[
            ("scan_id", Kind::Integer),
            ("scan_time", Kind::Text),
            ("hotfix", Kind::Text),
            ("checksum", Kind::Text),
        ],
    },
    Table {
        name: "sys_users",
        columns: &[
            ("scan_id", Kind::Integer),
            ("scan_time", Kind::Text),
            ("user_name", Kind::Text),
            ("user_full_name", Kind::Text),
            ("user_home", Kind::Text),
            ("user_id", Kind::Integer),
            ("user_uid_signed", Kind::Integer),
            ("user_uuid", Kind::Text),
            ("user_groups", Kind::Text),
            ("user_group_id", Kind::Integer),
            ("user_group_id_signed", Kind::Integer),
            ("user_created", Kind::Real),
            ("user_roles", Kind::Text),
            ("user_shell", Kind::Text),
            ("user_type", Kind::Text),
            ("user_is_hidden", Kind::Integer),
            ("user_is_remote", Kind::Integer),
            ("user_last_login", Kind::Integer),
            ("user_auth_failed_count", Kind::Integer),
            ("user_auth_failed_timestamp", Kind::Real),
            ("user_password_last_change", Kind::Real),
            ("user_password_expiration_date", Kind::Integer),
            ("user_password_hash_algorithm", Kind::Text),
            ("user_password_inactive_days", Kind::Integer),
            ("user_password_max_days_between_changes", Kind::Integer),
            ("user_password_min_days_between_changes", Kind::Integer),
            ("user_password_status", Kind::Text),
            ("user_password_warning_days_before_expiration", Kind::Integer),
            ("process_pid", Kind::Integer),
            ("host_ip", Kind::Text),
            ("login_status", Kind::Integer),
            ("login_tty", Kind::Text),
            ("login_type", Kind::Text),
            ("checksum", Kind::Text),
        ],
    },
    Table {
        name: "sys_groups",
        columns: &[
            ("scan_id", Kind::Integer),
            ("scan_time", Kind::Text),
            ("group_id", Kind::Integer),
            ("group_name", Kind::Text),
            ("group_description", Kind::Text),
            ("group_id_signed", Kind::Integer),
            ("group_uuid", Kind::Text),
            ("group_is_hidden", Kind::Integer),
            ("group_users", Kind::Text),
            ("checksum", Kind::Text),
        ],
    },
    Table {
        name: "sys_services",
        columns: &[
            ("scan_id", Kind::Integer),
            ("scan_time", Kind::Text),
            ("service_id", Kind::Text),
            ("service_name", Kind::Text),
            ("service_description", Kind::Text),
            ("service_type", Kind::Text),
            ("service_state", Kind::Text),
            ("service_sub_state", Kind::Text),
            ("service_enabled", Kind::Text),
            ("service_start_type", Kind::Text),
            ("service_restart", Kind::Text),
            ("service_frequency", Kind::Integer),
            ("service_starts_on_mount", Kind::Integer),
            ("service_starts_on_path_modified", Kind::Text),
            ("service_starts_on_not_empty_directory", Kind::Text),
            ("service_inetd_compatibility", Kind::Integer),
            ("process_pid", Kind::Integer),
            ("process_executable", Kind::Text),
            ("process_args", Kind::Text),
            ("process_user_name", Kind::Text),
            ("process_group_name", Kind::Text),
            ("process_working_directory", Kind::Text),
            ("process_root_directory", Kind::Text),
            ("file_path", Kind::Text),
            ("service_address", Kind::Text),
            ("log_file_path", Kind::Text),
            ("error_log_file_path", Kind::Text),
            ("service_exit_code", Kind::Integer),
            ("service_win32_exit_code", Kind::Integer),
            ("service_following", Kind::Text),
            ("service_object_path", Kind::Text),
            ("service_target_ephemeral_id", Kind::Integer),
            ("service_target_type", Kind::Text),
            ("service_target_address", Kind::Text),
            ("checksum", Kind::Text),
            ("item_id", Kind::Text),
        ],
    },
    Table {
        name: "sys_browser_extensions",
        columns: &[
            ("scan_id", Kind::Integer),
            ("scan_time", Kind::Text),
            ("browser_name", Kind::Text),
            ("user_id", Kind::Text),
            ("package_name", Kind::Text),
            ("package_id", Kind::Text),
            ("package_version", Kind::Text),
            ("package_description", Kind::Text),
            ("package_vendor", Kind::Text),
            ("package_build_version", Kind::Text),
            ("package_path", Kind::Text),
            ("browser_profile_name", Kind::Text),
            ("browser_profile_path", Kind::Text),
            ("package_reference", Kind::Text),
            ("package_permissions", Kind::Text),
            ("package_type", Kind::Text),
            ("package_enabled", Kind::Integer),
            ("package_visible", Kind::Integer),
            ("package_autoupdate", Kind::Integer),
            ("package_persistent", Kind::Integer),
            ("package_from_webstore", Kind::Integer),
            ("browser_profile_referenced", Kind::Integer),
            ("package_installed", Kind::Text),
            ("file_hash_sha256", Kind::Text),
            ("checksum", Kind::Text),
            ("item_id", Kind::Text),
        ],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_match_the_migration() {
        let dir = tempfile::tempdir().expect("dir");
        let store = crate::Store::open(&dir.path().join("s.db")).expect("store");
        let conn = Connection::open(store.path()).expect("conn");
        for t in TABLES {
            let mut stmt = conn.prepare(&format!("PRAGMA table_info({})", t.name)).expect("pragma");
            let found: Vec<(String, String)> = stmt
                .query_map([], |r| Ok((r.get(1)?, r.get(2)?)))
                .expect("rows")
                .collect::<rusqlite::Result<_>>()
                .expect("columns");
            let expected: Vec<(String, String)> = std::iter::once(("agent_id".to_owned(), "INTEGER".to_owned()))
                .chain(t.columns.iter().map(|(c, k)| {
                    let ty = match k {
                        Kind::Integer => "INTEGER",
                        Kind::Real => "REAL",
                        Kind::Text => "TEXT",
                    };
                    ((*c).to_owned(), ty.to_owned())
                }))
                .collect();
            assert_eq!(found, expected, "table {}", t.name);
        }
    }
}

/// How much inventory [`seed`] gives each agent.
#[derive(Debug, Clone, Copy)]
pub struct SeedSizes {
    pub packages: u32,
    pub processes: u32,
    pub ports: u32,
    pub files: u32,
    pub sca_checks: u32,
}

impl Default for SeedSizes {
    fn default() -> Self {
        Self {
            packages: 500,
            processes: 40,
            ports: 8,
            files: 100,
            sca_checks: 20,
        }
    }
}

/// Package names of a Debian/Ubuntu system; larger inventories add library variants of them.
const DEB_PACKAGES: &[&str] = &[
    "adduser",
    "apt",
    "base-files",
    "bash",
    "binutils",
    "bsdutils",
    "bzip2",
    "ca-certificates",
    "coreutils",
    "cron",
    "curl",
    "dash",
    "dbus",
    "debconf",
    "diffutils",
    "dpkg",
    "e2fsprogs",
    "findutils",
    "gawk",
    "gcc-12",
    "gnupg",
    "grep",
    "gzip",
    "hostname",
    "init-system-helpers",
    "iproute2",
    "iptables",
    "iputils-ping",
    "kmod",
    "less",
    "libc6",
    "libcurl4",
    "libgcc-s1",
    "libpam-modules",
    "libpcre2-8-0",
    "libsqlite3-0",
    "libssl3",
    "libstdc++6",
    "libsystemd0",
    "libudev1",
    "libxml2",
    "libzstd1",
    "login",
    "logrotate",
    "lsb-release",
    "mawk",
    "mount",
    "nano",
    "ncurses-base",
    "net-tools",
    "netbase",
    "nginx",
    "openssh-client",
    "openssh-server",
    "openssl",
    "passwd",
    "perl",
    "perl-base",
    "procps",
    "python3",
    "python3.10",
    "readline-common",
    "rsyslog",
    "sed",
    "sensible-utils",
    "sudo",
    "systemd",
    "systemd-sysv",
    "tar",
    "tzdata",
    "ubuntu-keyring",
    "ucf",
    "udev",
    "util-linux",
    "vim",
    "wget",
    "xz-utils",
    "zlib1g",
    "git",
    "htop",
    "jq",
    "lsof",
    "make",
    "mariadb-client",
    "postgresql-client",
    "rsync",
    "screen",
    "strace",
    "tcpdump",
    "tmux",
    "unzip",
    "zip",
];

/// Package names of a Windows host.
const WIN_PACKAGES: &[&str] = &[
    "Microsoft Edge",
    "Microsoft Visual C++ 2015-2022 Redistributable (x64)",
    "Microsoft .NET Runtime",
    "Google Chrome",
    "Mozilla Firefox",
    "7-Zip",
    "Notepad++",
    "PowerShell 7",
    "Wazuh Agent",
    "Git",
    "Microsoft Office Professional Plus",
    "Adobe Acrobat Reader",
    "VLC media player",
    "Python 3.12",
    "Microsoft Teams",
    "OneDrive",
    "Zoom",
    "WinRAR",
    "PuTTY",
    "OpenVPN",
];

const PROCESSES: &[&str] = &[
    "systemd",
    "kthreadd",
    "sshd",
    "cron",
    "rsyslogd",
    "dbus-daemon",
    "nginx",
    "postgres",
    "wazuh-agentd",
    "wazuh-modulesd",
    "wazuh-logcollector",
    "wazuh-syscheckd",
    "bash",
    "python3",
    "containerd",
    "dockerd",
];

const FILE_DIRS: &[&str] = &[
    "/etc",
    "/usr/bin",
    "/usr/sbin",
    "/etc/ssh",
    "/etc/systemd/system",
    "/var/ossec/etc",
];

/// An agent to seed: id, name, OS name, OS version, OS platform, IP.
type SeedAgent = (
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Fills realistic inventory (OS, hardware, network, packages, processes, ports), file-integrity
/// entries and an SCA policy for every agent but the manager, replacing what they had, in one
/// transaction per 200 agents; `progress` is told (agents done, agents in all). The same agent
/// always gets the same data. For development and benchmarks (`oxsec dev seed-inventory`).
pub fn seed(conn: &mut Connection, sizes: SeedSizes, progress: &mut dyn FnMut(usize, usize)) -> Result<u64> {
    let agents: Vec<SeedAgent> = {
        let mut stmt =
            conn.prepare("SELECT id, name, os_name, os_version, os_platform, ip FROM agents WHERE id > 0 ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut rows = 0u64;
    let now = crate::now_secs();
    for (chunk_no, chunk) in agents.chunks(200).enumerate() {
        let tx = conn.transaction()?;
        for (id, name, os_name, os_version, platform, ip) in chunk {
            let id = *id;
            clear(&tx, id)?;
            for table in [
                "fim_entries",
                "agent_scan_info",
                "sca_check_rules",
                "sca_check_compliance",
                "sca_checks",
                "sca_scan_info",
                "sca_policies",
            ] {
                tx.execute(&format!("DELETE FROM {table} WHERE agent_id = ?1"), [id])?;
            }
            crate::models::agent_data::ensure_database(&tx, id, now)?;
            let windows = platform.as_deref() == Some("windows");
            let stamp = "2026/11/20 10:00:00";
            tx.prepare_cached(
                "INSERT INTO sys_osinfo (agent_id, scan_id, scan_time, hostname, architecture, os_name, os_version, os_platform, sysname, release, version, checksum)
                 VALUES (?1, 0, ?2, ?3, 'x86_64', ?4, ?5, ?6, ?7, ?8, ?9, 'seed')",
            )?
            .execute(rusqlite::params![
                id,
                stamp,
                name,
                os_name,
                os_version,
                platform,
                if windows { None } else { Some("Linux") },
                if windows { None } else { Some("5.15.0-91-generic") },
                if windows { None } else { Some("#101-Ubuntu SMP") },
            ])?;
            tx.prepare_cached(
                "INSERT INTO sys_hwinfo (agent_id, scan_id, scan_time, board_serial, cpu_name, cpu_cores, cpu_mhz, ram_total, ram_free, ram_usage, checksum)
                 VALUES (?1, 1, ?2, ?3, 'Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz', ?4, 2900.0, ?5, ?6, ?7, 'seed')",
            )?
            .execute(rusqlite::params![id, stamp, format!("SN{id:08}"), 2 << (id % 3), 8_000_000 + id % 7 * 1_000_000, 2_000_000 + id % 5 * 100_000, 20 + id % 60])?;
            let address = ip
                .clone()
                .unwrap_or_else(|| format!("10.0.{}.{}", (id >> 8) & 255, id & 255));
            tx.prepare_cached(
                "INSERT INTO sys_netiface (agent_id, scan_id, scan_time, name, type, state, mtu, mac, tx_packets, rx_packets, tx_bytes, rx_bytes, tx_errors, rx_errors, tx_dropped, rx_dropped, checksum)
                 VALUES (?1, 2, ?2, 'eth0', 'ethernet', 'up', 1500, ?3, ?4, ?5, ?6, ?7, 0, 0, 0, 0, 'seed')",
            )?
            .execute(rusqlite::params![id, stamp, format!("02:42:ac:{:02x}:{:02x}:{:02x}", (id >> 16) & 255, (id >> 8) & 255, id & 255), id * 17 % 100_000, id * 31 % 300_000, id * 1500 % 90_000_000, id * 4100 % 900_000_000])?;
            tx.prepare_cached("INSERT INTO sys_netaddr (agent_id, scan_id, iface, proto, address, netmask, broadcast, checksum) VALUES (?1, 2, 'eth0', 'ipv4', ?2, '255.255.0.0', '10.0.255.255', 'seed')")?
                .execute(rusqlite::params![id, address])?;
            tx.prepare_cached("INSERT INTO sys_netproto (agent_id, scan_id, iface, type, gateway, dhcp, metric, checksum) VALUES (?1, 2, 'eth0', 'ipv4', '10.0.0.1', 'disabled', 0, 'seed')")?
                .execute([id])?;
            rows += 5;
            let mut port = tx.prepare_cached(
                "INSERT INTO sys_ports (agent_id, scan_id, scan_time, protocol, local_ip, local_port, remote_ip, remote_port, tx_queue, rx_queue, inode, state, PID, process, checksum)
                 VALUES (?1, 3, ?2, 'tcp', '0.0.0.0', ?3, '0.0.0.0', 0, 0, 0, ?4, 'listening', ?5, ?6, 'seed')",
            )?;
            const PORTS: &[(i64, &str)] = &[
                (22, "sshd"),
                (80, "nginx"),
                (443, "nginx"),
                (5432, "postgres"),
                (1514, "wazuh-agentd"),
                (9100, "node_exporter"),
                (25, "master"),
                (53, "systemd-resolved"),
            ];
            for n in 0..sizes.ports as usize {
                let (p, process) = PORTS[n % PORTS.len()];
                port.execute(rusqlite::params![
                    id,
                    stamp,
                    p + (n / PORTS.len()) as i64 * 10_000,
                    10_000 + n as i64,
                    100 + n as i64,
                    process
                ])?;
                rows += 1;
            }
            let mut process = tx.prepare_cached(
                "INSERT INTO sys_processes (agent_id, scan_id, scan_time, pid, name, state, ppid, utime, stime, cmd, argvs, euser, ruser, suser, egroup, rgroup, sgroup, fgroup, priority, nice, size, vm_size, resident, share, start_time, pgrp, session, nlwp, tgid, tty, processor, checksum)
                 VALUES (?1, 5, ?2, ?3, ?4, 'S', 1, ?5, ?6, ?7, '', 'root', 'root', 'root', 'root', 'root', 'root', 'root', 20, 0, ?8, ?9, ?10, ?11, ?12, ?13, ?13, 1, ?13, 0, 0, 'seed')",
            )?;
            for n in 0..sizes.processes as i64 {
                let pname = PROCESSES[n as usize % PROCESSES.len()];
                let pid = 1 + n * 37;
                process.execute(rusqlite::params![
                    id,
                    stamp,
                    pid.to_string(),
                    pname,
                    n * 11,
                    n * 3,
                    format!("/usr/sbin/{pname}"),
                    1000 + n,
                    20_000 + n * 100,
                    3000 + n,
                    1500 + n,
                    1_700_000_000 + n,
                    pid
                ])?;
                rows += 1;
            }
            let mut package = tx.prepare_cached(
                "INSERT INTO sys_programs (agent_id, scan_id, scan_time, format, name, priority, section, size, vendor, install_time, version, architecture, multiarch, source, description, location, checksum, item_id)
                 VALUES (?1, 4, ?2, ?3, ?4, 'optional', ?5, ?6, ?7, ?8, ?9, ?10, NULL, ?11, ?12, ?13, 'seed', ?14)",
            )?;
            let base = if windows { WIN_PACKAGES } else { DEB_PACKAGES };
            for n in 0..sizes.packages as usize {
                let stem = base[n % base.len()];
                let round = n / base.len();
                let pname = if round == 0 {
                    stem.to_owned()
                } else if windows {
                    format!("{stem} Update {round}")
                } else {
                    format!("lib{stem}{round}")
                };
                let version = format!(
                    "{}.{}.{}-{}ubuntu{}",
                    1 + n % 9,
                    (id as usize + n) % 20,
                    n % 7,
                    n % 3,
                    id % 4
                );
                package.execute(rusqlite::params![
                    id,
                    stamp,
                    if windows { "win" } else { "deb" },
                    pname,
                    if windows {
                        None
                    } else {
                        Some(["admin", "libs", "net", "utils", "devel"][n % 5])
                    },
                    100 + (n * 37 % 20_000) as i64,
                    if windows {
                        "Microsoft Corporation"
                    } else {
                        "Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>"
                    },
                    if windows { Some("2026/10/01 08:00:00") } else { None },
                    version,
                    if windows { "x86_64" } else { "amd64" },
                    if windows { None } else { Some(stem) },
                    format!("{stem} package"),
                    if windows {
                        Some(format!("C:\\Program Files\\{stem}"))
                    } else {
                        None
                    },
                    format!("{id}-{n}"),
                ])?;
                rows += 1;
            }
            let mut file = tx.prepare_cached(
                "INSERT INTO fim_entries (agent_id, full_path, file, type, date, changes, size, perm, uid, gid, md5, sha1, uname, gname, mtime, inode, sha256, checksum)
                 VALUES (?1, ?2, ?2, 'file', ?3, 1, ?4, 'rw-r--r--', '0', '0', ?5, ?6, 'root', 'root', ?7, ?8, ?9, ?6)",
            )?;
            for n in 0..sizes.files as i64 {
                let path = format!("{}/file-{n:04}", FILE_DIRS[n as usize % FILE_DIRS.len()]);
                let h = id as u128 * 0x9e37_79b9_7f4a_7c15 + n as u128 * 0x1000_0000_01b3;
                file.execute(rusqlite::params![
                    id,
                    path,
                    now - n * 60,
                    100 + n * 13,
                    format!("{:032x}", h & ((1u128 << 127) - 1)),
                    format!("{:040x}", h),
                    now - 86_400 * (n % 30),
                    260_000 + n,
                    format!("{:064x}", h)
                ])?;
                rows += 1;
            }
            tx.execute(
                "INSERT INTO agent_scan_info (agent_id, module, first_start, first_end, start_scan, end_scan) VALUES (?1, 'fim', ?2, ?3, ?2, ?3)",
                rusqlite::params![id, now - 3600, now - 3500],
            )?;
            let policy = if windows { "cis_win2022" } else { "cis_ubuntu22-04" };
            tx.execute(
                "INSERT INTO sca_policies (agent_id, id, name, file, description, \"references\", hash_file) VALUES (?1, ?2, ?3, ?4, 'CIS benchmark', 'https://www.cisecurity.org/cis-benchmarks/', 'seed')",
                rusqlite::params![id, policy, format!("CIS benchmark {policy}"), format!("{policy}.yml")],
            )?;
            let passed = i64::from(sizes.sca_checks) * (40 + id % 40) / 100;
            tx.execute(
                "INSERT INTO sca_scan_info (agent_id, id, start_scan, end_scan, policy_id, pass, fail, invalid, total_checks, score, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, ?8, ?9, 'seed')",
                rusqlite::params![id, id, now - 7200, now - 7100, policy, passed, i64::from(sizes.sca_checks) - passed, sizes.sca_checks, if sizes.sca_checks == 0 { 0 } else { passed * 100 / i64::from(sizes.sca_checks) }],
            )?;
            for n in 0..i64::from(sizes.sca_checks) {
                let check = 28_000 + n;
                tx.prepare_cached(
                    "INSERT INTO sca_checks (agent_id, id, scan_id, policy_id, title, description, rationale, remediation, command, result, condition) VALUES (?1, ?2, ?3, ?4, ?5, 'Seeded check.', 'Hardening.', 'Apply the benchmark.', 'sysctl -a', ?6, 'all')",
                )?
                .execute(rusqlite::params![id, check, id, policy, format!("Ensure setting {n} is configured"), if n < passed { "passed" } else { "failed" }])?;
                tx.prepare_cached("INSERT INTO sca_check_compliance (agent_id, id_check, key, value) VALUES (?1, ?2, 'cis', ?3), (?1, ?2, 'pci_dss_v4.0', '2.2.1')")?
                    .execute(rusqlite::params![id, check, format!("1.{n}")])?;
                tx.prepare_cached("INSERT INTO sca_check_rules (agent_id, id_check, type, rule) VALUES (?1, ?2, 'command', 'c:sysctl -a -> r:seed')")?
                    .execute(rusqlite::params![id, check])?;
                rows += 4;
            }
            rows += 3;
        }
        tx.commit()?;
        progress((chunk_no * 200 + chunk.len()).min(agents.len()), agents.len());
    }
    Ok(rows)
}
