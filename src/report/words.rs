//! Results in plain words, for the summary, the tables and the charts: drivers by their titles
//! rather than identifiers, a driver's bins ("lowest third (≤ 0.66)", a category's name), swings in
//! percentage points or the outcome's unit, months as "December 2033", and the sentences of the
//! summary ("Turkish military intervention: 6.9% in the middle third of Turkey guarantee
//! credibility, 3.3% in its lowest third").
//!
//! Nothing here computes a statistic; it only says what `stats/` found.

use crate::model::Model;
use crate::report::charts::format;
use crate::stats::{BinLabel, DriverSwing, OutcomeEffects};

/// Month names, January first.
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `YYYY-MM` as "December 2033"; anything else unchanged.
pub fn month_in_words(year_month: &str) -> String {
    let parsed = year_month
        .split_once('-')
        .and_then(|(year, month)| Some((year.parse::<i32>().ok()?, month.parse::<usize>().ok()?)));
    match parsed.and_then(|(year, month)| MONTHS.get(month.checked_sub(1)?).map(|name| (year, name))) {
        Some((year, name)) => format!("{name} {year}"),
        None => year_month.to_string(),
    }
}

/// The drivers' names as a reader should see them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DriverNames {
    /// (name, title) in driver order.
    titles: Vec<(String, String)>,
}

impl DriverNames {
    /// The titles of `model`'s drivers: the name with `_` read as spaces and a capital first letter
    /// (`turkey_guarantee_credibility` → "Turkey guarantee credibility").
    pub fn of(model: &Model) -> Self {
        DriverNames { titles: model.drivers.iter().map(|d| (d.name.clone(), humanise(&d.name))).collect() }
    }

    /// The title of driver `name` (its humanised name when unknown).
    pub fn title(&self, name: &str) -> String {
        self.titles.iter().find(|(n, _)| n == name).map_or_else(|| humanise(name), |(_, t)| t.clone())
    }
}

/// `an_identifier` as "An identifier".
pub fn humanise(name: &str) -> String {
    let spaced = name.replace(['_', '-'], " ");
    let mut chars = spaced.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A bin of a driver in words: "lowest third (≤ 0.66)", "middle third (0.66–0.80)", a category.
pub fn bin_label(label: &BinLabel) -> String {
    match label {
        BinLabel::Category(name) => humanise(name).to_lowercase(),
        BinLabel::Range { index, count, above, up_to } => {
            let name = crate::report::range_name(*index, *count);
            match (above, up_to) {
                (None, Some(high)) => format!("{name} (≤ {})", format::number(*high)),
                (Some(low), Some(high)) => {
                    format!("{name} ({}–{})", format::number(*low), format::number(*high))
                }
                (Some(low), None) => format!("{name} (> {})", format::number(*low)),
                (None, None) => name.to_string(),
            }
        }
    }
}

/// A driver being in a bin, without its values: "in its lowest third", "“collapse”".
fn bin_short(label: &BinLabel) -> String {
    match label {
        BinLabel::Category(name) => format!("“{}”", humanise(name).to_lowercase()),
        BinLabel::Range { index, count, .. } => {
            format!("in its {}", crate::report::range_name(*index, *count))
        }
    }
}

/// A swing in percentage points (probabilities) or the outcome's unit.
pub fn swing_value(swing: f64, probability: bool) -> String {
    if probability { format::points(swing) } else { format::number(swing) }
}

/// "swing 3.6 pp", with "(within Monte Carlo error)" when these runs cannot tell it from none.
pub fn swing_label(driver: &DriverSwing, probability: bool) -> String {
    match driver.swing {
        Some(swing) if driver.is_distinguishable() => format!("swing {}", swing_value(swing, probability)),
        Some(swing) => format!("swing {} (within MC error)", swing_value(swing, probability)),
        None => "no swing".to_string(),
    }
}

/// One driver's effect on one outcome in a sentence: "Turkish military intervention: 6.9% when
/// Turkey guarantee credibility is in its middle third, 3.3% when in its lowest third (swing
/// 3.6 pp)".
pub fn effect_sentence(outcome: &OutcomeEffects, driver: &DriverSwing, names: &DriverNames) -> String {
    let estimate = |mean: f64| if outcome.probability { format::percent(mean) } else { format::number(mean) };
    match (driver.bins.get(driver.highest), driver.bins.get(driver.lowest), driver.swing) {
        (Some(high), Some(low), Some(swing)) => format!(
            "{}: {} when {} is {}, {} when {} (swing {})",
            outcome.title,
            estimate(high.mean),
            names.title(&driver.driver),
            bin_short(&high.label),
            estimate(low.mean),
            bin_short(&low.label),
            swing_value(swing, outcome.probability)
        ),
        _ => format!("{}: no driver varies", outcome.title),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_read_as_words() {
        assert_eq!(month_in_words("2033-12"), "December 2033");
        assert_eq!(month_in_words("2024-01"), "January 2024");
        assert_eq!(month_in_words("2024-13"), "2024-13");
        assert_eq!(month_in_words("soon"), "soon");
    }

    #[test]
    fn names_and_bins_read_as_words() {
        assert_eq!(humanise("turkey_guarantee_credibility"), "Turkey guarantee credibility");
        let low = BinLabel::Range { index: 0, count: 3, above: None, up_to: Some(0.6612) };
        assert_eq!(bin_label(&low), "lowest third (≤ 0.661)");
        let middle = BinLabel::Range { index: 1, count: 3, above: Some(0.6612), up_to: Some(0.8) };
        assert_eq!(bin_label(&middle), "middle third (0.661–0.800)");
        assert_eq!(bin_label(&BinLabel::Category("gains".into())), "gains");
    }
}
