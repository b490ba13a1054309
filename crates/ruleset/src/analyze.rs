//! Rule matching, as analysisd does it: the enabled rules compiled into Wazuh's rule tree and run
//! over a decoded event to find the rule it fires.
//!
//! The tree is Wazuh's (`src/analysisd/rules.c`): rules load file by file in base-name order;
//! a rule hangs under each rule its `if_sid` names (or under the rules `if_group` / `if_level`
//! select, or under its category's root), siblings ordered by level with level-0 rules first;
//! `overwrite="yes"` replaces a rule in place. An event walks the roots of its decoder's
//! category; a rule that matches hands the event to its children and the first child that
//! matches (recursively) wins; a `noalert` rule with no matching child does not match.
//!
//! `<time>` and `<weekday>` test the processing time (UTC: oxsec keeps no local time zone).
//! Not yet: GeoIP, `check_diff`, `if_matched_regex` (rules using them never match).

use std::collections::HashMap;
use std::net::IpAddr;

use crate::decode::Decoded;
use crate::decoders::RawOption;
use crate::files::Status;
use crate::lists::CdbList;
use crate::matcher::{OsMatch, OsRegex, Pcre2};
use crate::predecode::Predecoded;
use crate::rules::Rule;

/// A rule's test of one event value.
#[derive(Debug, Clone)]
enum Test {
    Match(OsMatch),
    Regex(OsRegex),
    Pcre2(Box<Pcre2>),
    /// Byte equality (the default for `<action>`).
    Exact(String),
}

impl Test {
    fn matches(&self, value: &str) -> bool {
        match self {
            Test::Match(m) => m.is_match(value.as_bytes()),
            Test::Regex(r) => r.is_match(value.as_bytes()),
            Test::Pcre2(p) => p.is_match(value.as_bytes()),
            Test::Exact(s) => s == value,
        }
    }
}

/// A test and whether it is negated (`negate="yes"`).
#[derive(Debug, Clone)]
struct Cond {
    test: Test,
    negate: bool,
}

impl Cond {
    /// A missing value fails, negated or not.
    fn holds(&self, value: Option<&str>) -> bool {
        value.is_some_and(|v| self.test.matches(v) != self.negate)
    }
}

/// The expression type an option uses when it names none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Usual {
    Match,
    Regex,
    Exact,
}

/// Patterns of repeated options join; the last occurrence's attributes apply.
fn gather<'a>(options: &'a [RawOption], tag: &str) -> Option<(String, &'a [(String, String)])> {
    let mut found: Option<(String, &[(String, String)])> = None;
    for o in options.iter().filter(|o| o.tag == tag) {
        let text = o.text.replace("_custom_amp_lt_", "<").replace("_custom_amp_gt_", ">");
        found = Some(match found {
            Some((p, _)) => (p + &text, &o.attrs),
            None => (text, &o.attrs),
        });
    }
    found
}

fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn cond(pattern: &str, attrs: &[(String, String)], default: Usual) -> Result<Cond, String> {
    let kind = attr(attrs, "type").map(str::to_ascii_lowercase);
    let test = match (kind.as_deref(), default) {
        (Some("osregex"), _) | (None, Usual::Regex) => {
            Test::Regex(OsRegex::new(pattern, false).map_err(|e| format!("'{pattern}': {e}"))?)
        }
        (Some("pcre2"), _) => Test::Pcre2(Box::new(Pcre2::new(pattern).map_err(|e| format!("'{pattern}': {e}"))?)),
        (Some("osmatch"), _) | (None, Usual::Match) => {
            Test::Match(OsMatch::new(pattern).map_err(|e| format!("'{pattern}': {e}"))?)
        }
        (Some("string"), _) | (None, Usual::Exact) => Test::Exact(pattern.to_owned()),
        (Some(other), _) => return Err(format!("unknown expression type '{other}'")),
    };
    Ok(Cond {
        test,
        negate: attr(attrs, "negate") == Some("yes"),
    })
}

/// A `<srcip>`/`<dstip>` entry: an address or network, `!` negating it.
#[derive(Debug, Clone)]
struct Net {
    addr: IpAddr,
    prefix: u8,
    negated: bool,
}

impl Net {
    fn parse(text: &str) -> Option<Net> {
        let t = text.trim();
        let (negated, t) = match t.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        let (addr, prefix) = match t.split_once('/') {
            Some((a, p)) => (a.parse::<IpAddr>().ok()?, p.parse::<u8>().ok()?),
            None => {
                let a = t.parse::<IpAddr>().ok()?;
                (a, if a.is_ipv4() { 32 } else { 128 })
            }
        };
        Some(Net { addr, prefix, negated })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(n), IpAddr::V4(i)) => {
                let bits = u32::from(self.prefix.min(32));
                let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
                u32::from(n) & mask == u32::from(i) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(i)) => {
                let bits = u32::from(self.prefix.min(128));
                let mask = if bits == 0 { 0 } else { u128::MAX << (128 - bits) };
                u128::from(n) & mask == u128::from(i) & mask
            }
            _ => false,
        }
    }
}

/// An address list test: any listed network holds the address (a `!` entry: does not).
#[derive(Debug, Clone)]
struct Nets {
    nets: Vec<Net>,
    negate: bool,
}

impl Nets {
    fn holds(&self, value: Option<&str>) -> bool {
        let Some(ip) = value.and_then(|v| v.trim().parse::<IpAddr>().ok()) else {
            return false;
        };
        let found = self.nets.iter().any(|n| n.contains(ip) != n.negated);
        found != self.negate
    }
}

/// A `<list>` lookup.
#[derive(Debug, Clone)]
struct Lookup {
    field: String,
    kind: String,
    check_value: Option<OsMatch>,
    /// The list: key → value.
    entries: HashMap<String, String>,
}

impl Lookup {
    fn holds(&self, event: &EventView<'_>) -> bool {
        let value = if self.field == "user" {
            event
                .decoded
                .field("srcuser")
                .or_else(|| event.decoded.field("dstuser"))
        } else {
            event.value(&self.field)
        };
        let Some(key) = value else { return false };
        let value_ok = |v: &String| self.check_value.as_ref().is_none_or(|m| m.is_match(v.as_bytes()));
        let prefixes = || {
            // 10.1.2.3 → 10.1.2.3, 10.1.2., 10.1., 10.
            let mut keys = vec![key.to_owned()];
            let mut k = key;
            while let Some(i) = k.rfind('.') {
                keys.push(k[..=i].to_owned());
                k = &k[..i];
            }
            keys
        };
        match self.kind.as_str() {
            "not_match_key" => !self.entries.contains_key(key),
            "match_key_value" => self.entries.get(key).is_some_and(value_ok),
            "address_match_key" => prefixes().iter().any(|k| self.entries.contains_key(k)),
            "not_address_match_key" => !prefixes().iter().any(|k| self.entries.contains_key(k)),
            // Inverted in Wazuh 4.14.7: passes when absent or the value does not match.
            "address_match_key_value" => {
                let found = prefixes().into_iter().find_map(|k| self.entries.get(&k).cloned());
                found.is_none_or(|v| !value_ok(&v))
            }
            _ => self.entries.contains_key(key),
        }
    }
}

