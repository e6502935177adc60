//! How numbers read on charts and in the report: thousands separators (12,345), a sensible number of
//! digits, percentages that stay meaningful near 0 and 1, and axis ticks at round values.

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
fn significant_decimals(value: f64, digits: i32) -> usize {
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

/// A 95% interval of probabilities, both ends to the same precision: `36.3–38.2%`.
pub fn percent_interval(lower: f64, upper: f64) -> String {
    let decimals = percent_decimals(lower).max(percent_decimals(upper)).max(1);
    format!("{}–{}%", percent_number(lower, decimals), percent_number(upper, decimals))
}

/// Round axis positions covering `[low, high]`: multiples of 1, 2, 2.5 or 5 × 10^k.
#[derive(Debug, Clone, PartialEq)]
pub struct Ticks {
    /// Tick positions, ascending, all within `[low, high]` (up to rounding).
    pub values: Vec<f64>,
    /// Distance between neighbouring ticks.
    pub step: f64,
    /// Decimals needed to print every tick exactly.
    pub decimals: usize,
}

impl Ticks {
    /// The tick labels, with thousands separators.
    pub fn labels(&self) -> Vec<String> {
        self.values.iter().map(|v| with_separators(*v, self.decimals)).collect()
    }
}

/// The ladder of round steps, smallest first, that can cover a range of `span` with no more than
/// a few hundred ticks.
fn step_candidates(span: f64) -> Vec<(f64, usize)> {
    let span = if span.is_finite() && span > 0.0 { span } else { 1.0 };
    let start = (span.log10().floor() as i32) - 3;
    let mut steps = Vec::new();
    for exponent in start..start + 6 {
        let power = 10f64.powi(exponent);
        for (mantissa, extra) in [(1.0, 0), (2.0, 0), (2.5, 1), (5.0, 0)] {
            let decimals = (extra - exponent).max(0) as usize;
            steps.push((mantissa * power, decimals));
        }
    }
    steps
}

/// The finest round ticks over `[low, high]` for which `fits(labels, step)` holds — the caller's
/// check that the labels do not overlap at that spacing. Falls back to the two ends of the range.
pub fn ticks_that_fit(low: f64, high: f64, mut fits: impl FnMut(&[String], f64) -> bool) -> Ticks {
    let (low, high) = if low <= high { (low, high) } else { (high, low) };
    for (step, decimals) in step_candidates(high - low) {
        let first = (low / step - 1e-9).ceil() as i64;
        let last = (high / step + 1e-9).floor() as i64;
        if last < first || last - first > 200 {
            continue;
        }
        let values: Vec<f64> = (first..=last).map(|i| clean(i as f64 * step)).collect();
        let ticks = Ticks { values, step, decimals };
        if fits(&ticks.labels(), step) {
            return ticks;
        }
    }
    let decimals = significant_decimals(high - low, 2);
    Ticks { values: vec![low, high], step: high - low, decimals }
}

/// Removes the float noise of `i × step` (0.30000000000000004 → 0.3) and negative zero.
fn clean(value: f64) -> f64 {
    let rounded = (value * 1e9).round() / 1e9;
    if rounded == 0.0 { 0.0 } else { rounded }
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
    fn ticks_are_round_and_fit() {
        let ticks = ticks_that_fit(0.0, 100_000.0, |labels, _| labels.len() <= 6);
        assert_eq!(ticks.values, vec![0.0, 20_000.0, 40_000.0, 60_000.0, 80_000.0, 100_000.0]);
        assert_eq!(ticks.labels()[1], "20,000");
        let ticks = ticks_that_fit(0.0, 1.0, |labels, _| labels.len() <= 5);
        assert_eq!(ticks.labels(), vec!["0.00", "0.25", "0.50", "0.75", "1.00"]);
        let ticks = ticks_that_fit(3.0, 3.0, |labels, _| labels.len() <= 5);
        assert!(!ticks.values.is_empty());
    }
}
