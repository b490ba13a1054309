//! Decoding, as analysisd does it: the enabled decoders compiled into Wazuh's two root lists
//! (with and without `<program_name>`) with their children, then run over a pre-decoded event
//! to pick the decoder and extract its fields.
//!
//! The walk is Wazuh's (`src/analysisd/decoders/decoder.c`): the first root whose program name
//! and prematch match is the only root tried; its first child whose prematch matches (or the
//! first child without one) is the decoder; a child's regex fills the fields named by its
//! `<order>`, and children of one name run one after another ("sibling chains"). Children are
//! reported under their parent's name unless `<use_own_name>`.

use crate::decoders::Decoder;
use crate::files::Status;
use crate::matcher::{OsMatch, OsRegex};
use crate::predecode::Predecoded;

/// Field names a decoder's `<order>` fills as fixed event fields; any other is a dynamic field.
pub const STATIC_FIELDS: &[&str] = &[
    "srcuser",
    "dstuser",
    "srcip",
    "dstip",
    "srcport",
    "dstport",
    "protocol",
    "action",
    "id",
    "url",
    "data",
    "extra_data",
    "status",
    "system_name",
];

/// A decoder pattern: OS_Regex for `<prematch>`/`<regex>`, OS_Match by default for
/// `<program_name>`, PCRE2 with `type="pcre2"`.
#[derive(Debug, Clone)]
enum Expr {
    Regex(OsRegex),
    Match(OsMatch),
    Pcre2(Box<crate::matcher::Pcre2>),
}

impl Expr {
    /// Matches: the offset after the match (0 for OS_Match) and the captures.
    fn find(&self, input: &[u8]) -> Option<(usize, Vec<String>)> {
        let found = match self {
            Expr::Match(m) => return m.is_match(input).then(|| (0, Vec::new())),
            Expr::Pcre2(p) => p.find(input),
            Expr::Regex(r) => r.find(input),
        }?;
        let captures = found.captures.iter().map(|c| crate::lossy_string(c)).collect();
        Some((found.end, captures))
    }
}

/// Where a prematch or regex reads from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Offset {
    /// The whole log.
    Start,
    /// After the parent's prematch.
    AfterParent,
    /// After this decoder's prematch.
    AfterPrematch,
    /// After the previous sibling's regex.
    AfterRegex,
}

fn offset(attrs: &[(String, String)]) -> Offset {
    match attrs.iter().rev().find(|(k, _)| k == "offset").map(|(_, v)| v.as_str()) {
        Some("after_parent") => Offset::AfterParent,
        Some("after_prematch") => Offset::AfterPrematch,
        Some("after_regex") => Offset::AfterRegex,
        _ => Offset::Start,
    }
}

/// One compiled decoder.
#[derive(Debug, Clone)]
struct Def {
    /// The name events decoded by it report (its parent's, for most children).
    reported: String,
    /// Its own name (children of one name form a sibling chain).
    name: String,
    parent: Option<String>,
    /// `<type>`: the event category root rules test.
    category: String,
    program_name: Option<Expr>,
    prematch: Option<(Expr, Offset)>,
    regex: Option<(Expr, Offset)>,
    order: Vec<String>,
    plugin: Option<(String, Offset)>,
    /// How JSON_Decoder renders nulls and arrays.
    json: crate::json_decoder::JsonOptions,
    /// `<fts>`: the fields whose combination rules with `<if_fts>` want to see for the first time.
    fts: Vec<String>,
    /// Run the next child too (it has this one's name).
    get_next: bool,
}

/// A root decoder and its children (indices into the definitions).
#[derive(Debug, Clone)]
struct Root {
    def: usize,
    children: Vec<usize>,
}

/// The enabled decoders, ready to run.
#[derive(Debug, Clone, Default)]
pub struct DecoderSet {
    defs: Vec<Def>,
    with_program: Vec<Root>,
    without_program: Vec<Root>,
    /// Decoders that could not be compiled, with the reason (they are left out).
    pub problems: Vec<String>,
}

