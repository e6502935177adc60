//! The CSV files of a result (runs.csv, series.csv, sensitivity.csv, drivers.csv,
//! differences.csv), written through the `csv` crate: it quotes a field when it holds a comma, a
//! quote or a line break, and ends each row with `\n`. Numbers are the exact numbers of
//! `format::write_shortest` (the shortest text that reads back to the same bits), an undefined
//! value an empty field.
//!
//! Every row has as many fields as the first (the crate refuses another count). Owns only the
//! file format; which rows and columns a file has is its writer's business.

use std::fmt::Write as _;
use std::io::Write;

use crate::format::write_shortest;

/// A CSV file being written row by row: fields, then [`CsvWriter::end_row`].
#[derive(Debug)]
pub struct CsvWriter<W: Write> {
    writer: csv::Writer<W>,
    /// The text of the number being written (reused: no allocation per field).
    number: String,
}

impl<W: Write> CsvWriter<W> {
    /// A writer onto `inner`, with `\n` line ends.
    pub fn new(inner: W) -> Self {
        let writer = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(inner);
        CsvWriter { writer, number: String::new() }
    }

    /// A text field, quoted when it needs to be.
    pub fn text(&mut self, text: &str) -> csv::Result<()> {
        self.writer.write_field(text)
    }

    /// A number in its shortest exact form; an empty field when not finite (undefined).
    pub fn number(&mut self, x: f64) -> csv::Result<()> {
        self.number.clear();
        write_shortest(&mut self.number, x);
        self.writer.write_field(&self.number)
    }

    /// A whole number (a run index, a count, a month).
    pub fn integer(&mut self, n: u64) -> csv::Result<()> {
        self.number.clear();
        let _ = write!(self.number, "{n}");
        self.writer.write_field(&self.number)
    }

    /// An empty field.
    pub fn empty(&mut self) -> csv::Result<()> {
        self.writer.write_field("")
    }

    /// A whole row of text fields (a header).
    pub fn row<'a>(&mut self, fields: impl IntoIterator<Item = &'a str>) -> csv::Result<()> {
        self.writer.write_record(fields)
    }

    /// Ends the current row.
    pub fn end_row(&mut self) -> csv::Result<()> {
        self.writer.write_record(None::<&[u8]>)
    }

    /// Writes out what is buffered and flushes the file.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_what_needs_it_and_writes_exact_numbers() {
        let mut bytes = Vec::new();
        let mut csv = CsvWriter::new(&mut bytes);
        csv.row(["outcome", "value", "runs"]).unwrap();
        for (name, x, n) in
            [("war, again", 0.1 + 0.2, 7), ("say \"no\"", f64::NAN, 0), ("line\nbreak", 1e-7, 1)]
        {
            csv.text(name).unwrap();
            csv.number(x).unwrap();
            csv.integer(n).unwrap();
            csv.end_row().unwrap();
        }
        csv.text("a").unwrap();
        csv.empty().unwrap();
        csv.empty().unwrap();
        csv.end_row().unwrap();
        csv.flush().unwrap();
        drop(csv);
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "outcome,value,runs\n\"war, again\",0.30000000000000004,7\n\"say \"\"no\"\"\",,0\n\
             \"line\nbreak\",0.0000001,1\na,,\n"
        );
    }

    #[test]
    fn a_row_of_another_length_is_refused() {
        let mut csv = CsvWriter::new(Vec::new());
        csv.row(["a", "b"]).unwrap();
        csv.text("short").unwrap();
        assert!(csv.end_row().is_err());
    }
}
