//! analysisd's built-in `windows_eventchannel` decoder: what Wazuh agents read from the Windows
//! event log arrives (on queue `f`, location `EventChannel`) as `{"Message": …, "Event": "<Event
//! …>…</Event>"}`; the event XML becomes `{"win":{"system":{…},"eventdata":{…}}}`, which replaces
//! the log and is then decoded as JSON (`win.system.eventID`, `win.eventdata.targetUserName`…).
//!
//! Behaviour follows Wazuh 4.14.7 (`src/analysisd/decoders/winevtchannel.c`), including what the
//! Windows rules depend on: the XML is read in its JSON-escaped form, so a path's backslashes
//! reach the fields doubled (rule 92650 matches `%systemroot%\\\\x.exe`); only single-quoted
//! attributes parse (as the agent renders them); entities are not decoded; `message` keeps the
//! quotes of its JSON form. The XML reader below parses the element tree only: no DTD, no
//! entities, bounded depth and value sizes.

use serde_json::{Map, Value};

/// The decoder's name, which rules name in `<decoded_as>`.
pub const DECODER_NAME: &str = "windows_eventchannel";

/// The location Wazuh agents send Windows events from.
pub const LOCATION: &str = "EventChannel";

/// The queue byte Windows events arrive on.
pub const QUEUE: char = 'f';

/// Whether `text` is an event as the agent sends it from the Windows event log: a JSON object
/// whose `Event` member is an `<Event …>` document.
pub fn is_eventchannel_record(text: &str) -> bool {
    let trimmed = text.trim_start();
    if !trimmed.starts_with('{') || !trimmed.contains("<Event") {
        return false;
    }
    match serde_json::from_str::<Value>(trimmed) {
        Ok(Value::Object(map)) => {
            member(&map, "Event").is_some_and(|e| e.as_str().is_some_and(|s| s.contains("<Event")))
        }
        _ => false,
    }
}

/// A member by name, compared ASCII-case-insensitively (cJSON's lookup).
fn member<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    map.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v)
}

/// Decodes an event channel record into the `{"win":…}` JSON that replaces the log; `None` when
/// analysisd drops the event (not JSON, or no `Event` member).
pub fn decode(log: &str) -> Option<String> {
    let received: Value = serde_json::Deserializer::from_str(log)
        .into_iter::<Value>()
        .next()?
        .ok()?;
    let Value::Object(received) = received else {
        return None;
    };
    let event = member(&received, "Event")?;
    let mut system = Map::new();
    let mut eventdata = Map::new();
    let mut extra: Option<(String, Map<String, Value>)> = None;
    // The XML is read as cJSON prints the member: a quoted, escaped JSON literal.
    let escaped = serde_json::to_string(event).unwrap_or_default();
    if let Some(root) = xml::parse(&escaped) {
        walk(&root, &mut system, &mut eventdata, &mut extra);
    }
    if let Some(message) = member(&received, "Message") {
        let printed = serde_json::to_string(message).unwrap_or_default();
        system.insert("message".into(), Value::String(trim_end(&unescape_json(&printed))));
    }
    let mut win = Map::new();
    win.insert("system".into(), Value::Object(system));
    if !eventdata.is_empty() {
        win.insert("eventdata".into(), Value::Object(eventdata));
    }
    if let Some((name, fields)) = extra {
        win.insert(lower_first(&name), Value::Object(fields));
    }
    let mut out = Map::new();
    out.insert("win".into(), Value::Object(win));
    Some(Value::Object(out).to_string())
}

/// The first character ASCII-lowercased (`EventID` → `eventID`).
fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) => c.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// Trailing whitespace removed, the first character always kept.
fn trim_end(value: &str) -> String {
    let mut chars = value.char_indices();
    let Some((_, first)) = chars.next() else {
        return String::new();
    };
    let rest = &value[first.len_utf8()..];
    format!("{first}{}", rest.trim_end())
}

/// Values analysisd treats as absent.
fn is_absent(content: &str) -> bool {
    content.is_empty() || content == "(NULL)" || content == "-"
}

