#!/usr/bin/env python3
"""Per-agent wazuh-db databases for oxsec's Tavern conformance run.

Usage: python3 agent_dbs.py OUT_DIR   -> OUT_DIR/000.db ... OUT_DIR/008.db

wazuh-db keeps one SQLite file per agent (queue/db/NNN.db). The upstream API test
environment has agents 000-012; the ones that connected have inventory. These files
stand in for that inventory. oxsec imports them table by table, by column name.

Content (agent-data.md §5, syscollector.md §8.4; T = 1750000000):
  every DB  scan_info rows 'fim' and 'syscollector' (zeros, as wazuh-db creates them),
            and the same syscollector rows (OS, hardware, eth0, 3 ports, 4 deb packages,
            3 processes, root user/group, ssh service). Only the hostname, MAC and IP depend
            on the agent; 005-008 report Ubuntu 18.04. No hotfix or browser-extension rows,
            because the hotfix check rejects any returned item.
  000       12 FIM files (fim scan T..T+120), 2 rootcheck findings, SCA cis_debian9_L1
            with 2 checks (RBAC checks path).
  001       7 rootcheck events (start, 5 CIS findings, end; all outstanding),
            SCA cis_ubuntu20-04 with 6 checks, each with 4 compliance rows and 1 rule.
  002       8 FIM files (fim scan T..T+120), 2 rootcheck findings.
  006       SCA cis_debian9_L1 (score 43) and cis_debian9_L2 (score 0). Same description.
  003 004 005 007 008   syscollector only.
  No ciscat_results rows anywhere (the CIS-CAT tests expect empty results).
  009-012   no DB at all: GET /{syscheck,rootcheck,sca,syscollector}/012 must answer 2007.
            The experimental tests create these DBs themselves (DELETE /experimental/rootcheck).
The CREATE TABLE statements are a minimal subset of wazuh-db's agent schema: the same table and
column names and types, the primary keys, and the defaults that fill columns the fixture
leaves out (no CHECKs, indexes, metadata or sync_info).
"""
import hashlib, os, sqlite3, sys

