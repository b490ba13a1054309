//! Wazuh's own pattern languages, OS_Match and OS_Regex, with their exact semantics.
//!
//! They are not regular expressions in the usual sense, and a Rust regex would match differently:
//! OS_Regex has its own escapes (`\w` includes `-`, `@` and `_`; `\s` is only a space), quantifiers
//! only after a class escape, at most one level of capturing parentheses, `|` splitting the pattern
//! into alternatives tried in order, and a matcher that does not backtrack in general: a
//! quantified class stops at the first byte the next token accepts, and only four such choices per
//! attempt can be revisited. Rules fire or not on these details, so the matcher below follows
//! Wazuh's (`src/os_regex/` at v4.14.7) step by step; the behaviour is pinned by the tests at the
//! bottom. Both languages compare ASCII letters case-insensitively, as analysisd always asks.
//!
//! Inputs are bytes; like Wazuh's C strings they end at the first NUL byte.

/// Longest pattern Wazuh compiles.
pub const MAX_PATTERN: usize = 20480;

/// Why a pattern does not compile (the rule or decoder holding it does not load).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    /// Longer than [`MAX_PATTERN`].
    #[error("pattern longer than {MAX_PATTERN} bytes")]
    TooLong,
    /// An escape OS_Regex does not know, e.g. `\n` or `\-`.
    #[error("unknown escape '\\{0}'")]
    BadEscape(char),
    /// Nested or unbalanced parentheses, or `|` inside parentheses.
    #[error("parentheses must balance, be one level deep and hold no '|'")]
    BadParentheses,
}

fn lower(b: u8) -> u8 {
    b.to_ascii_lowercase()
}

/// The bytes an input is made of: up to its first NUL.
fn c_str(input: &[u8]) -> &[u8] {
    match memchr::memchr(0, input) {
        Some(n) => &input[..n],
        None => input,
    }
}

/// A literal searched for ignoring ASCII case: its lower-case bytes and the position of its
/// rarest byte, which the search looks for first (a common first byte such as a space would
/// stop the vectorised scan at almost every position).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Needle {
    bytes: Vec<u8>,
    anchor: usize,
}

impl Needle {
    fn new(bytes: Vec<u8>) -> Needle {
        let anchor = (0..bytes.len()).min_by_key(|i| commonness(bytes[*i])).unwrap_or(0);
        Needle { bytes, anchor }
    }
}

/// How common a (lower-case) byte is in log text, higher is more common: an estimate that
/// only has to rank bytes roughly.
fn commonness(b: u8) -> u8 {
    const BY_FREQUENCY: &[u8] = b" etaoinsr:lcdhu0.1m2p-/fg3=5y4b6789w[]vk,_x\"'jqz";
    match BY_FREQUENCY.iter().position(|c| *c == b) {
        Some(i) => u8::try_from(BY_FREQUENCY.len() - i).unwrap_or(u8::MAX),
        None => 0,
    }
}

/// Where `needle` first occurs in `hay`, ignoring ASCII case.
fn find_ci(hay: &[u8], needle: &Needle) -> Option<usize> {
    let n = &needle.bytes;
    if n.is_empty() {
        return Some(0);
    }
    if hay.len() < n.len() {
        return None;
    }
    let a = needle.anchor;
    let key = n[a];
    let window = &hay[a..=hay.len() - n.len() + a];
    memchr::memchr2_iter(key, key.to_ascii_uppercase(), window).find(|i| hay[*i..*i + n.len()].eq_ignore_ascii_case(n))
}

/// Whether `hay` contains `needle` ignoring ASCII case. Candidate positions come from a
/// vectorised search for the needle's rarest byte in either case.
fn contains_ci(hay: &[u8], needle: &Needle) -> bool {
    find_ci(hay, needle).is_some()
}

// ---------------------------------------------------------------------------------------------
// OS_Match

/// How one alternative of an OS_Match pattern compares.
#[derive(Debug, Clone, PartialEq, Eq)]
enum MatchKind {
    /// `x`: contains.
    Contains(Needle),
    /// `^x`: starts with.
    Prefix(Vec<u8>),
    /// `x$`: ends with.
    Suffix(Vec<u8>),
    /// `^x$`: equals.
    Equals(Vec<u8>),
    /// An empty alternative matches everything.
    Always,
}