/// Wazuh's `wstr_unescape_json`: `\b \t \n \f \r \" \\` back to their characters, any other
/// escape kept as it is.
fn unescape_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let replaced = match chars.peek() {
            Some('b') => '\u{8}',
            Some('t') => '\t',
            Some('n') => '\n',
            Some('f') => '\u{c}',
            Some('r') => '\r',
            Some('"') => '"',
            Some('\\') => '\\',
            _ => {
                out.push('\\');
                continue;
            }
        };
        chars.next();
        out.push(replaced);
    }
    out
}

/// C's `strtol(text, NULL, 10)`: leading blanks, a sign, digits; 0 when none.
fn strtol(text: &str) -> i64 {
    let t = text.trim_start();
    let (sign, digits) = match t.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, t.strip_prefix('+').unwrap_or(t)),
    };
    let end = digits.bytes().position(|b| !b.is_ascii_digit()).unwrap_or(digits.len());
    digits[..end].parse::<i64>().map_or(0, |n| sign * n)
}

/// C's `strtoull(text, NULL, 16)`.
fn strtoull_hex(text: &str) -> u64 {
    let t = text.trim_start();
    let t = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")).unwrap_or(t);
    let end = t.bytes().position(|b| !b.is_ascii_hexdigit()).unwrap_or(t.len());
    u64::from_str_radix(&t[..end], 16).unwrap_or(0)
}

/// Walks the event's element tree into the `system`, `eventdata` and extra objects.
fn walk(
    root: &xml::Element,
    system: &mut Map<String, Value>,
    eventdata: &mut Map<String, Value>,
    extra: &mut Option<(String, Map<String, Value>)>,
) {
    let mut level = None;
    let mut keywords = None;
    let mut category_id = None;
    let mut subcategory_id = None;
    let mut audit_policy_changes = None;
    let mut unnamed_data: Vec<String> = Vec::new();
    for section in &root.children {
        for el in &section.children {
            match section.name.as_str() {
                "System" => system_field(el, system, &mut level, &mut keywords),
                "EventData" => {
                    if el.name == "Data" && !el.attributes.is_empty() && !el.content.is_empty() {
                        if is_absent(&el.content) {
                            continue;
                        }
                        let value = trim_end(&el.content);
                        for (attribute, attribute_value) in &el.attributes {
                            let key = lower_first(attribute_value);
                            if attribute == "Name" {
                                match key.as_str() {
                                    "categoryId" => category_id = Some(value.clone()),
                                    "subcategoryId" => subcategory_id = Some(value.clone()),
                                    _ => {}
                                }
                                if key == "auditPolicyChanges" {
                                    audit_policy_changes = Some(value.clone());
                                    eventdata.insert("auditPolicyChangesId".into(), Value::String(value.clone()));
                                } else {
                                    eventdata.insert(key, Value::String(value.clone()));
                                }
                                break;
                            }
                            eventdata.insert(key, Value::String(value.clone()));
                        }
                    } else if !is_absent(&el.content) {
                        let value = trim_end(&el.content);
                        if el.name == "Data" {
                            if !value.is_empty() {
                                unnamed_data.push(value);
                            }
                        } else {
                            eventdata.insert(lower_first(&el.name), Value::String(value));
                        }
                    }
                }
                _ => {
                    let fields = &mut extra.get_or_insert_with(|| (String::new(), Map::new())).1;
                    for field in &el.children {
                        if !is_absent(&field.content) {
                            fields.insert(lower_first(&field.name), Value::String(trim_end(&field.content)));
                        }
                    }
                    if let Some((name, _)) = extra.as_mut() {
                        name.clone_from(&el.name);
                    }
                }
            }
        }
    }
    if let (Some(level), Some(keywords)) = (&level, &keywords) {
        system.insert(
            "severityValue".into(),
            Value::String(severity(strtol(level), strtoull_hex(keywords)).into()),
        );
        if let (Some(category), Some(subcategory)) = (&category_id, &subcategory_id) {
            let category = strtol(&category.replace("%%", ""));
            let subcategory = strtol(&subcategory.replace("%%", ""));
            if let Some((_, name)) = CATEGORIES.iter().find(|(id, _)| *id == category) {
                eventdata.insert("category".into(), Value::String((*name).into()));
                if let Some((_, name, _)) = SUBCATEGORIES
                    .iter()
                    .find(|(id, _, parent)| *id == subcategory && *parent == category)
                {
                    eventdata.insert("subcategory".into(), Value::String((*name).into()));
                }
            }
        }
    }
    if let Some(changes) = audit_policy_changes {
        let cleaned = changes.replace("%%", "");
        let texts: Vec<&str> = cleaned
            .splitn(4, ',')
            .filter_map(|code| AUDIT_POLICY_CHANGES.iter().find(|(c, _)| *c == strtol(code)))
            .map(|(_, text)| *text)
            .collect();
        if !texts.is_empty() {
            eventdata.insert("auditPolicyChanges".into(), Value::String(texts.join(", ")));
        }
    }
    if !unnamed_data.is_empty() {
        let mut joined = unnamed_data.join(", ");
        if joined.len() > 65_535 {
            let mut cut = 65_535;
            while !joined.is_char_boundary(cut) {
                cut -= 1;
            }
            joined.truncate(cut);
        }
        eventdata.insert("data".into(), Value::String(joined));
    }
}

