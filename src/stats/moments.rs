//! A mergeable accumulator of count, mean, variance, min and max (Welford; Chan et al. to merge).

/// Running moments of a sequence of values. Merging chunk accumulators in chunk order gives the
/// same bits whatever the thread count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moments {
    /// Values added.
    pub count: u64,
    /// Their mean (0 when empty).
    pub mean: f64,
    /// Σ (x − mean)².
    m2: f64,
    /// Smallest value (+∞ when empty).
    pub min: f64,
    /// Largest value (−∞ when empty).
    pub max: f64,
}

impl Default for Moments {
    fn default() -> Self {
        Moments { count: 0, mean: 0.0, m2: 0.0, min: f64::INFINITY, max: f64::NEG_INFINITY }
    }
}

impl Moments {
    /// Adds one value.
    #[inline]
    pub fn add(&mut self, x: f64) {
        self.count += 1;
        let delta = x - self.mean;
        self.mean += delta / self.count as f64;
        self.m2 += delta * (x - self.mean);
        self.min = self.min.min(x);
        self.max = self.max.max(x);
    }

    /// Adds everything `other` has seen, as if its values had been added after this one's.
    pub fn merge(&mut self, other: &Moments) {
        if other.count == 0 {
            return;
        }
        if self.count == 0 {
            *self = *other;
            return;
        }
        let (n1, n2) = (self.count as f64, other.count as f64);
        let total = n1 + n2;
        let delta = other.mean - self.mean;
        self.mean += delta * n2 / total;
        self.m2 += other.m2 + delta * delta * n1 * n2 / total;
        self.count += other.count;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Sample variance (n − 1 denominator); 0 for fewer than two values.
    pub fn variance(&self) -> f64 {
        if self.count < 2 { 0.0 } else { (self.m2 / (self.count - 1) as f64).max(0.0) }
    }

    /// Sample standard deviation.
    pub fn sd(&self) -> f64 {
        self.variance().sqrt()
    }

    /// Monte Carlo standard error of the mean, sd/√n (0 when empty).
    pub fn standard_error(&self) -> f64 {
        if self.count == 0 { 0.0 } else { self.sd() / (self.count as f64).sqrt() }
    }
}

impl Moments {
    /// Appends the accumulator (five words) to `out`.
    pub fn encode(&self, out: &mut super::codec::Writer) {
        out.u64(self.count);
        for x in [self.mean, self.m2, self.min, self.max] {
            out.f64(x);
        }
    }

    /// Reads an accumulator written by [`Moments::encode`].
    pub fn decode(input: &mut super::codec::Reader) -> Result<Self, super::codec::DecodeError> {
        Ok(Moments {
            count: input.u64()?,
            mean: input.f64()?,
            m2: input.f64()?,
            min: input.f64()?,
            max: input.f64()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_chunks_equal_one_pass() {
        let values: Vec<f64> = (0..1000).map(|i| ((i * 37) % 101) as f64 * 0.1 - 3.0).collect();
        let mut whole = Moments::default();
        values.iter().for_each(|&x| whole.add(x));
        let mut merged = Moments::default();
        for chunk in values.chunks(64) {
            let mut part = Moments::default();
            chunk.iter().for_each(|&x| part.add(x));
            merged.merge(&part);
        }
        let mean = values.iter().sum::<f64>() / 1000.0;
        let variance = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 999.0;
        for m in [whole, merged] {
            assert_eq!(m.count, 1000);
            assert!((m.mean - mean).abs() < 1e-12);
            assert!((m.variance() - variance).abs() < 1e-10);
            assert_eq!((m.min, m.max), (-3.0, 7.0));
        }
    }
}
