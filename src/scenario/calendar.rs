//! Calendar months: a scenario's `start`, an outcome's `at`, the dates of series.

use std::fmt;

/// A calendar month, e.g. 2024-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    /// The year, e.g. 2024.
    pub year: i32,
    /// The month, 1–12.
    pub month: u32,
}

impl YearMonth {
    /// Parses `YYYY-MM` (four-digit year, two-digit month 01–12). `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        let (year, month) = text.split_once('-')?;
        if year.len() != 4
            || month.len() != 2
            || !year.bytes().chain(month.bytes()).all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let (year, month) = (year.parse().ok()?, month.parse().ok()?);
        (1..=12).contains(&month).then_some(YearMonth { year, month })
    }

    /// The month `months` after this one.
    pub fn plus(self, months: u32) -> Self {
        let index = self.year as i64 * 12 + (self.month as i64 - 1) + months as i64;
        YearMonth { year: index.div_euclid(12) as i32, month: index.rem_euclid(12) as u32 + 1 }
    }

    /// Months from `origin` to this month (negative when before it).
    pub fn months_since(self, origin: YearMonth) -> i64 {
        (self.year as i64 - origin.year as i64) * 12 + self.month as i64 - origin.month as i64
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_counts_months() {
        let start = YearMonth::parse("2024-01").unwrap();
        assert_eq!(start.plus(13).to_string(), "2025-02");
        assert_eq!(YearMonth::parse("2030-01").unwrap().months_since(start), 72);
        for bad in ["2024-13", "2024-1", "24-01", "2024/01", "", "2024-00", "abcd-ef"] {
            assert_eq!(YearMonth::parse(bad), None, "{bad}");
        }
    }
}