/// What an alert says about its rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleMeta {
    /// `<description>`, with `$(field)` placeholders.
    pub description: String,
    /// The group string (`<group name>` of the block, then the rule's own `<group>`s).
    pub groups: String,
    /// MITRE ATT&CK technique ids.
    pub mitre: Vec<String>,
    /// `<options>` values (`no_full_log`, `alert_by_email`, …).
    pub options: Vec<String>,
    /// `frequency`, for correlation rules.
    pub frequency: Option<u32>,
}

/// One compiled rule.
#[derive(Debug, Clone)]
struct Compiled {
    id: i64,
    level: i64,
    /// What an alert of this rule says about it (shared with every alert of it).
    meta: std::sync::Arc<RuleMeta>,
    /// The level siblings are ordered by (0 counts as highest).
    order_level: i64,
    noalert: bool,
    /// Correlation: what earlier events this rule looks for, if any.
    context: Option<Context>,
    /// `ignore="N"`: seconds during which a repeat does not alert again.
    ignore: i64,
    category: Option<String>,
    decoded_as: Option<String>,
    if_sid: Vec<i64>,
    if_group: Option<String>,
    if_level: Option<i64>,
    groups: String,
    field_conds: Vec<(&'static str, Cond)>,
    dynamic: Vec<(String, Cond)>,
    matches: Option<Cond>,
    regex: Option<Cond>,
    srcip: Option<Nets>,
    dstip: Option<Nets>,
    maxsize: Option<usize>,
    lookups: Vec<Lookup>,
    compiled: Option<CompiledRule>,
    /// `<if_fts>`: only the first event with its decoder's `<fts>` values matches.
    if_fts: bool,
    /// `<time>`: the processing time's `HH:MM` must fall in this range (or outside it).
    time: Option<TimeRange>,
    /// `<weekday>`: the processing day must be one of these (Sunday first).
    weekdays: Option<[bool; 7]>,
    unsupported: bool,
}

/// A `<time>` range as Wazuh reads it: both ends as `HH:MM`, inclusive, and whether the test
/// is inverted (`!`, or a range written end first).
#[derive(Debug, Clone, PartialEq, Eq)]
struct TimeRange {
    from: String,
    to: String,
    inside: bool,
}

impl TimeRange {
    /// Wazuh's formats: `hh:mm - hh:mm`, `hh - hh`, `hh:mm am - hh:mm pm`, a leading `!`
    /// (`OS_IsValidTime`). A range whose start is after its end is the time outside the
    /// reversed range (the `!` is then ignored, as Wazuh ignores it).
    fn parse(text: &str) -> Option<TimeRange> {
        let mut rest = text.trim_start_matches(' ');
        let negated = rest.starts_with('!');
        if negated {
            rest = rest[1..].trim_start_matches(' ');
        }
        let (first, after) = hour(rest)?;
        let after = after.trim_start_matches(' ').strip_prefix('-')?;
        let (second, after) = hour(after.trim_start_matches(' '))?;
        if !after.trim_start_matches(' ').is_empty() {
            return None;
        }
        Some(if first > second {
            TimeRange {
                from: second,
                to: first,
                inside: false,
            }
        } else {
            TimeRange {
                from: first,
                to: second,
                inside: !negated,
            }
        })
    }

    /// Whether `hhmm` (`HH:MM`) passes.
    fn holds(&self, hhmm: &str) -> bool {
        (hhmm >= self.from.as_str() && hhmm <= self.to.as_str()) == self.inside
    }
}

/// One end of a `<time>` range: `HH:MM` and what follows it (`__gethour`).
fn hour(s: &str) -> Option<(String, &str)> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 2 {
        return None;
    }
    let mut h: u32 = s[..digits].parse().ok()?;
    if h >= 24 {
        return None;
    }
    let mut rest = &s[digits..];
    let mut m: u32 = 0;
    if let Some(after) = rest.strip_prefix(':') {
        let mins = after.bytes().take(2).take_while(u8::is_ascii_digit).count();
        m = after[..mins].parse().unwrap_or(0);
        rest = after.get(2..).unwrap_or("");
    }
    rest = rest.trim_start_matches(' ');
    let lower = rest.get(..2).map(str::to_ascii_lowercase);
    match lower.as_deref() {
        Some("am") => {
            if h == 12 {
                h = 0;
            }
            rest = &rest[2..];
        }
        Some("pm") => {
            if h == 12 {
                h = 0;
            }
            h += 12;
            if h >= 24 {
                return None;
            }
            rest = &rest[2..];
        }
        _ if rest.starts_with(['a', 'A', 'p', 'P']) => return None,
        _ => {}
    }
    Some((format!("{h:02}:{m:02}"), rest))
}

/// `<weekday>` as Wazuh reads it (`OS_IsValidDay`): day names or their three-letter forms,
/// `weekdays`, `weekends`, separated by spaces or commas. (Wazuh does not read past a leading
/// `!`, so a negated list is invalid there, and here.)
fn weekdays(text: &str) -> Option<[bool; 7]> {
    const NAMES: &[(&str, i8)] = &[
        ("sunday", 0),
        ("sun", 0),
        ("monday", 1),
        ("mon", 1),
        ("tuesday", 2),
        ("tue", 2),
        ("wednesday", 3),
        ("wed", 3),
        ("thursday", 4),
        ("thu", 4),
        ("friday", 5),
        ("fri", 5),
        ("saturday", 6),
        ("sat", 6),
        ("weekdays", 7),
        ("weekends", 8),
    ];
    let mut days = [false; 7];
    let mut rest = text.trim_start_matches(' ');
    while !rest.is_empty() {
        let (name, n) = NAMES
            .iter()
            .find(|(name, _)| rest.len() >= name.len() && rest[..name.len()].eq_ignore_ascii_case(name))?;
        match n {
            7 => (1..=5).for_each(|d| days[d] = true),
            8 => {
                days[0] = true;
                days[6] = true;
            }
            d => days[usize::try_from(*d).unwrap_or(0)] = true,
        }
        rest = &rest[name.len()..];
        match rest.chars().next() {
            Some(' ' | ',') => rest = rest.trim_start_matches([' ', ',']),
            None => break,
            Some(_) => return None,
        }
    }
    days.iter().any(|d| *d).then_some(days)
}