/// An OS_Match pattern: literal bytes, `|` alternatives, `^`/`$` anchors per alternative, a
/// leading `!` negating the whole pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OsMatch {
    alternatives: Vec<MatchKind>,
    negate: bool,
}

impl OsMatch {
    /// Compiles a pattern.
    pub fn new(pattern: &str) -> Result<OsMatch, PatternError> {
        if pattern.len() > MAX_PATTERN {
            return Err(PatternError::TooLong);
        }
        let bytes = pattern.as_bytes();
        let (negate, body) = match bytes.split_first() {
            Some((b'!', rest)) => (true, rest),
            _ => (false, bytes),
        };
        let alternatives = body
            .split(|b| *b == b'|')
            .map(|alt| {
                let alt: Vec<u8> = alt.iter().copied().map(lower).collect();
                let starts = alt.first() == Some(&b'^');
                let ends = alt.last() == Some(&b'$');
                // Wazuh tests `^…$` before the empty case, so `^` alone is a prefix test of
                // nothing and `$` alone a suffix test of nothing: both match everything.
                if starts && ends && alt.len() >= 2 {
                    MatchKind::Equals(alt[1..alt.len() - 1].to_vec())
                } else if alt.is_empty() {
                    MatchKind::Always
                } else if ends {
                    MatchKind::Suffix(alt[..alt.len() - 1].to_vec())
                } else if starts {
                    MatchKind::Prefix(alt[1..].to_vec())
                } else {
                    MatchKind::Contains(Needle::new(alt))
                }
            })
            .collect();
        Ok(OsMatch { alternatives, negate })
    }

    /// Whether `input` matches.
    pub fn is_match(&self, input: &[u8]) -> bool {
        let input = c_str(input);
        let eq = |a: &[u8], b: &[u8]| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| lower(*x) == *y);
        let found = self.alternatives.iter().any(|alt| match alt {
            MatchKind::Always => true,
            MatchKind::Equals(p) => eq(input, p),
            MatchKind::Prefix(p) => input.len() >= p.len() && eq(&input[..p.len()], p),
            MatchKind::Suffix(p) => input.len() >= p.len() && eq(&input[input.len() - p.len()..], p),
            MatchKind::Contains(p) => contains_ci(input, p),
        });
        found != self.negate
    }
}

// ---------------------------------------------------------------------------------------------
// OS_Regex

/// Marks a class escape in a compiled alternative: followed by the class byte.
const ESCAPE: u8 = b'\\';
/// Both parentheses compile to this marker (only their positions matter).
const PAREN: u8 = b'(';

/// Classes, numbered as the compiled form stores them after [`ESCAPE`].
fn class_of(escape: u8) -> Option<u8> {
    Some(match escape {
        b'd' => 1,
        b'w' => 2,
        b's' => 3,
        b'p' => 4,
        b'(' => 5,
        b')' => 6,
        b'\\' => 7,
        b'D' => 8,
        b'W' => 9,
        b'S' => 10,
        b'.' => 11,
        b't' => 12,
        b'$' => 13,
        b'|' => 14,
        b'<' => 15,
        _ => return None,
    })
}

fn in_class(class: u8, b: u8) -> bool {
    let word = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'@' | b'_');
    match class {
        1 => b.is_ascii_digit(),
        2 => word,
        3 => b == b' ',
        4 => matches!(b, 0x21..=0x2e | 0x3a..=0x3f | b'[' | b']' | b'{' | b'|' | b'}'),
        5 => b == b'(',
        6 => b == b')',
        7 => b == b'\\',
        8 => !b.is_ascii_digit(),
        9 => !word,
        10 => b != b' ',
        11 => true,
        12 => b == b'\t',
        13 => b == b'$',
        14 => b == b'|',
        15 => b == b'<',
        _ => false,
    }
}

fn is_quantifier(b: u8) -> bool {
    b == b'+' || b == b'*'
}

