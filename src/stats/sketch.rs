//! A mergeable quantile summary: a log-linear histogram of integer counts (the idea of
//! HdrHistogram, keyed directly by a float's bits).
//!
//! Every value falls in the bucket named by its sign, its binary exponent and the top
//! [`MANTISSA_BITS`] bits of its mantissa, so each power-of-two range holds 2⁸ buckets of equal
//! width. A bucket is represented by its end nearest zero, which is within a factor 2⁻⁸ (0.39%) of
//! every value in it: [`RELATIVE_ERROR`]. Zero and the whole numbers up to 511 have buckets of their
//! own and come back exactly.
//!
//! Counts are integers, so merging is exact and associative: the same runs give the same sketch
//! however they were split into chunks, threads or shards. Memory grows with the number of distinct
//! buckets hit (at most 2⁸ per power of two the values span), never with the number of values.

use std::collections::BTreeMap;

use super::describe;
use super::summary::Histogram;

/// Mantissa bits that name a bucket: 2⁸ buckets per power of two.
pub const MANTISSA_BITS: u32 = 8;

/// The largest relative distance between a value and its bucket's representative: 2⁻⁸.
pub const RELATIVE_ERROR: f64 = 1.0 / (1u64 << MANTISSA_BITS) as f64;

/// Bits of the order-preserving 64-bit form of a float below the bucket key.
const DROPPED_BITS: u32 = 52 - MANTISSA_BITS;

/// Integer counts of values per log-linear bucket.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sketch {
    /// Bucket key (ascending in value) → values counted in it.
    buckets: BTreeMap<u32, u64>,
    /// Values counted.
    count: u64,
}

/// A float as a u64 that sorts like the float (−0 is taken as +0).
fn ordered(x: f64) -> u64 {
    let bits = (x + 0.0).to_bits();
    if bits >> 63 == 1 { !bits } else { bits | 1 << 63 }
}

/// The float whose [`ordered`] form is `key`.
fn from_ordered(key: u64) -> f64 {
    f64::from_bits(if key >> 63 == 1 { key & !(1 << 63) } else { !key })
}

impl Sketch {
    /// Counts one finite value (NaN and ±∞ are not counted).
    #[inline]
    pub fn add(&mut self, x: f64) {
        if x.is_finite() {
            *self.buckets.entry((ordered(x) >> DROPPED_BITS) as u32).or_insert(0) += 1;
            self.count += 1;
        }
    }

    /// Adds everything `other` counted.
    pub fn merge(&mut self, other: &Sketch) {
        for (&key, &count) in &other.buckets {
            *self.buckets.entry(key).or_insert(0) += count;
        }
        self.count += other.count;
    }

    /// Values counted.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The value a bucket stands for: its end nearest zero.
    fn representative(key: u32) -> f64 {
        let low = from_ordered(u64::from(key) << DROPPED_BITS);
        let high = from_ordered((u64::from(key) << DROPPED_BITS) | ((1 << DROPPED_BITS) - 1));
        if low.abs() <= high.abs() { low } else { high }
    }