/// Wazuh's built-in tests a rule names with `<compiled_rule>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CompiledRule {
    /// `is_simple_http_request`: the URL is `/` or has no query.
    SimpleHttpRequest,
    /// `is_valid_crawler`: the log starts with a known search-engine address prefix.
    ValidCrawler,
    /// `comp_srcuser_dstuser`: no two users to compare, or they are the same.
    SrcuserIsDstuser,
    /// `check_id_size`: an id of 10 characters or more.
    LongId,
    /// `comp_mswin_targetuser_calleruser_diff`: Windows target and caller accounts differ.
    TargetUserIsNotCaller,
}

impl CompiledRule {
    fn holds(self, e: &EventView<'_>) -> bool {
        let log = e.pre.log.as_str();
        match self {
            CompiledRule::SimpleHttpRequest => e.value("url").is_some_and(|u| u == "/" || !u.contains('?')),
            CompiledRule::ValidCrawler => [
                "66.249.", "72.14.", "209.85.", "65.55.", "207.46.", "74.6.", "72.30.", "67.195.",
            ]
            .iter()
            .any(|p| log.starts_with(p)),
            CompiledRule::SrcuserIsDstuser => match (e.decoded.field("srcuser"), e.decoded.field("dstuser")) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            },
            CompiledRule::LongId => e.value("id").is_some_and(|id| id.len() >= 10),
            CompiledRule::TargetUserIsNotCaller => {
                let after_colon = |key: &str| {
                    let at = log.find(key)?;
                    let rest = &log[at..];
                    rest.find(':').map(|c| rest.as_bytes()[c + 1..].to_vec())
                };
                let (Some(target), Some(caller)) =
                    (after_colon("Target Account Name"), after_colon("Caller User Name"))
                else {
                    return false;
                };
                // Compared byte by byte up to a tab or a double space.
                for (i, t) in target.iter().enumerate() {
                    if caller.get(i) != Some(t) {
                        return true;
                    }
                    if *t == b'\t' || (*t == b' ' && target.get(i + 1) == Some(&b' ')) {
                        break;
                    }
                }
                false
            }
        }
    }
}

/// Which earlier events a correlation rule counts.
#[derive(Debug, Clone)]
enum Source {
    /// `if_matched_sid`: events whose rule was this one.
    Sid(i64),
    /// `if_matched_group`: events whose rule's groups match.
    Group(OsMatch),
    /// `if_matched_regex` (not implemented yet: never matches).
    Regex,
}

/// A correlation rule's conditions on earlier events.
#[derive(Debug, Clone)]
struct Context {
    source: Source,
    /// How many earlier events it needs, less one (Wazuh stores `frequency` minus two).
    needed: usize,
    timeframe: i64,
    /// Fields that must be present in both events and equal (`same_*`).
    same: Vec<String>,
    /// Fields that must not be equal when present in both (`different_*`).
    different: Vec<String>,
    /// Dynamic fields for `same_field` / `not_same_field`.
    same_dynamic: Vec<String>,
    different_dynamic: Vec<String>,
}

/// The event field a `same_*` / `different_*` option compares.
fn context_field(tag: &str) -> Option<&'static str> {
    let name = tag.strip_prefix("same_").or_else(|| tag.strip_prefix("different_"))?;
    Some(match name {
        "source_ip" | "srcip" => "srcip",
        "id" => "id",
        "dstip" => "dstip",
        "srcport" | "src_port" => "srcport",
        "dstport" | "dst_port" => "dstport",
        "srcuser" => "srcuser",
        "user" => "dstuser",
        "protocol" => "protocol",
        "action" => "action",
        "url" => "url",
        "data" => "data",
        "extra_data" => "extra_data",
        "status" => "status",
        "system_name" => "system_name",
        "location" => "location",
        "srcgeoip" => "srcgeoip",
        "dstgeoip" => "dstgeoip",
        _ => return None,
    })
}

/// A field a `same_*` / `different_*` option compares (`location` is the event's, not a
/// decoded field).
fn context_value<'a>(d: &'a Decoded, location: &'a str, field: &str) -> Option<&'a str> {
    if field == "location" {
        Some(location)
    } else {
        d.field(field)
    }
}

/// Hashes the small integer keys of a session's memory (event and rule numbers) with one
/// multiplication: the correlation walk looks events up by id thousands of times per event,
/// and SipHash's protection against chosen keys buys nothing for numbers oxsec assigns itself.
#[derive(Debug, Clone, Copy, Default)]
struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

/// A map keyed by event or rule number.
type IdMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<IdHasher>>;

/// An event kept for correlation (only alerting ones are kept).
#[derive(Debug, Clone)]
struct Stored {
    agent_id: String,
    location: String,
    decoded: Decoded,
    time: i64,
    /// The level of the highest correlation that counted it (it counts for no rule up to that).
    matched: i64,
}

/// A session's memory of earlier events (Wazuh keeps one per logtest session; analysisd one
/// for the manager).
#[derive(Debug, Clone, Default)]
pub struct Memory {
    events: IdMap<u64, Stored>,
    /// Every alerting event in arrival order (`None`: one no correlation looks at). Like
    /// analysisd's event list (`memory_size`, 8192 by default), only the newest are kept.
    arrivals: std::collections::VecDeque<Option<u64>>,
    next_id: u64,
    /// Inserts since the last sweep of old events.
    since_sweep: usize,
    /// By target rule: the events each `if_matched_sid` rule looks at.
    by_sid: IdMap<usize, Vec<u64>>,
    /// By correlation rule: the events its `if_matched_group` selected.
    by_group: IdMap<usize, Vec<u64>>,
    /// How many times each rule fired in this session.
    fired: IdMap<usize, u64>,
    /// First-time-seen combinations already seen.
    fts_seen: std::collections::HashSet<String>,
    /// When each `ignore` rule last alerted.
    ignored_since: IdMap<usize, i64>,
    /// The level a correlation set on the event being processed.
    current_matched: i64,
}