/// One `|` alternative of an OS_Regex pattern, compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Alternative {
    /// Lower-cased literals, [`ESCAPE`]+class pairs, quantifiers, [`PAREN`] markers; followed by
    /// a few zero bytes, so looking a token or two ahead never runs off the end.
    program: Vec<u8>,
    /// `^`: only an attempt at the start of the input counts.
    anchored_start: bool,
    /// `$`: a match must end at the end of the input.
    anchored_end: bool,
    /// Positions of the [`PAREN`] markers, in order (opening, closing, opening, …).
    parens: Vec<usize>,
    /// The longest run of literal bytes (lower-case): every match holds it, so an input
    /// without it is passed over without running the matcher.
    required: Needle,
    /// The first token, when it is a literal byte (lower-case).
    first_literal: Option<u8>,
    /// When the alternative opens with single-byte tokens holding a literal run: the run and
    /// how many bytes precede it. An attempt that does not find the run there fails before
    /// touching any state, so attempts can start only where the run occurs.
    opening: Option<(usize, Needle)>,
}

/// Zero bytes after a program (see [`Alternative::program`]).
const PADDING: usize = 4;

/// A successful OS_Regex match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegexMatch {
    /// Offset just after the last byte the match consumed (where `after_regex` and
    /// `after_prematch` continue); 0 when it consumed nothing.
    pub end: usize,
    /// The captured substrings, in order (only when compiled with captures).
    pub captures: Vec<Vec<u8>>,
}

/// An OS_Regex pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OsRegex {
    alternatives: Vec<Alternative>,
    /// Whether capture positions are tracked (Wazuh's `OS_RETURN_SUBSTRING`, used by decoders,
    /// and only when some alternative has parentheses; then Wazuh tracks them in every
    /// alternative). This changes results slightly at the end of the input, as in Wazuh.
    track: bool,
}