/// One child of `<System>`.
fn system_field(
    el: &xml::Element,
    system: &mut Map<String, Value>,
    level: &mut Option<String>,
    keywords: &mut Option<String>,
) {
    let mut put = |key: &str, value: &str| {
        system.insert(key.into(), Value::String(value.into()));
    };
    let has_attributes = !el.attributes.is_empty();
    match el.name.as_str() {
        "Provider" if has_attributes => {
            for (name, value) in &el.attributes {
                match name.as_str() {
                    "Name" => put("providerName", value),
                    "Guid" => put("providerGuid", value),
                    "EventSourceName" => put("eventSourceName", value),
                    _ => {}
                }
            }
        }
        "TimeCreated" if has_attributes => {
            if let Some((name, value)) = el.attributes.first() {
                if name == "SystemTime" {
                    put("systemTime", value);
                }
            }
        }
        "Execution" if has_attributes => {
            for (name, value) in &el.attributes {
                match name.as_str() {
                    "ProcessID" => put("processID", value),
                    "ThreadID" => put("threadID", value),
                    _ => {}
                }
            }
        }
        "Channel" => {
            put("channel", &el.content);
            // Wazuh compares the first attribute's value, not its name, with "UserID".
            if el.attributes.first().is_some_and(|(_, v)| v == "UserID") {
                put("userID", "UserID");
            }
        }
        "Security" => {
            if el.attributes.first().is_some_and(|(_, v)| v == "UserID") {
                put("securityUserID", "UserID");
            }
        }
        "Level" => {
            *level = Some(el.content.clone());
            put("level", &el.content);
        }
        "Keywords" => {
            *keywords = Some(el.content.clone());
            put("keywords", &el.content);
        }
        "Correlation" => {}
        _ => {
            if !el.content.is_empty() {
                put(&lower_first(&el.name), &el.content);
            }
        }
    }
}

/// The event's severity from its `Level` and `Keywords` (audit success/failure bits for level 0).
fn severity(level: i64, keywords: u64) -> &'static str {
    match level {
        1 => "CRITICAL",
        2 => "ERROR",
        3 => "WARNING",
        4 => "INFORMATION",
        5 => "VERBOSE",
        0 if keywords & 0x0010_0000_0000_0000 != 0 => "AUDIT_FAILURE",
        0 if keywords & 0x0020_0000_0000_0000 != 0 => "AUDIT_SUCCESS",
        _ => "UNKNOWN",
    }
}

/// Windows audit policy categories, by id.
const CATEGORIES: &[(i64, &str)] = &[
    (8272, "System"),
    (8273, "Logon/Logoff"),
    (8274, "Object Access"),
    (8275, "Privilege Use"),
    (8276, "Detailed Tracking"),
    (8277, "Policy Change"),
    (8278, "Account Management"),
    (8279, "DS Access"),
    (8280, "Account Logon"),
];

