//! The loader never panics: not on random bytes, not on random edits of a valid scenario, not on
//! random `--set` arguments. Each property runs 2000 cases per `cargo test`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "in a test, a panic is a failed test"
)]
use std::path::Path;

use crossroads::scenario::load_str;
use proptest::prelude::*;

const VALID: &str = include_str!("../scenarios/examples/small_complete.toml");

/// Characters that matter to TOML and to terms, plus a few that do not.
const ALPHABET: &[char] = &[
    '[', ']', '{', '}', '"', '\'', '=', ',', '.', '*', '(', ')', '\n', ' ', '#', '-', '+', '_', '0', '1',
    '9', 'e', 'a', 'x', 'é', '–', '\\', '\t', 'i', 'n', 'f',
];

/// One edit of a text (positions are taken modulo its length).
#[derive(Debug, Clone)]
enum Edit {
    DeleteChars {
        at: usize,
        len: usize,
    },
    InsertChars {
        at: usize,
        text: Vec<usize>,
    },
    ReplaceChar {
        at: usize,
        with: usize,
    },
    DeleteLine {
        line: usize,
    },
    DuplicateLine {
        line: usize,
    },
    SwapLines {
        a: usize,
        b: usize,
    },
    /// Replaces a number-looking or word-looking token by one of a few troublesome values.
    ReplaceToken {
        at: usize,
        with: usize,
    },
}

const TOKENS: &[&str] = &[
    "0",
    "-1",
    "1e400",
    "nan",
    "inf",
    "-inf",
    "\"\"",
    "{}",
    "[]",
    "true",
    "9223372036854775807",
    "-9223372036854775808",
    "0.0",
    "1200",
    "1201",
    "\"x\"",
    "{ beta = {} }",
    "\"2024-13\"",
    "2024-01-01",
];

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 1..8usize).prop_map(|(at, len)| Edit::DeleteChars { at, len }),
        (any::<usize>(), prop::collection::vec(any::<usize>(), 1..6))
            .prop_map(|(at, text)| Edit::InsertChars { at, text }),
        (any::<usize>(), any::<usize>()).prop_map(|(at, with)| Edit::ReplaceChar { at, with }),
        any::<usize>().prop_map(|line| Edit::DeleteLine { line }),
        any::<usize>().prop_map(|line| Edit::DuplicateLine { line }),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapLines { a, b }),
        (any::<usize>(), any::<usize>()).prop_map(|(at, with)| Edit::ReplaceToken { at, with }),
    ]
}

fn apply(text: &str, edit: &Edit) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let n = chars.len().max(1);
    let pick = |i: usize| ALPHABET[i % ALPHABET.len()];
    match edit {
        Edit::DeleteChars { at, len } => {
            let start = at % n;
            let end = (start + len).min(chars.len());
            chars.drain(start.min(chars.len())..end);
        }
        Edit::InsertChars { at, text } => {
            let at = (at % n).min(chars.len());
            for (k, c) in text.iter().enumerate() {
                chars.insert(at + k, pick(*c));
            }
        }
        Edit::ReplaceChar { at, with } => {
            if let Some(c) = chars.get_mut(at % n) {
                *c = pick(*with);
            }
        }
        Edit::ReplaceToken { at, with } => {
            let start = at % n;
            let is_token = |c: &char| c.is_alphanumeric() || *c == '.' || *c == '_';
            let len = chars.iter().skip(start).take_while(|c| is_token(c)).count();
            let token: Vec<char> = TOKENS[with % TOKENS.len()].chars().collect();
            chars.splice(start.min(chars.len())..(start + len).min(chars.len()), token);
        }
        Edit::DeleteLine { .. } | Edit::DuplicateLine { .. } | Edit::SwapLines { .. } => {
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            let m = lines.len().max(1);
            match edit {
                Edit::DeleteLine { line } if !lines.is_empty() => {
                    lines.remove(line % m);
                }
                Edit::DuplicateLine { line } if !lines.is_empty() => {
                    let copy = lines[line % m].clone();
                    lines.insert(line % m, copy);
                }
                Edit::SwapLines { a, b } if !lines.is_empty() => lines.swap(a % m, b % m),
                _ => {}
            }
            return lines.join("\n");
        }
    }
    chars.into_iter().collect()
}

fn load(text: &str, overrides: &[String]) {
    // A folder that does not exist: a mutated `extends` can only fail to read its parent.
    let base = Path::new("/nonexistent/crossroads-fuzz");
    match load_str("fuzz.toml", text, base, overrides) {
        Ok(loaded) => {
            // A valid result's resolved text must load back to the same scenario.
            let again = load_str("resolved.toml", &loaded.resolved, base, &[]);
            match again {
                Ok(again) => {
                    assert_eq!(again.scenario, loaded.scenario, "resolved text changed the scenario")
                }
                Err(e) => panic!("resolved text does not load:\n{}\n{}", e.render(), loaded.resolved),
            }
        }
        Err(error) => {
            let text = error.render();
            assert!(text.contains("could not load scenario"), "{text}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        load(&String::from_utf8_lossy(&bytes), &[]);
    }

    #[test]
    fn random_edits_of_a_valid_scenario_never_panic(edits in prop::collection::vec(edit(), 1..5)) {
        let text = edits.iter().fold(VALID.to_string(), |text, e| apply(&text, e));
        load(&text, &[]);
    }

    #[test]
    fn random_overrides_never_panic(
        path in prop::sample::select(vec![
            "scenario.horizon", "drivers.mediator_commitment.beta", "drivers.patron_fate.categorical",
            "variables.tension.links", "issues.border_line.stakes.north", "outcomes.tension_end",
            "drivers", "scenario", "", "a..b", "drivers.nope.x", "populations.displaced.agents",
        ]),
        value in prop::sample::select(TOKENS.to_vec()),
        edits in prop::collection::vec(edit(), 0..2),
    ) {
        let set = edits.iter().fold(format!("{path}={value}"), |text, e| apply(&text, e));
        load(VALID, &[set]);
    }
}
