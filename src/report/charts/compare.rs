//! The charts of a comparison (`crossroads compare`, DESIGN.md §5): the run charts' figures with one
//! layer per scenario — grouped probability bars, overlaid histograms and cumulative distributions,
//! overlaid fan charts — and the paired differences against the baseline with their 95% intervals.

use std::path::Path;

use super::run::{Names, is_first, value_axis_from};
use super::{
    CdfFigure, Chart, ChartError, ChartKind, CurveLayer, DifferenceFigure, DifferenceRow, FanFigure,
    FanLayer, HistogramFigure, HistogramLayer, ProbabilityFigure, ProbabilityGroup, TimeToEventFigure,
    file_stem, format, write_chart,
};
use crate::scenario::YearMonth;
use crate::stats::paired::{Comparison, OutcomeComparison, PairedDifference};
use crate::stats::{OutcomeStatistics, OutcomeSummary};

/// Most bars (outcomes × scenarios) or difference rows on one chart; more go on further pages.
pub const MAX_ROWS: usize = 24;

/// Writes every chart of a comparison into `dir/charts/` (created if missing), PNG and SVG:
/// `probabilities` (all 0/1 outcomes, a bar per scenario) and `probability_differences` (their
/// paired differences, percentage points), each split into pages `_2`, `_3`… beyond [`MAX_ROWS`];
/// then per outcome in comparison order: for numeric outcomes `<outcome>` (overlaid histograms),
/// `<outcome>_cdf` and `<outcome>_difference`; for outcomes with a time-to-event curve
/// `<outcome>_by_month` (overlaid curves); for other series outcomes `<outcome>_series` (overlaid
/// fans).
///
/// Returns the charts in that order, each with its SVG text for report.html.
pub fn write_compare_charts(comparison: &Comparison, dir: &Path) -> Result<Vec<Chart>, ChartError> {
    let folder = dir.join("charts");
    std::fs::create_dir_all(&folder).map_err(|source| ChartError::Io { path: folder.clone(), source })?;
    let mut names = Names::default();
    let mut charts = Vec::new();
    for figure in probability_figures(comparison) {
        let name = names.claim("probabilities");
        charts.push(write_chart(&figure, &folder, &name, ChartKind::Probability, None)?);
    }
    for figure in probability_difference_figures(comparison) {
        let name = names.claim("probability_differences");
        charts.push(write_chart(&figure, &folder, &name, ChartKind::Difference, None)?);
    }
    for outcome in &comparison.outcomes {
        let stem = file_stem(&outcome.name);
        if !outcome.probability {
            let layers = numeric_layers(comparison, outcome);
            if !layers.is_empty() {
                let histogram = histogram_for(comparison, outcome, layers.clone());
                let name = names.claim(&stem);
                charts.push(write_chart(
                    &histogram,
                    &folder,
                    &name,
                    ChartKind::Histogram,
                    Some(&outcome.name),
                )?);
                let cdf = cdf_for(comparison, outcome, layers);
                let name = names.claim(&format!("{stem}_cdf"));
                charts.push(write_chart(&cdf, &folder, &name, ChartKind::Cdf, Some(&outcome.name))?);
            }
            if let Some(figure) = difference_for(comparison, outcome) {
                let name = names.claim(&format!("{stem}_difference"));
                charts.push(write_chart(
                    &figure,
                    &folder,
                    &name,
                    ChartKind::Difference,
                    Some(&outcome.name),
                )?);
            }
        }
        if let Some(figure) = time_to_event_for(comparison, outcome) {
            let name = names.claim(&format!("{stem}_by_month"));
            charts.push(write_chart(&figure, &folder, &name, ChartKind::TimeToEvent, Some(&outcome.name))?);
        }
        let curve_instead = outcome.probability
            && outcome.scenarios.iter().any(|s| s.summary.as_ref().is_some_and(|o| o.by_month.is_some()));
        if let Some(figure) = fan_for(comparison, outcome).filter(|_| !curve_instead) {
            let name = names.claim(&format!("{stem}_series"));
            charts.push(write_chart(&figure, &folder, &name, ChartKind::Fan, Some(&outcome.name))?);
        }
    }
    Ok(charts)
}