/// Windows audit policy subcategories: id, name, category id.
const SUBCATEGORIES: &[(i64, &str, i64)] = &[
    (12288, "Security State Change", 8272),
    (12289, "Security System Extension", 8272),
    (12290, "System Integrity", 8272),
    (12291, "IPsec Driver", 8272),
    (12292, "Other System Events", 8272),
    (12544, "Logon", 8273),
    (12545, "Logoff", 8273),
    (12546, "Account Lockout", 8273),
    (12547, "IPsec Main Mode", 8273),
    (12548, "Special Logon", 8273),
    (12549, "IPSec Extended Mode", 8273),
    (12550, "IPSec Quick Mode", 8273),
    (12551, "Other Logon/Logoff Events", 8273),
    (12552, "Network Policy Server", 8273),
    (12553, "User/Device Claims", 8273),
    (12554, "Group Membership", 8273),
    (12800, "File System", 8274),
    (12801, "Registry", 8274),
    (12802, "Kernel Object", 8274),
    (12803, "SAM", 8274),
    (12804, "Other Object Access Events", 8274),
    (12805, "Certification Services", 8274),
    (12806, "Application Generated", 8274),
    (12807, "Handle Manipulation", 8274),
    (12808, "File Share", 8274),
    (12809, "Filtering Platform Packet Drop", 8274),
    (12810, "Filtering Platform Connection", 8274),
    (12811, "Detailed File Share", 8274),
    (12812, "Removable Storage", 8274),
    (12813, "Central Policy Staging", 8274),
    (13056, "Sensitive Privilege Use", 8275),
    (13057, "Non Sensitive Privilege Use", 8275),
    (13058, "Other Privilege Use Events", 8275),
    (13312, "Process Creation", 8276),
    (13313, "Process Termination", 8276),
    (13314, "DPAPI Activity", 8276),
    (13315, "RPC Events", 8276),
    (13316, "Plug and Play Events", 8276),
    (13317, "Token Right Adjusted Events", 8276),
    (13568, "Audit Policy Change", 8277),
    (13569, "Authentication Policy Change", 8277),
    (13570, "Authorization Policy Change", 8277),
    (13571, "MPSSVC Rule-Level Policy Change", 8277),
    (13572, "Filtering Platform Policy Change", 8277),
    (13573, "Other Policy Change Events", 8277),
    (13824, "User Account Management", 8278),
    (13825, "Computer Account Management", 8278),
    (13826, "Security Group Management", 8278),
    (13827, "Distribution Group Management", 8278),
    (13828, "Application Group Management", 8278),
    (13829, "Other Account Management Events", 8278),
    (14080, "Directory Service Access", 8279),
    (14081, "Directory Service Changes", 8279),
    (14082, "Directory Service Replication", 8279),
    (14083, "Detailed Directory Service Replication", 8279),
    (14336, "Credential Validation", 8280),
    (14337, "Kerberos Service Ticket Operations", 8280),
    (14338, "Other Account Logon Events", 8280),
    (14339, "Kerberos Authentication Service", 8280),
];

/// `AuditPolicyChanges` codes.
const AUDIT_POLICY_CHANGES: &[(i64, &str)] = &[
    (8448, "Success removed"),
    (8449, "Success added"),
    (8450, "Failure removed"),
    (8451, "Failure added"),
];

/// The element tree of an event document, as Wazuh's XML reader sees it.
mod xml {
    /// An element: its name, attributes in order, children, and its content (the text after its
    /// last child).
    #[derive(Debug, Default)]
    pub struct Element {
        pub name: String,
        pub attributes: Vec<(String, String)>,
        pub children: Vec<Element>,
        pub content: String,
    }

    /// Nesting deeper than this is refused.
    const MAX_DEPTH: usize = 1024;
    /// Longer names, values or contents are refused.
    const MAX_STRING: usize = 20_480;
    /// More attributes on one element are refused (the duplicate check compares each pair).
    const MAX_ATTRIBUTES: usize = 256;

    /// The first element of `text` (text around it ignored); `None` when it is not well formed.
    pub fn parse(text: &str) -> Option<Element> {
        let mut p = Parser {
            s: text.as_bytes(),
            i: 0,
        };
        loop {
            p.skip_until(b'<')?;
            if p.starts_with(b"<!--") {
                p.skip_comment()?;
            } else if p.starts_with(b"<?") {
                p.skip_past(b"?>")?;
            } else {
                return p.element(0);
            }
        }
    }

