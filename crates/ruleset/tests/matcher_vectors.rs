//! The matchers against results recorded from Wazuh's own implementation (see the data file's
//! header): every case must give the same answer, offset and captures.

use oxsec_ruleset::matcher::{OsMatch, OsRegex};

fn answer(kind: &str, pattern: &str, input: &str) -> String {
    if kind == "M" {
        return match OsMatch::new(pattern) {
            Ok(m) => u8::from(m.is_match(input.as_bytes())).to_string(),
            Err(_) => "ERR".into(),
        };
    }
    let captures = kind == "Rc";
    match OsRegex::new(pattern, captures) {
        Err(_) => "ERR".into(),
        Ok(re) => match re.find(input.as_bytes()) {
            None => "NO".into(),
            Some(m) => {
                let mut s = format!("YES {}", m.end);
                if captures {
                    for c in &m.captures {
                        s.push_str(&format!("\t[{}]", String::from_utf8_lossy(c)));
                    }
                }
                s
            }
        },
    }
}

#[test]
fn recorded_wazuh_results_are_reproduced() {
    let data = include_str!("data/os_regex_vectors.tsv");
    let mut wrong = Vec::new();
    let mut total = 0;
    for line in data.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let mut parts = line.splitn(4, '\t');
        let (Some(kind), Some(pattern), Some(input), Some(expected)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            panic!("malformed vector line: {line:?}");
        };
        total += 1;
        let got = answer(kind, pattern, input);
        if got != expected {
            wrong.push(format!(
                "{kind} {pattern:?} on {input:?}: expected {expected:?}, got {got:?}"
            ));
        }
    }
    assert!(total > 2000, "only {total} vectors");
    assert!(
        wrong.is_empty(),
        "{} of {total} differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
