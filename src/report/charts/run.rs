//! The charts of one run: figures built from a [`Summary`] and written to `charts/`.

use std::collections::BTreeSet;
use std::path::Path;

use super::{
    Chart, ChartError, ChartJob, ChartKind, CurveLayer, FanFigure, FanLayer, HistogramFigure, HistogramLayer,
    ProbabilityFigure, ProbabilityGroup, ScatterFigure, TimeToEventFigure, file_stem, format, write_charts,
};
use crate::scenario::YearMonth;
use crate::stats::correlations::AchievedCorrelation;
use crate::stats::{NumericStatistics, OutcomeStatistics, OutcomeSummary, ProbabilityStatistics, Summary};

/// Writes every chart of a run into `dir/charts/` (created if missing), PNG and SVG:
/// `overview` (all 0/1 outcomes, when there are any), then per outcome in file order `<outcome>`
/// (a numeric outcome's histogram; a 0/1 outcome is a bar of the overview), `<outcome>_by_month`
/// (the time-to-event curve, for outcomes that have one) and `<outcome>_series` (fan chart, for
/// series outcomes other than a monthly 0/1 outcome, whose curve says it all), then per correlated
/// pair of drivers `<first>__<second>` (its runs' values, a scatter).
///
/// Returns the charts in that order, each with its SVG text for report.html. File stems keep
/// letters, digits, `_` and `-`; a stem already taken (an outcome named `overview`) gets a numbered
/// suffix, so no chart overwrites another.
pub fn write_run_charts(summary: &Summary, dir: &Path) -> Result<Vec<Chart>, ChartError> {
    let folder = dir.join("charts");
    std::fs::create_dir_all(&folder).map_err(|source| ChartError::Io { path: folder.clone(), source })?;
    let mut names = Names::default();
    let mut jobs = Vec::new();
    if let Some(overview) = overview_for(summary) {
        jobs.push(ChartJob::new(overview, names.claim("overview"), ChartKind::Overview, None));
    }
    for outcome in &summary.outcomes {
        let measured = Some(outcome.name.as_str());
        // A single probability is one bar: it is read in the overview, not in a chart of its own.
        if let OutcomeStatistics::Numeric(stats) = &outcome.statistics {
            let name = names.claim(&file_stem(&outcome.name));
            jobs.push(ChartJob::new(
                histogram_for(summary, outcome, stats),
                name,
                ChartKind::Histogram,
                measured,
            ));
        }
        if let Some(figure) = time_to_event_for(summary, outcome) {
            let name = names.claim(&format!("{}_by_month", file_stem(&outcome.name)));
            jobs.push(ChartJob::new(figure, name, ChartKind::TimeToEvent, measured));
        }
        // A monthly 0/1 outcome's fan is 0 or 1 everywhere: its time-to-event curve says it.
        let curve_instead = outcome.kind.is_probability() && outcome.by_month.is_some();
        if let Some(figure) = fan_for(summary, outcome).filter(|_| !curve_instead) {
            let name = names.claim(&format!("{}_series", file_stem(&outcome.name)));
            jobs.push(ChartJob::new(figure, name, ChartKind::Fan, measured));
        }
    }
    if let Some(correlations) = &summary.correlations {
        for pair in &correlations.pairs {
            let name = names.claim(&file_stem(&format!("{}__{}", pair.first, pair.second)));
            jobs.push(ChartJob::new(scatter_for(summary, pair), name, ChartKind::Scatter, None));
        }
    }
    write_charts(jobs, &folder)
}

