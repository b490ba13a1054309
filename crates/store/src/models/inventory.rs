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