/// What decoding an event produced.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Decoded {
    /// The decoder's reported name, if one matched.
    pub name: Option<String>,
    /// The matched root's name, when a child decoded the event.
    pub parent: Option<String>,
    /// The decoder's `<type>` (`syslog` when none matched).
    pub category: String,
    /// Fixed fields (`srcip`, `dstuser`, …), the last value of each.
    pub fields: Vec<(String, String)>,
    /// Dynamic fields in extraction order (repeats kept, as Wazuh keeps them).
    pub dynamic: Vec<(String, String)>,
    /// The decoder's `<fts>` fields (empty: it takes no part in first-time-seen checks).
    pub fts: Vec<String>,
}

impl Decoded {
    /// A field by name: fixed fields first, then the first dynamic one (names compare
    /// ASCII-case-insensitively, as Wazuh's lookup does).
    pub fn field(&self, name: &str) -> Option<&str> {
        let fixed = if name == "user" { "dstuser" } else { name };
        self.fields
            .iter()
            .find(|(k, _)| k == fixed)
            .or_else(|| self.dynamic.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
            .map(|(_, v)| v.as_str())
    }

    /// Sets a field the way JSON_Decoder does: its own set of fixed names (`systemname`, not
    /// `system_name`), and `user` only fills an empty `dstuser`.
    pub(crate) fn set_from_json(&mut self, key: &str, value: String) {
        let fixed = match key {
            "srcip" | "dstip" | "dstport" | "srcport" | "protocol" | "action" | "srcuser" | "dstuser" | "id"
            | "status" | "url" | "data" | "extra_data" => Some(key),
            "systemname" => Some("system_name"),
            "user" if self.field("dstuser").is_none_or(str::is_empty) => Some("dstuser"),
            _ => None,
        };
        match fixed {
            Some(k) => match self.fields.iter_mut().find(|(f, _)| f == k) {
                Some(slot) => slot.1 = value,
                None => self.fields.push((k.to_owned(), value)),
            },
            None => self.dynamic.push((key.to_owned(), value)),
        }
    }

    fn set(&mut self, key: &str, value: String) {
        let key = if key == "user" { "dstuser" } else { key };
        if STATIC_FIELDS.contains(&key) {
            match self.fields.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = value,
                None => self.fields.push((key.to_owned(), value)),
            }
        } else {
            self.dynamic.push((key.to_owned(), value));
        }
    }
}

/// The text of an option as analysisd's XML reader gives it (entities the API keeps as
/// placeholders are characters again).
fn text_of(t: &str) -> String {
    t.replace("_custom_amp_lt_", "<").replace("_custom_amp_gt_", ">")
}

