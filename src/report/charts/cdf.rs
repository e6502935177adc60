//! Cumulative distributions of a numeric outcome, one curve per scenario: the share of all runs at
//! or below each value. Curves of different scenarios read against each other directly, whatever
//! their bins; a `first(...)` curve levels off below 100% at the share of runs where it happened.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{self, Axis, Frame, Scale};
use super::histogram::HistogramLayer;
use super::style::{self, Key, draw_header, drawing, palette};
use super::{ChartError, Figure, format};

/// Overlaid cumulative distributions of one numeric outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct CdfFigure<'a> {
    /// Caption.
    pub title: String,
    /// The line under it.
    pub subtitle: String,
    /// The x axis description with its unit.
    pub axis: String,
    /// One layer per scenario.
    pub layers: Vec<HistogramLayer<'a>>,
}

/// The cumulative share of all runs (defined or not) at each bin edge, as (value, share) steps.
pub fn cumulative_steps(layer: &HistogramLayer<'_>) -> Vec<(f64, f64)> {
    let s = layer.statistics;
    let total = (s.runs + s.undefined) as f64;
    let histogram = &s.histogram;
    let mut steps = Vec::with_capacity(histogram.edges.len());
    let mut below = 0u64;
    if let Some(&first) = histogram.edges.first() {
        steps.push((first, 0.0));
    }
    for (edge, count) in histogram.edges.iter().skip(1).zip(&histogram.counts) {
        below += count;
        steps.push((*edge, if total > 0.0 { below as f64 / total } else { 0.0 }));
    }
    steps
}

impl Figure for CdfFigure<'_> {
    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        draw_header(area, &self.title, &self.subtitle)?;
        let (width, height) = (style::SIZE.0 as i32, style::SIZE.1 as i32);
        let entries: Vec<(Key, String)> = self
            .layers
            .iter()
            .enumerate()
            .map(|(i, layer)| {
                (Key::Line { color: palette::series(i), width: 3, dashed: false }, layer.label.clone())
            })
            .collect();
        let top = style::draw_legend(
            area,
            &entries,
            (style::MARGIN, style::HEADER_HEIGHT + 18),
            width - style::MARGIN,
        )?;
        let bottom = height - 84;
        let curves: Vec<Vec<(f64, f64)>> = self.layers.iter().map(cumulative_steps).collect();
        let (low, high) = curves
            .iter()
            .flatten()
            .map(|(value, _)| *value)
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let (low, high) = if low.is_finite() { (low, high) } else { (0.0, 1.0) };
        let percent = |v: f64, d: usize| format!("{}%", format::percent_number(v, d.saturating_sub(2)));
        let y_ticks = frame::y_ticks((0.0, 1.0), bottom - top, percent);
        let left = style::MARGIN + 34 + frame::widest_label(area, &y_ticks)? + 14;
        let right = width - style::MARGIN - 20;
        let x_ticks = frame::x_ticks(area, (low, high), right - left, format::with_separators)?;
        let frame = Frame { x: Scale::new(low, high, left, right), y: Scale::new(0.0, 1.0, bottom, top) };
        let x_axis = Axis { ticks: x_ticks, description: self.axis.clone(), grid: true, line: true };
        let y_axis = Axis {
            ticks: y_ticks,
            description: "Share of runs at or below".to_string(),
            grid: true,
            line: true,
        };
        frame.draw_axes(area, &x_axis, &y_axis)?;
        for (index, curve) in curves.iter().enumerate() {
            // A step curve: flat across each bin at the share below its left edge, rising at its right.
            let mut path = Vec::with_capacity(curve.len() * 2);
            for pair in curve.windows(2) {
                let [(from, before), (to, after)] = pair else { continue };
                path.push(frame.point(*from, *before));
                path.push(frame.point(*to, *before));
                path.push(frame.point(*to, *after));
            }
            area.draw(&PathElement::new(path, palette::series(index).stroke_width(3))).map_err(drawing)?;
        }
        Ok(())
    }
}
