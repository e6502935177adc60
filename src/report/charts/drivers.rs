//! Driver-effect charts: for one outcome, its drivers with the largest swing, each as a block of
//! rows — one per bin of the driver's draws (its thirds, or its categories) — with the outcome's
//! estimate in that bin as a dot with its 95% Monte Carlo interval, and the swing (largest bin minus
//! smallest) printed beside the driver's name.
//!
//! Scales are common within a chart kind, so a long distance means a large effect on every chart:
//! every chart of a 0/1 outcome spans the same number of percentage points ([`ProbabilitySpan`],
//! the widest any of the run's probability outcomes needs), placed over its own values; a numeric
//! outcome's chart spans the outcome's own 5th–95th percentile across runs (widened to show every
//! interval), so each effect reads against the outcome's real spread. A dashed line marks the
//! estimate over all runs.

use std::collections::BTreeSet;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::frame::{self, Axis, Frame, Scale};
use super::style::{self, Key, anchored, bold, draw_header, drawing, palette, put, text, text_size};
use super::{Chart, ChartError, ChartJob, ChartKind, Figure, file_stem, format, write_charts};
use crate::report::words;
use crate::stats::{DriverSwing, Effects, OutcomeEffects, OutcomeStatistics, Summary};

/// Most drivers a chart shows.
pub const TOP_DRIVERS: usize = 4;

/// One row of a driver-effect chart: one bin's estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct BinRow {
    /// What the bin holds: `lowest third (≤ 0.66)` or a category.
    pub label: String,
    /// Estimate, lower and upper end of its 95% interval (NaN when the bin has no runs).
    pub estimate: (f64, f64, f64),
}

/// One driver's block.
#[derive(Debug, Clone, PartialEq)]
pub struct DriverBlock {
    /// The driver in words.
    pub title: String,
    /// `swing 3.6 pp` and whether these runs tell it from none.
    pub swing: String,
    /// Its bins, in order.
    pub rows: Vec<BinRow>,
}

/// A driver-effect chart of one outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct DriversFigure {
    /// Caption.
    pub title: String,
    /// The line under it.
    pub subtitle: String,
    /// The x axis description.
    pub axis: String,
    /// True when values are probabilities (axis and labels in percent).
    pub probability: bool,
    /// The axis range, data units.
    pub range: (f64, f64),
    /// The estimate over all runs (a dashed line), if known.
    pub overall: Option<f64>,
    /// Drivers, largest swing first.
    pub blocks: Vec<DriverBlock>,
}

/// The span, in probability units, that every chart of a 0/1 outcome shares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProbabilitySpan(pub f64);

impl ProbabilitySpan {
    /// The widest range any 0/1 outcome's shown bins need, rounded up to a round number of
    /// percentage points (at least 5 pp).
    pub fn of(effects: &Effects) -> Self {
        let mut widest: f64 = 0.0;
        for outcome in effects.outcomes.iter().filter(|o| o.probability) {
            let (low, high) = bounds(outcome.drivers.iter().take(TOP_DRIVERS));
            if high > low {
                widest = widest.max(high - low);
            }
        }
        let steps = [0.05, 0.1, 0.2, 0.25, 0.5, 0.75, 1.0];
        ProbabilitySpan(steps.iter().copied().find(|&s| s >= widest * 1.1).unwrap_or(1.0))
    }
}

/// Smallest and largest interval end over the drivers' bins.
fn bounds<'a>(drivers: impl Iterator<Item = &'a DriverSwing>) -> (f64, f64) {
    let (mut low, mut high) = (f64::INFINITY, f64::NEG_INFINITY);
    for bin in drivers.flat_map(|d| &d.bins).filter(|b| b.runs > 0) {
        low = low.min(bin.lower);
        high = high.max(bin.upper);
    }
    (low, high)
}