fn compile(d: &Decoder) -> Result<Def, String> {
    // Patterns of repeated options concatenate; the last occurrence's attributes apply.
    let mut program: Option<(String, Vec<(String, String)>)> = None;
    let mut prematch: Option<(String, Vec<(String, String)>)> = None;
    let mut regex: Option<(String, Vec<(String, String)>)> = None;
    let mut parent = None;
    let mut order = Vec::new();
    let mut category = "syslog".to_owned();
    let mut plugin = None;
    let mut own_name = false;
    let mut json = crate::json_decoder::JsonOptions::default();
    let mut fts = Vec::new();
    for o in &d.options {
        // Repeated patterns join. The type is the last element's (none: the default); an
        // offset may only come from one element and is kept from wherever it was given.
        let joined = |slot: &mut Option<(String, Vec<(String, String)>)>| {
            let text = text_of(&o.text);
            let mut attrs: Vec<(String, String)> = o.attrs.iter().filter(|(k, _)| k != "offset").cloned().collect();
            let previous = slot.take();
            let earlier_offset = previous
                .as_ref()
                .and_then(|(_, a)| a.iter().find(|(k, _)| k == "offset").cloned());
            let offset = o.attrs.iter().find(|(k, _)| k == "offset").cloned().or(earlier_offset);
            attrs.extend(offset);
            *slot = Some(match previous {
                Some((p, _)) => (p + &text, attrs),
                None => (text, attrs),
            });
        };
        match o.tag.as_str() {
            "program_name" => joined(&mut program),
            "prematch" => joined(&mut prematch),
            "regex" => joined(&mut regex),
            "parent" => parent = Some(o.text.trim().to_owned()),
            "order" => order = o.text.split(',').map(|f| f.trim().to_owned()).collect(),
            "type" => category = o.text.trim().to_owned(),
            "plugin_decoder" => plugin = Some((o.text.trim().to_owned(), offset(&o.attrs))),
            "use_own_name" => own_name = o.text.trim() == "true",
            "fts" => {
                fts = o
                    .text
                    .split(',')
                    .map(|f| f.trim().to_owned())
                    .filter(|f| !f.is_empty())
                    .collect()
            }
            "json_null_field" => json.null_as_string = o.text.trim() != "discard",
            "json_array_structure" => json.array_as_csv = o.text.trim() == "csv",
            _ => {}
        }
    }
    let pattern_type = |attrs: &[(String, String)]| {
        attrs
            .iter()
            .rev()
            .find(|(k, _)| k == "type")
            .map(|(_, v)| v.to_ascii_lowercase())
    };
    let regex_of = |what: &str, p: &(String, Vec<(String, String)>), captures: bool| -> Result<Expr, String> {
        match pattern_type(&p.1).as_deref() {
            Some("pcre2") => crate::matcher::Pcre2::new(&p.0)
                .map(|r| Expr::Pcre2(Box::new(r)))
                .map_err(|e| format!("{what} '{}': {e}", p.0)),
            // OS_Match cannot give an offset or captures: analysisd uses OS_Regex here.
            _ => OsRegex::new(&p.0, captures)
                .map(Expr::Regex)
                .map_err(|e| format!("{what} '{}': {e}", p.0)),
        }
    };
    let program_name = program
        .map(|p| match pattern_type(&p.1).as_deref() {
            Some("osregex") => OsRegex::new(&p.0, false)
                .map(Expr::Regex)
                .map_err(|e| format!("program_name '{}': {e}", p.0)),
            Some("pcre2") => crate::matcher::Pcre2::new(&p.0)
                .map(|r| Expr::Pcre2(Box::new(r)))
                .map_err(|e| format!("program_name '{}': {e}", p.0)),
            _ => OsMatch::new(&p.0)
                .map(Expr::Match)
                .map_err(|e| format!("program_name '{}': {e}", p.0)),
        })
        .transpose()?;
    let prematch = prematch
        .map(|p| regex_of("prematch", &p, false).map(|e| (e, offset(&p.1))))
        .transpose()?;
    let mut regex = regex
        .map(|p| regex_of("regex", &p, true).map(|e| (e, offset(&p.1))))
        .transpose()?;
    if parent.is_none() {
        // A root has no prematch of a parent to follow: after_prematch means after its own.
        if let Some((_, o @ Offset::AfterPrematch)) = &mut regex {
            *o = Offset::AfterParent;
        }
    }
    if program_name.is_none() && prematch.is_none() && parent.is_none() {
        return Err("a decoder needs a prematch, a program_name or a parent".into());
    }
    Ok(Def {
        reported: if own_name { d.name.clone() } else { String::new() },
        name: d.name.clone(),
        parent,
        category,
        program_name,
        prematch,
        regex,
        order,
        plugin,
        json,
        fts,
        get_next: false,
    })
}

impl DecoderSet {
    /// Compiles the enabled decoders, in load order.
    pub fn build(decoders: &[Decoder]) -> DecoderSet {
        let mut set = DecoderSet::default();
        for d in decoders.iter().filter(|d| d.status == Status::Enabled) {
            let def = match compile(d) {
                Ok(def) => def,
                Err(e) => {
                    set.problems.push(format!(
                        "{}/{}: decoder '{}': {e}",
                        d.relative_dirname, d.filename, d.name
                    ));
                    continue;
                }
            };
            let index = set.defs.len();
            let has_program = def.program_name.is_some();
            match def.parent.clone() {
                None => {
                    set.defs.push(def);
                    let root = Root {
                        def: index,
                        children: Vec::new(),
                    };
                    if has_program {
                        set.with_program.push(root);
                    } else {
                        set.without_program.push(root);
                    }
                }
                Some(parent) => {
                    let name = def.name.clone();
                    set.defs.push(def);
                    let mut attached = false;
                    let defs = &mut set.defs;
                    for list in [&mut set.with_program, &mut set.without_program] {
                        for root in list.iter_mut() {
                            if defs[root.def].name != parent {
                                continue;
                            }
                            // Earlier children of the same name run on into this one.
                            for c in &root.children {
                                if defs[*c].name == name {
                                    defs[*c].get_next = true;
                                }
                            }
                            root.children.push(index);
                            attached = true;
                        }
                    }
                    if !attached {
                        set.problems.push(format!(
                            "{}/{}: decoder '{name}': parent '{parent}' not found",
                            d.relative_dirname, d.filename
                        ));
                    }
                }
            }
        }
        // Children are reported under their parent's name unless they keep their own.
        let roots: Vec<(usize, Vec<usize>)> = set
            .with_program
            .iter()
            .chain(&set.without_program)
            .map(|r| (r.def, r.children.clone()))
            .collect();
        for (root, children) in roots {
            let root_name = set.defs[root].name.clone();
            set.defs[root].reported = root_name.clone();
            for c in children {
                if set.defs[c].reported.is_empty() {
                    set.defs[c].reported = root_name.clone();
                }
            }
        }
        set
    }