    struct Parser<'a> {
        s: &'a [u8],
        i: usize,
    }

    impl Parser<'_> {
        fn starts_with(&self, prefix: &[u8]) -> bool {
            self.s[self.i..].starts_with(prefix)
        }

        fn skip_until(&mut self, b: u8) -> Option<()> {
            let at = self.s[self.i..].iter().position(|c| *c == b)?;
            self.i += at;
            Some(())
        }

        fn skip_past(&mut self, end: &[u8]) -> Option<()> {
            let at = self.s[self.i..].windows(end.len()).position(|w| w == end)?;
            self.i += at + end.len();
            Some(())
        }

        fn skip_comment(&mut self) -> Option<()> {
            self.i += 4;
            self.skip_past(b"-->")
        }

        fn skip_blanks(&mut self) {
            while self.s.get(self.i).is_some_and(u8::is_ascii_whitespace) {
                self.i += 1;
            }
        }

        fn text(&self, from: usize, to: usize) -> Option<String> {
            (to - from <= MAX_STRING).then(|| String::from_utf8_lossy(&self.s[from..to]).into_owned())
        }

        fn name(&mut self) -> Option<String> {
            let start = self.i;
            while self
                .s
                .get(self.i)
                .is_some_and(|c| !c.is_ascii_whitespace() && !matches!(c, b'>' | b'/' | b'=' | b'<'))
            {
                self.i += 1;
            }
            (self.i > start).then_some(())?;
            self.text(start, self.i)
        }

        /// An element starting at `<`.
        fn element(&mut self, depth: usize) -> Option<Element> {
            if depth > MAX_DEPTH {
                return None;
            }
            self.i += 1;
            let mut el = Element {
                name: self.name()?,
                ..Element::default()
            };
            loop {
                self.skip_blanks();
                match self.s.get(self.i)? {
                    b'/' => {
                        self.i += 1;
                        (self.s.get(self.i)? == &b'>').then_some(())?;
                        self.i += 1;
                        return Some(el);
                    }
                    b'>' => {
                        self.i += 1;
                        break;
                    }
                    _ => {
                        let name = self.name()?;
                        self.skip_blanks();
                        (self.s.get(self.i)? == &b'=').then_some(())?;
                        self.i += 1;
                        self.skip_blanks();
                        let quote = *self.s.get(self.i)?;
                        if quote != b'\'' && quote != b'"' {
                            return None;
                        }
                        self.i += 1;
                        let start = self.i;
                        let len = self.s[self.i..].iter().position(|c| *c == quote)?;
                        let value = self.text(start, start + len)?;
                        if value.contains('>')
                            || el.attributes.len() >= MAX_ATTRIBUTES
                            || el.attributes.iter().any(|(n, _)| *n == name)
                        {
                            return None;
                        }
                        self.i = start + len + 1;
                        el.attributes.push((name, value));
                    }
                }
            }
            // Content and children up to the closing tag; the content is the text after the
            // last child.
            let mut content_start = self.i;
            loop {
                let at = self.s[self.i..].iter().position(|c| *c == b'<')?;
                let text_end = self.i + at;
                self.i = text_end;
                if self.starts_with(b"<!--") {
                    self.skip_comment()?;
                    continue;
                }
                if self.starts_with(b"</") {
                    self.i += 2;
                    let closing = self.name()?;
                    self.skip_blanks();
                    (self.s.get(self.i)? == &b'>').then_some(())?;
                    self.i += 1;
                    if closing != el.name {
                        return None;
                    }
                    el.content = self.text(content_start, text_end)?;
                    return Some(el);
                }
                el.children.push(self.element(depth + 1)?);
                content_start = self.i;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAILED_LOGON: &str = r#"{"Message":"An account failed to log on.\r\n\tStatus:\t\t\t0xC000006D","Event":"<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Security-Auditing' Guid='{54849625-5478-4994-a5ba-3e3b0328c30d}'/><EventID>4625</EventID><Version>0</Version><Level>0</Level><Task>12544</Task><Opcode>0</Opcode><Keywords>0x8010000000000000</Keywords><TimeCreated SystemTime='2025-05-13T08:23:15.1234567Z'/><EventRecordID>8745632</EventRecordID><Correlation ActivityID='{4a3b}'/><Execution ProcessID='608' ThreadID='2536'/><Channel>Security</Channel><Computer>WIN-SRV01</Computer><Security/></System><EventData><Data Name='SubjectUserSid'>S-1-0-0</Data><Data Name='SubjectUserName'>-</Data><Data Name='TargetUserName'>administrator</Data><Data Name='LogonProcessName'>NtLmSsp </Data><Data Name='IpAddress'>10.0.0.25</Data></EventData></Event>"}"#;

    #[test]
    fn a_failed_logon_decodes_as_analysisd_does() {
        let out = decode(FAILED_LOGON).expect("decoded");
        assert_eq!(
            out,
            r#"{"win":{"system":{"providerName":"Microsoft-Windows-Security-Auditing","providerGuid":"{54849625-5478-4994-a5ba-3e3b0328c30d}","eventID":"4625","version":"0","level":"0","task":"12544","opcode":"0","keywords":"0x8010000000000000","systemTime":"2025-05-13T08:23:15.1234567Z","eventRecordID":"8745632","processID":"608","threadID":"2536","channel":"Security","computer":"WIN-SRV01","severityValue":"AUDIT_FAILURE","message":"\"An account failed to log on.\r\n\tStatus:\t\t\t0xC000006D\""},"eventdata":{"subjectUserSid":"S-1-0-0","targetUserName":"administrator","logonProcessName":"NtLmSsp","ipAddress":"10.0.0.25"}}}"#
        );
        assert!(is_eventchannel_record(FAILED_LOGON));
        assert!(!is_eventchannel_record(r#"{"Event":"plain"}"#));
        assert!(!is_eventchannel_record("Dec 1 sshd: <Event"));
    }

    #[test]
    fn paths_keep_doubled_backslashes_and_categories_are_named() {
        let record = r#"{"Event":"<Event><System><Provider Name='Service Control Manager'/><EventID Qualifiers='16384'>7045</EventID><Level>0</Level><Keywords>0x8020000000000000</Keywords><Security UserID='S-1-5-18'/></System><EventData><Data Name='ImagePath'>%systemroot%\\x.exe</Data><Data Name='CategoryId'>%%8274</Data><Data Name='SubcategoryId'>%%12801</Data><Data Name='AuditPolicyChanges'>%%8449, %%8451</Data><Data>one</Data><Data>two </Data></EventData><UserData><LogFileCleared><SubjectUserName>Administrator</SubjectUserName></LogFileCleared></UserData></Event>"}"#;
        let out: Value = serde_json::from_str(&decode(record).expect("decoded")).expect("json");
        let win = &out["win"];
        assert_eq!(win["eventdata"]["imagePath"], r"%systemroot%\\x.exe");
        assert_eq!(win["system"]["eventID"], "7045");
        assert_eq!(win["system"]["severityValue"], "AUDIT_SUCCESS");
        assert!(win["system"].get("securityUserID").is_none(), "a SID is not 'UserID'");
        assert!(win["system"].get("message").is_none());
        assert_eq!(win["eventdata"]["category"], "Object Access");
        assert_eq!(win["eventdata"]["subcategory"], "Registry");
        assert_eq!(win["eventdata"]["auditPolicyChangesId"], "%%8449, %%8451");
        assert_eq!(win["eventdata"]["auditPolicyChanges"], "Success added, Failure added");
        assert_eq!(win["eventdata"]["data"], "one, two");
        assert_eq!(win["logFileCleared"]["subjectUserName"], "Administrator");
    }

    #[test]
    fn broken_records_are_dropped_or_keep_only_the_message() {
        assert_eq!(decode("not json"), None);
        assert_eq!(decode(r#"{"Message":"m"}"#), None);
        // Double-quoted attributes arrive escaped and do not parse, as in Wazuh.
        let out = decode(r#"{"Message":"m","Event":"<Event><System><Provider Name=\"x\"/></System></Event>"}"#);
        assert_eq!(out.as_deref(), Some(r#"{"win":{"system":{"message":"\"m\""}}}"#));
        // Deep nesting is refused, not followed.
        let deep = format!(r#"{{"Event":"{}{}"}}"#, "<a>".repeat(2000), "</a>".repeat(2000));
        assert_eq!(decode(&deep).as_deref(), Some(r#"{"win":{"system":{}}}"#));
    }
}