impl OsRegex {
    /// Compiles a pattern; `captures` asks for the parenthesised substrings.
    pub fn new(pattern: &str, captures: bool) -> Result<OsRegex, PatternError> {
        if pattern.len() > MAX_PATTERN {
            return Err(PatternError::TooLong);
        }
        let bytes = pattern.as_bytes();
        let mut compiled: Vec<u8> = Vec::with_capacity(bytes.len());
        // Positions in `compiled` that hold a class number (never alternatives' separators).
        let mut depth = 0i32;
        let mut separators = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b == b'\\' {
                let e = bytes.get(i + 1).copied().unwrap_or(0);
                let class = class_of(e).ok_or(PatternError::BadEscape(char::from(e)))?;
                compiled.push(ESCAPE);
                compiled.push(class);
                i += 2;
                continue;
            }
            match b {
                b'(' => depth += 1,
                b')' => depth -= 1,
                _ => {}
            }
            if depth != 0 && depth != 1 {
                return Err(PatternError::BadParentheses);
            }
            if b == b'|' {
                if depth != 0 {
                    return Err(PatternError::BadParentheses);
                }
                separators.push(compiled.len());
            }
            compiled.push(if b == b')' { PAREN } else { lower(b) });
            i += 1;
        }
        if depth != 0 {
            return Err(PatternError::BadParentheses);
        }
        let mut alternatives = Vec::new();
        let mut start = 0;
        for end in separators.into_iter().chain(std::iter::once(compiled.len())) {
            let mut part = &compiled[start..end];
            start = end + 1;
            let anchored_start = part.first() == Some(&b'^');
            if anchored_start {
                part = &part[1..];
            }
            // A `$` that is a class number (`\$` compiled) is not the anchor.
            let escaped_last = part.len() >= 2 && part[part.len() - 2] == ESCAPE;
            let anchored_end = part.last() == Some(&b'$') && !escaped_last;
            if anchored_end {
                part = &part[..part.len() - 1];
            }
            let parens = part
                .iter()
                .enumerate()
                .scan(false, |after_escape, (n, b)| {
                    let is_paren = !*after_escape && *b == PAREN;
                    *after_escape = !*after_escape && *b == ESCAPE;
                    Some((n, is_paren))
                })
                .filter_map(|(n, p)| p.then_some(n))
                .collect();
            let required = Needle::new(longest_literal_run(part));
            // (Quantifiers only follow a class, so a first byte that is neither an escape nor a
            // parenthesis is a literal.)
            let first_literal = part.first().copied().filter(|b| *b != ESCAPE && *b != PAREN);
            let opening = opening_literal(part);
            let mut program = part.to_vec();
            program.extend_from_slice(&[0; PADDING]);
            alternatives.push(Alternative {
                program,
                anchored_start,
                anchored_end,
                parens,
                required,
                first_literal,
                opening,
            });
        }
        let track = captures && alternatives.iter().any(|a| !a.parens.is_empty());
        Ok(OsRegex { alternatives, track })
    }

    /// Whether `input` matches.
    pub fn is_match(&self, input: &[u8]) -> bool {
        self.find(input).is_some()
    }

    /// Matches `input`: the first alternative that matches, with its captures.
    pub fn find(&self, input: &[u8]) -> Option<RegexMatch> {
        self.find_with(input, true)
    }

    /// [`OsRegex::find`] without its shortcuts (the required-literal test, skipped start
    /// positions): every start position tried, as Wazuh does. The reference the fast search is
    /// tested against.
    #[doc(hidden)]
    pub fn find_every_start(&self, input: &[u8]) -> Option<RegexMatch> {
        self.find_with(input, false)
    }

    fn find_with(&self, input: &[u8], skip: bool) -> Option<RegexMatch> {
        let input = c_str(input);
        for alt in &self.alternatives {
            if skip && alt.anchored_start {
                // One attempt, at the start: its opening rules most inputs out in a few bytes,
                // before the search of the whole input for the required literal.
                if let Some(first) = alt.first_literal {
                    if input.first().map(|b| lower(*b)) != Some(first) {
                        continue;
                    }
                }
                if let Some((before, needle)) = &alt.opening {
                    let n = &needle.bytes;
                    if input.len() >= before + n.len() && !input[*before..before + n.len()].eq_ignore_ascii_case(n) {
                        continue;
                    }
                }
            }
            if skip && !contains_ci(input, &alt.required) {
                continue;
            }
            let track = self.track;
            let mut marks: Vec<Option<usize>> = if track {
                vec![None; alt.parens.len()]
            } else {
                Vec::new()
            };
            if let Some(last) = run(alt, input, track.then_some(&mut marks), skip) {
                let mut captures = Vec::new();
                if track {
                    for pair in marks.chunks(2) {
                        match pair {
                            // Positions are not cleared between attempts, so a pair can end
                            // before it starts; Wazuh then fails the whole match (its copy of
                            // the negative length fails or crashes), trying no other
                            // alternative.
                            [Some(a), Some(b)] if a > b => return None,
                            [Some(a), Some(b)] => captures.push(input.get(*a..*b).unwrap_or_default().to_vec()),
                            _ => break,
                        }
                    }
                }
                let end = usize::try_from(last).map_or(0, |l| if l < input.len() { l + 1 } else { l });
                return Some(RegexMatch { end, captures });
            }
        }
        None
    }
}

/// The longest literal run (of two bytes or more) among the single-byte tokens an alternative
/// opens with, and how many bytes come before it: see [`Alternative::opening`]. The opening
/// ends at the first parenthesis or quantified class.
fn opening_literal(program: &[u8]) -> Option<(usize, Needle)> {
    let mut best: Option<(usize, usize)> = None;
    let mut run_start: Option<usize> = None;
    let mut width = 0;
    let mut i = 0;
    let mut close = |run_start: &mut Option<usize>, width: usize| {
        if let Some(start) = run_start.take() {
            if width - start >= 2 && best.is_none_or(|(s, e)| e - s < width - start) {
                best = Some((start, width));
            }
        }
    };
    while i < program.len() {
        match program[i] {
            PAREN => break,
            ESCAPE => {
                if program.get(i + 2).copied().is_some_and(is_quantifier) {
                    break;
                }
                close(&mut run_start, width);
                i += 2;
            }
            _ => {
                run_start.get_or_insert(width);
                i += 1;
            }
        }
        width += 1;
    }
    close(&mut run_start, width);
    let (start, end) = best?;
    // Token `k` of the opening is byte `k` of the program once escapes count as one.
    let mut bytes = Vec::with_capacity(end - start);
    let (mut token, mut i) = (0, 0);
    while token < end {
        if program[i] == ESCAPE {
            i += 2;
        } else {
            if token >= start {
                bytes.push(program[i]);
            }
            i += 1;
        }
        token += 1;
    }
    Some((start, Needle::new(bytes)))
}

