//! Probabilities of 0/1 outcomes as horizontal bars with their Wilson 95% intervals as whiskers and
//! the number printed: one outcome, all outcomes of a run (the overview), or outcomes grouped by
//! scenario (compare).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::frame::{self, Axis, Frame, Scale};
use super::style::{self, Key, anchored, bold, draw_header, drawing, palette, put, text, text_size};
use super::{ChartError, Figure, format};
use crate::stats::ProbabilityStatistics;

/// One row of bars: an outcome, with one bar per scenario (`None` where a scenario lacks it).
#[derive(Debug, Clone, PartialEq)]
pub struct ProbabilityGroup<'a> {
    /// Printed left of the bars: the outcome's title (empty for a single-outcome chart).
    pub label: String,
    /// One entry per series of the figure, in the same order.
    pub bars: Vec<Option<&'a ProbabilityStatistics>>,
}

/// A chart of probabilities with intervals.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbabilityFigure<'a> {
    /// Caption.
    pub title: String,
    /// The line under it.
    pub subtitle: String,
    /// Names of the series (scenarios); a legend is drawn when there are several.
    pub series: Vec<String>,
    /// Rows, top to bottom.
    pub groups: Vec<ProbabilityGroup<'a>>,
}

/// Thickest bar, pixels.
const MAX_BAR: f64 = 64.0;

impl Figure for ProbabilityFigure<'_> {
    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        draw_header(area, &self.title, &self.subtitle)?;
        let (width, height) = (style::SIZE.0 as i32, style::SIZE.1 as i32);
        let several = self.series.len() > 1;
        let mut top = style::HEADER_HEIGHT + 16;
        if several {
            let entries: Vec<(Key, String)> = self
                .series
                .iter()
                .enumerate()
                .map(|(i, name)| (Key::Fill(palette::series(i).to_rgba()), name.clone()))
                .chain([(Key::Whisker(palette::BLACK), "95% Monte Carlo interval (Wilson)".to_string())])
                .collect();
            top = style::draw_legend(area, &entries, (style::MARGIN, top + 4), width - style::MARGIN)? - 4;
        }
        // A single bar gets a shorter plot and its numbers spelled out underneath.
        let lone = match self.groups.as_slice() {
            [group] => match group.bars.as_slice() {
                [Some(stats)] => Some(*stats),
                _ => None,
            },
            _ => None,
        };
        let bottom = if lone.is_some() { top + 280 } else { height - 84 };
        let rows = self.groups.len().max(1);
        let slot = (bottom - top) as f64 / rows as f64;
        let label_size = (slot * 0.55).clamp(12.0, text_size::LABEL);
        let labels: Vec<&str> = self.groups.iter().map(|g| g.label.as_str()).collect();
        let left = style::MARGIN + label_column(area, &labels, label_size, 0.4)?;
        // Room right of 100% for the printed value.
        let value_size = if rows == 1 {
            30.0
        } else {
            (slot * 0.5 / self.series.len().max(1) as f64 + 6.0).clamp(12.0, text_size::TICK)
        };
        let value_style =
            if rows == 1 { bold(value_size, palette::INK) } else { text(value_size, palette::INK) };
        let (value_width, _) = style::measure(area, "100.00%", &value_style)?;
        let right = width - style::MARGIN - value_width - 12;
        let x = Scale::new(0.0, 1.0, left, right);
        let x_ticks = frame::x_ticks(area, (0.0, 1.0), right - left, |v, d| {
            format!("{}%", format::percent_number(v, d.saturating_sub(2)))
        })?;
        let frame = Frame { x, y: Scale::new(0.0, rows as f64, top, bottom) };
        let description = if several {
            "Probability, with 95% Monte Carlo interval"
        } else {
            "Probability, with 95% Monte Carlo interval (Wilson)"
        };
        let x_axis = Axis { ticks: x_ticks, description: description.to_string(), grid: true, line: true };
        let y_axis = Axis { ticks: Vec::new(), description: String::new(), grid: false, line: true };
        frame.draw_axes(area, &x_axis, &y_axis)?;

        let bars_per_group = self.series.len().max(1);
        let thickness = (slot * 0.72 / bars_per_group as f64).min(MAX_BAR);
        for (row, group) in self.groups.iter().enumerate() {
            let centre = top as f64 + slot * (row as f64 + 0.5);
            if !group.label.is_empty() {
                let label_style = anchored(text(label_size, palette::INK), HPos::Right, VPos::Center);
                let label = style::fit(area, &group.label, &label_style, left - style::MARGIN - 12)?;
                put(area, &label, &label_style, (left - 12, centre.round() as i32))?;
            }
            let first = centre - thickness * bars_per_group as f64 / 2.0;
            for (index, bar) in group.bars.iter().enumerate() {
                let middle = (first + thickness * (index as f64 + 0.5)).round() as i32;
                let half = (thickness / 2.0 - 1.0).max(1.0) as i32;
                let color = if several { palette::series(index) } else { palette::SKY_BLUE };
                match bar {
                    Some(stats) => draw_bar(area, &frame, stats, middle, half, color, &value_style)?,
                    None => {
                        let style = anchored(text(value_size, palette::MUTED), HPos::Left, VPos::Center);
                        put(area, "not in this scenario", &style, (frame.left() + 8, middle))?;
                    }
                }
            }
        }
        if let Some(stats) = lone {
            draw_numbers(area, stats, bottom + 90)?;
        }
        Ok(())
    }
}

