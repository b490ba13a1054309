//! Pre-decoding, as analysisd does it before any decoder runs: the event's framing
//! (`<queue>:<location>:<message>`), the agent part of the location, and the header of the
//! message (timestamp, hostname, program name) for the syslog-like formats Wazuh recognises.
//!
//! Decoders and rules see `log`, the message after its header; `full_log` is the message as
//! received. The header rules are Wazuh's (`src/analysisd/cleanevent.c` at v4.14.7): fixed
//! byte positions for each timestamp shape, Wazuh's host-name byte set, `name:` / `name[pid]:`
//! program names, Solaris `[ID …]` blocks and AIX facility prefixes. Where Wazuh cuts its
//! buffer to end a field, the same cut is made here, so a field ends exactly where Wazuh's does.

/// What pre-decoding found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Predecoded {
    /// The agent that sent it (`000` for the manager's own events).
    pub agent_id: String,
    /// Where it was read from (for agent events: after the agent prefix).
    pub location: String,
    /// The host: the syslog header's, the agent's name, or the manager's host name.
    pub hostname: Option<String>,
    /// The program name from the syslog header.
    pub program_name: Option<String>,
    /// The timestamp from the header.
    pub timestamp: Option<String>,
    /// The message as received.
    pub full_log: String,
    /// The message after its header: what decoders and rules read.
    pub log: String,
}

/// An event without `<queue>:<location>:` framing, or with a malformed agent location.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the event is not '<queue>:<location>:<message>' framed")]
pub struct FramingError;

/// Wazuh's host-name bytes: letters, digits and `( ) - . / @ _`.
fn is_host_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'(' | b')' | b'-' | b'.' | b'/' | b'@' | b'_')
}

/// The bytes from `at` up to the next NUL (the end of a field in the working buffer).
fn field(buf: &[u8], at: usize) -> String {
    let rest = buf.get(at..).unwrap_or_default();
    let end = rest.iter().position(|b| *b == 0).unwrap_or(rest.len());
    crate::lossy_string(&rest[..end])
}

/// Pre-decodes a framed event (`1:stdin:Dec 29 10:00:01 host sshd[12]: message`).
/// `manager_host` names the host of events whose header has none.
pub fn predecode(framed: &str, manager_host: &str) -> Result<Predecoded, FramingError> {
    let bytes = framed.as_bytes();
    // The queue byte and its ':' are skipped unread.
    let after_queue = bytes.get(2..).ok_or(FramingError)?;
    let colon = location_end(after_queue).ok_or(FramingError)?;
    let location = unescape(&after_queue[..colon]);
    let message = &after_queue[colon + 1..];
    let full_log = crate::lossy_string(message);

    let header = parse_header(message);
    let mut out = Predecoded {
        full_log,
        log: field(&header.buf, header.log),
        program_name: header.program_name.map(|p| field(&header.buf, p)),
        timestamp: header.timestamp.map(|(start, end)| {
            let end = end.min(header.buf.len());
            field(&header.buf[..end], start)
        }),
        ..Predecoded::default()
    };
    let syslog_host = header.hostname.map(|h| field(&header.buf, h));

    if let Some(rest) = location.strip_prefix('[') {
        // `[<id>] (<name>) <ip>-><location>`, as agents' events arrive.
        let close = rest.find(']').ok_or(FramingError)?;
        out.agent_id = rest[..close].to_owned();
        let after = &rest[close + 1..];
        out.location = after.get(1..).unwrap_or_default().to_owned();
        out.hostname = Some(match out.location.strip_prefix('(') {
            Some(named) => named.find(')').map_or(String::new(), |e| named[..e].to_owned()),
            None => String::new(),
        });
    } else {
        out.agent_id = "000".into();
        out.location = location;
        out.hostname = Some(syslog_host.unwrap_or_else(|| manager_host.to_owned()));
    }
    Ok(out)
}