/// The most selective run of consecutive literal tokens in a compiled alternative: every match
/// holds each run as it is (a literal token consumes exactly one equal byte), so the run whose
/// bytes are rarest in logs rules out the most inputs before the matcher runs. A literal just
/// before a quantifier is left out of runs (`+`/`*` after a class are not literals), as are the
/// class bytes after an escape, and so is a single literal ending the pattern right after a
/// class: Wazuh's matcher can report a match there without consuming it.
fn longest_literal_run(program: &[u8]) -> Vec<u8> {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    let mut i = 0;
    while i <= program.len() {
        let literal = i < program.len()
            && program[i] != ESCAPE
            && program[i] != PAREN
            && !(is_quantifier(program[i]) && i >= 2 && program[i - 2] == ESCAPE);
        if literal {
            start.get_or_insert(i);
            i += 1;
            continue;
        }
        if let Some(s) = start.take() {
            runs.push((s, i));
        }
        // An escape's class byte is not a literal.
        i += if i < program.len() && program[i] == ESCAPE {
            2
        } else {
            1
        };
    }
    let n = program.len();
    runs.retain(|&(s, e)| !(e == n && e - s == 1 && s >= 2 && program[s - 2] == ESCAPE));
    let score =
        |&(s, e): &(usize, usize)| -> usize { program[s..e].iter().map(|b| 50 - usize::from(commonness(*b))).sum() };
    // The first of equally good runs, as before.
    let best = runs.iter().rev().max_by_key(|r| score(r));
    best.map(|&(s, e)| program[s..e].to_vec()).unwrap_or_default()
}