    /// Decodes a pre-decoded event.
    pub fn decode(&self, event: &Predecoded) -> Decoded {
        let mut out = Decoded {
            category: "syslog".into(),
            ..Decoded::default()
        };
        // Offsets are bytes (a pattern may stop inside a multi-byte character).
        let log = event.log.as_bytes();
        let roots = if event.program_name.is_some() {
            &self.with_program
        } else {
            &self.without_program
        };
        for root in roots {
            let def = &self.defs[root.def];
            let mut pmatch = 0usize;
            if let Some(program) = &event.program_name {
                match &def.program_name {
                    Some(p) if p.find(program.as_bytes()).is_some() => {}
                    _ => continue,
                }
            }
            if let Some((p, _)) = &def.prematch {
                match p.find(log) {
                    Some((end, _)) => pmatch = end,
                    None => continue,
                }
            }
            // This root decodes the event; no other root is tried.
            out.name = Some(def.reported.clone());
            out.category = def.category.clone();
            out.fts = def.fts.clone();
            let mut cmatch = pmatch;
            let mut selected = root.def;
            let mut chain_start = None;
            if root.children.is_empty() {
                chain_start = Some(None);
            } else {
                let mut i = 0;
                while i < root.children.len() {
                    let child = &self.defs[root.children[i]];
                    match &child.prematch {
                        Some((p, off)) => {
                            let from = if *off == Offset::AfterParent { pmatch } else { 0 };
                            if let Some((end, _)) = p.find(&log[from.min(log.len())..]) {
                                cmatch = from + end;
                                selected = root.children[i];
                                chain_start = Some(Some(i));
                                break;
                            }
                        }
                        None => {
                            cmatch = pmatch;
                            selected = root.children[i];
                            chain_start = Some(Some(i));
                            break;
                        }
                    }
                    // A failed chain of same-named children is skipped as a whole.
                    if child.get_next {
                        while i < root.children.len() && self.defs[root.children[i]].get_next {
                            i += 1;
                        }
                    }
                    i += 1;
                }
            }
            let Some(start) = chain_start else {
                return out;
            };
            if selected != root.def {
                // The chosen child is the event's decoder: its name and its type.
                out.name = Some(self.defs[selected].reported.clone());
                out.category = self.defs[selected].category.clone();
                out.fts = self.defs[selected].fts.clone();
                out.parent = Some(def.name.clone());
            }
            self.run_regexes(root, start, log, pmatch, cmatch, &mut out);
            return out;
        }
        out
    }

