//! Writes the charts and report.html of a hand-built sample summary into a folder, to look at them
//! without running the engine: `cargo run --example sample_report -- /tmp/sample [SCENARIO.toml]`.
//! With `SOURCE_DATE_EPOCH` set the report is dated from it and leaves the wall time out.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a developer's tool over the test suite's hand-built sample, not the product"
)]

#[path = "../tests/common/sample.rs"]
mod sample;

use std::path::{Path, PathBuf};
use std::time::Instant;

use crossroads::report::charts::{
    CdfFigure, ChartKind, DifferenceFigure, DifferenceRow, FanFigure, FanLayer, HistogramFigure,
    HistogramLayer, ProbabilityFigure, ProbabilityGroup,
};
use crossroads::report::{charts, html};
use crossroads::scenario::YearMonth;
use crossroads::stats::{OutcomeStatistics, Summary};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "sample-output".to_string()));
    let started = Instant::now();
    let summary = sample::summary();
    let charts = charts::write_run_charts(&summary, &dir)?;
    let effects = sample::effects();
    let names = crossroads::report::words::DriverNames::default();
    let driver_charts = charts::write_driver_charts(&summary, &effects, &names, &dir, &charts)?;
    let metadata = html::RunMetadata::measured(summary.seed, summary.runs, 1, started)?;
    // With a scenario file as second argument, its register and resolved text stand in for the sample's.
    let (register, scenario_toml) = match std::env::args().nth(2) {
        Some(path) => {
            let loaded = crossroads::scenario::load_file(Path::new(&path), &[]).map_err(|e| e.to_string())?;
            (crossroads::scenario::register(&loaded.scenario), loaded.resolved)
        }
        None => (sample::register(), sample::SCENARIO_TOML.to_string()),
    };
    let report = html::RunReport {
        summary: &summary,
        metadata: &metadata,
        register: &register,
        scenario_toml: &scenario_toml,
        charts: &charts,
        drivers: Some(html::DriversSection { effects: &effects, names: &names, charts: &driver_charts }),
    };
    let path = dir.join("report.html");
    std::fs::write(&path, html::render_run_report(&report))?;
    println!(
        "{} charts and {} in {:.2} s",
        charts.len() * 2,
        path.display(),
        started.elapsed().as_secs_f64()
    );
    overlays(&summary, &dir.join("overlays"))?;
    Ok(())
}

/// The overlay figures `compare` builds on, drawn from the sample against a shifted copy of it.
fn overlays(baseline: &Summary, dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all(dir)?;
    let variant = shifted(baseline);
    let names = [baseline.scenario.clone(), "turkey_guarantee_weak".to_string()];
    let numeric = |s: &Summary, i: usize| match &s.outcomes[i].statistics {
        OutcomeStatistics::Numeric(n) => Some(n.clone()),
        OutcomeStatistics::Probability(_) => None,
    };
    let (a, b) = (numeric(baseline, 6).ok_or("numeric")?, numeric(&variant, 6).ok_or("numeric")?);
    let layers = vec![
        HistogramLayer { label: names[0].clone(), statistics: &a },
        HistogramLayer { label: names[1].clone(), statistics: &b },
    ];
    let title = baseline.outcomes[6].title.clone();
    let axis = "Months from 2024-01 to the first time it happened".to_string();
    let histogram = HistogramFigure {
        title: title.clone(),
        subtitle: "Two scenarios on common random numbers".to_string(),
        axis: axis.clone(),
        layers: layers.clone(),
        left_out: Some("Never happened"),
    };
    charts::write_chart(&histogram, dir, "histograms", ChartKind::Histogram, None)?;
    let cdf = CdfFigure { title, subtitle: "Share of all runs".to_string(), axis, layers };
    charts::write_chart(&cdf, dir, "cdf", ChartKind::Cdf, None)?;
    let probability = |s: &Summary, i: usize| match &s.outcomes[i].statistics {
        OutcomeStatistics::Probability(p) => Some(p.clone()),
        OutcomeStatistics::Numeric(_) => None,
    };
    let pairs: Vec<_> = (0..5).map(|i| (probability(baseline, i), probability(&variant, i))).collect();
    let groups = pairs
        .iter()
        .enumerate()
        .map(|(i, (a, b))| ProbabilityGroup {
            label: baseline.outcomes[i].title.clone(),
            bars: vec![a.as_ref(), b.as_ref()],
        })
        .collect();
    let grouped = ProbabilityFigure {
        title: "Probabilities side by side".to_string(),
        subtitle: "95% Wilson intervals".to_string(),
        series: names.to_vec(),
        groups,
    };
    charts::write_chart(&grouped, dir, "probabilities", ChartKind::Probability, None)?;
    let fan = FanFigure {
        title: baseline.outcomes[5].title.clone(),
        subtitle: "Median and 25th–75th percentile of each scenario".to_string(),
        axis: "Persons".to_string(),
        start: YearMonth { year: 2024, month: 1 },
        layers: vec![
            FanLayer {
                label: names[0].clone(),
                points: baseline.outcomes[5].series.as_deref().unwrap_or(&[]),
            },
            FanLayer {
                label: names[1].clone(),
                points: variant.outcomes[5].series.as_deref().unwrap_or(&[]),
            },
        ],
    };
    charts::write_chart(&fan, dir, "fan", ChartKind::Fan, None)?;
    let rows = pairs
        .iter()
        .enumerate()
        .filter_map(|(i, (a, b))| {
            let (a, b) = (a.as_ref()?, b.as_ref()?);
            let difference = b.probability - a.probability;
            Some(DifferenceRow {
                label: baseline.outcomes[i].title.clone(),
                estimate: difference,
                lower: difference - 0.004,
                upper: difference + 0.004,
                series: 1,
            })
        })
        .collect();
    let difference = DifferenceFigure {
        title: "turkey_guarantee_weak − south_caucasus_2024".to_string(),
        subtitle: "Paired differences with 95% intervals (illustrative widths)".to_string(),
        axis: "Difference in probability, percentage points".to_string(),
        rows,
        probabilities: true,
    };
    charts::write_chart(&difference, dir, "difference", ChartKind::Difference, None)?;
    Ok(())
}

/// The sample with its numbers moved, standing in for a variant scenario.
fn shifted(summary: &Summary) -> Summary {
    let mut variant = summary.clone();
    for outcome in &mut variant.outcomes {
        match &mut outcome.statistics {
            OutcomeStatistics::Probability(p) => {
                let moved = (p.probability * 1.3 + 0.01).min(1.0);
                let shift = moved - p.probability;
                p.probability = moved;
                p.lower = (p.lower + shift).clamp(0.0, 1.0);
                p.upper = (p.upper + shift).clamp(0.0, 1.0);
            }
            OutcomeStatistics::Numeric(n) => {
                for edge in &mut n.histogram.edges {
                    *edge *= 0.7;
                }
                for value in [
                    &mut n.mean,
                    &mut n.p5,
                    &mut n.p25,
                    &mut n.p50,
                    &mut n.p75,
                    &mut n.p95,
                    &mut n.min,
                    &mut n.max,
                ] {
                    *value *= 0.7;
                }
            }
        }
        if let Some(series) = &mut outcome.series {
            for point in series {
                for value in [
                    &mut point.mean,
                    &mut point.p5,
                    &mut point.p25,
                    &mut point.p50,
                    &mut point.p75,
                    &mut point.p95,
                ] {
                    *value *= 1.4;
                }
            }
        }
    }
    variant
}