/// One alternative against the input: the position of the last byte consumed, or `None`.
/// `marks` receives the input position of each parenthesis (capture mode).
///
/// The walk is Wazuh's: for each start position, tokens consume bytes left to right; a
/// quantified class hands a byte to the next token as soon as that token accepts it, noting a
/// restart point (at most four) to take the byte back if the rest fails.
fn run(alt: &Alternative, s: &[u8], mut marks: Option<&mut Vec<Option<usize>>>, skip: bool) -> Option<isize> {
    let p = &alt.program;
    // Where the next attempt from `st` can first succeed (see `Alternative::opening`). Starts
    // from which the run would reach past the end are left to the walk.
    let next_start = |st: isize| -> isize {
        let Some((before, needle)) = alt.opening.as_ref().filter(|_| skip && !alt.anchored_start) else {
            return st;
        };
        let Ok(from) = usize::try_from(st) else { return st };
        let width = before + needle.bytes.len();
        if s.len() < from + width {
            return st;
        }
        match find_ci(&s[from + before..], needle) {
            Some(q) => st + isize::try_from(q).unwrap_or(0),
            None => isize::try_from(s.len() - width + 1).unwrap_or(st).max(st),
        }
    };
    // A negative position wraps to a huge index and reads as the end, like one past it.
    let at = |i: isize| -> u8 { s.get(i as usize).copied().unwrap_or(0) };
    let mark = |marks: &mut Option<&mut Vec<Option<usize>>>, pos: usize, st: usize| {
        if let Some(m) = marks.as_deref_mut() {
            if let Some(k) = alt.parens.iter().position(|q| *q == pos) {
                m[k] = Some(st);
            }
        }
    };
    let satisfied = |st: isize| !alt.anchored_end || at(st) == 0;

    // The last byte consumed; -1 after a `\X*` took nothing at the start (Wazuh's pointer one
    // before the input, which still counts as a match).
    let mut last: Option<isize> = Some(0);
    let mut quantified_started = false;
    let mut st: isize = 0;
    let mut first_single: Option<isize> = None;
    let mut pt: usize = 0;
    let mut restarts: [Option<(usize, isize)>; 4] = [None; 4];
    st = next_start(st);

    while at(st) != 0 {
        // (`st` is never negative here: `at` would have read 0.)
        let stu = st as usize;
        match p[pt] {
            0 if satisfied(st) => return last,
            PAREN => {
                mark(&mut marks, pt, stu);
                pt += 1;
                if p[pt] == 0 && satisfied(st) {
                    return last;
                }
            }
            _ => {}
        }

        if p[pt] == ESCAPE {
            let class = p[pt + 1];
            if in_class(class, at(st)) {
                let mut next = pt + 2;
                if !is_quantifier(p[next]) {
                    // A single class byte.
                    pt = next;
                    first_single.get_or_insert(st);
                    last = Some(st);
                    st += 1;
                    continue;
                }
                if p[next] == b'*' {
                    quantified_started = true;
                }
                if quantified_started {
                    // Does the token after the quantifier take this byte instead?
                    next += 1;
                    let mut advance: Option<usize> = None;
                    if p[next] == PAREN {
                        next += 1;
                    }
                    if p[next] == 0 {
                        advance = Some(1);
                    } else if p[next] == ESCAPE {
                        if in_class(p[next + 1], at(st)) {
                            advance = Some(if is_quantifier(p[next + 2]) { 0 } else { 2 });
                        }
                    } else if p[next] == lower(at(st)) {
                        quantified_started = false;
                        advance = Some(1);
                    }
                    if let Some(step) = advance {
                        if p[next - 1] == PAREN {
                            let pos = if quantified_started && step == 1 { stu + 1 } else { stu };
                            mark(&mut marks, next - 1, pos);
                        }
                        if p[next] == 0 {
                            // The class runs to the end of the pattern: keep consuming (the
                            // reported end stays where it was, as in Wazuh).
                            st += 1;
                            continue;
                        }
                        next += step;
                        if let Some(slot) = restarts.iter_mut().find(|r| r.is_none()) {
                            *slot = Some((pt, st));
                        }
                        pt = next;
                    }
                } else {
                    // The first byte of a `+` class; a parenthesis right after it is marked.
                    next += 1;
                    if p[next] == PAREN {
                        let pos = if at(st + 1) == 0 { stu + 1 } else { stu };
                        mark(&mut marks, next, pos);
                    }
                    quantified_started = true;
                }
                last = Some(st);
                st += 1;
                continue;
            } else if (p[pt + 2] == 0 || p[pt + 3] == 0) && quantified_started && last.is_some() {
                last = Some(st);
                if satisfied(st) {
                    return last;
                }
            } else if p[pt + 2] == b'+' && quantified_started {
                // The class is done: the next token gets this byte.
                pt += 3;
                quantified_started = false;
                continue;
            } else if p[pt + 2] == b'*' {
                // Zero bytes of this class: the next token gets this byte.
                pt += 3;
                last = Some(st - 1);
                quantified_started = false;
                continue;
            }
            quantified_started = false;
        } else if p[pt] == lower(at(st)) {
            pt += 1;
            first_single.get_or_insert(st);
            last = Some(st);
            st += 1;
            continue;
        }

        // This byte failed: take back the latest choice, or start again further on.
        if let Some(slot) = restarts.iter_mut().rev().find(|r| r.is_some()) {
            if let Some((rpt, rst)) = slot.take() {
                pt = rpt;
                st = rst + 1;
                continue;
            }
        }
        if alt.anchored_start {
            return None;
        }
        if let Some(f) = first_single.take() {
            st = f;
        }
        pt = 0;
        last = None;
        st = next_start(st + 1);
    }

    // End of input: a parenthesis still ahead (after optional `\X*` tokens) closes here.
    if marks.is_some() {
        while p[pt] != PAREN && p[pt] != 0 {
            if p[pt] == ESCAPE && p[pt + 2] == b'*' {
                pt += 3;
            } else {
                break;
            }
        }
        if p[pt] == PAREN {
            let stu = usize::try_from(st).unwrap_or(0);
            mark(&mut marks, pt, stu);
        }
    }
    // What is left of the pattern must be satisfiable by nothing: its end (after a
    // parenthesis), the rest of a `+` class that matched (and a trailing `\X*`), or a `\X*`.
    let end_of = |pt: &mut usize| {
        if p[*pt] == PAREN {
            *pt += 1;
        }
        p[*pt] == 0
    };
    if end_of(&mut pt) {
        return last;
    }
    // A `\X*` token and then the end; the position moves as far as the test got, and the
    // next test starts there (Wazuh's checks share one pointer).
    let star_then_end = |pt: &mut usize| {
        if p[*pt] != ESCAPE {
            return false;
        }
        *pt += 2;
        if p[*pt] != b'*' {
            return false;
        }
        *pt += 1;
        end_of(pt)
    };
    if p[pt] == ESCAPE && quantified_started {
        pt += 2;
        if is_quantifier(p[pt]) {
            pt += 1;
            if end_of(&mut pt) || star_then_end(&mut pt) {
                return last;
            }
        }
    }
    if star_then_end(&mut pt) {
        return last;
    }
    None
}

