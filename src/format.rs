//! Every way crossroads writes a number as text, in one place: messages and the register
//! ([`significant`]), charts, tables and the report ([`number`], [`percent`], [`with_separators`]),
//! signed differences and correlations, and the exact numbers of CSV files ([`write_shortest`]).
//!
//! A leaf module: it uses nothing of the crate, so every stage may use it (the dependency test in
//! `tests/architecture.rs` checks that). Each style is written once here; changing one changes
//! every output that uses it.

use std::fmt::Write as _;

/// A number to `digits` significant digits with trailing zeros dropped; whole numbers without a
/// decimal point; `∞`/`−∞`; `–` for NaN. Messages use 6 digits (`0.123457`), the register 4.
pub fn significant(x: f64, digits: i32) -> String {
    if x.is_nan() {
        return "–".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "∞".into() } else { "−∞".into() };
    }
    if x.fract() == 0.0 && x.abs() < 1e15 {
        return format!("{x:.0}");
    }
    let magnitude = if x == 0.0 { 0 } else { x.abs().log10().floor() as i32 };
    let decimals = (digits - 1 - magnitude).clamp(0, 12) as usize;
    let text = format!("{x:.decimals$}");
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text }
}

/// `x` with `digits` significant digits for the terminal tables, in scientific notation outside
/// 1e-4 … 1e10 (`1.5e-7`); `–` when not finite.
pub fn compact(x: f64, digits: usize) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    if x == 0.0 {
        return "0".into();
    }
    let magnitude = x.abs().log10().floor() as i32;
    if !(-4..=9).contains(&magnitude) {
        return format!("{:.*e}", digits.saturating_sub(1), x);
    }
    let decimals = (digits as i32 - 1 - magnitude).max(0) as usize;
    let text = format!("{x:.decimals$}");
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text }
}

/// `x` with exactly `decimals` decimals and an ASCII minus, as TOML reads it back (`-0.412`); a
/// value that rounds to zero prints without its sign.
pub fn fixed(x: f64, decimals: usize) -> String {
    let text = format!("{x:.decimals$}");
    if text.trim_start_matches('-').chars().all(|c| c == '0' || c == '.') {
        text.trim_start_matches('-').to_string()
    } else {
        text
    }
}

/// A number to 12 decimals with trailing zeros dropped (for sums that miss 1 by a little).
pub fn precise(x: f64) -> String {
    let text = format!("{x:.12}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Appends the shortest text that reads back to the same bits; nothing when `x` is not finite
/// (an undefined value in a CSV file is an empty field).
pub fn write_shortest(buffer: &mut String, x: f64) {
    if x.is_finite() {
        let _ = write!(buffer, "{x}");
    }
}

/// `value` with `decimals` digits after the point and commas between thousands: `12,345.6`.
///
/// Non-finite values print as `–`, so a bad number never prints as `NaN` in a report. `-0` prints
/// as `0`.
pub fn with_separators(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return "–".to_string();
    }
    let text = format!("{:.*}", decimals, value.abs());
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text.as_str(), None),
    };
    let mut grouped = String::with_capacity(text.len() + whole.len() / 3 + 1);
    let digits = whole.len();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (digits - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if let Some(fraction) = fraction {
        grouped.push('.');
        grouped.push_str(fraction);
    }
    let is_zero = text.chars().all(|c| c == '0' || c == '.');
    if value < 0.0 && !is_zero {
        grouped.insert(0, '-');
    }
    grouped
}

/// A count of runs with separators: `10,000`.
pub fn count(value: u64) -> String {
    with_separators(value as f64, 0)
}

/// A measured value with three significant digits, never rounding away whole units:
/// 0.6523 → `0.652`, 47.13 → `47.1`, 12,345.6 → `12,346`.
pub fn number(value: f64) -> String {
    if value.fract() == 0.0 {
        // Counts and other whole values read as such: 4, not 4.00.
        return with_separators(value, 0);
    }
    with_separators(value, significant_decimals(value, 3))
}

/// Decimals that show `value` to `digits` significant digits (at most 6, never negative).
pub fn significant_decimals(value: f64, digits: i32) -> usize {
    if value == 0.0 || !value.is_finite() {
        return 0;
    }
    let magnitude = value.abs().log10().floor() as i32;
    (digits - 1 - magnitude).clamp(0, 6) as usize
}

/// A probability (0–1) as a percentage: one decimal in the middle of the range, more near 0 and 1 so
/// that 0.0004 reads `0.04%`, not `0.0%`.
pub fn percent(probability: f64) -> String {
    format!("{}%", percent_number(probability, percent_decimals(probability)))
}

/// The decimals [`percent`] uses for `probability`.
pub fn percent_decimals(probability: f64) -> usize {
    let distance = probability.min(1.0 - probability);
    if distance <= 0.0 {
        // Exactly 0 or 1: nothing to resolve.
        0
    } else if distance >= 0.01 {
        1
    } else if distance >= 0.001 {
        2
    } else {
        3
    }
}

/// `probability` × 100 with `decimals` digits, no percent sign.
pub fn percent_number(probability: f64, decimals: usize) -> String {
    with_separators(probability * 100.0, decimals)
}

/// A 95% interval of probabilities, both ends to the same precision: `36.3–38.2%`; with more
/// decimals (up to 4) when that precision would print two different ends alike (`1.17–1.21%`,
/// not `1.2–1.2%`).
pub fn percent_interval(lower: f64, upper: f64) -> String {
    let mut decimals = percent_decimals(lower).max(percent_decimals(upper)).max(1);
    while decimals < 4 && lower != upper && percent_number(lower, decimals) == percent_number(upper, decimals)
    {
        decimals += 1;
    }
    format!("{}–{}%", percent_number(lower, decimals), percent_number(upper, decimals))
}