SCHEMA = """
CREATE TABLE fim_entry (full_path TEXT PRIMARY KEY, file TEXT, type TEXT NOT NULL,
  date INTEGER NOT NULL DEFAULT (strftime('%s','now')), changes INTEGER NOT NULL DEFAULT 1,
  arch TEXT, value_name TEXT, value_type TEXT, size INTEGER, perm TEXT, uid TEXT, gid TEXT,
  md5 TEXT, sha1 TEXT, uname TEXT, gname TEXT, mtime INTEGER, inode INTEGER, sha256 TEXT,
  attributes TEXT, symbolic_path TEXT, checksum TEXT);
CREATE TABLE scan_info (module TEXT PRIMARY KEY, first_start INTEGER DEFAULT 0,
  first_end INTEGER DEFAULT 0, start_scan INTEGER DEFAULT 0, end_scan INTEGER DEFAULT 0,
  fim_first_check INTEGER DEFAULT 0, fim_second_check INTEGER DEFAULT 0,
  fim_third_check INTEGER DEFAULT 0);
CREATE TABLE pm_event (id INTEGER PRIMARY KEY AUTOINCREMENT, date_first INTEGER,
  date_last INTEGER, log TEXT, pci_dss TEXT, cis TEXT);
CREATE TABLE sca_policy (name TEXT, file TEXT, id TEXT, description TEXT, "references" TEXT,
  hash_file TEXT);
CREATE TABLE sca_scan_info (id INTEGER PRIMARY KEY, start_scan INTEGER, end_scan INTEGER,
  policy_id TEXT, pass INTEGER, fail INTEGER, invalid INTEGER, total_checks INTEGER,
  score INTEGER, hash TEXT);
CREATE TABLE sca_check (scan_id INTEGER, id INTEGER PRIMARY KEY, policy_id TEXT, title TEXT,
  description TEXT, rationale TEXT, remediation TEXT, file TEXT, process TEXT, directory TEXT,
  registry TEXT, command TEXT, "references" TEXT, result TEXT, reason TEXT, condition TEXT);
CREATE TABLE sca_check_rules (id_check INTEGER, type TEXT, rule TEXT,
  PRIMARY KEY (id_check, type, rule));
CREATE TABLE sca_check_compliance (id_check INTEGER, key TEXT, value TEXT,
  PRIMARY KEY (id_check, key, value));
CREATE TABLE ciscat_results (id INTEGER PRIMARY KEY AUTOINCREMENT, scan_id INTEGER,
  scan_time TEXT, benchmark TEXT, profile TEXT, pass INTEGER, fail INTEGER, error INTEGER,
  notchecked INTEGER, unknown INTEGER, score INTEGER);
CREATE TABLE sys_osinfo (scan_id INTEGER, scan_time TEXT, hostname TEXT, architecture TEXT,
  os_name TEXT, os_version TEXT, os_codename TEXT, os_major TEXT, os_minor TEXT, os_patch TEXT,
  os_build TEXT, os_platform TEXT, sysname TEXT, release TEXT, version TEXT, os_release TEXT,
  os_display_version TEXT, checksum TEXT, reference TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (scan_id, os_name));
CREATE TABLE sys_hwinfo (scan_id INTEGER, scan_time TEXT, board_serial TEXT, cpu_name TEXT,
  cpu_cores INTEGER, cpu_mhz REAL, ram_total INTEGER, ram_free INTEGER, ram_usage INTEGER,
  checksum TEXT, PRIMARY KEY (scan_id, board_serial));
CREATE TABLE sys_programs (scan_id INTEGER, scan_time TEXT, format TEXT, name TEXT,
  priority TEXT, section TEXT, size INTEGER, vendor TEXT, install_time TEXT, version TEXT,
  architecture TEXT, multiarch TEXT, source TEXT, description TEXT, location TEXT, cpe TEXT,
  msu_name TEXT, checksum TEXT, item_id TEXT,
  PRIMARY KEY (scan_id, name, version, architecture, format, location));
CREATE TABLE sys_processes (scan_id INTEGER, scan_time TEXT, pid TEXT, name TEXT, state TEXT,
  ppid INTEGER, utime INTEGER, stime INTEGER, cmd TEXT, argvs TEXT, euser TEXT, ruser TEXT,
  suser TEXT, egroup TEXT, rgroup TEXT, sgroup TEXT, fgroup TEXT, priority INTEGER,
  nice INTEGER, size INTEGER, vm_size INTEGER, resident INTEGER, share INTEGER,
  start_time INTEGER, pgrp INTEGER, session INTEGER, nlwp INTEGER, tgid INTEGER, tty INTEGER,
  processor INTEGER, checksum TEXT, PRIMARY KEY (scan_id, pid));
CREATE TABLE sys_ports (scan_id INTEGER, scan_time TEXT, protocol TEXT, local_ip TEXT,
  local_port INTEGER, remote_ip TEXT, remote_port INTEGER, tx_queue INTEGER, rx_queue INTEGER,
  inode INTEGER, state TEXT, PID INTEGER, process TEXT, checksum TEXT, item_id TEXT,
  PRIMARY KEY (protocol, local_ip, local_port, inode));
CREATE TABLE sys_netiface (scan_id INTEGER, scan_time TEXT, name TEXT, adapter TEXT, type TEXT,
  state TEXT, mtu INTEGER, mac TEXT, tx_packets INTEGER, rx_packets INTEGER, tx_bytes INTEGER,
  rx_bytes INTEGER, tx_errors INTEGER, rx_errors INTEGER, tx_dropped INTEGER,
  rx_dropped INTEGER, checksum TEXT, item_id TEXT, PRIMARY KEY (scan_id, name));
CREATE TABLE sys_netproto (scan_id INTEGER, iface TEXT, type TEXT, gateway TEXT,
  dhcp TEXT NOT NULL DEFAULT 'unknown', metric INTEGER, checksum TEXT, item_id TEXT,
  PRIMARY KEY (scan_id, iface, type));
CREATE TABLE sys_netaddr (scan_id INTEGER, iface TEXT, proto TEXT, address TEXT, netmask TEXT,
  broadcast TEXT, checksum TEXT, item_id TEXT, PRIMARY KEY (scan_id, iface, proto, address));
CREATE TABLE sys_hotfixes (scan_id INTEGER, scan_time TEXT, hotfix TEXT, checksum TEXT,
  PRIMARY KEY (scan_id, hotfix));
CREATE TABLE sys_users (scan_id INTEGER, scan_time TEXT, user_name TEXT PRIMARY KEY,
  user_full_name TEXT, user_home TEXT, user_id INTEGER, user_uid_signed INTEGER,
  user_uuid TEXT, user_groups TEXT, user_group_id INTEGER, user_group_id_signed INTEGER,
  user_created REAL, user_roles TEXT, user_shell TEXT, user_type TEXT, user_is_hidden INTEGER,
  user_is_remote INTEGER, user_last_login INTEGER, user_auth_failed_count INTEGER,
  user_auth_failed_timestamp REAL, user_password_expiration_date INTEGER,
  user_password_hash_algorithm TEXT, user_password_inactive_days INTEGER,
  user_password_last_change REAL, user_password_max_days_between_changes INTEGER,
  user_password_min_days_between_changes INTEGER, user_password_status TEXT,
  user_password_warning_days_before_expiration INTEGER, process_pid INTEGER, host_ip TEXT,
  login_status INTEGER, login_tty TEXT, login_type TEXT, checksum TEXT);
CREATE TABLE sys_groups (scan_id INTEGER, scan_time TEXT, group_id INTEGER,
  group_name TEXT PRIMARY KEY, group_description TEXT, group_id_signed INTEGER,
  group_uuid TEXT, group_is_hidden INTEGER, group_users TEXT, checksum TEXT);
CREATE TABLE sys_services (scan_id INTEGER, scan_time TEXT, service_id TEXT,
  service_name TEXT, service_description TEXT, service_type TEXT, service_state TEXT,
  service_sub_state TEXT, service_enabled TEXT, service_start_type TEXT,
  service_restart TEXT, service_frequency INTEGER, service_starts_on_mount INTEGER,
  service_starts_on_path_modified TEXT, service_starts_on_not_empty_directory TEXT,
  service_inetd_compatibility INTEGER, process_pid INTEGER, process_executable TEXT,
  process_args TEXT, process_user_name TEXT, process_group_name TEXT,
  process_working_directory TEXT, process_root_directory TEXT, file_path TEXT,
  service_address TEXT, log_file_path TEXT, error_log_file_path TEXT,
  service_exit_code INTEGER, service_win32_exit_code INTEGER, service_following TEXT,
  service_object_path TEXT, service_target_ephemeral_id INTEGER, service_target_type TEXT,
  service_target_address TEXT, checksum TEXT, item_id TEXT, PRIMARY KEY (service_id, file_path));
CREATE TABLE sys_browser_extensions (scan_id INTEGER, scan_time TEXT, browser_name TEXT,
  user_id TEXT, package_name TEXT, package_id TEXT, package_version TEXT,
  package_description TEXT, package_vendor TEXT, package_build_version TEXT,
  package_path TEXT, browser_profile_name TEXT, browser_profile_path TEXT,
  package_reference TEXT, package_permissions TEXT, package_type TEXT,
  package_enabled INTEGER, package_autoupdate INTEGER, package_visible INTEGER,
  package_persistent INTEGER, package_from_webstore INTEGER,
  browser_profile_referenced INTEGER, package_installed TEXT, file_hash_sha256 TEXT,
  checksum TEXT, item_id TEXT,
  PRIMARY KEY (browser_name, user_id, browser_profile_path, package_name, package_version));
INSERT INTO scan_info (module) VALUES ('fim'), ('syscollector');
"""

