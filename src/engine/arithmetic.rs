//! The floating-point results of this machine's math library, as a fingerprint.
//!
//! A run is a pure function of (model, seed, run) on one kind of machine. Across machines, the
//! elementary functions a run calls (`exp`, `ln`, `ln_1p` and `powf` come from the C library;
//! statrs' `erfc`, its normal CDF and inverse, and the beta inverse CDF build on them) may differ
//! in their last bit: another C library or version, or the same one choosing another code path for
//! another processor (glibc picks the code of `exp`, `log`, `log1p` and `pow` by whether the
//! processor has FMA). One such bit can flip a draw's comparison and send a run elsewhere, so
//! shards computed on two kinds of machine would not merge into what one machine writes.
//! [`fingerprint`] evaluates those functions at fixed arguments spread over the ranges a run uses
//! and hashes the bits; `run --shard` writes it in shard.json and `merge` refuses shards whose
//! fingerprints differ. Equal fingerprints are evidence, not proof: two libraries could differ only
//! at arguments it does not try.

use std::sync::OnceLock;

use sha2::{Digest, Sha256};
use statrs::distribution::{ContinuousCDF, Normal};

use super::stream::{Stream, StreamId};

/// Arguments tried per function.
const ARGUMENTS: u64 = 1 << 13;

/// The fingerprint of this process's math library: 16 hex digits (computed once per process, in
/// about a millisecond).
pub fn fingerprint() -> &'static str {
    static FINGERPRINT: OnceLock<String> = OnceLock::new();
    FINGERPRINT.get_or_init(compute)
}

fn compute() -> String {
    let mut hasher = Sha256::new();
    let mut record = |value: f64| hasher.update(value.to_bits().to_le_bytes());
    // The arguments: a stream of their own, the same in every process.
    let mut stream = Stream::new(0, 0, StreamId::new("fingerprint", "math library"));
    let mut unit = || stream.uniform();
    for _ in 0..ARGUMENTS {
        // The powers of bargaining (exp of r · ln d), hazards and populations' thinning.
        record((-40.0 + 45.0 * unit()).exp());
        record((1e-12 + 100.0 * unit()).ln());
        record((-0.999_999 + 10.0 * unit()).ln_1p());
        record(unit().powf(5.0 * unit()));
        record(statrs::function::erf::erfc(-6.0 + 12.0 * unit()));
    }
    // The normal CDF and its inverse: normal and lognormal drivers, the copula of correlated ones.
    let normal = Normal::standard();
    for _ in 0..ARGUMENTS / 8 {
        record(normal.cdf(-8.0 + 16.0 * unit()));
        record(normal.inverse_cdf(unit()));
    }
    // The beta inverse CDF of drawn saliences and shares, and of the populations' threshold tables.
    for _ in 0..64 {
        let (alpha, beta) = (0.5 + 9.5 * unit(), 0.5 + 9.5 * unit());
        record(crate::scenario::distribution::inverse_beta(alpha, beta, unit()));
    }
    hasher.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_is_sixteen_hex_digits_and_the_same_each_time() {
        let first = compute();
        assert_eq!(first.len(), 16);
        assert!(first.chars().all(|c| c.is_ascii_hexdigit()), "{first}");
        assert_eq!(fingerprint(), first);
        assert_eq!(compute(), first, "a pure function of this machine's library");
    }
}