    /// (representative, count) of every non-empty bucket, ascending.
    pub fn buckets(&self) -> impl Iterator<Item = (f64, u64)> + '_ {
        self.buckets.iter().map(|(&key, &count)| (Self::representative(key), count))
    }

    /// The representative of the value of rank `rank` (0-based) in ascending order.
    fn order_statistic(&self, rank: u64) -> f64 {
        let mut seen = 0;
        for (value, count) in self.buckets() {
            seen += count;
            if rank < seen {
                return value;
            }
        }
        f64::NAN
    }

    /// The p-quantile as [`super::describe::quantile`] computes it (type 7), from the buckets'
    /// representatives: within [`RELATIVE_ERROR`] of the larger magnitude of the two order
    /// statistics it interpolates between. NaN when empty.
    pub fn quantile(&self, p: f64) -> f64 {
        if self.count == 0 {
            return f64::NAN;
        }
        let h = (self.count - 1) as f64 * p.clamp(0.0, 1.0);
        let below = h.floor() as u64;
        let lo = self.order_statistic(below);
        let hi = self.order_statistic((below + 1).min(self.count - 1));
        lo + (h - below as f64) * (hi - lo)
    }

    /// The histogram [`super::describe::histogram`] would draw, with every bucket's count placed
    /// at its representative; `min` and `max` are the exact extremes.
    pub fn histogram(&self, min: f64, max: f64, integer: bool) -> Histogram {
        if self.count == 0 {
            return Histogram { edges: Vec::new(), counts: Vec::new() };
        }
        let iqr = || self.quantile(0.75) - self.quantile(0.25);
        describe::binned(min, max, self.count as f64, integer, iqr, self.buckets())
    }

    /// Appends the sketch to `out` (see [`super::codec`]).
    pub fn encode(&self, out: &mut super::codec::Writer) {
        out.u64(self.buckets.len() as u64);
        for (&key, &count) in &self.buckets {
            out.u64(u64::from(key));
            out.u64(count);
        }
    }

    /// Reads a sketch written by [`Sketch::encode`].
    pub fn decode(input: &mut super::codec::Reader) -> Result<Self, super::codec::DecodeError> {
        let len = input.len(16)?;
        let mut sketch = Sketch::default();
        for _ in 0..len {
            let key = u32::try_from(input.u64()?).map_err(|_| input.invalid("a bucket key out of range"))?;
            let count = input.u64()?;
            sketch.buckets.insert(key, count);
            sketch.count += count;
        }
        Ok(sketch)
    }
}

#[cfg(test)]
mod tests {
    use super::super::describe::quantile;
    use super::*;

    #[test]
    fn buckets_keep_order_and_whole_numbers() {
        let mut sketch = Sketch::default();
        for x in [3.0, -2.0, 0.0, -0.0, 511.0, 7.0, 7.0] {
            sketch.add(x);
        }
        sketch.add(f64::NAN);
        let buckets: Vec<(f64, u64)> = sketch.buckets().collect();
        assert_eq!(buckets, vec![(-2.0, 1), (0.0, 2), (3.0, 1), (7.0, 2), (511.0, 1)]);
        assert_eq!(sketch.count(), 7);
    }

    #[test]
    fn quantiles_are_within_the_stated_error() {
        let values: Vec<f64> =
            (0..20_000).map(|i| ((i * 7919) % 20_000) as f64 / 37.0 - 100.0 + (i as f64).sin()).collect();
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        let mut whole = Sketch::default();
        values.iter().for_each(|&x| whole.add(x));
        // Split in uneven parts and merged in another order: the same sketch.
        let mut merged = Sketch::default();
        for part in values.chunks(999).rev() {
            let mut s = Sketch::default();
            part.iter().for_each(|&x| s.add(x));
            merged.merge(&s);
        }
        assert_eq!(merged, whole);
        for p in [0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0] {
            let (exact, approximate) = (quantile(&sorted, p), whole.quantile(p));
            let h = (sorted.len() - 1) as f64 * p;
            let scale = sorted[h.floor() as usize].abs().max(sorted[h.ceil() as usize].abs());
            assert!((exact - approximate).abs() <= RELATIVE_ERROR * scale, "p {p}: {exact} vs {approximate}");
        }
        let histogram = whole.histogram(sorted[0], sorted[sorted.len() - 1], false);
        assert_eq!(histogram.counts.iter().sum::<u64>(), 20_000);
    }

    #[test]
    fn encoding_round_trips() {
        let mut sketch = Sketch::default();
        for i in 0..1000 {
            sketch.add(f64::from(i) * 0.37 - 50.0);
        }
        let mut out = super::super::codec::Writer::default();
        sketch.encode(&mut out);
        let bytes = out.finish();
        let mut input = super::super::codec::Reader::new(&bytes).unwrap();
        assert_eq!(Sketch::decode(&mut input).unwrap(), sketch);
    }
}