T = 1750000000                    # FIM / rootcheck / SCA time base
ST = '2026/11/20 10:00:00'        # syscollector scan_time (stored as text)


def put(c, table, cols, *rows):
    """Insert rows (tuples in the order of the space-separated column names `cols`)."""
    names = cols.split()
    sql = 'INSERT INTO %s (%s) VALUES (%s)' % (
        table, ', '.join('"%s"' % n for n in names), ', '.join('?' * len(names)))
    c.executemany(sql, rows)


# ---- FIM (fim_entry + scan_info 'fim') --------------------------------------------------
# (path, perm, uid, gid, uname, gname, size, inode)
FILES000 = [
    ('/etc/passwd', 'rw-r--r--', '0', '0', 'root', 'root', 1846, 262231),
    ('/etc/group', 'rw-r--r--', '0', '0', 'root', 'root', 795, 262200),
    ('/etc/hosts', 'rw-r--r--', '0', '0', 'root', 'root', 174, 524290),
    ('/etc/hostname', 'rw-r--r--', '0', '0', 'root', 'root', 13, 524289),
    ('/etc/shadow', 'rw-r-----', '0', '42', 'root', 'shadow', 1036, 262232),
    ('/etc/ssh/sshd_config', 'rw-r--r--', '0', '0', 'root', 'root', 3287, 263010),
    ('/bin/bash', 'rwxr-xr-x', '0', '0', 'root', 'root', 1183448, 1314862),
    ('/usr/bin/ls', 'rwxr-xr-x', '0', '0', 'root', 'root', 142144, 1315011),
    ('/usr/sbin/cron', 'rwxr-xr-x', '0', '0', 'root', 'root', 55944, 1316100),
    ('/etc/crontab', 'rw-r--r--', '0', '0', 'root', 'root', 1042, 262400),
    ('/var/ossec/etc/ossec.conf', 'rw-rw----', '0', '999', 'root', 'wazuh', 7614, 1400001),
    ('/etc/resolv.conf', 'rw-r--r--', '0', '0', 'root', 'root', 38, 524291)]
