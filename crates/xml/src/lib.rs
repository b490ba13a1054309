//! Wazuh's XML dialect, read safely.
//!
//! Wazuh's configuration and ruleset files are XML fragments rather than documents: a file may hold
//! several root elements (`<group>` after `<group>`, `<agent_config>` blocks), comments anywhere, and
//! no declaration. This crate reads such text into a small tree. It never processes a DTD: a
//! `<!DOCTYPE …>` (and so any entity definition) is refused, which rules out entity-expansion and
//! external-entity attacks by construction. Only the five predefined entities and character
//! references are decoded; anything else stays as written, as Wazuh's own reader leaves it.
//! Depth and size are bounded so hostile input cannot exhaust the stack or memory.

pub mod json;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// Deepest nesting accepted (Wazuh's files use fewer than ten levels).
pub const MAX_DEPTH: usize = 64;

/// One element: its name, attributes in document order, its own text (trimmed, the pieces of
/// text between children joined) and its child elements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    /// Tag name.
    pub name: String,
    /// Attributes as written, in order.
    pub attrs: Vec<(String, String)>,
    /// Text content, trimmed.
    pub text: String,
    /// The text before the first child element, exactly as written (what Wazuh's Python tools
    /// read as an element's text: a regex may end in a significant space).
    pub head_text: String,
    /// Child elements in order.
    pub children: Vec<Element>,
}

impl Element {
    /// The value of an attribute.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Children with this tag name.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
}

/// Why a text is not acceptable XML, with the 1-based line where the problem was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct XmlError {
    /// Line of the problem.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

fn line_of(text: &str, pos: u64) -> usize {
    let end = usize::try_from(pos).unwrap_or(text.len()).min(text.len());
    text.as_bytes()[..end].iter().filter(|b| **b == b'\n').count() + 1
}

fn decode(raw: &[u8]) -> String {
    let s = String::from_utf8_lossy(raw);
    match quick_xml::escape::unescape(&s) {
        Ok(u) => u.into_owned(),
        // An unknown entity or a bare `&`: keep the text as written, as Wazuh does.
        Err(_) => s.into_owned(),
    }
}

fn start(e: &BytesStart<'_>, text: &str, pos: u64) -> Result<Element, XmlError> {
    let mut el = Element {
        name: String::from_utf8_lossy(e.name().as_ref()).into_owned(),
        ..Element::default()
    };
    for attr in e.attributes().with_checks(false) {
        let attr = attr.map_err(|err| XmlError {
            line: line_of(text, pos),
            message: format!("bad attribute in <{}>: {err}", el.name),
        })?;
        el.attrs.push((
            String::from_utf8_lossy(attr.key.as_ref()).into_owned(),
            decode(&attr.value),
        ));
    }
    Ok(el)
}

/// Parses an XML fragment (zero or more root elements) into its root elements.
pub fn parse(text: &str) -> Result<Vec<Element>, XmlError> {
    let mut reader = Reader::from_str(text);
    let cfg = reader.config_mut();
    cfg.trim_text(false);
    cfg.check_end_names = true;
    cfg.expand_empty_elements = false;
    let mut roots = Vec::new();
    let mut stack: Vec<Element> = Vec::new();
    loop {
        let pos = reader.buffer_position();
        let event = reader.read_event().map_err(|e| XmlError {
            line: line_of(text, reader.buffer_position()),
            message: e.to_string(),
        })?;
        match event {
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError {
                        line: line_of(text, pos),
                        message: format!("elements nested deeper than {MAX_DEPTH} levels"),
                    });
                }
                stack.push(start(&e, text, pos)?);
            }
            Event::Empty(e) => {
                let el = start(&e, text, pos)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => roots.push(el),
                }
            }
            Event::End(_) => {
                let Some(mut el) = stack.pop() else {
                    return Err(XmlError {
                        line: line_of(text, pos),
                        message: "closing tag without an opening tag".into(),
                    });
                };
                el.text = el.text.trim().to_owned();
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => roots.push(el),
                }
            }
            Event::Text(t) => {
                let s = decode(&t);
                match stack.last_mut() {
                    Some(el) => {
                        if el.children.is_empty() {
                            el.head_text.push_str(&s);
                        }
                        el.text.push_str(&s);
                    }
                    None if s.trim().is_empty() => {}
                    None => {
                        return Err(XmlError {
                            line: line_of(text, pos),
                            message: format!("text outside any element: '{}'", s.trim()),
                        })
                    }
                }
            }
            Event::CData(t) => {
                if let Some(el) = stack.last_mut() {
                    let s = String::from_utf8_lossy(&t);
                    if el.children.is_empty() {
                        el.head_text.push_str(&s);
                    }
                    el.text.push_str(&s);
                }
            }
            Event::DocType(_) => {
                return Err(XmlError {
                    line: line_of(text, pos),
                    message: "DTDs and entity declarations are not accepted".into(),
                })
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if let Some(open) = stack.last() {
        return Err(XmlError {
            line: line_of(text, text.len() as u64),
            message: format!("<{}> is never closed", open.name),
        });
    }
    Ok(roots)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_roots_comments_and_attributes() {
        let roots = parse(
            "<!-- c -->\n<agent_config os=\"Linux\">\n  <localfile><log_format>syslog</log_format></localfile>\n</agent_config>\n<agent_config/>",
        )
        .expect("parse");
        assert_eq!(roots.len(), 2);
        assert_eq!(roots[0].attr("os"), Some("Linux"));
        assert_eq!(roots[0].children[0].children[0].text, "syslog");
        assert!(roots[1].children.is_empty());
    }

    #[test]
    fn dtds_are_refused() {
        let bomb = "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]>\n<a>&lol2;</a>";
        let err = parse(bomb).expect_err("dtd");
        assert!(err.message.contains("DTD"), "{err}");
        assert_eq!(err.line, 1);
    }

    #[test]
    fn unknown_entities_stay_as_written_and_mismatches_fail_with_a_line() {
        let roots = parse("<a>x &foo; &amp; y</a>").expect("parse");
        assert_eq!(roots[0].text, "x &foo; &amp; y");
        let roots = parse("<a>x &amp; y</a>").expect("parse");
        assert_eq!(roots[0].text, "x & y");
        let err = parse("<a>\n<b>\n</a>").expect_err("mismatch");
        assert_eq!(err.line, 3, "{err}");
        let err = parse("<a><b></b>").expect_err("unclosed");
        assert!(err.message.contains("never closed"), "{err}");
    }

    #[test]
    fn depth_is_bounded() {
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert!(parse(&deep).expect_err("deep").message.contains("nested"));
    }
}