/// The labels of the scenarios, in order.
fn labels(comparison: &Comparison) -> Vec<String> {
    comparison.scenarios.iter().map(|s| s.label.clone()).collect()
}

/// "N runs per scenario · seed S".
fn runs_and_seed(comparison: &Comparison) -> String {
    format!("{} runs per scenario · seed {}", format::count(comparison.runs), comparison.seed)
}

/// The first scenario's statistics of the outcome (for measure, month, unit).
fn first_summary(outcome: &OutcomeComparison) -> Option<&OutcomeSummary> {
    outcome.scenarios.iter().find_map(|s| s.summary.as_ref())
}

/// Grouped bars of every 0/1 outcome, one bar per scenario, in pages of at most [`MAX_ROWS`] bars.
pub fn probability_figures(comparison: &Comparison) -> Vec<ProbabilityFigure<'_>> {
    let groups: Vec<ProbabilityGroup<'_>> = comparison
        .outcomes
        .iter()
        .filter(|o| o.probability)
        .map(|outcome| ProbabilityGroup {
            label: outcome.title.clone(),
            bars: outcome
                .scenarios
                .iter()
                .map(|s| match s.summary.as_ref().map(|o| &o.statistics) {
                    Some(OutcomeStatistics::Probability(p)) => Some(p),
                    _ => None,
                })
                .collect(),
        })
        .collect();
    let per_page = (MAX_ROWS / comparison.scenarios.len().max(1)).max(1);
    let pages = groups.len().div_ceil(per_page);
    let mut figures = Vec::new();
    let mut groups = groups.into_iter();
    for page in 1..=pages {
        let title = match pages {
            1 => "Probabilities side by side".to_string(),
            _ => format!("Probabilities side by side ({page} of {pages})"),
        };
        figures.push(ProbabilityFigure {
            title,
            subtitle: format!("95% Wilson intervals · {}", runs_and_seed(comparison)),
            series: labels(comparison),
            groups: groups.by_ref().take(per_page).collect(),
        });
    }
    figures
}

/// A difference row when its estimate and interval are numbers.
fn row(label: String, difference: &PairedDifference, series: usize) -> Option<DifferenceRow> {
    let (estimate, lower, upper) = (difference.difference, difference.lower, difference.upper);
    [estimate, lower, upper].iter().all(|x| x.is_finite()).then_some(DifferenceRow {
        label,
        estimate,
        lower,
        upper,
        series,
    })
}

/// The paired differences in probability of every 0/1 outcome against the baseline, in pages of at
/// most [`MAX_ROWS`] rows. Empty when there are none.
pub fn probability_difference_figures(comparison: &Comparison) -> Vec<DifferenceFigure> {
    let several = comparison.scenarios.len() > 2;
    let rows: Vec<DifferenceRow> = comparison
        .outcomes
        .iter()
        .filter(|o| o.probability)
        .flat_map(|outcome| {
            outcome.differences.iter().enumerate().filter_map(move |(index, d)| {
                let label = if several {
                    format!("{} · {}", outcome.title, d.scenario)
                } else {
                    outcome.title.clone()
                };
                row(label, d.difference.as_ref()?, index + 1)
            })
        })
        .collect();
    let pages = rows.len().div_ceil(MAX_ROWS);
    let others = comparison.scenarios.iter().skip(1).map(|s| s.label.as_str()).collect::<Vec<_>>();
    let versus = match others.as_slice() {
        [one] => format!("{one} − {}", comparison.baseline),
        _ => format!("each scenario − {}", comparison.baseline),
    };
    rows.chunks(MAX_ROWS)
        .enumerate()
        .map(|(page, rows)| DifferenceFigure {
            title: match pages {
                1 => format!("Difference in probability: {versus}"),
                _ => format!("Difference in probability: {versus} ({} of {pages})", page + 1),
            },
            subtitle: format!(
                "Paired over runs on common random numbers, with 95% intervals · {}",
                runs_and_seed(comparison)
            ),
            axis: format!("Difference in probability ({versus}), percentage points"),
            rows: rows.to_vec(),
            probabilities: true,
        })
        .collect()
}