// ---------------------------------------------------------------------------------------------
// PCRE2

/// A `type="pcre2"` pattern, as Wazuh compiles it: no options (case-sensitive, bytes, no UTF;
/// a pattern asks for more with `(?i)` and the like), matched once from the start of the input.
#[derive(Debug, Clone)]
pub struct Pcre2 {
    regex: pcre2::bytes::Regex,
}

impl Pcre2 {
    /// Compiles a pattern.
    pub fn new(pattern: &str) -> Result<Pcre2, String> {
        if pattern.len() > MAX_PATTERN {
            return Err(PatternError::TooLong.to_string());
        }
        pcre2::bytes::RegexBuilder::new()
            .jit_if_available(true)
            .build(pattern)
            .map(|regex| Pcre2 { regex })
            .map_err(|e| e.to_string())
    }

    /// Whether `input` matches (an input PCRE2 cannot finish matching counts as no match).
    pub fn is_match(&self, input: &[u8]) -> bool {
        self.regex.is_match(c_str(input)).unwrap_or(false)
    }

    /// Matches `input`: the offset after the match and the groups (an unset group is empty; a
    /// pattern without groups gives none), as Wazuh hands them to a decoder's `<order>`.
    pub fn find(&self, input: &[u8]) -> Option<RegexMatch> {
        let input = c_str(input);
        let caps = self.regex.captures(input).ok()??;
        let end = caps.get(0).map_or(0, |m| m.end());
        // Wazuh copies groups up to the highest one that is set.
        let highest = (1..caps.len()).rev().find(|i| caps.get(*i).is_some()).unwrap_or(0);
        let captures = (1..=highest)
            .map(|i| caps.get(i).map(|m| m.as_bytes().to_vec()).unwrap_or_default())
            .collect();
        Some(RegexMatch { end, captures })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        OsMatch::new(p).expect("compile").is_match(s.as_bytes())
    }

    fn r(p: &str, s: &str) -> bool {
        OsRegex::new(p, false).expect("compile").is_match(s.as_bytes())
    }

    fn caps(p: &str, s: &str) -> Option<Vec<String>> {
        OsRegex::new(p, true)
            .expect("compile")
            .find(s.as_bytes())
            .map(|m| m.captures.iter().map(|c| crate::lossy_string(c)).collect())
    }

    #[test]
    fn os_match_is_literal_anchored_alternatives() {
        assert!(m("failed password", "sshd: Failed Password for root"));
        assert!(!m("failed password", "sshd: accepted"));
        assert!(m("^sshd", "SSHD: x") && !m("^sshd", "x sshd"));
        assert!(m("root$", "user ROOT") && !m("root$", "root user"));
        assert!(m("^root$", "Root") && !m("^root$", "roots"));
        assert!(m("a|b", "xbx") && m("a||b", "zzz") && m("a|", "zzz"));
        assert!(m("!error", "all good") && !m("!error", "an error"));
        assert!(m("\\d+", "a\\d+b"), "no escapes in OS_Match");
        assert!(m("^", "anything") && m("$", "anything") && m("^$", "") && !m("^$", "x"));
        assert!(!m("abc", "") && m("", ""));
    }