impl Figure for DriversFigure {
    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        draw_header(area, &self.title, &self.subtitle)?;
        let (width, height) = (style::SIZE.0 as i32, style::SIZE.1 as i32);
        let entries = [
            (Key::Fill(palette::BLUE.to_rgba()), "Estimate in the bin".to_string()),
            (Key::Whisker(palette::BLUE), "95% Monte Carlo interval".to_string()),
            (Key::Line { color: palette::MUTED, width: 2, dashed: true }, "All runs".to_string()),
        ];
        let top = style::draw_legend(
            area,
            &entries,
            (style::MARGIN, style::HEADER_HEIGHT + 12),
            width - style::MARGIN,
        )? + 4;
        let bottom = height - 84;
        let rows: usize = self.blocks.iter().map(|b| b.rows.len() + 1).sum::<usize>().max(1);
        let slot = (bottom - top) as f64 / rows as f64;
        let size = (slot * 0.62).clamp(12.0, text_size::TICK);
        let label_style = anchored(text(size, palette::INK), HPos::Right, VPos::Center);
        let driver_style = anchored(bold(size, palette::INK), HPos::Left, VPos::Center);
        let swing_style = anchored(bold(size, palette::INK), HPos::Right, VPos::Center);
        let value_style = anchored(text(size, palette::INK), HPos::Right, VPos::Center);
        let label_width = self.blocks.iter().flat_map(|b| &b.rows).try_fold(0, |widest, row| {
            Ok::<i32, ChartError>(widest.max(style::measure(area, &row.label, &label_style)?.0))
        })?;
        let left = style::MARGIN + label_width.min(width * 3 / 10) + 36;
        let (value_width, _) = style::measure(area, "999,999.9%", &value_style)?;
        let right = width - style::MARGIN - value_width - 16;
        let x = Scale::new(self.range.0, self.range.1, left, right);
        let probability = self.probability;
        let x_ticks = frame::x_ticks(area, (x.low, x.high), right - left, |v, d| {
            if probability {
                format!("{}%", format::with_separators(v * 100.0, d.saturating_sub(2)))
            } else {
                format::with_separators(v, d)
            }
        })?;
        let frame = Frame { x, y: Scale::new(0.0, rows as f64, top, bottom) };
        let x_axis = Axis { ticks: x_ticks, description: self.axis.clone(), grid: true, line: true };
        let y_axis = Axis { ticks: Vec::new(), description: String::new(), grid: false, line: false };
        frame.draw_axes(area, &x_axis, &y_axis)?;
        if let Some(overall) = self.overall.filter(|v| v.is_finite()) {
            let at = frame.x.pixel(overall);
            let mut y = top;
            while y < bottom {
                let end = (y + 6).min(bottom);
                area.draw(&PathElement::new(vec![(at, y), (at, end)], palette::MUTED.stroke_width(2)))
                    .map_err(drawing)?;
                y += 11;
            }
        }
        let mut row = 0usize;
        let middle = |row: usize| (top as f64 + slot * (row as f64 + 0.5)).round() as i32;
        for block in &self.blocks {
            let y = middle(row);
            let title = style::fit(area, &block.title, &driver_style, right - style::MARGIN - 200)?;
            put(area, &title, &driver_style, (style::MARGIN, y))?;
            put(area, &block.swing, &swing_style, (width - style::MARGIN, y))?;
            row += 1;
            for bin in &block.rows {
                let y = middle(row);
                row += 1;
                let label = style::fit(area, &bin.label, &label_style, left - style::MARGIN - 24)?;
                put(area, &label, &label_style, (left - 12, y))?;
                let (estimate, lower, upper) = bin.estimate;
                if !estimate.is_finite() {
                    put(area, "no runs", &value_style, (width - style::MARGIN, y))?;
                    continue;
                }
                let (low, high, at) = (frame.x.pixel(lower), frame.x.pixel(upper), frame.x.pixel(estimate));
                let whisker = palette::BLUE.stroke_width(2);
                let cap = ((slot * 0.25) as i32).clamp(3, 8);
                area.draw(&PathElement::new(vec![(low, y), (high, y)], whisker)).map_err(drawing)?;
                for end in [low, high] {
                    area.draw(&PathElement::new(vec![(end, y - cap), (end, y + cap)], whisker))
                        .map_err(drawing)?;
                }
                let radius = ((slot * 0.22) as i32).clamp(3, 7);
                area.draw(&Circle::new((at, y), radius, palette::BLUE.filled())).map_err(drawing)?;
                let value = if probability { format::percent(estimate) } else { format::number(estimate) };
                put(area, &value, &value_style, (width - style::MARGIN, y))?;
            }
        }
        if self.blocks.is_empty() {
            let style = anchored(text(text_size::LABEL, palette::MUTED), HPos::Center, VPos::Center);
            put(area, "No driver varies in these runs", &style, ((left + right) / 2, (top + bottom) / 2))?;
        }
        Ok(())
    }
}

