//! Descriptions of a sample: exact quantiles, Wilson intervals, histograms.

use super::summary::Histogram;

/// z for a two-sided 95% interval: Φ⁻¹(0.975).
pub const Z95: f64 = 1.959_963_984_540_054;

/// Most bins a histogram of a continuous measure gets.
pub const MAX_BINS: usize = 60;

/// Widest range of whole numbers that gets one bin per value.
pub const MAX_INTEGER_BINS: f64 = 120.0;

/// The p-quantile of ascending `sorted` values by linear interpolation between order statistics
/// (Hyndman & Fan type 7, R's default): exact for the sample, no binning. NaN when empty.
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let below = h.floor() as usize;
    let (Some(&lo), Some(&hi)) = (sorted.get(below), sorted.get((below + 1).min(n - 1))) else {
        return f64::NAN;
    };
    lo + (h - below as f64) * (hi - lo)
}

/// The Wilson score interval for `successes` in `n` trials at z = [`Z95`]: (lower, upper).
/// (0, 1) when n = 0.
pub fn wilson(successes: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (n, p) = (n as f64, successes as f64 / n as f64);
    let z2 = Z95 * Z95;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = Z95 / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    let lower = if successes == 0 { 0.0 } else { (centre - half).max(0.0) };
    let upper = if p >= 1.0 { 1.0 } else { (centre + half).min(1.0) };
    (lower, upper)
}

/// A histogram of ascending `sorted` values with deterministic bins: one bin per whole number
/// (edges at k ± 0.5) when `integer` and the range spans at most [`MAX_INTEGER_BINS`] values;
/// otherwise Freedman–Diaconis width 2·IQR/n^⅓ over [min, max] (√n bins when the IQR is 0), at most
/// [`MAX_BINS`] bins. The last bin includes the maximum.
pub fn histogram(sorted: &[f64], integer: bool) -> Histogram {
    let (Some(&min), Some(&max)) = (sorted.first(), sorted.last()) else {
        return Histogram { edges: Vec::new(), counts: Vec::new() };
    };
    let iqr = || quantile(sorted, 0.75) - quantile(sorted, 0.25);
    binned(min, max, sorted.len() as f64, integer, iqr, sorted.iter().map(|&x| (x, 1)))
}

/// The bins [`histogram`] describes, over `n` values from `min` to `max` whose interquartile range
/// `iqr` gives (asked only when the Freedman–Diaconis width needs it), filled from `(value, count)`
/// pairs: one layout for exact values and for a [`super::sketch::Sketch`]'s buckets.
pub(super) fn binned(
    min: f64,
    max: f64,
    n: f64,
    integer: bool,
    iqr: impl FnOnce() -> f64,
    values: impl Iterator<Item = (f64, u64)>,
) -> Histogram {
    let (start, width, bins) = if integer && max - min <= MAX_INTEGER_BINS {
        (min - 0.5, 1.0, (max - min) as usize + 1)
    } else if max > min {
        let iqr = iqr();
        let bins = if iqr > 0.0 { ((max - min) / (2.0 * iqr / n.cbrt())).ceil() } else { n.sqrt().ceil() };
        let bins = (bins as usize).clamp(1, MAX_BINS);
        (min, (max - min) / bins as f64, bins)
    } else {
        (min - 0.5, 1.0, 1)
    };
    let edges = (0..=bins)
        .map(|i| if i == bins && !integer && max > min { max } else { start + i as f64 * width })
        .collect();
    let mut counts = vec![0u64; bins];
    for (x, count) in values {
        let bin = (((x - start) / width).floor().max(0.0) as usize).min(bins - 1);
        if let Some(slot) = counts.get_mut(bin) {
            *slot += count;
        }
    }
    Histogram { edges, counts }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_order_statistics() {
        let xs = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&xs, 0.0), 1.0);
        assert_eq!(quantile(&xs, 0.5), 3.0);
        assert_eq!(quantile(&xs, 0.25), 2.0);
        assert_eq!(quantile(&xs, 0.1), 1.4);
        assert_eq!(quantile(&xs, 1.0), 5.0);
        assert!(quantile(&[], 0.5).is_nan());
    }

    #[test]
    fn wilson_matches_a_textbook_value() {
        // 8 of 10 at 95%: (0.4902, 0.9433) (Wilson 1927; Newcombe 1998 table I).
        let (lo, hi) = wilson(8, 10);
        assert!((lo - 0.4902).abs() < 1e-4 && (hi - 0.9433).abs() < 1e-4, "{lo} {hi}");
        assert_eq!(wilson(0, 0), (0.0, 1.0));
        let (lo, hi) = wilson(0, 100);
        assert_eq!(lo, 0.0);
        assert!(hi > 0.0 && hi < 0.05);
    }

    #[test]
    fn histograms_count_every_value_once() {
        let xs: Vec<f64> = (0..1000).map(|i| (i as f64 / 10.0).sin()).collect();
        let mut sorted = xs.clone();
        sorted.sort_by(f64::total_cmp);
        let h = histogram(&sorted, false);
        assert_eq!(h.edges.len(), h.counts.len() + 1);
        assert_eq!(h.counts.iter().sum::<u64>(), 1000);
        assert_eq!(h.edges.first(), sorted.first());
        assert_eq!(h.edges.last(), sorted.last());
        let months = [3.0, 3.0, 4.0, 7.0];
        let h = histogram(&months, true);
        assert_eq!(h.counts, vec![2, 1, 0, 0, 1]);
        assert_eq!(h.edges.first(), Some(&2.5));
        let constant = histogram(&[2.0, 2.0], false);
        assert_eq!(constant.counts, vec![2]);
    }
}