    #[test]
    fn os_regex_classes_are_wazuhs() {
        assert!(r("^\\w+$", "user-name@host_1"));
        assert!(!r("^\\s$", "\t") && r("^\\s$", " "));
        assert!(r("^\\S+$", "a\tb"));
        assert!(r("^\\p$", "[") && !r("^\\p$", "/") && !r("^\\p$", "_"));
        assert!(r("^\\W$", "/") && !r("^\\W$", "-"));
        assert!(r("^\\.$", "x") && r("^\\t$", "\t"));
        assert!(r("^a\\$$", "a$") && r("^\\(\\)\\|\\<\\\\$", "()|<\\"));
        assert!(r("^a+$", "a+") && !r("^a+$", "aa"), "+ after a literal is literal");
        assert!(r("^a.c$", "a.c") && !r("^a.c$", "abc"), ". is literal");
        assert!(r("ERROR", "an error here"), "case-insensitive");
        for bad in ["\\n", "\\-", "a(b(c))", "(a|b)", "(a", "a)"] {
            assert!(OsRegex::new(bad, false).is_err(), "{bad}");
        }
    }

    #[test]
    fn os_regex_quantifiers_are_lazy_with_lookahead() {
        // `\S+` followed by a literal stops at the first occurrence of it.
        assert_eq!(caps("^(\\S+) ", "first second third"), Some(vec!["first".into()]));
        assert_eq!(
            caps("^(\\S+) (\\.+)$", "a b c d"),
            Some(vec!["a".into(), "b c d".into()])
        );
        // Captures to the end of the input.
        assert_eq!(
            caps("user (\\.+)", "login user root now"),
            Some(vec!["root now".into()])
        );
        assert_eq!(
            caps("^(\\d+).(\\d+).(\\d+).(\\d+)$", "10.0.12.5"),
            Some(vec!["10".into(), "0".into(), "12".into(), "5".into()])
        );
        // A restart point lets the class take back a byte the literal could not keep.
        assert!(r("^\\w+ab$", "xxabab"));
        assert!(r("^\\d*x", "x") && r("^\\d*x", "12x") && !r("^\\d+x", "x"));
        // Alternatives each carry their anchors.
        let re = OsRegex::new("^abc|xyz$", false).expect("compile");
        assert!(re.is_match(b"abc...") && re.is_match(b"...xyz") && !re.is_match(b".abc.xyz."));
        assert_eq!(
            caps(
                "^Failed (\\S+) for (\\S+) from (\\S+)",
                "Failed password for root from 10.0.0.1 port 22"
            ),
            Some(vec!["password".into(), "root".into(), "10.0.0.1".into()])
        );
        assert_eq!(caps("(\\S+)=(\\S+)", "k=v"), Some(vec!["k".into(), "v".into()]));
    }

    #[test]
    fn pcre2_is_case_sensitive_bytes_with_groups() {
        let re = Pcre2::new(r"^(\w+)=(\d+)?x").expect("compile");
        let m = re.find(b"key=x rest").expect("match");
        assert_eq!((m.end, m.captures), (5, vec![b"key".to_vec()]));
        assert!(!Pcre2::new("ERROR").expect("compile").is_match(b"error"));
        assert!(Pcre2::new("(?i)ERROR").expect("compile").is_match(b"error"));
        assert!(Pcre2::new("(unclosed").is_err());
    }

    #[test]
    fn os_regex_end_offsets_follow_wazuh() {
        let re = OsRegex::new("^Agent buffer:", false).expect("compile");
        let found = re.find(b"Agent buffer: 'full'.").expect("match");
        assert_eq!(found.end, "Agent buffer:".len());
        // A class that runs to the end of the pattern does not move the reported end: Wazuh
        // reports the first byte it consumed.
        let re = OsRegex::new("^(\\S+)", true).expect("compile");
        assert_eq!(re.find(b"word").expect("match").end, 1);
        let re = OsRegex::new("^(\\S+) ", true).expect("compile");
        assert_eq!(re.find(b"word rest").expect("match").end, 5);
    }
}