/// The driver-effect chart of one outcome: its [`TOP_DRIVERS`] drivers with the largest swing;
/// `None` when no driver has a swing (no driver varies, or the outcome is never defined).
pub fn drivers_for(
    summary: &Summary,
    outcome: &OutcomeEffects,
    span: ProbabilitySpan,
    names: &words::DriverNames,
) -> Option<DriversFigure> {
    let shown: Vec<&DriverSwing> =
        outcome.drivers.iter().filter(|d| d.swing.is_some()).take(TOP_DRIVERS).collect();
    if shown.is_empty() {
        return None;
    }
    let statistics = summary.outcomes.iter().find(|o| o.name == outcome.outcome);
    let (overall, spread) = match statistics.map(|o| &o.statistics) {
        Some(OutcomeStatistics::Probability(p)) => (Some(p.probability), None),
        Some(OutcomeStatistics::Numeric(n)) if n.runs > 0 => (Some(n.mean), Some((n.p5, n.p95))),
        _ => (None, None),
    };
    let (low, high) = bounds(shown.iter().copied());
    let range = if outcome.probability {
        let width = span.0.max(high - low);
        let centre = (low + high) / 2.0;
        let start = (centre - width / 2.0).clamp(0.0, (1.0 - width).max(0.0));
        (start, start + width)
    } else {
        let (p5, p95) = spread.unwrap_or((low, high));
        (p5.min(low), p95.max(high))
    };
    let blocks = shown
        .iter()
        .map(|driver| DriverBlock {
            title: names.title(&driver.driver),
            swing: words::swing_label(driver, outcome.probability),
            rows: driver
                .bins
                .iter()
                .map(|bin| BinRow {
                    label: words::bin_label(&bin.label),
                    estimate: (bin.mean, bin.lower, bin.upper),
                })
                .collect(),
        })
        .collect();
    let unit = statistics.and_then(|o| o.unit.clone()).filter(|u| !u.trim().is_empty());
    let axis = if outcome.probability {
        format!(
            "Probability among the runs in each bin (every probability chart spans {})",
            format::points(range.1 - range.0)
        )
    } else {
        let scale = statistics.and_then(|o| o.scale.as_ref()).map_or_else(String::new, |s| {
            format!(
                "; {} = {}, {} = {}",
                format::number(s.low),
                s.low_means,
                format::number(s.high),
                s.high_means
            )
        });
        format!(
            "Mean {} in each bin (axis: the outcome's p5–p95 over runs){scale}",
            unit.map_or_else(|| "value".to_string(), |u| format!("({u})"))
        )
    };
    let varying = outcome.drivers.iter().filter(|d| d.swing.is_some()).count();
    Some(DriversFigure {
        title: format!("What drives: {}", outcome.title),
        subtitle: format!(
            "{} of {} drivers by swing (largest bin minus smallest) · {} runs · seed {}",
            if varying > shown.len() { format!("top {}", shown.len()) } else { "all".to_string() },
            varying,
            format::count(outcome.runs),
            summary.seed
        ),
        axis,
        probability: outcome.probability,
        range,
        overall,
        blocks,
    })
}

/// Writes `dir/charts/<outcome>_drivers.png|svg` for every outcome with a driver that varies, in
/// file order, and returns them. A stem already used by one of `taken` gets a numbered suffix.
pub fn write_driver_charts(
    summary: &Summary,
    effects: &Effects,
    names: &words::DriverNames,
    dir: &Path,
    taken: &[Chart],
) -> Result<Vec<Chart>, ChartError> {
    let folder = dir.join("charts");
    std::fs::create_dir_all(&folder).map_err(|source| ChartError::Io { path: folder.clone(), source })?;
    let mut used: BTreeSet<String> = taken.iter().map(|c| c.name.clone()).collect();
    let span = ProbabilitySpan::of(effects);
    let mut jobs = Vec::new();
    for outcome in &effects.outcomes {
        let Some(figure) = drivers_for(summary, outcome, span, names) else { continue };
        let wanted = format!("{}_drivers", file_stem(&outcome.outcome));
        let mut name = wanted.clone();
        let mut n = 2;
        while used.contains(&name) {
            name = format!("{wanted}_{n}");
            n += 1;
        }
        used.insert(name.clone());
        jobs.push(ChartJob::new(figure, name, ChartKind::Drivers, Some(outcome.outcome.as_str())));
    }
    write_charts(jobs, &folder)
}