/// Where an event a rule fired on is kept, for the correlation rules that may count it.
#[derive(Debug, Clone, Default)]
enum KeptFor {
    /// Nowhere: no correlation rule looks at this rule's events.
    #[default]
    Nothing,
    /// In the rule's own list, for the `if_matched_sid` rules naming it (and then nowhere else,
    /// as in Wazuh).
    Sid,
    /// In the lists of these `if_matched_group` rules.
    Groups(Vec<usize>),
}

/// How many alerting events a session remembers (analysisd's default `memory_size`).
pub const MEMORY_SIZE: usize = 8192;

impl Memory {
    /// Drops, now and then, the events no correlation window can reach any more.
    fn forget_before(&mut self, oldest: i64) {
        self.since_sweep += 1;
        if self.since_sweep < 1024 {
            return;
        }
        self.since_sweep = 0;
        self.events.retain(|_, e| e.time >= oldest);
        let events = &self.events;
        for list in self.by_sid.values_mut().chain(self.by_group.values_mut()) {
            list.retain(|id| events.contains_key(id));
        }
    }

    /// Events remembered (for tests and limits).
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }
}

/// A place of a rule in the tree: a rule listed under two parents has two nodes, each with its
/// own children (a later `if_sid` child joins the first node found, as in Wazuh).
#[derive(Debug, Clone)]
struct Node {
    rule: usize,
    children: Vec<usize>,
    /// For nodes with many children: the children by the decoder they require, so an event
    /// only meets those that can match it (built once the tree is complete).
    by_decoder: Option<Box<Dispatch>>,
}

/// A node's children split by `<decoded_as>`, each with its position among the children.
#[derive(Debug, Clone, Default)]
struct Dispatch {
    /// Children that test no decoder.
    any: Vec<(usize, usize)>,
    /// Children that require a decoder, by its name.
    named: HashMap<String, Vec<(usize, usize)>>,
}

/// The values of an event a rule can test.
struct EventView<'a> {
    pre: &'a Predecoded,
    decoded: &'a Decoded,
}

impl EventView<'_> {
    fn value(&self, name: &str) -> Option<&str> {
        match name {
            "program_name" => self.pre.program_name.as_deref(),
            "hostname" => self.pre.hostname.as_deref(),
            "location" => Some(self.pre.location.as_str()),
            "log" => Some(self.pre.log.as_str()),
            "user" => self.decoded.field("dstuser").or_else(|| self.decoded.field("srcuser")),
            _ => self.decoded.field(name),
        }
    }
}

/// What matching an event found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fired {
    /// The rule id.
    pub id: i64,
    /// Its level.
    pub level: i64,
    /// Whether it alerts: level above 0, not silenced by `ignore`.
    pub alert: bool,
    /// How many times the rule has fired in this session, this event included.
    pub firedtimes: u64,
    /// What the alert says about the rule.
    pub meta: std::sync::Arc<RuleMeta>,
}

/// The enabled rules, ready to match.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    rules: Vec<Compiled>,
    nodes: Vec<Node>,
    /// Root nodes (rules with ids below 10: the category templates), in level order.
    roots: Vec<usize>,
    by_id: HashMap<i64, usize>,
    /// For each rule: where an alert of it is kept for correlation (computed once loaded).
    kept_for: Vec<KeptFor>,
    /// The longest correlation timeframe: older events are forgotten.
    horizon: i64,
    /// Rules that could not be compiled or attached, with the reason (they are left out).
    pub problems: Vec<String>,
}

/// Option tags whose value is tested against an event field with OS_Match by default.
const MATCH_FIELDS: &[(&str, &str)] = &[
    ("program_name", "program_name"),
    ("id", "id"),
    ("system_name", "system_name"),
    ("protocol", "protocol"),
    ("url", "url"),
    ("location", "location"),
    ("srcport", "srcport"),
    ("dstport", "dstport"),
    ("user", "user"),
    ("data", "data"),
    ("extra_data", "extra_data"),
    ("hostname", "hostname"),
    ("status", "status"),
    ("srcgeoip", "srcgeoip"),
    ("dstgeoip", "dstgeoip"),
];

fn ids(text: &str) -> Vec<i64> {
    text.split([',', ' ']).filter_map(|t| t.trim().parse().ok()).collect()
}