/// The numeric statistics of each scenario that has the outcome as a numeric one, as layers.
fn numeric_layers<'a>(comparison: &Comparison, outcome: &'a OutcomeComparison) -> Vec<HistogramLayer<'a>> {
    outcome
        .scenarios
        .iter()
        .zip(&comparison.scenarios)
        .filter_map(|(s, scenario)| match s.summary.as_ref().map(|o| &o.statistics) {
            Some(OutcomeStatistics::Numeric(statistics)) => {
                Some(HistogramLayer { label: scenario.label.clone(), statistics })
            }
            _ => None,
        })
        .collect()
}

/// The x axis of a numeric outcome, from the first scenario that has it.
fn axis(comparison: &Comparison, outcome: &OutcomeComparison) -> String {
    let start = comparison.scenarios.first().map_or("", |s| s.start.as_str());
    first_summary(outcome).map_or_else(|| outcome.name.clone(), |o| value_axis_from(start, o))
}

/// What the outcome measures and when, for subtitles.
fn measured(outcome: &OutcomeComparison) -> String {
    match first_summary(outcome) {
        Some(o) if is_first(o) => o.measure.clone(),
        Some(o) => format!("{} in {}", o.measure, o.measured_at),
        None => outcome.name.clone(),
    }
}

/// Overlaid histograms of a numeric outcome.
pub fn histogram_for<'a>(
    comparison: &Comparison,
    outcome: &OutcomeComparison,
    layers: Vec<HistogramLayer<'a>>,
) -> HistogramFigure<'a> {
    HistogramFigure {
        title: outcome.title.clone(),
        subtitle: format!("{} · {}", measured(outcome), runs_and_seed(comparison)),
        axis: axis(comparison, outcome),
        layers,
        left_out: if outcome.is_first() {
            Some("Never happened")
        } else if outcome.scenarios.iter().filter_map(|s| s.summary.as_ref()).any(|s| s.given.is_some()) {
            Some("Condition unmet")
        } else {
            None
        },
    }
}

/// Overlaid cumulative distributions of a numeric outcome.
pub fn cdf_for<'a>(
    comparison: &Comparison,
    outcome: &OutcomeComparison,
    layers: Vec<HistogramLayer<'a>>,
) -> CdfFigure<'a> {
    let never = if outcome.is_first() { "; levels off at the share of runs where it happened" } else { "" };
    CdfFigure {
        title: format!("{}: cumulative distributions", outcome.title),
        subtitle: format!("{}{never} · {}", measured(outcome), runs_and_seed(comparison)),
        axis: axis(comparison, outcome),
        layers,
    }
}

/// Each scenario's paired difference against the baseline for a numeric outcome; `None` when no
/// scenario has a measured difference.
pub fn difference_for(comparison: &Comparison, outcome: &OutcomeComparison) -> Option<DifferenceFigure> {
    let first = outcome.is_first();
    let rows: Vec<DifferenceRow> = outcome
        .differences
        .iter()
        .enumerate()
        .filter_map(|(index, d)| {
            let difference = d.difference.as_ref()?;
            let label = if first {
                format!(
                    "{} (paired over {} of {} runs)",
                    d.scenario,
                    format::count(difference.pairs),
                    format::count(difference.runs)
                )
            } else {
                d.scenario.clone()
            };
            row(label, difference, index + 1)
        })
        .collect();
    if rows.is_empty() {
        return None;
    }
    let unit = match &outcome.unit {
        Some(unit) if !unit.trim().is_empty() => format!(", {}", unit.trim()),
        _ if first => ", months".to_string(),
        _ => String::new(),
    };
    Some(DifferenceFigure {
        title: format!("{}: difference against {}", outcome.title, comparison.baseline),
        subtitle: format!(
            "Mean of the paired differences over runs, with 95% intervals · {}",
            runs_and_seed(comparison)
        ),
        axis: format!("Scenario − {}{unit}", comparison.baseline),
        rows,
        probabilities: false,
    })
}