/// The first `:` not escaped by `|`.
fn location_end(s: &[u8]) -> Option<usize> {
    let mut escaped = false;
    for (i, b) in s.iter().enumerate() {
        if *b == 0 {
            return None;
        }
        if escaped {
            escaped = false;
        } else if *b == b':' {
            return Some(i);
        } else if *b == b'|' {
            escaped = true;
        }
    }
    None
}

/// Removes the `|` escapes of a location: `|x` is `x`, `||` is `|`, a final `|` stays.
fn unescape(s: &[u8]) -> String {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'|' {
            match s.get(i + 1) {
                Some(b'|') => {
                    out.push(b'|');
                    i += 2;
                }
                None => {
                    out.push(b'|');
                    i += 1;
                }
                Some(_) => i += 1,
            }
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    crate::lossy_string(&out)
}

/// The working copy of the message with the positions of its fields; fields end at the NUL
/// bytes placed in `buf`, where Wazuh ends them.
struct Header {
    buf: Vec<u8>,
    log: usize,
    hostname: Option<usize>,
    program_name: Option<usize>,
    /// Start and end (exclusive) of the timestamp in `buf`.
    timestamp: Option<(usize, usize)>,
}

fn parse_header(message: &[u8]) -> Header {
    // Wazuh's log length counts the terminating NUL.
    let loglen = message.iter().position(|b| *b == 0).unwrap_or(message.len()) + 1;
    let mut buf: Vec<u8> = message[..loglen - 1].to_vec();
    buf.extend_from_slice(&[0; 4]);
    let mut h = Header {
        buf,
        log: 0,
        hostname: None,
        program_name: None,
        timestamp: None,
    };
    // The date shapes are tested on the message with a month written `Mär` shifted by one byte
    // (UTF-8 `ä` is two), while the skips apply to the unshifted copy, as in Wazuh.
    let shift = usize::from(loglen >= 3 && message.get(1) == Some(&195) && message.get(2) == Some(&164));
    let at = |i: usize| -> u8 {
        if shift == 1 && i == 1 {
            return b'a';
        }
        if shift == 1 && i == 0 {
            return b'M';
        }
        message.get(i + shift).copied().unwrap_or(0)
    };
    let digit = |i: usize| at(i).is_ascii_digit();

    let syslog_skip =
        if loglen > 17 && at(3) == b' ' && at(6) == b' ' && at(9) == b':' && at(12) == b':' && at(15) == b' ' {
            Some(16)
        } else if loglen > 24
            && at(4) == b'-'
            && at(7) == b'-'
            && at(10) == b' '
            && at(13) == b':'
            && at(16) == b':'
            && at(19) == b','
        {
            Some(24)
        } else if loglen > 33 && at(4) == b'-' && at(7) == b'-' && at(10) == b'T' && at(13) == b':' && at(16) == b':' {
            if at(22) == b':' && at(25) == b' ' {
                Some(26)
            } else if at(19) == b'.' {
                Some(if at(26) == b':' {
                    30
                } else if at(29) == b':' {
                    33
                } else {
                    32
                })
            } else {
                None
            }
        } else {
            None
        };
    let syslog_skip = syslog_skip.or_else(|| {
        let year_first = loglen > 21
            && digit(0)
            && at(4) == b' '
            && at(8) == b' '
            && at(11) == b' '
            && at(14) == b':'
            && at(17) == b':'
            && at(20) == b' ';
        let macos = loglen > 33
            && digit(0)
            && at(4) == b'-'
            && at(7) == b'-'
            && at(10) == b' '
            && at(13) == b':'
            && at(16) == b':'
            && at(19) == b'.'
            && matches!(at(26), b'-' | b'+')
            && at(31) == b' ';
        if year_first {
            Some(21)
        } else if macos {
            Some(32)
        } else {
            None
        }
    });

    if let Some(skip) = syslog_skip {
        syslog_fields(&mut h, skip);
        return h;
    }
    let cut = |h: &mut Header, skip: usize, before: usize, start: usize| {
        h.log = skip;
        if let Some(b) = h.buf.get_mut(skip - before) {
            *b = 0;
        }
        h.timestamp = Some((start, skip - before));
    };
    if loglen > 28
        && at(3) == b' '
        && at(7) == b' '
        && at(10) == b' '
        && at(13) == b':'
        && at(16) == b':'
        && at(19) == b' '
        && at(24) == b' '
        && at(26) == b' '
    {
        // xferlog: `Mon Apr 17 18:27:14 2006 `
        cut(&mut h, 25, 1, 0);
    } else if loglen > 24
        && at(2) == b'/'
        && at(5) == b'-'
        && at(8) == b':'
        && at(11) == b':'
        && at(14) == b'.'
        && at(21) == b' '
    {
        // snort: `01/28-09:13:16.240702  `
        cut(&mut h, 23, 2, 0);
    } else if loglen > 28
        && at(2) == b'/'
        && at(5) == b'/'
        && at(10) == b'-'
        && at(13) == b':'
        && at(16) == b':'
        && at(19) == b'.'
        && at(26) == b' '
    {
        // suricata: `01/28/1979-09:13:16.240702 `
        cut(&mut h, 28, 2, 0);
    } else if loglen > 27
        && at(0) == b'['
        && at(4) == b' '
        && at(8) == b' '
        && at(11) == b' '
        && at(14) == b':'
        && at(17) == b':'
        && at(20) == b' '
        && at(25) == b']'
    {
        // apache: `[Fri Feb 11 18:06:35 2004] `
        cut(&mut h, 27, 2, 1);
    } else if loglen > 26
        && at(0) == b'['
        && at(1) == b'T'
        && at(5) == b' '
        && at(10) == b'.'
        && at(13) == b'.'
        && at(16) == b' '
        && at(19) == b':'
    {
        asl_fields(&mut h);
    } else if loglen > 32
        && at(0) == b'1'
        && digit(1)
        && digit(2)
        && digit(3)
        && at(10) == b'.'
        && digit(13)
        && at(14) == b' '
        && (at(21) == b' ' || at(22) == b' ')
    {
        // squid: epoch seconds, then spaces up to the elapsed time.
        let mut log = 14;
        while h.buf[log] == b' ' {
            log += 1;
        }
        cut(&mut h, log, 1, 0);
    }
    h
}

/// Host name and program name after a syslog timestamp of `skip` bytes.
fn syslog_fields(h: &mut Header, skip: usize) {
    let buf = &mut h.buf;
    buf[skip - 1] = 0;
    h.timestamp = Some((0, skip - 1));
    let mut log = skip;
    if buf[log] == b' ' {
        log += 1;
    }
    h.log = log;
    let host = log;
    let mut p = host;
    while is_host_byte(buf[p]) {
        p += 1;
    }
    let pieces: Option<usize>;
    if buf[p] == b':' && buf[p + 1] == b' ' {
        // No host name (Solaris): the word is the program name.
        h.program_name = Some(host);
        buf[p] = 0;
        h.log = p + 2;
        pieces = Some(p + 2);
    } else if buf[p] != b' ' {
        return;
    } else {
        h.hostname = Some(host);
        buf[p] = 0;
        p += 1;
        h.log = p;
        h.program_name = Some(p);
        while is_host_byte(buf[p]) {
            p += 1;
        }
        if buf[p] == b':' {
            buf[p] = 0;
            p += 1;
            if buf[p] == b' ' {
                p += 1;
            }
            pieces = Some(p);
        } else if buf[p] == b'[' && buf[p + 1].is_ascii_digit() {
            let bracket = p;
            buf[p] = 0;
            p += 2;
            while buf[p].is_ascii_digit() {
                p += 1;
            }
            if buf[p] == b']' && buf[p + 1] == b':' {
                p += 2;
                if buf[p] == b' ' {
                    p += 1;
                }
                pieces = Some(p);
            } else if buf[p] == b']' && buf[p + 1] == b' ' {
                pieces = Some(p + 2);
            } else {
                // Not a pid after all: the text stays as it was.
                buf[bracket] = b'[';
                h.program_name = None;
                pieces = None;
            }
        } else if buf[p] == b'|' && buf[p + 1].is_ascii_lowercase() {
            pieces = aix_program(h, p);
        } else {
            h.program_name = None;
            pieces = None;
        }
    }
    if let Some(p) = pieces {
        h.log = after_solaris_id(&h.buf, p);
    }
}

/// Where the message starts when it opens with a Solaris `[ID 123 auth.info] ` block (the
/// block and the byte after it are dropped), else `p`.
fn after_solaris_id(buf: &[u8], p: usize) -> usize {
    if buf.get(p..p + 4) != Some(b"[ID ") {
        return p;
    }
    buf[p + 4..]
        .iter()
        .position(|b| *b == b']' || *b == 0)
        .map(|i| p + 4 + i)
        .filter(|e| buf[*e] == b']')
        .map_or(p, |e| e + 2)
}

/// AIX: `auth|security:info prog: …` or `auth|security:info prog[pid]: …` after the host name.
/// Returns where the message starts, if the shape holds.
fn aix_program(h: &mut Header, bar: usize) -> Option<usize> {
    let buf = &mut h.buf;
    let mut p = bar + 2;
    while buf[p].is_ascii_alphanumeric() {
        p += 1;
    }
    if buf[p] != b':' {
        h.program_name = None;
        return None;
    }
    p += 1;
    while buf[p].is_ascii_alphanumeric() {
        p += 1;
    }
    if buf[p] != b' ' {
        h.program_name = None;
        return None;
    }
    p += 1;
    h.program_name = Some(p);
    while is_host_byte(buf[p]) {
        p += 1;
    }
    if buf[p] == b':' && buf[p + 1] == b' ' {
        buf[p] = 0;
        return Some(p + 2);
    }
    if buf[p] == b'[' && buf[p + 1].is_ascii_digit() {
        buf[p] = 0;
        p += 2;
        while buf[p].is_ascii_digit() {
            p += 1;
        }
        if buf[p] == b']' && buf[p + 1] == b':' && buf[p + 2] == b' ' {
            return Some(p + 3);
        }
        return None;
    }
    // Neither shape: Wazuh keeps the program name and starts the message right after it.
    Some(p)
}

/// OS X ASL: `[Time …] [Facility …] [Sender prog] [PID …] [Message text] … [Host name]`.
fn asl_fields(h: &mut Header) {
    h.log = 25;
    let find = |buf: &[u8], from: usize, b: u8| -> Option<usize> {
        buf.get(from..)?
            .iter()
            .position(|x| *x == b || *x == 0)
            .map(|i| from + i)
            .filter(|i| buf[*i] == b)
    };
    let mut done_message = false;
    let mut next = find(&h.buf, h.log, b'[');
    while let Some(open) = next {
        let p = open + 1;
        let starts = |s: &[u8]| h.buf.get(p..p + s.len()) == Some(s);
        if starts(b"Sender ") && h.program_name.is_none() {
            let name = p + 7;
            match find(&h.buf, name, b']') {
                Some(close) => {
                    h.buf[close] = 0;
                    h.program_name = Some(name);
                    next = find(&h.buf, close + 1, b'[');
                }
                None => break,
            }
        } else if starts(b"Message ") && !done_message {
            done_message = true;
            let text = p + 8;
            h.log = text;
            match find(&h.buf, text, b']') {
                Some(close) => {
                    h.buf[close] = 0;
                    next = find(&h.buf, close + 1, b'[');
                }
                None => break,
            }
        } else if starts(b"Host ") {
            let name = p + 5;
            if let Some(close) = find(&h.buf, name, b']') {
                h.buf[close] = 0;
                h.hostname = Some(name);
            }
            break;
        } else {
            next = find(&h.buf, p, b'[');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pre(message: &str) -> Predecoded {
        predecode(&format!("1:stdin:{message}"), "manager").expect("framed")
    }

    #[test]
    fn syslog_headers_give_timestamp_host_and_program() {
        let p = pre("Dec 29 10:00:01 myhost sshd[1234]: Failed password for root");
        assert_eq!(p.timestamp.as_deref(), Some("Dec 29 10:00:01"));
        assert_eq!(p.hostname.as_deref(), Some("myhost"));
        assert_eq!(p.program_name.as_deref(), Some("sshd"));
        assert_eq!(p.log, "Failed password for root");
        assert_eq!(
            p.full_log,
            "Dec 29 10:00:01 myhost sshd[1234]: Failed password for root"
        );
        assert_eq!((p.agent_id.as_str(), p.location.as_str()), ("000", "stdin"));

        let p = pre("2007-06-14T15:48:55-04:00 host su: pam_unix(su:session): opened");
        assert_eq!(
            (p.timestamp.as_deref(), p.program_name.as_deref(), p.log.as_str()),
            (
                Some("2007-06-14T15:48:55-04:00"),
                Some("su"),
                "pam_unix(su:session): opened"
            )
        );
        let p = pre("2022-12-19T15:02:53.288+00:00 host kernel: x");
        assert_eq!(p.timestamp.as_deref(), Some("2022-12-19T15:02:53.288+00:00"));
        // Solaris: no host, the word is the program; an [ID …] block is dropped.
        let p = pre("Dec 29 10:00:01 sshd: [ID 800047 auth.info] Accepted");
        assert_eq!(
            (p.hostname.as_deref(), p.program_name.as_deref(), p.log.as_str()),
            (Some("manager"), Some("sshd"), "Accepted")
        );
        // A host followed by something else than a space: no host, no program.
        let p = pre("Dec 29 10:00:01 host,x rest");
        assert_eq!((p.program_name, p.log.as_str()), (None, "host,x rest"));
        // `name[` without a pid: no program name, the text is kept.
        let p = pre("Dec 29 10:00:01 host prog[x]: hi");
        assert_eq!((p.program_name, p.log.as_str()), (None, "prog[x]: hi"));
        // `name[pid] ` without the colon.
        let p = pre("Dec 29 10:00:01 host prog[12] hi");
        assert_eq!((p.program_name.as_deref(), p.log.as_str()), (Some("prog"), "hi"));
    }

    #[test]
    fn other_headers_only_lose_their_timestamp() {
        let p = pre("01/28-09:13:16.240702  [**] [1:2:3] alert");
        assert_eq!(
            (p.timestamp.as_deref(), p.log.as_str()),
            (Some("01/28-09:13:16.240702"), "[**] [1:2:3] alert")
        );
        let p = pre("[Fri Feb 11 18:06:35 2004] [warn] x");
        assert_eq!(
            (p.timestamp.as_deref(), p.log.as_str()),
            (Some("Fri Feb 11 18:06:35 2004"), "[warn] x")
        );
        let p = pre("1140804070.368  11623 10.0.0.1 TCP_MISS/200 x");
        assert_eq!(p.log, "11623 10.0.0.1 TCP_MISS/200 x");
        let p = pre("no header at all");
        assert_eq!(
            (p.timestamp, p.program_name, p.log.as_str()),
            (None, None, "no header at all")
        );
        let p = pre("[Time 2006.12.28 15:53:55 UTC] [Facility auth] [Sender sshd] [PID 483] [Message error: PAM] [Level 3] [Host mac]");
        assert_eq!(
            (p.program_name.as_deref(), p.log.as_str(), p.hostname.as_deref()),
            (Some("sshd"), "error: PAM", Some("mac"))
        );
    }

    #[test]
    fn framing_and_agent_locations() {
        let p = predecode("1:[001] (web01) 10.0.0.5->/var/log/auth.log:hello", "manager").expect("agent");
        assert_eq!(
            (
                p.agent_id.as_str(),
                p.location.as_str(),
                p.hostname.as_deref(),
                p.log.as_str()
            ),
            ("001", "(web01) 10.0.0.5->/var/log/auth.log", Some("web01"), "hello")
        );
        let p = predecode("1:a|:b||c:msg", "m").expect("escaped");
        assert_eq!((p.location.as_str(), p.log.as_str()), ("a:b|c", "msg"));
        assert_eq!(predecode("1:no colon", "m"), Err(FramingError));
        assert_eq!(predecode("1:[001 broken:msg", "m"), Err(FramingError));
    }
}
