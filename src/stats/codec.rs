//! The binary form of statistics state in a shard result (`state.bin`): little-endian u64 words,
//! floats as their bits (so NaN, ±∞ and every last bit survive), behind a magic line and a
//! format version, closed by the byte length of everything before it. A truncated or altered file
//! is a [`DecodeError`], never a panic or a wrong number.

use thiserror::Error;

/// The first bytes of every state file.
const MAGIC: &[u8; 16] = b"crossroads-state";

/// The layout version: bumped whenever what is written changes.
pub const FORMAT: u64 = 1;

/// Why a state file could not be read.
#[derive(Debug, Error, PartialEq)]
pub enum DecodeError {
    /// Not a state file.
    #[error("it is not a crossroads state file")]
    NotState,
    /// Written by another layout.
    #[error("it has state format {found}, this crossroads reads format {FORMAT}")]
    Format {
        /// The format in the file.
        found: u64,
    },
    /// Shorter than it says it is.
    #[error("it is truncated ({found} bytes, {expected} expected)")]
    Truncated {
        /// Bytes in the file.
        found: usize,
        /// Bytes it should have.
        expected: usize,
    },
    /// A value that cannot be right.
    #[error("it is damaged: {0}")]
    Invalid(String),
}

/// Builds a state file.
#[derive(Debug, Default)]
pub struct Writer {
    bytes: Vec<u8>,
}

impl Writer {
    /// Appends a u64.
    pub fn u64(&mut self, x: u64) {
        if self.bytes.is_empty() {
            self.bytes.extend_from_slice(MAGIC);
            self.bytes.extend_from_slice(&FORMAT.to_le_bytes());
        }
        self.bytes.extend_from_slice(&x.to_le_bytes());
    }

    /// Appends a float's bits.
    pub fn f64(&mut self, x: f64) {
        self.u64(x.to_bits());
    }

    /// Appends a length and the floats.
    pub fn floats(&mut self, xs: &[f64]) {
        self.u64(xs.len() as u64);
        for &x in xs {
            self.f64(x);
        }
    }

    /// The finished bytes: header, words, and the length of both as the last word.
    pub fn finish(mut self) -> Vec<u8> {
        self.u64(0);
        self.bytes.truncate(self.bytes.len() - 8);
        let length = self.bytes.len() as u64;
        self.bytes.extend_from_slice(&length.to_le_bytes());
        self.bytes
    }
}

/// Reads a state file written by [`Writer`].
#[derive(Debug)]
pub struct Reader<'a> {
    words: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Checks the header, format and closing length.
    pub fn new(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        if bytes.len() < MAGIC.len() || !bytes.starts_with(MAGIC) {
            return Err(DecodeError::NotState);
        }
        let header = MAGIC.len() + 8;
        if bytes.len() < header + 8 {
            return Err(DecodeError::Truncated { found: bytes.len(), expected: header + 8 });
        }
        let format = word(bytes.get(MAGIC.len()..header).unwrap_or(&[]));
        if format != FORMAT {
            return Err(DecodeError::Format { found: format });
        }
        let (content, last) = bytes.split_at(bytes.len() - 8);
        let expected = word(last);
        if expected != content.len() as u64 || content.len() % 8 != 0 {
            return Err(DecodeError::Truncated {
                found: bytes.len(),
                expected: usize::try_from(expected).map_or(usize::MAX, |e| e.saturating_add(8)),
            });
        }
        Ok(Reader { words: content.get(header..).unwrap_or(&[]) })
    }

    /// The next u64.
    pub fn u64(&mut self) -> Result<u64, DecodeError> {
        let (head, rest) = self.words.split_at_checked(8).ok_or_else(|| self.invalid("it ends early"))?;
        self.words = rest;
        Ok(word(head))
    }

    /// The next float.
    pub fn f64(&mut self) -> Result<f64, DecodeError> {
        Ok(f64::from_bits(self.u64()?))
    }

    /// A length of items of `item_bytes` each, checked against what is left.
    pub fn len(&mut self, item_bytes: usize) -> Result<usize, DecodeError> {
        let len = self.u64()?;
        usize::try_from(len)
            .ok()
            .filter(|&len| len.checked_mul(item_bytes).is_some_and(|total| total <= self.words.len()))
            .ok_or_else(|| self.invalid("a length longer than the file"))
    }

    /// Floats written by [`Writer::floats`].
    pub fn floats(&mut self) -> Result<Vec<f64>, DecodeError> {
        let len = self.len(8)?;
        (0..len).map(|_| self.f64()).collect()
    }

    /// Fails unless everything was read.
    pub fn end(&self) -> Result<(), DecodeError> {
        if self.words.is_empty() { Ok(()) } else { Err(self.invalid("it has bytes after the end")) }
    }

    /// A [`DecodeError::Invalid`].
    pub fn invalid(&self, what: &str) -> DecodeError {
        DecodeError::Invalid(what.to_string())
    }
}

/// Eight little-endian bytes as a u64 (shorter slices are zero-padded).
fn word(bytes: &[u8]) -> u64 {
    let mut buffer = [0u8; 8];
    for (slot, byte) in buffer.iter_mut().zip(bytes) {
        *slot = *byte;
    }
    u64::from_le_bytes(buffer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_damage() {
        let mut w = Writer::default();
        w.u64(7);
        w.floats(&[1.5, f64::NAN, f64::NEG_INFINITY]);
        let bytes = w.finish();
        let mut r = Reader::new(&bytes).unwrap();
        assert_eq!(r.u64().unwrap(), 7);
        let xs = r.floats().unwrap();
        assert_eq!((xs[0], xs[1].is_nan(), xs[2]), (1.5, true, f64::NEG_INFINITY));
        r.end().unwrap();
        for cut in [0, 10, 24, 40, bytes.len() - 1] {
            assert!(Reader::new(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        assert_eq!(Reader::new(b"something else entirely").unwrap_err(), DecodeError::NotState);
        let mut r = Reader::new(&bytes).unwrap();
        r.u64().unwrap();
        assert!(r.end().is_err());
    }
}