FILES002 = [
    ('/etc/passwd', 'rw-r--r--', '0', '0', 'root', 'root', 1790, 262231),
    ('/etc/group', 'rw-r--r--', '0', '0', 'root', 'root', 770, 262200),
    ('/etc/hosts', 'rw-r--r--', '0', '0', 'root', 'root', 174, 524290),
    ('/bin/bash', 'rwxr-xr-x', '0', '0', 'root', 'root', 1183448, 1314862),
    ('/usr/bin/ls', 'rwxr-xr-x', '0', '0', 'root', 'root', 142144, 1315011),
    ('/etc/shadow', 'rw-r-----', '0', '42', 'root', 'shadow', 980, 262232),
    ('/var/ossec/etc/ossec.conf', 'rw-rw----', '0', '999', 'root', 'wazuh', 6100, 1400001),
    ('/etc/crontab', 'rw-r--r--', '0', '0', 'root', 'root', 1042, 262400)]


def fim(c, files):
    for i, (path, perm, uid, gid, uname, gname, size, inode) in enumerate(files):
        md5, sha1, sha256 = (hashlib.new(a, path.encode()).hexdigest()
                             for a in ('md5', 'sha1', 'sha256'))
        put(c, 'fim_entry', 'full_path file type date changes size perm uid gid md5 sha1 '
            'uname gname mtime inode sha256 checksum',
            (path, path, 'file', T + 100 + 7 * i, 1, size, perm, uid, gid, md5, sha1,
             uname, gname, T - 30 * 86400 + 3600 * i, inode, sha256, sha1))
    c.execute("UPDATE scan_info SET first_start=?, first_end=?, start_scan=?, end_scan=? "
              "WHERE module='fim'", (T, T + 120, T, T + 120))