/// Spells out a lone probability under its bar: estimate, interval, Monte Carlo error, runs.
fn draw_numbers<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    stats: &ProbabilityStatistics,
    top: i32,
) -> Result<(), ChartError> {
    let points = stats.standard_error * 100.0;
    let rows = [
        ("Estimated probability", format::percent(stats.probability)),
        ("95% Wilson interval", format::percent_interval(stats.lower, stats.upper)),
        ("Monte Carlo standard error", format!("{} percentage points", format::number(points))),
        (
            "Runs where it happened",
            format!("{} of {}", format::count(stats.successes), format::count(stats.runs)),
        ),
    ];
    let name_style = anchored(text(text_size::LABEL, palette::MUTED), HPos::Left, VPos::Top);
    let value_style = anchored(bold(text_size::LABEL, palette::INK), HPos::Left, VPos::Top);
    let mut y = top;
    for (name, value) in rows {
        put(area, name, &name_style, (style::MARGIN, y))?;
        put(area, &value, &value_style, (style::MARGIN + 300, y))?;
        y += 30;
    }
    Ok(())
}

/// Draws one bar from 0 to the probability, its interval as a capped whisker and its value printed
/// right of the whisker.
fn draw_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    frame: &Frame,
    stats: &ProbabilityStatistics,
    middle: i32,
    half: i32,
    color: RGBColor,
    value_style: &TextStyle<'static>,
) -> Result<(), ChartError> {
    let zero = frame.x.pixel(0.0);
    let end = frame.x.pixel(stats.probability);
    if end > zero {
        area.draw(&Rectangle::new([(zero, middle - half), (end, middle + half)], color.filled()))
            .map_err(drawing)?;
    }
    let (low, high) = (frame.x.pixel(stats.lower), frame.x.pixel(stats.upper));
    let cap = (half * 2 / 3).clamp(3, 12);
    let whisker = palette::BLACK.stroke_width(2);
    area.draw(&PathElement::new(vec![(low, middle), (high, middle)], whisker)).map_err(drawing)?;
    for at in [low, high] {
        area.draw(&PathElement::new(vec![(at, middle - cap), (at, middle + cap)], whisker))
            .map_err(drawing)?;
    }
    let value = format::percent(stats.probability);
    let style = anchored(value_style.clone(), HPos::Left, VPos::Center);
    put(area, &value, &style, (high.max(end) + 10, middle))
}

/// Width of the label column for `labels` at `size`: the widest label plus a gap, at most `max_share`
/// of the chart's width; 0 when every label is empty.
pub(super) fn label_column<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    labels: &[&str],
    size: f64,
    max_share: f64,
) -> Result<i32, ChartError> {
    let style = text(size, palette::INK);
    let widest = labels.iter().try_fold(0, |widest, label| {
        if label.is_empty() {
            Ok(widest)
        } else {
            Ok(widest.max(style::measure(area, label, &style)?.0 + 24))
        }
    })?;
    Ok(widest.min((style::SIZE.0 as f64 * max_share) as i32))
}