fn compile(rule: &Rule, lists: &[CdbList]) -> Result<Compiled, String> {
    let v = &rule.engine;
    let a = |k: &str| attr(&v.attrs, k);
    let level = rule.level;
    let stored = if level == 0 { 99 } else { level };
    let order_level = if a("accuracy") == Some("0") {
        stored
    } else {
        stored * 100
    };
    let opts = &v.options;
    let text = |tag: &str| gather(opts, tag).map(|(t, _)| t);
    let cond_of = |tag: &str, default: Usual| -> Result<Option<Cond>, String> {
        gather(opts, tag)
            .map(|(p, attrs)| cond(&p, attrs, default).map_err(|e| format!("<{tag}> {e}")))
            .transpose()
    };
    let mut field_conds = Vec::new();
    for (tag, field) in MATCH_FIELDS {
        if let Some(c) = cond_of(tag, Usual::Match)? {
            field_conds.push((*field, c));
        }
    }
    if let Some(c) = cond_of("action", Usual::Exact)? {
        field_conds.push(("action", c));
    }
    let mut dynamic = Vec::new();
    for o in opts.iter().filter(|o| o.tag == "field") {
        let name = attr(&o.attrs, "name").ok_or("<field> without a name")?;
        let pattern = o.text.replace("_custom_amp_lt_", "<").replace("_custom_amp_gt_", ">");
        dynamic.push((name.to_owned(), cond(&pattern, &o.attrs, Usual::Regex)?));
    }
    let nets = |tag: &str| -> Option<Nets> {
        let entries: Vec<&RawOption> = opts.iter().filter(|o| o.tag == tag).collect();
        (!entries.is_empty()).then(|| Nets {
            nets: entries.iter().filter_map(|o| Net::parse(&o.text)).collect(),
            negate: entries.last().is_some_and(|o| attr(&o.attrs, "negate") == Some("yes")),
        })
    };
    let mut lookups = Vec::new();
    for o in opts.iter().filter(|o| o.tag == "list") {
        let path = o.text.trim();
        let list = lists
            .iter()
            .find(|l| format!("{}/{}", l.relative_dirname, l.filename) == path)
            .ok_or_else(|| format!("<list> '{path}' is not a list under etc/lists"))?;
        lookups.push(Lookup {
            field: attr(&o.attrs, "field").unwrap_or("").trim().to_owned(),
            kind: attr(&o.attrs, "lookup").unwrap_or("match_key").to_owned(),
            check_value: attr(&o.attrs, "check_value").and_then(|p| OsMatch::new(p).ok()),
            entries: list.items.iter().cloned().collect(),
        });
    }
    let mut groups = v.group_name.clone();
    for o in opts.iter().filter(|o| o.tag == "group") {
        groups.push_str(&o.text.replace('\n', ""));
    }
    let if_matched_sid = text("if_matched_sid");
    let if_matched_group = text("if_matched_group");
    let source = if let Some(m) = &if_matched_sid {
        ids(m).first().map(|id| Source::Sid(*id))
    } else if let Some(g) = &if_matched_group {
        Some(Source::Group(
            OsMatch::new(g.trim()).map_err(|e| format!("<if_matched_group> {e}"))?,
        ))
    } else {
        text("if_matched_regex").map(|_| Source::Regex)
    };
    let context = source.map(|source| {
        let mut ctx = Context {
            source,
            needed: a("frequency")
                .and_then(|f| f.trim().parse::<usize>().ok())
                .map_or(0, |f| f.saturating_sub(2)),
            timeframe: a("timeframe").and_then(|t| t.trim().parse().ok()).unwrap_or(360),
            same: Vec::new(),
            different: Vec::new(),
            same_dynamic: Vec::new(),
            different_dynamic: Vec::new(),
        };
        for o in opts {
            let tag = o.tag.as_str();
            match tag {
                "same_field" => ctx.same_dynamic.push(o.text.trim().to_owned()),
                "not_same_field" | "different_field" => ctx.different_dynamic.push(o.text.trim().to_owned()),
                _ if tag.starts_with("same_") => ctx.same.extend(context_field(tag).map(str::to_owned)),
                _ if tag.starts_with("different_") || tag.starts_with("not_same_") => ctx
                    .different
                    .extend(context_field(&tag.replacen("not_same_", "different_", 1)).map(str::to_owned)),
                _ => {}
            }
        }
        ctx
    });
    for tag in ["if_sid", "if_matched_sid"] {
        if let Some(t) = text(tag) {
            // Wazuh skips a rule whose id list holds anything but digits, commas and spaces.
            if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit() || b == b',' || b == b' ') {
                return Err(format!("<{tag}> '{t}' is not a list of rule ids"));
            }
        }
    }
    let mut if_sid = text("if_sid").map(|t| ids(&t)).unwrap_or_default();
    let mut if_group = text("if_group").map(|t| t.trim().to_owned());
    if if_sid.is_empty() && if_group.is_none() {
        if let Some(m) = &if_matched_sid {
            if_sid = ids(m);
        } else if let Some(g) = &if_matched_group {
            if_group = Some(g.trim().to_owned());
        }
    }
    Ok(Compiled {
        id: rule.id,
        level,
        meta: std::sync::Arc::new(RuleMeta {
            description: opts
                .iter()
                .filter(|o| o.tag == "description")
                .map(|o| o.text.as_str())
                .collect(),
            groups: groups.clone(),
            mitre: rule.requirement("mitre").to_vec(),
            options: opts
                .iter()
                .filter(|o| o.tag == "options")
                .flat_map(|o| o.text.split(',').map(|t| t.trim().to_owned()).collect::<Vec<_>>())
                .filter(|t| !t.is_empty())
                .collect(),
            frequency: if context.is_some() {
                a("frequency").and_then(|f| f.trim().parse().ok())
            } else {
                None
            },
        }),
        order_level,
        noalert: a("noalert").is_some_and(|n| n.trim() == "1"),
        context,
        ignore: a("ignore").and_then(|i| i.trim().parse().ok()).unwrap_or(0),
        category: text("category").map(|c| c.trim().to_owned()),
        decoded_as: text("decoded_as").map(|d| d.trim().to_owned()),
        if_sid,
        if_group,
        if_level: text("if_level").and_then(|l| l.trim().parse().ok()),
        groups,
        field_conds,
        dynamic,
        matches: cond_of("match", Usual::Match)?,
        regex: cond_of("regex", Usual::Regex)?,
        srcip: nets("srcip"),
        dstip: nets("dstip"),
        maxsize: a("maxsize").and_then(|m| m.trim().parse().ok()),
        lookups,
        if_fts: opts.iter().any(|o| o.tag == "if_fts"),
        compiled: match text("compiled_rule").map(|c| c.trim().to_owned()).as_deref() {
            None => None,
            Some("is_simple_http_request") => Some(CompiledRule::SimpleHttpRequest),
            Some("is_valid_crawler") => Some(CompiledRule::ValidCrawler),
            Some("comp_srcuser_dstuser") => Some(CompiledRule::SrcuserIsDstuser),
            Some("check_id_size") => Some(CompiledRule::LongId),
            Some("comp_mswin_targetuser_calleruser_diff") => Some(CompiledRule::TargetUserIsNotCaller),
            Some(other) => return Err(format!("<compiled_rule> '{other}' is not one Wazuh has")),
        },
        time: text("time").and_then(|t| TimeRange::parse(&t)),
        weekdays: text("weekday").and_then(|w| weekdays(&w)),
        // A `<time>` or `<weekday>` Wazuh cannot read fails its rule file there; here the rule
        // never matches.
        unsupported: text("time").is_some_and(|t| TimeRange::parse(&t).is_none())
            || text("weekday").is_some_and(|w| weekdays(&w).is_none())
            || text("check_diff").is_some()
            || opts.iter().any(|o| o.tag == "check_diff"),
    })
}

