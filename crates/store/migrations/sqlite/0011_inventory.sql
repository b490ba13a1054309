-- What syscollector reports about each agent's system (inventory), as wazuh-db keeps it in the
-- agent's own database: one table per wazuh-db `sys_*` table, with its name, columns and types,
-- keyed by agent. Dates stay the text syscollector sends (`YYYY/MM/DD HH:MM:SS`); the API renders
-- them. No CHECKs: an import takes whatever a Wazuh manager held, and the ingest endpoint checks
-- types before writing. Rows go with their agent; `rowid` keeps arrival order, which Wazuh's lists
-- follow among rows of the same scan.

CREATE TABLE sys_osinfo (
    agent_id           INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    scan_id            INTEGER,
    scan_time          TEXT,
    hostname           TEXT,
    architecture       TEXT,
    os_name            TEXT,
    os_version         TEXT,
    os_codename        TEXT,
    os_major           TEXT,
    os_minor           TEXT,
    os_patch           TEXT,
    os_build           TEXT,
    os_platform        TEXT,
    sysname            TEXT,
    release            TEXT,
    version            TEXT,
    os_release         TEXT,
    checksum           TEXT,
    os_display_version TEXT,
    reference          TEXT
);
CREATE INDEX sys_osinfo_scan ON sys_osinfo (agent_id, scan_id);

CREATE TABLE sys_hwinfo (
    agent_id     INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    scan_id      INTEGER,
    scan_time    TEXT,
    board_serial TEXT,
    cpu_name     TEXT,
    cpu_cores    INTEGER,
    cpu_mhz      REAL,
    ram_total    INTEGER,
    ram_free     INTEGER,
    ram_usage    INTEGER,
    checksum     TEXT
);
CREATE INDEX sys_hwinfo_scan ON sys_hwinfo (agent_id, scan_id);

CREATE TABLE sys_programs (
    agent_id     INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    scan_id      INTEGER,
    scan_time    TEXT,
    format       TEXT,
    name         TEXT,
    priority     TEXT,
    section      TEXT,
    size         INTEGER,
    vendor       TEXT,
    install_time TEXT,
    version      TEXT,
    architecture TEXT,
    multiarch    TEXT,
    source       TEXT,
    description  TEXT,
    location     TEXT,
    cpe          TEXT,
    msu_name     TEXT,
    checksum     TEXT,
    item_id      TEXT
);
CREATE INDEX sys_programs_scan ON sys_programs (agent_id, scan_id);
-- Looking a package up across agents (`GET /experimental/syscollector/packages?name=openssl`).
CREATE INDEX sys_programs_name ON sys_programs (name COLLATE NOCASE);

CREATE TABLE sys_processes (
    agent_id   INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    scan_id    INTEGER,
    scan_time  TEXT,
    pid        TEXT,
    name       TEXT,
    state      TEXT,
    ppid       INTEGER,
    utime      INTEGER,
    stime      INTEGER,
    cmd        TEXT,
    argvs      TEXT,
    euser      TEXT,
    ruser      TEXT,
    suser      TEXT,
    egroup     TEXT,
    rgroup     TEXT,
    sgroup     TEXT,
    fgroup     TEXT,
    priority   INTEGER,
    nice       INTEGER,
    size       INTEGER,
    vm_size    INTEGER,
    resident   INTEGER,
    share      INTEGER,
    start_time INTEGER,
    pgrp       INTEGER,
    session    INTEGER,
    nlwp       INTEGER,
    tgid       INTEGER,
    tty        INTEGER,
    processor  INTEGER,
    checksum   TEXT
);
CREATE INDEX sys_processes_scan ON sys_processes (agent_id, scan_id);

CREATE TABLE sys_ports (
    agent_id    INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    scan_id     INTEGER,
    scan_time   TEXT,
    protocol    TEXT,
    local_ip    TEXT,
    local_port  INTEGER,
    remote_ip   TEXT,
    remote_port INTEGER,
    tx_queue    INTEGER,
    rx_queue    INTEGER,
    inode       INTEGER,
    state       TEXT,
    PID         INTEGER,
    process     TEXT,
    checksum    TEXT,
    item_id     TEXT
);
CREATE INDEX sys_ports_scan ON sys_ports (agent_id, scan_id);

CREATE TABLE sys_netaddr (
    agent_id  INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    scan_id   INTEGER,
    iface     TEXT,
    proto     TEXT,
    address   TEXT,
    netmask   TEXT,
    broadcast TEXT,
    checksum  TEXT,
    item_id   TEXT
);
CREATE INDEX sys_netaddr_scan ON sys_netaddr (agent_id, scan_id);

CREATE TABLE sys_netproto (
    agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    scan_id  INTEGER,
    iface    TEXT,
    type     TEXT,
    gateway  TEXT,
    dhcp     TEXT,
    metric   INTEGER,
    checksum TEXT,
    item_id  TEXT
);
CREATE INDEX sys_netproto_scan ON sys_netproto (agent_id, scan_id);

