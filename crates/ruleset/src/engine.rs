//! The compiled ruleset one event at a time: pre-decoding, decoding, rule matching, as analysisd
//! runs them. Shared read-only by every caller; the state that evolves between events
//! (correlation, `firedtimes`, first-time-seen) is the caller's [`Memory`].

use crate::analyze::{Fired, Memory, RuleSet};
use crate::catalog::Catalog;
use crate::decode::{Decoded, DecoderSet};
use crate::predecode::{predecode, FramingError, Predecoded};

/// The decoders and rules of a catalog, compiled.
pub struct Engine {
    /// Compiled decoders.
    pub decoders: DecoderSet,
    /// Compiled rules.
    pub rules: RuleSet,
}

/// What one event gave.
pub struct Analysis {
    /// Its framing and header.
    pub pre: Predecoded,
    /// What the decoders extracted.
    pub decoded: Decoded,
    /// The rule that matched, if any.
    pub fired: Option<Fired>,
}

impl Engine {
    /// Compiles the enabled decoders and rules of `catalog` (with its lists).
    pub fn build(catalog: &Catalog) -> Engine {
        Engine {
            decoders: DecoderSet::build(&catalog.decoders),
            rules: RuleSet::build(&catalog.rules, &catalog.lists),
        }
    }

    /// An engine that decodes and matches nothing.
    pub fn empty() -> Engine {
        Engine {
            decoders: DecoderSet::build(&[]),
            rules: RuleSet::build(&[], &[]),
        }
    }

    /// Analyses a framed event (`<queue>:<location>:<message>`) at processing time `now`
    /// (seconds). `manager_host` names the host of events whose header has none.
    pub fn analyze(
        &self,
        framed: &str,
        manager_host: &str,
        memory: &mut Memory,
        now: i64,
    ) -> Result<Analysis, FramingError> {
        let mut pre = predecode(framed, manager_host)?;
        let decoded = if framed.starts_with(crate::winevt::QUEUE) {
            // The Windows event log's queue: analysisd's built-in decoder, not the XML ones.
            let Some(json) = crate::winevt::decode(&pre.full_log) else {
                return Ok(Analysis {
                    pre,
                    decoded: Decoded::default(),
                    fired: None,
                });
            };
            pre.program_name = None;
            pre.timestamp = None;
            pre.full_log = json.clone();
            pre.log = json;
            let mut decoded = Decoded {
                name: Some(crate::winevt::DECODER_NAME.into()),
                category: "ossec".into(),
                ..Decoded::default()
            };
            crate::json_decoder::decode(pre.log.as_bytes(), &Default::default(), &mut decoded);
            decoded
        } else {
            self.decoders.decode(&pre)
        };
        let fired = self.rules.process(&pre, &decoded, memory, now);
        Ok(Analysis { pre, decoded, fired })
    }
}

/// Frames a message read from `location` as analysisd receives it on its queue (`1` is the
/// local-file queue): `:` and `|` in the location are escaped with `|`, as Wazuh's sender does.
pub fn frame(location: &str, message: &str) -> String {
    frame_on('1', location, message)
}

/// Frames a message for analysisd's `queue` (`1` local files, `f` the Windows event log).
pub fn frame_on(queue: char, location: &str, message: &str) -> String {
    let mut out = String::with_capacity(location.len() + message.len() + 4);
    out.push(queue);
    out.push(':');
    for c in location.chars() {
        if c == ':' || c == '|' {
            out.push('|');
        }
        out.push(c);
    }
    out.push(':');
    out.push_str(message);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framing_escapes_the_location_and_predecode_reads_it_back() {
        let framed = frame("C:\\logs|x", "hello");
        assert_eq!(framed, "1:C|:\\logs||x:hello");
        let pre = predecode(&framed, "manager").expect("framed");
        assert_eq!(pre.location, "C:\\logs|x");
        assert_eq!(pre.full_log, "hello");
    }

    #[test]
    fn an_empty_engine_matches_nothing() {
        let engine = Engine::empty();
        let mut memory = Memory::default();
        let a = engine
            .analyze(
                &frame("stdin", "Dec 29 10:00:01 host sshd[12]: hi"),
                "m",
                &mut memory,
                0,
            )
            .expect("framed");
        assert!(a.fired.is_none());
        assert_eq!(a.pre.program_name.as_deref(), Some("sshd"));
    }
}
