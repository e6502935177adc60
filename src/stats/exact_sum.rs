//! The exact sum of floats (a Kulisch accumulator): every finite f64 is an integer multiple of
//! 2⁻¹⁰⁷⁴, so a sum of them is a (long) integer, kept here in 32-bit digits. Adding is exact, so
//! the sum does not depend on the order the values came in or how they were split into chunks,
//! threads or shards; [`ExactSum::value`] rounds it once (within one unit in the last place).

/// 32-bit digits: bit positions 0 ..= 2,045 of a float's mantissa, shifted by up to 31, plus room
/// for carries.
const DIGITS: usize = 68;

/// Additions after which the digits are carried (each adds less than 2³² in magnitude to a digit,
/// so 2³⁰ of them cannot overflow an i64).
const CARRY_EVERY: u32 = 1 << 30;

/// An exact running sum of finite floats.
#[derive(Debug, Clone, PartialEq)]
pub struct ExactSum {
    /// Digit i weighs 2^(32·i − 1074); not carried until [`ExactSum::carry`].
    digits: [i64; DIGITS],
    /// Additions since the last carry.
    pending: u32,
}

impl Default for ExactSum {
    fn default() -> Self {
        ExactSum { digits: [0; DIGITS], pending: 0 }
    }
}

/// 2^e for −1022 ≤ e ≤ 1023.
fn pow2(e: i32) -> f64 {
    f64::from_bits(((e + 1023) as u64) << 52)
}

impl ExactSum {
    /// Adds a finite value (NaN and ±∞ are ignored).
    #[inline]
    pub fn add(&mut self, x: f64) {
        if !x.is_finite() || x == 0.0 {
            return;
        }
        let bits = x.to_bits();
        let exponent = ((bits >> 52) & 0x7ff) as usize;
        let fraction = bits & ((1 << 52) - 1);
        // x = mantissa · 2^(position − 1074).
        let (mantissa, position) =
            if exponent == 0 { (fraction, 0) } else { (fraction | 1 << 52, exponent - 1) };
        let shifted = u128::from(mantissa) << (position % 32);
        let first = position / 32;
        let sign = if bits >> 63 == 1 { -1 } else { 1 };
        for k in 0..3 {
            let digit = ((shifted >> (32 * k)) & 0xffff_ffff) as i64;
            if let Some(slot) = self.digits.get_mut(first + k) {
                *slot += sign * digit;
            }
        }
        self.pending += 1;
        if self.pending >= CARRY_EVERY {
            self.carry();
        }
    }

    /// Adds another exact sum.
    pub fn merge(&mut self, other: &ExactSum) {
        self.carry();
        let mut other = other.clone();
        other.carry();
        for (a, b) in self.digits.iter_mut().zip(other.digits) {
            *a += b;
        }
        self.carry();
    }

    /// Carries so every digit but the last is in [0, 2³²): one canonical form per sum.
    fn carry(&mut self) {
        let mut carry = 0;
        for (i, digit) in self.digits.iter_mut().enumerate() {
            *digit += carry;
            if i == DIGITS - 1 {
                break;
            }
            carry = *digit >> 32;
            *digit -= carry << 32;
        }
        self.pending = 0;
    }

    /// The sum, rounded once from its exact value.
    pub fn value(&self) -> f64 {
        let mut sum = self.clone();
        sum.carry();
        let negative = sum.digits[DIGITS - 1] < 0;
        if negative {
            for digit in &mut sum.digits {
                *digit = -*digit;
            }
            sum.carry();
        }
        let Some(top) = sum.digits.iter().rposition(|&d| d != 0) else { return 0.0 };
        // The top three digits (96 bits) round to the nearest double, then scale into place.
        let low = top.saturating_sub(2);
        let mut value = 0.0;
        for i in (low..=top).rev() {
            if let Some(&digit) = sum.digits.get(i) {
                value = value * 4_294_967_296.0 + digit as f64;
            }
        }
        let mut exponent = 32 * low as i32 - 1074;
        while exponent < -1022 {
            value *= pow2(-1022);
            exponent += 1022;
        }
        while exponent > 1023 {
            value *= pow2(1023);
            exponent -= 1023;
        }
        value *= pow2(exponent);
        if negative { -value } else { value }
    }

    /// Appends the sum to `out` (see [`super::codec`]).
    pub fn encode(&self, out: &mut super::codec::Writer) {
        let mut sum = self.clone();
        sum.carry();
        for digit in sum.digits {
            out.u64(digit as u64);
        }
    }

    /// Reads a sum written by [`ExactSum::encode`].
    pub fn decode(input: &mut super::codec::Reader) -> Result<Self, super::codec::DecodeError> {
        let mut sum = ExactSum::default();
        for (i, slot) in sum.digits.iter_mut().enumerate() {
            let digit = input.u64()? as i64;
            if i + 1 < DIGITS && !(0..1 << 32).contains(&digit) {
                return Err(input.invalid("a digit of a sum out of range"));
            }
            *slot = digit;
        }
        if sum.digits[DIGITS - 1].unsigned_abs() > 1 << 40 {
            return Err(input.invalid("a sum out of range"));
        }
        Ok(sum)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_are_exact_whatever_the_order() {
        // 1e16 + 1 − 1e16 is 0 in floats added left to right; exactly 1.
        let mut sum = ExactSum::default();
        for x in [1e16, 1.0, -1e16] {
            sum.add(x);
        }
        assert_eq!(sum.value(), 1.0);
        let values: Vec<f64> =
            (0..5000).map(|i| (f64::from(i) * 0.731).sin() * 10f64.powi(i % 9 - 4)).collect();
        let mut forward = ExactSum::default();
        values.iter().for_each(|&x| forward.add(x));
        let mut merged = ExactSum::default();
        for part in values.chunks(333).rev() {
            let mut s = ExactSum::default();
            part.iter().rev().for_each(|&x| s.add(x));
            merged.merge(&s);
        }
        assert_eq!(merged.value().to_bits(), forward.value().to_bits());
        let naive: f64 = values.iter().sum();
        assert!((forward.value() - naive).abs() <= 1e-9 * naive.abs().max(1.0));
        let mut negative = ExactSum::default();
        for x in [-2.5, -0.25, f64::MIN_POSITIVE / 4.0, 1e300, -1e300] {
            negative.add(x);
        }
        assert_eq!(negative.value(), -2.75 + f64::MIN_POSITIVE / 4.0);
        let mut big = ExactSum::default();
        big.add(f64::MAX);
        big.add(f64::MAX);
        big.add(-f64::MAX);
        assert_eq!(big.value(), f64::MAX);
    }

    #[test]
    fn encoding_round_trips() {
        let mut sum = ExactSum::default();
        for x in [3.25, -1e-300, 7e200] {
            sum.add(x);
        }
        let mut out = super::super::codec::Writer::default();
        sum.encode(&mut out);
        let bytes = out.finish();
        let decoded = ExactSum::decode(&mut super::super::codec::Reader::new(&bytes).unwrap()).unwrap();
        assert_eq!(decoded.value().to_bits(), sum.value().to_bits());
    }
}
