//! Checks an uploaded rule or decoder file must pass before it replaces anything.
//!
//! Wazuh checks an upload twice: the text must be well-formed XML once every `&` is escaped (so
//! a regex's bare `&` is fine but a bare `<` is not), and analysisd must then build a session with
//! it. oxsec has no analysisd to ask, so the second check is ours: the file must read as rules
//! (or decoders) the way the catalog will read it, and must not define the same rule id twice
//! (analysisd would keep the first and silently drop the second).

use std::collections::HashSet;

use crate::files::{FileEntry, Status};

/// What an uploaded XML file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XmlKind {
    /// A rules file: `<group>`s of `<rule>`s.
    Rules,
    /// A decoders file: `<decoder>`s.
    Decoders,
}

/// Why an upload is refused: a sentence saying what is wrong and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UploadError(pub String);

/// Checks an uploaded rules or decoders file. DTDs and entity declarations are refused outright
/// (no external entities, no entity expansion), as is an XML declaration, which Wazuh's check
/// also rejects because it wraps the file in a root element.
pub fn check_xml(kind: XmlKind, text: &str) -> Result<(), UploadError> {
    let strict = escape_ampersands(text);
    let roots = oxsec_xml::parse(&strict).map_err(|e| UploadError(format!("line {}: {}", e.line, e.message)))?;
    if without_comments(text).contains("<?xml") {
        return Err(UploadError(
            "an XML declaration: rule and decoder files hold only elements".into(),
        ));
    }
    if roots.is_empty() {
        return Err(UploadError("the file holds no element".into()));
    }
    let entry = FileEntry {
        filename: String::new(),
        relative_dirname: String::new(),
        status: Status::Enabled,
    };
    match kind {
        XmlKind::Rules => {
            let rules = crate::rules::parse_file(text, &entry).map_err(|e| UploadError(e.to_string()))?;
            let mut seen = HashSet::new();
            if let Some(dup) = rules.iter().find(|r| !seen.insert(r.id)) {
                return Err(UploadError(format!(
                    "rule id {} is defined twice in this file; analysisd would ignore the second",
                    dup.id
                )));
            }
        }
        XmlKind::Decoders => {
            crate::decoders::parse_file(text, &entry).map_err(|e| UploadError(e.to_string()))?;
        }
    }
    Ok(())
}

/// The text outside `<!-- … -->` comments.
fn without_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        match rest[start..].find("-->") {
            Some(end) => rest = &rest[start + end + 3..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// Every `&` escaped, as Wazuh's syntax check does: references are not expanded there.
fn escape_ampersands(text: &str) -> String {
    text.replace('&', "&amp;")
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: &str = "<!-- Local rules -->\n<group name=\"local,\">\n  <rule id=\"111111\" level=\"5\">\n    \
                         <if_sid>5716</if_sid>\n    <match>a=(\\S+)&b=</match>\n    <description>x</description>\n  \
                         </rule>\n</group>\n";

    #[test]
    fn well_formed_rules_and_decoders_pass() {
        assert_eq!(check_xml(XmlKind::Rules, RULES), Ok(()));
        assert_eq!(
            check_xml(
                XmlKind::Decoders,
                "<decoder name=\"local_decoder_example\">\n<program_name>NEW DECODER</program_name>\n</decoder>\n"
            ),
            Ok(())
        );
    }

    #[test]
    fn broken_hostile_and_ambiguous_files_are_refused() {
        let cases = [
            (
                "unclosed",
                "<group name=\"a,\"><rule id=\"1\" level=\"1\"><if_sid>5716</rule></group>",
            ),
            ("declaration", "<?xml version=\"1.0\" ?> <metadata> </metadata>"),
            (
                "xxe",
                "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<group name=\"a\">&x;</group>",
            ),
            (
                "laughs",
                "<!DOCTYPE l [<!ENTITY a \"aa\"><!ENTITY b \"&a;&a;\">]>\n<group name=\"a\">&b;</group>",
            ),
            (
                "duplicate",
                "<group name=\"a,\"><rule id=\"7\" level=\"1\"/><rule id=\"7\" level=\"2\"/></group>",
            ),
            ("no level", "<group name=\"a,\"><rule id=\"7\"/></group>"),
            (
                "bare lt",
                "<group name=\"a,\"><rule id=\"7\" level=\"1\"><regex>a \\< b</regex></rule></group>",
            ),
            ("empty", "   \n"),
        ];
        for (what, text) in cases {
            assert!(check_xml(XmlKind::Rules, text).is_err(), "{what} was accepted");
        }
        assert!(check_xml(XmlKind::Decoders, "<decoder><prematch>x</prematch></decoder>").is_err());
    }
}