# ---- rootcheck (pm_event) ---------------------------------------------------------------
REF = 'https://benchmarks.cisecurity.org/tools2/linux/CIS_Debian_Benchmark_v1.0.pdf'
CIS = 'CIS - Debian Linux - '
# (title, file, cis, pci_dss)
FINDINGS = [
    (CIS + '1.4 - Robust partition scheme - /tmp is not on its own partition {CIS: 1.4 Debian Linux}',
     '/etc/fstab', '1.4 Debian Linux', None),
    (CIS + '1.4 - Robust partition scheme - /opt is not on its own partition {CIS: 1.4 Debian Linux}',
     '/opt', '1.4 Debian Linux', None),
    (CIS + '1.4 - Robust partition scheme - /var is not on its own partition {CIS: 1.4 Debian Linux}',
     '/etc/fstab', '1.4 Debian Linux', None),
    (CIS + '2.3 - SSH Configuration - Root login allowed {CIS: 2.3 Debian Linux} {PCI_DSS: 4.1}',
     '/etc/ssh/sshd_config', '2.3 Debian Linux', '4.1'),
    (CIS + '5.2 - Network parameters - IP Forwarding enabled {CIS: 5.2 Debian Linux}',
     '/proc/sys/net/ipv4/ip_forward', '5.2 Debian Linux', None)]


def rootcheck(c, findings):
    cols = 'date_first date_last log pci_dss cis'
    put(c, 'pm_event', cols, (T - 3600, T, 'Starting rootcheck scan.', None, None))
    for i, (title, path, cis, pci) in enumerate(findings):
        log = 'System Audit: %s. File: %s. Reference: %s .' % (title, path, REF)
        put(c, 'pm_event', cols, (T - 3590 + i, T + 10 + i, log, pci, cis))
    put(c, 'pm_event', cols, (T - 3500, T + 100, 'Ending rootcheck scan.', None, None))


# ---- SCA ----------------------------------------------------------------------------------
CISREF = 'https://www.cisecurity.org/cis-benchmarks/'
D9 = ('This document provides prescriptive guidance for establishing a secure '
      'configuration posture for Debian Linux 9.')


def comp(cis, pci):
    return [('cis', cis), ('cis_csc_v8', '3.3'), ('pci_dss_v3.2.1', pci), ('pci_dss_v4.0', '1.3.1')]