impl RuleSet {
    /// Compiles the enabled rules (files loaded in base-name order, as analysisd loads them).
    pub fn build(rules: &[Rule], lists: &[CdbList]) -> RuleSet {
        let mut set = RuleSet::default();
        let mut order: Vec<&Rule> = rules.iter().filter(|r| r.status == Status::Enabled).collect();
        order.sort_by(|a, b| a.filename.cmp(&b.filename));
        for rule in order {
            let overwrite = attr(&rule.engine.attrs, "overwrite") == Some("yes");
            let compiled = match compile(rule, lists) {
                Ok(c) => c,
                Err(e) => {
                    set.problems.push(format!(
                        "{}/{}: rule {}: {e}",
                        rule.relative_dirname, rule.filename, rule.id
                    ));
                    continue;
                }
            };
            if let Some(existing) = set.by_id.get(&rule.id).copied() {
                if overwrite {
                    // Replaced in place: its places in the tree and what decided them stay.
                    let old = &set.rules[existing];
                    let mut c = compiled;
                    (c.if_sid, c.if_group, c.if_level) = (old.if_sid.clone(), old.if_group.clone(), old.if_level);
                    c.category = old.category.clone();
                    // if_matched_sid / if_matched_group cannot change either.
                    match (&old.context, &mut c.context) {
                        (Some(o), Some(n)) => n.source = o.source.clone(),
                        (Some(o), None) => c.context = Some(o.clone()),
                        (None, _) => {}
                    }
                    set.rules[existing] = c;
                } else {
                    set.problems.push(format!("rule {}: duplicate id ignored", rule.id));
                }
                continue;
            }
            set.add(compiled);
        }
        set.kept_for = (0..set.rules.len())
            .map(|i| {
                let id = set.rules[i].id;
                let named = set
                    .rules
                    .iter()
                    .any(|r| matches!(r.context.as_ref().map(|c| &c.source), Some(Source::Sid(s)) if *s == id));
                if named {
                    return KeptFor::Sid;
                }
                let groups = &set.rules[i].groups;
                let watchers: Vec<usize> = (0..set.rules.len())
                    .filter(|w| match set.rules[*w].context.as_ref().map(|c| &c.source) {
                        Some(Source::Group(m)) => m.is_match(groups.as_bytes()),
                        _ => false,
                    })
                    .collect();
                if watchers.is_empty() {
                    KeptFor::Nothing
                } else {
                    KeptFor::Groups(watchers)
                }
            })
            .collect();
        for n in 0..set.nodes.len() {
            if set.nodes[n].children.len() < 8 {
                continue;
            }
            let mut d = Dispatch::default();
            for (pos, child) in set.nodes[n].children.iter().enumerate() {
                match &set.rules[set.nodes[*child].rule].decoded_as {
                    Some(name) => d.named.entry(name.clone()).or_default().push((pos, *child)),
                    None => d.any.push((pos, *child)),
                }
            }
            set.nodes[n].by_decoder = Some(Box::new(d));
        }
        set.horizon = set
            .rules
            .iter()
            .filter_map(|r| r.context.as_ref().map(|c| c.timeframe))
            .max()
            .unwrap_or(0);
        set
    }

    /// Inserts a node for `rule` among `siblings`: before the first of lower level, so siblings
    /// run by level, highest (and level 0) first, ties in load order.
    fn insert(&mut self, siblings: Option<usize>, rule: usize) -> usize {
        let node = self.nodes.len();
        self.nodes.push(Node {
            rule,
            children: Vec::new(),
            by_decoder: None,
        });
        let level = self.rules[rule].order_level;
        let list = match siblings {
            Some(parent) => std::mem::take(&mut self.nodes[parent].children),
            None => std::mem::take(&mut self.roots),
        };
        let at = list
            .iter()
            .position(|n| level > self.rules[self.nodes[*n].rule].order_level)
            .unwrap_or(list.len());
        let mut list = list;
        list.insert(at, node);
        match siblings {
            Some(parent) => self.nodes[parent].children = list,
            None => self.roots = list,
        }
        node
    }

    /// Hangs `rule` under the nodes of `list` (and, recursively, their children) that `select`
    /// picks, as Wazuh's loader walks the tree: with `first_in_list`, a pick ends the walk of
    /// that sibling list (the `if_sid` case, where later siblings and the picked node's own
    /// subtree are not searched, while enclosing lists go on); otherwise every picked node
    /// gets a child. Returns whether any node was picked.
    fn attach(
        &mut self,
        list: Option<usize>,
        rule: usize,
        select: &dyn Fn(&Compiled) -> bool,
        first_in_list: bool,
    ) -> bool {
        let nodes: Vec<usize> = match list {
            Some(parent) => self.nodes[parent].children.clone(),
            None => self.roots.clone(),
        };
        let mut found = false;
        for n in nodes {
            if select(&self.rules[self.nodes[n].rule]) {
                self.insert(Some(n), rule);
                found = true;
                if first_in_list {
                    return true;
                }
            }
            if !self.nodes[n].children.is_empty() && self.attach(Some(n), rule, select, first_in_list) {
                found = true;
            }
        }
        found
    }

    fn add(&mut self, mut c: Compiled) {
        let id = c.id;
        let index = self.rules.len();
        if id < 10 {
            self.by_id.insert(id, index);
            self.rules.push(c);
            self.insert(None, index);
            return;
        }
        let if_sid = c.if_sid.clone();
        let if_level = c.if_level;
        let if_group = c.if_group.clone();
        if if_sid.is_empty() && if_level.is_none() && if_group.is_none() && c.category.is_none() {
            c.category = Some("syslog".into());
        }
        let category = c.category.clone();
        self.by_id.insert(id, index);
        self.rules.push(c);
        // Where it hangs, decided with the tree as loaded so far.
        let placed = if !if_sid.is_empty() {
            let mut any = false;
            for sid in if_sid {
                if self.attach(None, index, &|r: &Compiled| r.id == sid, true) {
                    any = true;
                }
            }
            // A child takes its parent's category.
            if any {
                let parent_category = self
                    .nodes
                    .iter()
                    .find(|n| n.children.iter().any(|c| self.nodes[*c].rule == index))
                    .map(|n| self.rules[n.rule].category.clone());
                if let Some(cat) = parent_category {
                    self.rules[index].category = cat;
                }
            }
            any
        } else if let Some(level) = if_level {
            self.attach(
                None,
                index,
                &|r: &Compiled| r.order_level >= level * 100 && r.id != id,
                false,
            )
        } else if let Some(group) = if_group {
            let m = OsMatch::new(&group).ok();
            self.attach(
                None,
                index,
                &|r: &Compiled| r.id != id && m.as_ref().is_some_and(|m| m.is_match(r.groups.as_bytes())),
                false,
            )
        } else {
            match self
                .roots
                .iter()
                .copied()
                .find(|r| self.rules[self.nodes[*r].rule].category == category)
            {
                Some(root) => {
                    self.insert(Some(root), index);
                    true
                }
                None => false,
            }
        };
        if !placed {
            self.by_id.remove(&id);
            self.problems.push(format!("rule {id}: no parent rule to hang under"));
        }
    }

    /// The rule an event fires, if any (level 0 included, as logtest reports it), with no
    /// memory of earlier events.
    pub fn matching(&self, pre: &Predecoded, decoded: &Decoded) -> Option<Fired> {
        self.process(pre, decoded, &mut Memory::default(), 0)
    }