/// The scatter chart of a correlated pair of drivers.
pub fn scatter_for<'a>(summary: &Summary, pair: &'a AchievedCorrelation) -> ScatterFigure<'a> {
    let rho = |value: Option<f64>| value.map_or("–".to_string(), crate::format::signed_rho);
    let interval = match (pair.lower, pair.upper) {
        (Some(lower), Some(upper)) => format!(" (95%: {} to {})", rho(Some(lower)), rho(Some(upper))),
        _ => String::new(),
    };
    ScatterFigure {
        title: format!("{} ~ {}", pair.first, pair.second),
        subtitle: format!(
            "target Spearman ρ {} · achieved {}{} over {} runs · the first {} shown · seed {}",
            crate::format::signed_rho(pair.target),
            rho(pair.spearman),
            interval,
            format::count(summary.correlations.as_ref().map_or(0, |c| c.runs)),
            format::count(pair.sample.len() as u64),
            summary.seed
        ),
        x: (&pair.first, pair.first_outcomes.as_deref()),
        y: (&pair.second, pair.second_outcomes.as_deref()),
        points: &pair.sample,
    }
}

/// The time-to-event curve of an outcome that has one ([`OutcomeSummary::by_month`]).
pub fn time_to_event_for<'a>(
    summary: &Summary,
    outcome: &'a OutcomeSummary,
) -> Option<TimeToEventFigure<'a>> {
    let points = outcome.by_month.as_deref().filter(|p| !p.is_empty())?;
    Some(TimeToEventFigure {
        title: format!("{}: by when", outcome.title),
        subtitle: format!(
            "{} · probability it has happened by the end of each month, over all {} runs · seed {}",
            outcome.measure,
            format::count(summary.runs),
            summary.seed
        ),
        start: YearMonth::parse(&summary.start).unwrap_or(YearMonth { year: 2000, month: 1 }),
        layers: vec![CurveLayer { label: summary.scenario.clone(), points }],
    })
}

/// File stems handed out so far.
#[derive(Default)]
pub(super) struct Names(BTreeSet<String>);

impl Names {
    /// `wanted`, or `wanted_2`, `wanted_3`… if taken.
    pub(super) fn claim(&mut self, wanted: &str) -> String {
        let mut name = wanted.to_string();
        let mut n = 2;
        while self.0.contains(&name) {
            name = format!("{wanted}_{n}");
            n += 1;
        }
        self.0.insert(name.clone());
        name
    }
}

/// True when the outcome measures the month of a first event: `first(...)`.
pub(crate) fn is_first(outcome: &OutcomeSummary) -> bool {
    outcome.kind.is_first_time()
}

/// The x axis description of a numeric outcome: its unit, or what `first(...)` counts.
pub(crate) fn value_axis(summary: &Summary, outcome: &OutcomeSummary) -> String {
    value_axis_from(&summary.start, outcome)
}

/// [`value_axis`] for a scenario that starts in `start` (`YYYY-MM`).
pub(crate) fn value_axis_from(start: &str, outcome: &OutcomeSummary) -> String {
    let axis = match &outcome.unit {
        Some(unit) if !unit.trim().is_empty() => capitalised(unit),
        _ if is_first(outcome) => format!("Months from {start} to the first time it happened"),
        _ => format!("Value of {}", outcome.measure),
    };
    match &outcome.scale {
        // A position reads by what its ends mean.
        Some(scale) => format!(
            "{axis}: {} = {}, {} = {}",
            format::number(scale.low),
            scale.low_means,
            format::number(scale.high),
            scale.high_means
        ),
        None => axis,
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The histogram of one numeric outcome of a run.
pub fn histogram_for<'a>(
    summary: &Summary,
    outcome: &OutcomeSummary,
    stats: &'a NumericStatistics,
) -> HistogramFigure<'a> {
    let total = stats.runs + stats.undefined;
    let subtitle = if is_first(outcome) {
        format!("{} · {} runs · seed {}", outcome.measure, format::count(total), summary.seed)
    } else {
        format!(
            "{}{} in {} · {} runs · seed {}",
            outcome.measure,
            outcome.given.as_deref().map_or_else(String::new, |g| format!(" given {g}")),
            outcome.measured_at,
            format::count(total),
            summary.seed
        )
    };
    HistogramFigure {
        title: outcome.title.clone(),
        subtitle,
        axis: value_axis(summary, outcome),
        layers: vec![HistogramLayer { label: summary.scenario.clone(), statistics: stats }],
        left_out: if is_first(outcome) {
            Some("Never happened")
        } else if outcome.given.is_some() {
            Some("Condition unmet")
        } else {
            None
        },
    }
}