    /// Runs the regex of the selected decoder (and of the siblings it chains to).
    fn run_regexes(
        &self,
        root: &Root,
        start: Option<usize>,
        log: &[u8],
        pmatch: usize,
        cmatch: usize,
        out: &mut Decoded,
    ) {
        let mut position = start;
        let mut previous: Option<usize> = None;
        loop {
            let index = match position {
                None => root.def,
                Some(i) => match root.children.get(i) {
                    Some(c) => *c,
                    None => return,
                },
            };
            let def = &self.defs[index];
            if let Some((plugin, off)) = &def.plugin {
                if plugin == "JSON_Decoder" {
                    let from = match off {
                        Offset::AfterParent => pmatch,
                        Offset::AfterPrematch => cmatch,
                        _ => 0,
                    }
                    .min(log.len());
                    crate::json_decoder::decode(&log[from..], &def.json, out);
                }
                // Other plugins (OSSECAlert, PF, SonicWall, SymantecWS) are not implemented yet:
                // the decoder is chosen, its fields stay empty.
            } else if let Some((re, off)) = &def.regex {
                let from = match off {
                    Offset::Start => 0,
                    Offset::AfterParent => pmatch,
                    Offset::AfterPrematch => cmatch,
                    Offset::AfterRegex => previous.unwrap_or(cmatch),
                }
                .min(log.len());
                match re.find(&log[from..]) {
                    Some((end, captures)) => {
                        previous = Some(from + end);
                        for (value, key) in captures.into_iter().zip(&def.order) {
                            out.set(key, value);
                        }
                    }
                    None if def.get_next => {
                        position = position.map(|i| i + 1);
                        continue;
                    }
                    None => return,
                }
            } else {
                return;
            }
            if def.get_next {
                position = position.map(|i| i + 1);
            } else {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::FileEntry;

    fn set(xml: &str) -> DecoderSet {
        let file = FileEntry {
            filename: "d.xml".into(),
            relative_dirname: "ruleset/decoders".into(),
            status: Status::Enabled,
        };
        let decoders = crate::decoders::parse_file(xml, &file).expect("parse");
        let set = DecoderSet::build(&decoders);
        assert_eq!(set.problems, Vec::<String>::new());
        set
    }

    fn event(line: &str) -> Predecoded {
        crate::predecode::predecode(&format!("1:stdin:{line}"), "manager").expect("framed")
    }

    const SSHD: &str = r#"
<decoder name="sshd">
  <program_name>^sshd</program_name>
</decoder>
<decoder name="sshd-success">
  <parent>sshd</parent>
  <prematch>^Accepted</prematch>
  <regex offset="after_prematch">^ \S+ for (\S+) from (\S+) port (\d+)</regex>
  <order>user, srcip, srcport</order>
</decoder>
<decoder name="sshd-kv">
  <parent>sshd</parent>
  <regex>key=(\w+)</regex>
  <order>k1</order>
</decoder>
<decoder name="sshd-kv">
  <parent>sshd</parent>
  <regex>other=(\w+)</regex>
  <order>k2</order>
</decoder>
"#;

    #[test]
    fn children_decode_under_their_parents_name() {
        let s = set(SSHD);
        let d = s.decode(&event(
            "Feb 10 23:21:05 host sshd[1234]: Accepted password for root from 10.0.0.1 port 22 ssh2",
        ));
        assert_eq!(d.name.as_deref(), Some("sshd"));
        assert_eq!(d.parent.as_deref(), Some("sshd"));
        assert_eq!(d.field("user"), Some("root"));
        assert_eq!(d.field("dstuser"), Some("root"));
        assert_eq!(d.field("srcip"), Some("10.0.0.1"));
        assert_eq!(d.field("srcport"), Some("22"));
    }

    #[test]
    fn same_named_children_chain_their_regexes() {
        let s = set(SSHD);
        let d = s.decode(&event("Feb 10 23:21:05 host sshd[1]: key=abc other=def"));
        assert_eq!(
            d.dynamic,
            [("k1".to_owned(), "abc".to_owned()), ("k2".to_owned(), "def".to_owned())]
        );
        // The chain goes on past a sibling whose regex fails.
        let d = s.decode(&event("Feb 10 23:21:05 host sshd[1]: other=def"));
        assert_eq!(d.dynamic, [("k2".to_owned(), "def".to_owned())]);
    }

    #[test]
    fn only_the_first_matching_root_is_tried() {
        let s = set(r#"
<decoder name="a"><prematch>^hello</prematch></decoder>
<decoder name="b"><prematch>^hello world</prematch><regex>(\w+)$</regex><order>last</order></decoder>
"#);
        let d = s.decode(&event("hello world x"));
        assert_eq!((d.name.as_deref(), d.dynamic.len()), (Some("a"), 0));
        // Events with a program name only meet decoders with one, and the other way round.
        let d = s.decode(&event("Feb 10 23:21:05 host prog: hello world"));
        assert_eq!(d.name, None);
    }
}