    /// Matches an event within a session: correlation rules count the session's earlier
    /// events, and an alerting event is remembered for later ones. `now` is the processing
    /// time in seconds (correlation windows use it, not the log's own timestamp).
    pub fn process(&self, pre: &Predecoded, decoded: &Decoded, memory: &mut Memory, now: i64) -> Option<Fired> {
        let event = EventView { pre, decoded };
        memory.current_matched = 0;
        for root in &self.roots {
            let r = &self.rules[self.nodes[*root].rule];
            if r.category.as_deref() != Some(decoded.category.as_str()) {
                continue;
            }
            let Some(found) = self.check(*root, &event, memory, now, 0) else {
                continue;
            };
            let rule = &self.rules[found];
            let firedtimes = {
                let n = memory.fired.entry(found).or_insert(0);
                *n += 1;
                *n
            };
            let mut fired = Fired {
                id: rule.id,
                level: rule.level,
                alert: rule.level > 0,
                firedtimes,
                meta: rule.meta.clone(),
            };
            if rule.level == 0 {
                return Some(fired);
            }
            if rule.ignore > 0 {
                match memory.ignored_since.get(&found).copied() {
                    Some(since) if now - since < rule.ignore => {
                        fired.alert = false;
                        return Some(fired);
                    }
                    Some(_) => {
                        memory.ignored_since.remove(&found);
                    }
                    None => {
                        memory.ignored_since.insert(found, now);
                    }
                }
            }
            self.remember(found, pre, decoded, memory, now);
            return Some(fired);
        }
        None
    }

    /// Keeps an alerting event where the correlation rules that may count it will look.
    fn remember(&self, rule: usize, pre: &Predecoded, decoded: &Decoded, memory: &mut Memory, now: i64) {
        let kept_for = self.kept_for.get(rule).unwrap_or(&KeptFor::Nothing);
        if memory.arrivals.len() >= MEMORY_SIZE {
            if let Some(Some(oldest)) = memory.arrivals.pop_front() {
                memory.events.remove(&oldest);
            }
        }
        if matches!(kept_for, KeptFor::Nothing) {
            memory.arrivals.push_back(None);
            return;
        }
        memory.forget_before(now - self.horizon);
        let stored = memory.next_id;
        memory.arrivals.push_back(Some(stored));
        memory.next_id += 1;
        memory.events.insert(
            stored,
            Stored {
                agent_id: pre.agent_id.clone(),
                location: pre.location.clone(),
                decoded: decoded.clone(),
                time: now,
                matched: memory.current_matched,
            },
        );
        match kept_for {
            KeptFor::Sid => memory.by_sid.entry(rule).or_default().push(stored),
            KeptFor::Groups(watchers) => {
                for g in watchers {
                    memory.by_group.entry(*g).or_default().push(stored);
                }
            }
            KeptFor::Nothing => {}
        }
    }

    /// Whether enough earlier events satisfy a correlation rule (newest first); on success the
    /// current event and the newest counted one are marked with the rule's level.
    fn correlate(&self, rule: usize, e: &EventView<'_>, memory: &mut Memory, now: i64) -> bool {
        let r = &self.rules[rule];
        let Some(ctx) = &r.context else { return true };
        let list: &[u64] = match &ctx.source {
            Source::Sid(sid) => self
                .by_id
                .get(sid)
                .and_then(|t| memory.by_sid.get(t))
                .map_or(&[], Vec::as_slice),
            Source::Group(_) => memory.by_group.get(&rule).map_or(&[], Vec::as_slice),
            Source::Regex => return false,
        };
        let equal = |a: Option<&str>, b: Option<&str>| matches!((a, b), (Some(a), Some(b)) if a == b);
        // The new event's side of each comparison, looked up once.
        let same_now: Vec<Option<&str>> = ctx
            .same
            .iter()
            .map(|f| context_value(e.decoded, &e.pre.location, f))
            .collect();
        let different_now: Vec<Option<&str>> = ctx
            .different
            .iter()
            .map(|f| context_value(e.decoded, &e.pre.location, f))
            .collect();
        let mut counted = 0usize;
        let mut first: Option<u64> = None;
        let mut fired = false;
        for c in list.iter().rev() {
            let Some(old) = memory.events.get(c) else { continue };
            if now - old.time > ctx.timeframe {
                break;
            }
            if old.agent_id != e.pre.agent_id {
                continue;
            }
            let same_ok = ctx
                .same
                .iter()
                .zip(&same_now)
                .all(|(f, now)| equal(context_value(&old.decoded, &old.location, f), *now));
            if !same_ok {
                continue;
            }
            let different_ok = !ctx
                .different
                .iter()
                .zip(&different_now)
                .any(|(f, now)| equal(context_value(&old.decoded, &old.location, f), *now));
            let dynamic_same_ok = ctx.same_dynamic.is_empty()
                || (!old.decoded.dynamic.is_empty()
                    && !e.decoded.dynamic.is_empty()
                    && ctx
                        .same_dynamic
                        .iter()
                        .all(|f| equal(e.decoded.field(f), old.decoded.field(f))));
            // Wazuh skips a candidate when neither event has dynamic fields at all.
            let no_dynamic = old.decoded.dynamic.is_empty() && e.decoded.dynamic.is_empty();
            let equal_somewhere = ctx
                .different_dynamic
                .iter()
                .any(|f| equal(e.decoded.field(f), old.decoded.field(f)));
            let dynamic_different_ok = ctx.different_dynamic.is_empty() || !(no_dynamic || equal_somewhere);
            if !(same_ok && different_ok && dynamic_same_ok && dynamic_different_ok) {
                continue;
            }
            // An event that already counted for this level or higher ends the search.
            if old.matched >= r.level {
                break;
            }
            if counted < ctx.needed {
                counted += 1;
                first.get_or_insert(*c);
                continue;
            }
            fired = true;
            break;
        }
        if !fired {
            return false;
        }
        memory.current_matched = r.level;
        if let Some(stored) = first.and_then(|f| memory.events.get_mut(&f)) {
            stored.matched = r.level;
        }
        true
    }

