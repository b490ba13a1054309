//! Wazuh's lenient reading of rule and decoder files.
//!
//! Rule files are not strict XML: regexes hold `<` (`\<\w+`, `(?<name>`), `&` appears bare
//! (`ip=(\S+)&server=`), and comments may contain `--`. Wazuh's API rewrites such text before
//! parsing; this does the same, then parses with [`oxsec_xml::parse`], which refuses DTDs and
//! entity declarations outright (a ruleset file never needs one).

use std::sync::OnceLock;

use oxsec_xml::{Element, XmlError};
use regex::Regex;

/// What `&lt;` and `&gt;` become: Wazuh's API shows them so in rule and decoder values.
const LT_PLACEHOLDER: &str = "_custom_amp_lt_";
const GT_PLACEHOLDER: &str = "_custom_amp_gt_";

fn tag_like() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // A `<` starts a tag when an optional `/`, a word and at least one more character are followed
    // by a `>` on the same line. Built from a constant pattern.
    RE.get_or_init(|| Regex::new(r"^/?\w+.+>").expect("constant pattern"))
}

/// The text Wazuh's API parses for `raw`: comments' `--` neutralised, `&lt;`/`&gt;` replaced by
/// placeholders, a `<` that does not start a tag or comment escaped, a bare `&` escaped.
pub fn preprocess(raw: &str) -> String {
    let text = neutralise_comments(raw)
        .replace("&lt;", LT_PLACEHOLDER)
        .replace("&gt;", GT_PLACEHOLDER);
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text.as_str();
    while let Some(pos) = rest.find(['<', '&']) {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        if let Some(after) = tail.strip_prefix('<') {
            let line = after.split('\n').next().unwrap_or("");
            if after.starts_with("!--") || tag_like().is_match(line) {
                out.push('<');
            } else {
                out.push_str("&lt;");
            }
        } else if ["&amp;", "&lt;", "&gt;", "&apos;", "&quot;"]
            .iter()
            .any(|e| tail.starts_with(e))
        {
            out.push('&');
        } else {
            out.push_str("&amp;");
        }
        rest = &tail[1..];
    }
    out.push_str(rest);
    out
}

/// `--` inside a comment's body becomes `..` (XML forbids it there; Wazuh's files have it).
fn neutralise_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start + 4]);
        let body_and_more = &rest[start + 4..];
        match body_and_more.find("-->") {
            Some(end) => {
                out.push_str(&body_and_more[..end].replace("--", ".."));
                out.push_str("-->");
                rest = &body_and_more[end + 3..];
            }
            None => {
                out.push_str(body_and_more);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Parses a rule, decoder or configuration file as Wazuh's API reads it: its root elements.
pub fn parse(raw: &str) -> Result<Vec<Element>, XmlError> {
    if raw.contains("<!DOCTYPE") || raw.contains("<!ENTITY") {
        // Checked before the rewriting, which would turn the declaration into text.
        let line = raw[..raw.find("<!").unwrap_or(0)].matches('\n').count() + 1;
        return Err(XmlError {
            line,
            message: "DTDs and entity declarations are not accepted".into(),
        });
    }
    oxsec_xml::parse(&preprocess(raw))
}

/// Parses a rule or decoder file as analysisd's own XML reader sees it: like [`parse`], except
/// that a `<` after an odd number of backslashes is text (`\<log>` in a pattern), where the
/// API's reader would take it for a tag. Such a `<` comes back as the `&lt;` placeholder.
pub fn parse_as_analysisd(raw: &str) -> Result<Vec<Element>, XmlError> {
    let mut escaped = String::with_capacity(raw.len() + 16);
    let mut backslashes = 0usize;
    for c in raw.chars() {
        if c == '<' && backslashes % 2 == 1 {
            escaped.push_str("&lt;");
        } else {
            escaped.push(c);
        }
        backslashes = if c == '\\' { backslashes + 1 } else { 0 };
    }
    parse(&escaped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regex_text_with_angle_brackets_and_ampersands_survives() {
        let roots = parse(
            "<!-- a -- b -->\n<group name=\"x,\">\n<rule id=\"1\" level=\"0\">\n\
             <regex type=\"pcre2\">Url.+\\<\\w+.*\\>.*?\\<\\/\\w+\\></regex>\n\
             <match>ip=(\\S+)&server= a &lt; b</match>\n</rule>\n</group>",
        )
        .expect("parse");
        let rule = &roots[0].children[0];
        assert_eq!(rule.children[0].head_text, "Url.+\\<\\w+.*\\>.*?\\<\\/\\w+\\>");
        assert_eq!(rule.children[1].head_text, "ip=(\\S+)&server= a _custom_amp_lt_ b");
    }

    #[test]
    fn entity_declarations_are_refused_before_any_rewriting() {
        let xxe = "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<group name=\"a\">&x;</group>";
        assert!(parse(xxe).expect_err("xxe").message.contains("DTD"));
        let laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n<!ENTITY lol1 \"&lol;&lol;\">]>\n<a>&lol1;</a>";
        assert_eq!(parse(laughs).expect_err("laughs").line, 2);
    }
}