/// The probability bar of one 0/1 outcome of a run.
pub fn probability_for<'a>(
    summary: &Summary,
    outcome: &OutcomeSummary,
    stats: &'a ProbabilityStatistics,
) -> ProbabilityFigure<'a> {
    let subtitle = format!(
        "{} of {} runs by {} · 95% Wilson interval {} · seed {}",
        format::count(stats.successes),
        format::count(stats.runs),
        outcome.measured_at,
        format::percent_interval(stats.lower, stats.upper),
        summary.seed
    );
    ProbabilityFigure {
        title: outcome.title.clone(),
        subtitle,
        series: vec![summary.scenario.clone()],
        groups: vec![ProbabilityGroup { label: String::new(), bars: vec![Some(stats)] }],
    }
}

/// All 0/1 outcomes of a run as horizontal bars; `None` when the run has none.
pub fn overview_for(summary: &Summary) -> Option<ProbabilityFigure<'_>> {
    let groups: Vec<ProbabilityGroup<'_>> = summary
        .outcomes
        .iter()
        .filter_map(|outcome| match &outcome.statistics {
            OutcomeStatistics::Probability(stats) => {
                Some(ProbabilityGroup { label: outcome.title.clone(), bars: vec![Some(stats)] })
            }
            OutcomeStatistics::Numeric(_) => None,
        })
        .collect();
    if groups.is_empty() {
        return None;
    }
    Some(ProbabilityFigure {
        title: format!("{}: probabilities", summary.title),
        subtitle: format!(
            "Share of {} runs, with 95% Wilson intervals · seed {}",
            format::count(summary.runs),
            summary.seed
        ),
        series: vec![summary.scenario.clone()],
        groups,
    })
}

/// The fan chart of a series outcome; `None` when it has no series (or an empty one).
pub fn fan_for<'a>(summary: &Summary, outcome: &'a OutcomeSummary) -> Option<FanFigure<'a>> {
    let points = outcome.series.as_deref().filter(|points| !points.is_empty())?;
    let start = YearMonth::parse(&summary.start).unwrap_or(YearMonth { year: 2000, month: 1 });
    Some(FanFigure {
        title: outcome.title.clone(),
        subtitle: format!(
            "{}, month by month from {} · bands over {} runs · seed {}",
            outcome.measure,
            summary.start,
            format::count(summary.runs),
            summary.seed
        ),
        axis: value_axis(summary, outcome),
        start,
        layers: vec![FanLayer { label: summary.scenario.clone(), points }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::OutcomeKind;
    use crate::model::testing::run;
    use crate::scenario::load_str;
    use crate::stats::summarize;

    /// `first (clash)` (a space before the parenthesis) is the same term as `first(clash)`: its
    /// chart counts months to the first time and the runs where it never happened.
    #[test]
    fn first_with_a_space_is_a_first_time_outcome() {
        let text = r#"
[scenario]
name = "spaced"
start = "2024-01"
horizon = 24

[events.clash]
probability = 0.1

[outcomes.first_clash]
measure = "first (clash)"
"#;
        let loaded =
            load_str("spaced.toml", text, Path::new("."), &[]).unwrap_or_else(|e| panic!("{}", e.render()));
        let (model, simulation) = run(&loaded.scenario, 200, 1);
        let summary = summarize(&model, &simulation);
        let outcome = &summary.outcomes[0];
        assert_eq!((outcome.measure.as_str(), outcome.kind), ("first (clash)", OutcomeKind::FirstTime));
        assert_eq!(value_axis(&summary, outcome), "Months from 2024-01 to the first time it happened");
        let OutcomeStatistics::Numeric(stats) = &outcome.statistics else { panic!("first(...) is numeric") };
        let figure = histogram_for(&summary, outcome, stats);
        assert_eq!(figure.left_out, Some("Never happened"));
        assert!(!figure.subtitle.contains(" in 2025-12"), "{}", figure.subtitle);
    }
}
