//! Axis ticks at round values; the number styles of charts and the report are `crate::format`'s,
//! re-exported here for the chart code.

pub use crate::format::{
    count, counted, number, percent, percent_decimals, percent_interval, percent_number, points,
    significant_decimals, with_separators,
};

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