CREATE TABLE sys_netiface (
    agent_id   INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    scan_id    INTEGER,
    scan_time  TEXT,
    name       TEXT,
    adapter    TEXT,
    type       TEXT,
    state      TEXT,
    mtu        INTEGER,
    mac        TEXT,
    tx_packets INTEGER,
    rx_packets INTEGER,
    tx_bytes   INTEGER,
    rx_bytes   INTEGER,
    tx_errors  INTEGER,
    rx_errors  INTEGER,
    tx_dropped INTEGER,
    rx_dropped INTEGER,
    checksum   TEXT,
    item_id    TEXT
);
CREATE INDEX sys_netiface_scan ON sys_netiface (agent_id, scan_id);

CREATE TABLE sys_hotfixes (
    agent_id  INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    scan_id   INTEGER,
    scan_time TEXT,
    hotfix    TEXT,
    checksum  TEXT
);
CREATE INDEX sys_hotfixes_scan ON sys_hotfixes (agent_id, scan_id);

CREATE TABLE sys_users (
    agent_id                                     INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    scan_id                                      INTEGER,
    scan_time                                    TEXT,
    user_name                                    TEXT,
    user_full_name                               TEXT,
    user_home                                    TEXT,
    user_id                                      INTEGER,
    user_uid_signed                              INTEGER,
    user_uuid                                    TEXT,
    user_groups                                  TEXT,
    user_group_id                                INTEGER,
    user_group_id_signed                         INTEGER,
    user_created                                 REAL,
    user_roles                                   TEXT,
    user_shell                                   TEXT,
    user_type                                    TEXT,
    user_is_hidden                               INTEGER,
    user_is_remote                               INTEGER,
    user_last_login                              INTEGER,
    user_auth_failed_count                       INTEGER,
    user_auth_failed_timestamp                   REAL,
    user_password_last_change                    REAL,
    user_password_expiration_date                INTEGER,
    user_password_hash_algorithm                 TEXT,
    user_password_inactive_days                  INTEGER,
    user_password_max_days_between_changes       INTEGER,
    user_password_min_days_between_changes       INTEGER,
    user_password_status                         TEXT,
    user_password_warning_days_before_expiration INTEGER,
    process_pid                                  INTEGER,
    host_ip                                      TEXT,
    login_status                                 INTEGER,
    login_tty                                    TEXT,
    login_type                                   TEXT,
    checksum                                     TEXT
);
CREATE INDEX sys_users_scan ON sys_users (agent_id, scan_id);

CREATE TABLE sys_groups (
    agent_id          INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    scan_id           INTEGER,
    scan_time         TEXT,
    group_id          INTEGER,
    group_name        TEXT,
    group_description TEXT,
    group_id_signed   INTEGER,
    group_uuid        TEXT,
    group_is_hidden   INTEGER,
    group_users       TEXT,
    checksum          TEXT
);
CREATE INDEX sys_groups_scan ON sys_groups (agent_id, scan_id);

CREATE TABLE sys_services (
    agent_id                              INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    scan_id                               INTEGER,
    scan_time                             TEXT,
    service_id                            TEXT,
    service_name                          TEXT,
    service_description                   TEXT,
    service_type                          TEXT,
    service_state                         TEXT,
    service_sub_state                     TEXT,
    service_enabled                       TEXT,
    service_start_type                    TEXT,
    service_restart                       TEXT,
    service_frequency                     INTEGER,
    service_starts_on_mount               INTEGER,
    service_starts_on_path_modified       TEXT,
    service_starts_on_not_empty_directory TEXT,
    service_inetd_compatibility           INTEGER,
    process_pid                           INTEGER,
    process_executable                    TEXT,
    process_args                          TEXT,
    process_user_name                     TEXT,
    process_group_name                    TEXT,
    process_working_directory             TEXT,
    process_root_directory                TEXT,
    file_path                             TEXT,
    service_address                       TEXT,
    log_file_path                         TEXT,
    error_log_file_path                   TEXT,
    service_exit_code                     INTEGER,
    service_win32_exit_code               INTEGER,
    service_following                     TEXT,
    service_object_path                   TEXT,
    service_target_ephemeral_id           INTEGER,
    service_target_type                   TEXT,
    service_target_address                TEXT,
    checksum                              TEXT,
    item_id                               TEXT
);
CREATE INDEX sys_services_scan ON sys_services (agent_id, scan_id);

CREATE TABLE sys_browser_extensions (
    agent_id                   INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    scan_id                    INTEGER,
    scan_time                  TEXT,
    browser_name               TEXT,
    user_id                    TEXT,
    package_name               TEXT,
    package_id                 TEXT,
    package_version            TEXT,
    package_description        TEXT,
    package_vendor             TEXT,
    package_build_version      TEXT,
    package_path               TEXT,
    browser_profile_name       TEXT,
    browser_profile_path       TEXT,
    package_reference          TEXT,
    package_permissions        TEXT,
    package_type               TEXT,
    package_enabled            INTEGER,
    package_visible            INTEGER,
    package_autoupdate         INTEGER,
    package_persistent         INTEGER,
    package_from_webstore      INTEGER,
    browser_profile_referenced INTEGER,
    package_installed          TEXT,
    file_hash_sha256           TEXT,
    checksum                   TEXT,
    item_id                    TEXT
);
CREATE INDEX sys_browser_extensions_scan ON sys_browser_extensions (agent_id, scan_id);