    fn check(&self, node: usize, e: &EventView<'_>, memory: &mut Memory, now: i64, depth: usize) -> Option<usize> {
        let index = self.nodes[node].rule;
        let r = &self.rules[index];
        if depth > 64 || r.unsupported {
            return None;
        }
        if let Some(d) = &r.decoded_as {
            if e.decoded.name.as_deref() != Some(d.as_str()) {
                return None;
            }
        }
        if let Some(m) = &r.matches {
            if !m.holds(Some(&e.pre.log)) {
                return None;
            }
        }
        if let Some(m) = &r.regex {
            if !m.holds(Some(&e.pre.log)) {
                return None;
            }
        }
        for (field, c) in &r.field_conds {
            if !c.holds(e.value(field)) {
                return None;
            }
        }
        for (name, c) in &r.dynamic {
            if !c.holds(e.value(name)) {
                return None;
            }
        }
        if r.srcip.as_ref().is_some_and(|n| !n.holds(e.value("srcip"))) {
            return None;
        }
        if r.dstip.as_ref().is_some_and(|n| !n.holds(e.value("dstip"))) {
            return None;
        }
        if r.maxsize.is_some_and(|m| e.pre.log.len() < m) {
            return None;
        }
        if r.time.is_some() || r.weekdays.is_some() {
            let secs = now.rem_euclid(86_400);
            let hhmm = format!("{:02}:{:02}", secs / 3600, secs % 3600 / 60);
            if r.time.as_ref().is_some_and(|t| !t.holds(&hhmm)) {
                return None;
            }
            // 1970-01-01 was a Thursday.
            let weekday = usize::try_from((now.div_euclid(86_400) + 4).rem_euclid(7)).unwrap_or(0);
            if r.weekdays.is_some_and(|w| !w[weekday]) {
                return None;
            }
        }
        if r.compiled.is_some_and(|c| !c.holds(e)) {
            return None;
        }
        if r.if_fts {
            // Only decoders with <fts> take part; the first combination of values passes.
            if e.decoded.fts.is_empty() {
                return None;
            }
            let key: Vec<&str> = e
                .decoded
                .fts
                .iter()
                .map(|f| match f.as_str() {
                    "name" => e.decoded.name.as_deref().unwrap_or(""),
                    other => e.value(other).unwrap_or(""),
                })
                .collect();
            if !memory.fts_seen.insert(key.join("\u{1f}")) {
                return None;
            }
        }
        if r.lookups.iter().any(|l| !l.holds(e)) {
            return None;
        }
        if r.context.is_some() && !self.correlate(index, e, memory, now) {
            return None;
        }
        match &self.nodes[node].by_decoder {
            // Children in their order, leaving out those that require another decoder.
            Some(d) => {
                let named: &[(usize, usize)] = e
                    .decoded
                    .name
                    .as_ref()
                    .and_then(|n| d.named.get(n))
                    .map_or(&[], Vec::as_slice);
                let (mut a, mut b) = (d.any.iter().peekable(), named.iter().peekable());
                loop {
                    let next = match (a.peek(), b.peek()) {
                        (Some(x), Some(y)) if x.0 < y.0 => a.next(),
                        (Some(_), Some(_)) | (None, Some(_)) => b.next(),
                        (Some(_), None) => a.next(),
                        (None, None) => break,
                    };
                    let Some((_, child)) = next else { break };
                    if let Some(found) = self.check(*child, e, memory, now, depth + 1) {
                        return Some(found);
                    }
                }
            }
            None => {
                for child in &self.nodes[node].children {
                    if let Some(found) = self.check(*child, e, memory, now, depth + 1) {
                        return Some(found);
                    }
                }
            }
        }
        (!r.noalert).then_some(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::{FileEntry, Status};

    #[test]
    fn time_ranges_read_as_wazuh_reads_them() {
        let r = |t: &str| TimeRange::parse(t).map(|r| (r.from, r.to, r.inside));
        assert_eq!(r("6 pm - 8:30 pm"), Some(("18:00".into(), "20:30".into(), true)));
        assert_eq!(r("!9:00-17:00"), Some(("09:00".into(), "17:00".into(), false)));
        assert_eq!(r("12 am - 1 AM"), Some(("00:00".into(), "01:00".into(), true)));
        // Written end first: the time outside the range, a `!` lost as in Wazuh.
        assert_eq!(r("6 pm - 8:30 am"), Some(("08:30".into(), "18:00".into(), false)));
        assert_eq!(r("!6 pm - 8:30 am"), Some(("08:30".into(), "18:00".into(), false)));
        assert_eq!(r("25:00 - 26:00"), None);
        assert_eq!(r("6 pm"), None);
        assert_eq!(r("6 pm - 7 pm x"), None);
        let night = TimeRange::parse("6 pm - 8:30 am").expect("valid");
        assert!(night.holds("23:59") && night.holds("00:00") && !night.holds("12:00"));
        assert!(
            !night.holds("18:00"),
            "the ends belong to the reversed range, as in Wazuh"
        );
    }

    #[test]
    fn weekdays_read_as_wazuh_reads_them() {
        assert_eq!(
            weekdays("weekends"),
            Some([true, false, false, false, false, false, true])
        );
        assert_eq!(
            weekdays("Mon, wed fri"),
            Some([false, true, false, true, false, true, false])
        );
        assert_eq!(weekdays("weekdays"), Some([false, true, true, true, true, true, false]));
        assert_eq!(weekdays("!monday"), None);
        assert_eq!(weekdays("funday"), None);
    }

    #[test]
    fn time_and_weekday_rules_test_the_processing_time() {
        let file = FileEntry {
            filename: "r.xml".into(),
            relative_dirname: "etc/rules".into(),
            status: Status::Enabled,
        };
        let xml = r#"<group name="t,">
  <rule id="1" level="0" noalert="1"><category>syslog</category><description>base</description></rule>
  <rule id="101" level="5"><if_sid>1</if_sid><match>login</match><time>6 pm - 8:30 am</time><description>after hours</description></rule>
  <rule id="102" level="4"><if_sid>1</if_sid><match>login</match><weekday>weekends</weekday><description>weekend</description></rule>
  <rule id="103" level="3"><if_sid>1</if_sid><match>login</match><description>plain</description></rule>
</group>"#;
        let rules = crate::rules::parse_file(xml, &file).expect("rules");
        let set = RuleSet::build(&rules, &[]);
        let pre = crate::predecode::predecode("1:x:user login", "m").expect("framed");
        let decoded = Decoded {
            category: "syslog".into(),
            ..Decoded::default()
        };
        let at = |now: i64| set.process(&pre, &decoded, &mut Memory::default(), now).map(|f| f.id);
        // 1970-01-01 was a Thursday: 22:00 is after hours.
        assert_eq!(at(22 * 3600), Some(101));
        // Thursday noon: neither after hours nor a weekend.
        assert_eq!(at(12 * 3600), Some(103));
        // Saturday noon (two days later): a weekend.
        assert_eq!(at(2 * 86_400 + 12 * 3600), Some(102));
    }
}