# (id, title, description, rationale, remediation, file, command, references, result, reason,
#  condition, compliance, rules)
CHECKS = [
    (19000, 'Ensure /tmp is a separate partition.',
     'The /tmp directory is a world-writable directory used for temporary storage by all users and some applications.',
     'Making /tmp its own file system allows an administrator to set additional mount options such as the noexec option on the mount.',
     'Configure /etc/fstab as appropriate: tmpfs /tmp tmpfs defaults,rw,nosuid,nodev,noexec,relatime 0 0',
     None, 'findmnt -kn /tmp', 'https://www.freedesktop.org/wiki/Software/systemd/APIFileSystems/',
     'not applicable', "Command 'findmnt -kn /tmp' returned code 1", 'all',
     comp('1.1.2.1', '7.1'), [('command', 'c:findmnt -kn /tmp -> r:\\s*/tmp\\s')]),
    (19001, 'Ensure nodev option set on /tmp partition.',
     'The nodev mount option specifies that the filesystem cannot contain special devices.',
     'Since the /tmp filesystem is not intended to support devices, set this option to ensure that users cannot create block or character special devices in /tmp.',
     'Edit the /etc/fstab file and add nodev to the fourth field (mounting options) for the /tmp partition.',
     None, 'findmnt -kn /tmp', None, 'failed', None, 'all',
     comp('1.1.2.2', '7.1'), [('command', 'c:findmnt -kn /tmp -> r:\\s*/tmp\\s && r:nodev')]),
    (19030, 'Ensure permissions on bootloader config are configured.',
     'The grub configuration file contains information on boot settings and passwords for unlocking boot options.',
     'Setting the permissions to read and write for root only prevents non-root users from seeing the boot parameters or changing them.',
     'Run the following commands to set permissions on your grub configuration: chown root:root /boot/grub/grub.cfg and chmod u-wx,go-rwx /boot/grub/grub.cfg',
     '/boot/grub/grub.cfg', None, None, 'not applicable', "Could not open file '/boot/grub/grub.cfg'", 'all',
     comp('1.4.2', '7.1'),
     [('file', 'f:/boot/grub/grub.cfg -> r:^Access:\\s*\\(0\\d00/-\\w\\w\\w------\\)\\s*Uid:\\s*\\(\\s*\\t*0/\\s*\\t*root\\)\\s*\\t*Gid:\\s*\\(\\s*\\t*0/\\s*\\t*root\\)')]),
    (19031, 'Ensure authentication required for single user mode.',
     'Single user mode is used for recovery when the system detects an issue during boot or by manual selection from the bootloader.',
     'Requiring authentication in single user mode prevents an unauthorized user from rebooting the system into single user to gain root privileges without credentials.',
     'Run the following command and follow the prompts to set a password for the root user: passwd root',
     '/etc/shadow', None, None, 'passed', None, 'all',
     comp('1.4.3', '8.2'), [('file', 'f:/etc/shadow -> r:^root:\\$\\d+')]),
    (19040, 'Ensure address space layout randomization is enabled.',
     'Address space layout randomization (ASLR) is an exploit mitigation technique which randomly arranges the address space of key data areas of a process.',
     'Randomly placing virtual memory regions will make it difficult to write memory page exploits as the memory placement will be consistently shifting.',
     'Set the following parameter in /etc/sysctl.conf or a /etc/sysctl.d/* file: kernel.randomize_va_space = 2',
     '/proc/sys/kernel/randomize_va_space', None, None, 'passed', None, 'any',
     comp('1.5.2', '2.2'), [('file', 'f:/proc/sys/kernel/randomize_va_space -> r:^2$')]),
    (19065, 'Ensure updates, patches, and additional security software are installed.',
     'Periodically patches are released for included software either due to security flaws or to include additional functionality.',
     'Newer patches may contain security enhancements that would not be available through the latest full update.',
     'Use your package manager to update all packages on the system according to site policy: apt upgrade',
     None, 'apt -s upgrade', None, 'failed', None, 'none',
     comp('1.9', '6.2'), [('command', 'c:apt -s upgrade -> r:^\\d+ upgraded')])]


def sca(c, policy, scan, checks=()):
    """policy = (name, file, id, description, references, hash_file);
    scan = (id, start_scan, end_scan, pass, fail, invalid, total_checks, score, hash)."""
    put(c, 'sca_policy', 'name file id description references hash_file', policy)
    put(c, 'sca_scan_info', 'id start_scan end_scan pass fail invalid total_checks score hash '
        'policy_id', scan + (policy[2],))
    for (cid, title, desc, rat, rem, path, cmd, refs, res, reason, cond, compl, rules) in checks:
        put(c, 'sca_check', 'scan_id id policy_id title description rationale remediation file '
            'command references result reason condition',
            (scan[0], cid, policy[2], title, desc, rat, rem, path, cmd, refs, res, reason, cond))
        put(c, 'sca_check_compliance', 'id_check key value', *[(cid, k, v) for k, v in compl])
        put(c, 'sca_check_rules', 'id_check type rule', *[(cid, t, r) for t, r in rules])