/// Overlaid time-to-event curves of the scenarios that have one for this outcome (scenarios that
/// start in another month are left out and named, as in [`fan_for`]).
pub fn time_to_event_for<'a>(
    comparison: &Comparison,
    outcome: &'a OutcomeComparison,
) -> Option<TimeToEventFigure<'a>> {
    let aligned = aligned(comparison, outcome, |o| o.by_month.as_deref())?;
    let subtitle = format!(
        "Probability it has happened by the end of each month, with its 95% Monte Carlo interval · {}{}",
        runs_and_seed(comparison),
        aligned.not_shown
    );
    Some(TimeToEventFigure {
        title: format!("{}: by when", outcome.title),
        subtitle,
        start: aligned.start,
        layers: aligned.layers.into_iter().map(|(label, points)| CurveLayer { label, points }).collect(),
    })
}

/// The scenarios that have an outcome's monthly points, as (label, points), leaving out those that
/// start in another month than the first of them (their months would not line up).
struct Aligned<'a, T> {
    start: YearMonth,
    layers: Vec<(String, &'a [T])>,
    /// " · not shown: …" naming the scenarios left out, or empty.
    not_shown: String,
}

/// [`Aligned`] of the points `points` takes from each scenario's summary of `outcome`; `None` when
/// no scenario has any.
fn aligned<'a, T>(
    comparison: &Comparison,
    outcome: &'a OutcomeComparison,
    points: impl Fn(&'a OutcomeSummary) -> Option<&'a [T]>,
) -> Option<Aligned<'a, T>> {
    let mut start = None;
    let mut layers = Vec::new();
    let mut left_out = Vec::new();
    for (s, scenario) in outcome.scenarios.iter().zip(&comparison.scenarios) {
        let Some(points) = s.summary.as_ref().and_then(&points).filter(|p| !p.is_empty()) else {
            continue;
        };
        match start {
            None => start = Some(scenario.start.as_str()),
            Some(first) if first != scenario.start => {
                left_out.push(format!("{} (starts {})", scenario.label, scenario.start));
                continue;
            }
            Some(_) => {}
        }
        layers.push((scenario.label.clone(), points));
    }
    let start = YearMonth::parse(start?).unwrap_or(YearMonth { year: 2000, month: 1 });
    let not_shown =
        if left_out.is_empty() { String::new() } else { format!(" · not shown: {}", left_out.join(", ")) };
    Some(Aligned { start, layers, not_shown })
}

/// Overlaid fan charts (each scenario's median and p25–p75 band) of a series outcome; `None` when
/// no scenario records it monthly. Scenarios that start in another month than the first one with
/// the series are left out (their months would not line up) and named in the subtitle.
pub fn fan_for<'a>(comparison: &Comparison, outcome: &'a OutcomeComparison) -> Option<FanFigure<'a>> {
    let aligned = aligned(comparison, outcome, |o| o.series.as_deref())?;
    let subtitle = format!(
        "Median and 25th–75th percentile, month by month from {} · {}{}",
        aligned.start,
        runs_and_seed(comparison),
        aligned.not_shown
    );
    Some(FanFigure {
        title: outcome.title.clone(),
        subtitle,
        axis: axis(comparison, outcome),
        start: aligned.start,
        layers: aligned.layers.into_iter().map(|(label, points)| FanLayer { label, points }).collect(),
    })
}
