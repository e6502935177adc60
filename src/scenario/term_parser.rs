//! The term syntax of DESIGN.md §2.3, before names are resolved: `factor * factor * …` where a
//! factor is `name`, `driver=outcome` or `function(name)`, a call perhaps with numbers after its
//! name, `function(name, 0, 11)` (the functions are `term::Function`'s table; the decoder looks the
//! name up and checks the numbers). Every piece remembers its byte offset in the term text so
//! errors can point at the exact column.

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

/// A number as written in a call (`12`, `-1`, `2.5`) and its byte offset in the term text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Number {
    pub value: f64,
    pub at: usize,
    /// Length in bytes as written.
    pub len: usize,
}

/// One factor as written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RawFactor {
    /// `name`: a numeric driver, a variable, an event, or `month`.
    Name(Word),
    /// `driver=outcome`.
    Is { driver: Word, outcome: Word },
    /// `function(name)` or `function(name, number, …)`.
    Call { function: Word, argument: Word, numbers: Vec<Number> },
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

    /// A number: the longest run of digits, signs, `.`, `e` and `E`, read as a finite float.
    fn number(&mut self) -> Result<Number, SyntaxError> {
        const HELP: &str = "write months since start as numbers, e.g. `count(armed_clash, 0, 11)`";
        self.skip_space();
        let start = self.pos;
        while self
            .text
            .as_bytes()
            .get(self.pos)
            .is_some_and(|&b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
        {
            self.pos += 1;
        }
        let text = self.text.get(start..self.pos).unwrap_or("");
        match text.parse::<f64>() {
            Ok(value) if value.is_finite() => Ok(Number { value, at: start, len: self.pos - start }),
            _ if text.is_empty() => Err(self.unexpected("a number after `,`", HELP)),
            _ => Err(SyntaxError {
                message: format!("`{text}` is not a finite number"),
                at: start,
                len: text.len(),
                help: HELP.to_string(),
            }),
        }
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

const FORMS: &str = "a factor is `name`, `driver=outcome`, `function(name)` or `function(name, from, to)`, and factors multiply with `*`";

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
                let mut numbers = Vec::new();
                while lexer.peek() == Some(b',') {
                    lexer.pos += 1;
                    numbers.push(lexer.number()?);
                }
                if lexer.peek() != Some(b')') {
                    return Err(lexer.unexpected(
                        "`,` or `)`",
                        "close the call with `)`, e.g. `ever(armed_clash)` or `count(armed_clash, 0, 11)`",
                    ));
                }
                lexer.pos += 1;
                RawFactor::Call { function: head, argument, numbers }
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
                RawFactor::Call {
                    function: word("after", 27),
                    argument: word("exit_month", 33),
                    numbers: vec![]
                },
                RawFactor::Name(word("tension", 45)),
            ]
        );
    }

    #[test]
    fn calls_take_numbers_after_the_name() {
        let factors = parse("count(clash, 0,11 ) * count( clash ,-1, 2.5e1)").unwrap();
        let numbers = |factor: &RawFactor| match factor {
            RawFactor::Call { numbers, .. } => {
                numbers.iter().map(|n| (n.value, n.at, n.len)).collect::<Vec<_>>()
            }
            _ => panic!("{factor:?}"),
        };
        assert_eq!(numbers(&factors[0]), vec![(0.0, 13, 1), (11.0, 15, 2)]);
        assert_eq!(numbers(&factors[1]), vec![(-1.0, 36, 2), (25.0, 40, 5)]);
        let error = parse("count(clash, x)").unwrap_err();
        assert_eq!((error.at, error.message.as_str()), (13, "expected a number after `,`, found `x`"));
        let error = parse("count(clash, 1 2)").unwrap_err();
        assert_eq!(error.at, 15);
        let error = parse("count(clash, 1e999)").unwrap_err();
        assert_eq!((error.at, error.len, error.message.as_str()), (13, 5, "`1e999` is not a finite number"));
        assert_eq!(parse("count(clash, 1.5.3)").unwrap_err().message, "`1.5.3` is not a finite number");
        assert!(parse("count(clash,)").is_err());
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
        for text in
            ["é", "a * é", "ever(é)", "a=é", "a(b)é", "*", "(", ")", "a=", "a(b, é)", "a(b, 1é)", "a(b,"]
        {
            let _ = parse(text);
        }
    }
}