# ---- syscollector (same rows on every agent; N = agent number) ---------------------------
UBUNTU = 'Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>'
PACKAGES = [  # name priority section size vendor version architecture multiarch source description
    ('apt', 'important', 'admin', 4200, UBUNTU, '2.0.10', 'amd64', None, 'apt',
     'commandline package manager'),
    ('binutils', 'optional', 'devel', 100, UBUNTU, '2.34-6ubuntu1.9', 'amd64', None, 'binutils',
     'GNU assembler, linker and binary utilities'),
    ('adduser', 'important', 'admin', 624,
     'Ubuntu Core developers <ubuntu-devel-discuss@lists.ubuntu.com>', '3.118ubuntu2', 'all',
     None, None, 'add and remove users and groups'),
    ('bash', 'required', 'shells', 1864, UBUNTU, '5.0-6ubuntu1.2', 'amd64', 'foreign', None,
     'GNU Bourne Again SHell')]
PROC_COLS = ('pid name state ppid utime stime cmd argvs euser ruser suser egroup rgroup sgroup '
             'fgroup priority nice size vm_size resident share start_time pgrp session nlwp '
             'tgid tty processor')
PROCESSES = [  # the 7 user/group columns (euser..fgroup) share one value
    ('1', 'bash', 'S', 0, 10, 5, '/bin/bash', '-c /usr/local/bin/entrypoint.sh', 'root',
     20, 0, 4, 1000, 900, 700, 1500, 1, 1, 1, 1, 0, 0),
    ('27', 'wazuh-agentd', 'S', 1, 30, 40, '/var/ossec/bin/wazuh-agentd', '', 'wazuh',
     20, 0, 2000, 20000, 3000, 2000, 1600, 27, 27, 2, 27, 0, 1),
    ('100', 'sleep', 'R', 1, 0, 0, '/bin/sleep', 'infinity', 'root',
     20, 0, 3, 5000, 600, 500, 1700, 1, 1, 1, 100, 0, 0)]


def syscollector(c, n):
    bionic = 5 <= n <= 8
    put(c, 'sys_osinfo', 'scan_id scan_time hostname architecture os_name os_version '
        'os_codename os_major os_minor os_patch os_platform sysname release version checksum',
        (0, ST, 'wazuh-master' if n == 0 else 'wazuh-agent%d' % n, 'x86_64', 'Ubuntu',
         '18.04.6 LTS (Bionic Beaver)' if bionic else '20.04.6 LTS (Focal Fossa)',
         'bionic' if bionic else 'focal', '18' if bionic else '20', '04', '6', 'ubuntu',
         'Linux', '5.15.0-91-generic', '#101-Ubuntu SMP Tue Nov 14 13:30:08 UTC 2023', 'c'))
    put(c, 'sys_hwinfo', 'scan_id scan_time board_serial cpu_name cpu_cores cpu_mhz ram_total '
        'ram_free ram_usage checksum',
        (1, ST, None, 'intel(r) xeon(r) cpu e5-2686 v4 @ 2.30ghz', 2, 2394.464, 2045956,
         1669524, 18, 'c'))
    put(c, 'sys_netiface', 'scan_id scan_time name adapter type state mtu mac tx_packets '
        'rx_packets tx_bytes rx_bytes tx_errors rx_errors tx_dropped rx_dropped checksum',
        (2, ST, 'eth0', None, 'ethernet', 'up', 1500, '02:42:ac:14:00:%02x' % (n + 2),
         1200, 3400, 150000, 4200000, 0, 0, 0, 0, 'c'))
    put(c, 'sys_netproto', 'scan_id iface type gateway dhcp metric checksum',
        (2, 'eth0', 'ipv4', '172.20.0.1', 'disabled', 0, 'c'))
    put(c, 'sys_netaddr', 'scan_id iface proto address netmask broadcast checksum',
        (2, 'eth0', 'ipv4', '172.20.0.%d' % (n + 2), '255.255.0.0', '172.20.255.255', 'c'))
    put(c, 'sys_ports', 'scan_id scan_time protocol local_ip local_port remote_ip remote_port '
        'tx_queue rx_queue inode state checksum',
        *[(3, ST, proto, lip, lport, rip, 0, 0, 0, inode, 'listening', 'c')
          for proto, lip, lport, rip, inode in [('tcp', '0.0.0.0', 22, '0.0.0.0', 10001),
                                                ('tcp', '127.0.0.11', 35000, '0.0.0.0', 10002),
                                                ('tcp6', '::', 22, '::', 10003)]])
    put(c, 'sys_programs', 'scan_id scan_time format name priority section size vendor version '
        'architecture multiarch source description checksum',
        *[(4, ST, 'deb') + p + ('c',) for p in PACKAGES])
    put(c, 'sys_processes', 'scan_id scan_time ' + PROC_COLS + ' checksum',
        *[(5, ST) + p[:9] + (p[8],) * 6 + p[9:] + ('c',) for p in PROCESSES])
    put(c, 'sys_users', 'scan_id scan_time user_name user_id user_home user_shell checksum',
        (6, ST, 'root', 0, '/root', '/bin/bash', 'c'))
    put(c, 'sys_groups', 'scan_id scan_time group_id group_name group_users checksum',
        (6, ST, 0, 'root', 'root', 'c'))
    put(c, 'sys_services', 'scan_id scan_time service_id service_name service_state file_path '
        'checksum', (6, ST, 'ssh.service', 'ssh', 'active', '/lib/systemd/system/ssh.service', 'c'))