/// A difference of probabilities in percentage points: `3.6 pp`, `-0.42 pp`. One decimal from
/// 1 pp up, two from 0.1 pp, three below (so a small swing never reads `0.0 pp`); exactly 0 is
/// `0 pp`.
pub fn points(difference: f64) -> String {
    let size = difference.abs();
    let decimals = if size == 0.0 {
        0
    } else if size >= 0.01 {
        1
    } else if size >= 0.001 {
        2
    } else {
        3
    };
    format!("{} pp", with_separators(difference * 100.0, decimals))
}

/// A count with its noun, singular or plural: `1 run`, `10,000 runs`.
pub fn counted(value: u64, singular: &str, plural: &str) -> String {
    format!("{} {}", count(value), if value == 1 { singular } else { plural })
}

/// A difference, signed: `+3.12 pp` for probabilities (with `decimals`), `+1,234` otherwise.
pub fn signed_difference(value: f64, probability: bool, decimals: usize) -> String {
    let text =
        if probability { format!("{} pp", with_separators(value * 100.0, decimals)) } else { number(value) };
    if value > 0.0 && value.is_finite() { format!("+{text}") } else { text }
}

/// ρ as printed: two decimals with its sign, a true minus sign for negatives (`+0.62`, `−0.41`);
/// three when two would show a value that is not 0 as `0.00` (`−0.004`), so an interval end just
/// short of 0 does not read as touching it.
pub fn signed_rho(rho: f64) -> String {
    let mut text = format!("{:.2}", rho.abs());
    if text == "0.00" {
        text = format!("{:.3}", rho.abs());
    }
    if text.chars().all(|c| c == '0' || c == '.') {
        text
    } else if rho < 0.0 {
        format!("−{text}")
    } else {
        format!("+{text}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_group_thousands() {
        assert_eq!(with_separators(12345.0, 0), "12,345");
        assert_eq!(with_separators(1234567.891, 2), "1,234,567.89");
        assert_eq!(with_separators(999.0, 0), "999");
        assert_eq!(with_separators(-1000.0, 0), "-1,000");
        assert_eq!(with_separators(-0.0001, 2), "0.00");
        assert_eq!(with_separators(f64::NAN, 2), "–");
        assert_eq!(count(10_000), "10,000");
    }

    #[test]
    fn numbers_keep_three_significant_digits() {
        assert_eq!(number(0.6523), "0.652");
        assert_eq!(number(47.13), "47.1");
        assert_eq!(number(12345.6), "12,346");
        assert_eq!(number(0.0), "0");
        assert_eq!(number(4.0), "4");
        assert_eq!(number(4.2), "4.20");
    }

    #[test]
    fn percentages_resolve_near_the_ends() {
        assert_eq!(percent(0.372), "37.2%");
        assert_eq!(percent(0.0004), "0.040%");
        assert_eq!(percent(0.0042), "0.42%");
        assert_eq!(percent(0.9987), "99.87%");
        assert_eq!(percent(0.9995), "99.950%");
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent_interval(0.3628, 0.3817), "36.3–38.2%");
        assert_eq!(percent_interval(0.0, 0.00038), "0.000–0.038%");
        assert_eq!(percent_interval(0.01167, 0.01208), "1.17–1.21%");
        assert_eq!(percent_interval(0.5, 0.5), "50.0–50.0%");
    }

    #[test]
    fn points_and_plurals() {
        assert_eq!(points(0.036), "3.6 pp");
        assert_eq!(points(0.0042), "0.42 pp");
        assert_eq!(points(-0.0004), "-0.040 pp");
        assert_eq!(points(0.0), "0 pp");
        assert_eq!(counted(1, "run", "runs"), "1 run");
        assert_eq!(counted(10_000, "run", "runs"), "10,000 runs");
        assert_eq!(counted(0, "run", "runs"), "0 runs");
    }

    #[test]
    fn rho_prints_with_its_sign() {
        assert_eq!(signed_rho(0.618), "+0.62");
        assert_eq!(signed_rho(-0.414), "−0.41");
        assert_eq!(signed_rho(-0.004), "−0.004");
        assert_eq!(signed_rho(0.0001), "0.000");
        assert_eq!(signed_rho(0.0), "0.000");
        assert_eq!(signed_rho(1.0), "+1.00");
    }

    #[test]
    fn compact_for_terminal_tables() {
        assert_eq!(compact(0.412345, 3), "0.412");
        assert_eq!(compact(12345.6, 4), "12346");
        assert_eq!(compact(7.0, 4), "7");
        assert_eq!(compact(0.0, 4), "0");
        assert_eq!(compact(-1.23456, 3), "-1.23");
        assert_eq!(compact(f64::NAN, 3), "–");
        assert_eq!(compact(1.5e-7, 2), "1.5e-7");
    }

    #[test]
    fn significant_digits_for_messages_and_the_register() {
        assert_eq!(significant(0.1234567, 6), "0.123457");
        assert_eq!(significant(0.25, 4), "0.25");
        assert_eq!(significant(12345.678, 4), "12346");
        assert_eq!(significant(100000.5, 6), "100000");
        assert_eq!((significant(f64::INFINITY, 6), significant(f64::NAN, 4)), ("∞".into(), "–".into()));
        assert_eq!(precise(0.999999999999), "0.999999999999");
    }
}
