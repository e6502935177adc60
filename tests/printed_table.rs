//! The table `crossroads run` prints, in the report's number style (snapshot): percentages with the
//! report's decimals and intervals (`34.9–36.8%`), three significant digits with thousands
//! separators, counts with singular or plural, the same words as report.html.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "in a test, a panic is a failed test"
)]
mod common;

use common::sample;

#[test]
fn the_printed_table_uses_the_shared_number_style() {
    let table = crossroads::report::table::outcome_table(&sample::summary());
    // No number in the compact style of before: "95.2% – 96%" or a bare "1281".
    assert!(!table.contains("% – "), "{table}");
    insta::assert_snapshot!(table);
}
