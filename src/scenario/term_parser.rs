//! The term syntax of DESIGN.md §2.3, before names are resolved: `factor * factor * …` where a
//! factor is `name`, `driver=outcome` or `function(name)` (the functions are `term::Function`'s
//! table; the decoder looks the name up). Every piece remembers its byte offset
//! in the term text so errors can point at the exact column.

/// A name and its byte offset in the term text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Word {
    pub text: String,
    pub at: usize,
}

impl Word {
    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.text.len()
    }
}

/// One factor as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RawFactor {
    /// `name`: a numeric driver, a variable, an event, or `month`.
    Name(Word),
    /// `driver=outcome`.
    Is { driver: Word, outcome: Word },
    /// `function(name)`.
    Call { function: Word, argument: Word },
}

/// A syntax error in a term: message, byte offset and length in the term text, help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub message: String,
    pub at: usize,
    pub len: usize,
    pub help: String,
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

struct Lexer<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn skip_space(&mut self) {
        while let Some(b) = self.text.as_bytes().get(self.pos) {
            if b.is_ascii_whitespace() {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_space();
        self.text.as_bytes().get(self.pos).copied()
    }

    fn word(&mut self) -> Option<Word> {
        self.skip_space();
        let start = self.pos;
        while self.text.as_bytes().get(self.pos).is_some_and(|&b| is_name_byte(b)) {
            self.pos += 1;
        }
        (self.pos > start)
            .then(|| Word { text: self.text.get(start..self.pos).unwrap_or("").to_string(), at: start })
    }

    /// Length in bytes of the character at the current position (1 at the end).
    fn char_len(&self) -> usize {
        self.text.get(self.pos..).and_then(|s| s.chars().next()).map_or(1, char::len_utf8)
    }

    fn unexpected(&mut self, expected: &str, help: &str) -> SyntaxError {
        self.skip_space();
        let found = match self.text.get(self.pos..).and_then(|s| s.chars().next()) {
            Some(c) => format!("`{c}`"),
            None => "the end of the term".to_string(),
        };
        SyntaxError {
            message: format!("expected {expected}, found {found}"),
            at: self.pos,
            len: self.char_len(),
            help: help.to_string(),
        }
    }
}

const FORMS: &str = "a factor is `name`, `driver=outcome` or `function(name)`, and factors multiply with `*`";

/// Parses a term's text into its factors.
pub(crate) fn parse(text: &str) -> Result<Vec<RawFactor>, SyntaxError> {
    let mut lexer = Lexer { text, pos: 0 };
    if lexer.peek().is_none() {
        return Err(SyntaxError {
            message: "the term is empty".into(),
            at: 0,
            len: text.len().max(1),
            help: format!("write a term here; {FORMS}"),
        });
    }
    let mut factors = Vec::new();
    loop {
        let Some(head) = lexer.word() else {
            return Err(lexer.unexpected("a name", FORMS));
        };
        let factor = match lexer.peek() {
            Some(b'=') => {
                lexer.pos += 1;
                let Some(outcome) = lexer.word() else {
                    return Err(lexer.unexpected(
                        "an outcome's name after `=`",
                        "write `driver=outcome` with one of the categorical driver's outcomes",
                    ));
                };
                RawFactor::Is { driver: head, outcome }
            }
            Some(b'(') => {
                lexer.pos += 1;
                let Some(argument) = lexer.word() else {
                    return Err(lexer.unexpected("a name inside `(…)`", "write e.g. `ever(armed_clash)`"));
                };
                if lexer.peek() != Some(b')') {
                    return Err(lexer.unexpected("`)`", "close the call with `)`, e.g. `ever(armed_clash)`"));
                }
                lexer.pos += 1;
                RawFactor::Call { function: head, argument }
            }
            _ => RawFactor::Name(head),
        };
        factors.push(factor);
        match lexer.peek() {
            None => return Ok(factors),
            Some(b'*') => lexer.pos += 1,
            Some(_) => return Err(lexer.unexpected("`*` or the end of the term", FORMS)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, at: usize) -> Word {
        Word { text: text.into(), at }
    }

    #[test]
    fn parses_products_of_every_form() {
        let factors = parse("russia_war_exit=collapse * after(exit_month)*tension").unwrap();
        assert_eq!(
            factors,
            vec![
                RawFactor::Is { driver: word("russia_war_exit", 0), outcome: word("collapse", 16) },
                RawFactor::Call { function: word("after", 27), argument: word("exit_month", 33) },
                RawFactor::Name(word("tension", 45)),
            ]
        );
    }

    #[test]
    fn syntax_errors_point_at_the_column() {
        let error = parse("a * * b").unwrap_err();
        assert_eq!((error.at, error.len), (4, 1));
        assert!(error.message.contains("found `*`"), "{error:?}");
        let error = parse("ever(x").unwrap_err();
        assert_eq!(error.at, 6);
        assert!(error.message.contains("end of the term"));
        let error = parse("a + b").unwrap_err();
        assert_eq!(error.at, 2);
        assert_eq!(parse("  ").unwrap_err().message, "the term is empty");
        let error = parse("d=").unwrap_err();
        assert_eq!(error.at, 2);
    }

    #[test]
    fn multibyte_text_never_panics() {
        for text in ["é", "a * é", "ever(é)", "a=é", "a(b)é", "*", "(", ")", "a="] {
            let _ = parse(text);
        }
    }
}