# ---- per-agent content ------------------------------------------------------------------
def agent_000(c):
    fim(c, FILES000)
    rootcheck(c, FINDINGS[:2])
    sca(c, ('CIS benchmark for Debian/Linux 9 L1', 'cis_debian9_L1.yml', 'cis_debian9_L1', D9,
            CISREF, 'a' * 64), (11, T, T + 30, 10, 20, 5, 35, 33, 'b' * 64), CHECKS[:2])


def agent_001(c):
    rootcheck(c, FINDINGS)
    sca(c, ('CIS Ubuntu Linux 20.04 LTS Benchmark v2.0.0', 'cis_ubuntu20-04.yml',
            'cis_ubuntu20-04',
            'This document provides prescriptive guidance for establishing a secure '
            'configuration posture for Ubuntu Linux 20.04 LTS.', CISREF,
            '0b3bc8f8b0e6b4a4d2a16e3a9e6f0a2c8f1d3e5b7a9c0d2e4f6a8b0c2d4e6f80'),
        (1, T, T + 45, 52, 120, 17, 189, 30, 'c' * 64), CHECKS)


def agent_002(c):
    fim(c, FILES002)
    rootcheck(c, FINDINGS[3:])


def agent_006(c):
    sca(c, ('CIS benchmark for Debian/Linux 9 L1', 'cis_debian9_L1.yml', 'cis_debian9_L1', D9,
            CISREF, 'd' * 64), (21, T, T + 30, 40, 52, 8, 100, 43, 'e' * 64))
    sca(c, ('CIS benchmark for Debian/Linux 9 L2', 'cis_debian9_L2.yml', 'cis_debian9_L2', D9,
            CISREF, 'f' * 64), (22, T, T + 31, 0, 36, 4, 40, 0, '9' * 64))


EXTRA = {0: agent_000, 1: agent_001, 2: agent_002, 6: agent_006}


def main(out):
    os.makedirs(out, exist_ok=True)
    for n in range(9):
        path = os.path.join(out, '%03d.db' % n)
        if os.path.exists(path):
            os.remove(path)
        c = sqlite3.connect(path)
        c.executescript(SCHEMA)
        if n in EXTRA:
            EXTRA[n](c)
        syscollector(c, n)
        c.commit()
        c.close()
    stale = [f for f in ('009.db', '010.db', '011.db', '012.db')
             if os.path.exists(os.path.join(out, f))]
    if stale:
        print('warning: %s exist in %s; agents 009-012 must have no DB' % (stale, out),
              file=sys.stderr)


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit('usage: agent_dbs.py OUT_DIR')
    main(sys.argv[1])
