//! The scatter of a correlated pair of drivers (`[correlations]`): each run's two drawn values, so
//! the reader sees the dependence the copula made and each driver's own spread. A categorical
//! driver's outcomes are columns (or rows) in file order, its points spread a little across each so
//! that they do not hide one another.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{self, Axis, Frame, Scale, Tick};
use super::style::{self, draw_header, drawing, palette};
use super::{ChartError, Figure, format};

/// One correlated pair's runs.
#[derive(Debug, Clone, PartialEq)]
pub struct ScatterFigure<'a> {
    /// Caption.
    pub title: String,
    /// The line under it.
    pub subtitle: String,
    /// The x driver's name and, when categorical, its outcomes in order.
    pub x: (&'a str, Option<&'a [String]>),
    /// The y driver's name and, when categorical, its outcomes in order.
    pub y: (&'a str, Option<&'a [String]>),
    /// (x, y) per run (a categorical driver's value is its outcome's index).
    pub points: &'a [(f64, f64)],
}

/// A small spread across a category's column for run `k`, in [−0.3, 0.3): the low-discrepancy
/// sequence frac(k·step) (step irrational: the golden ratio across, √2 − 1 up), the same on every
/// machine.
fn spread(k: usize, step: f64) -> f64 {
    ((k as f64 * step).fract() - 0.5) * 0.6
}

/// The data range of one axis and its ticks' labels: categories at 0, 1, … or the values' range.
fn range(values: impl Iterator<Item = f64>, categories: Option<&[String]>) -> (f64, f64) {
    match categories {
        Some(names) => (-0.5, names.len() as f64 - 0.5),
        None => values
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v))),
    }
}

fn category_ticks(names: &[String]) -> Vec<Tick> {
    names.iter().enumerate().map(|(i, name)| Tick { value: i as f64, label: name.clone() }).collect()
}

impl Figure for ScatterFigure<'_> {
    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        draw_header(area, &self.title, &self.subtitle)?;
        let (width, height) = (style::SIZE.0 as i32, style::SIZE.1 as i32);
        let top = style::HEADER_HEIGHT + 24;
        let bottom = height - 84;
        let (x_low, x_high) = range(self.points.iter().map(|p| p.0), self.x.1);
        let (y_low, y_high) = range(self.points.iter().map(|p| p.1), self.y.1);
        let (x_low, x_high) = if x_low.is_finite() { (x_low, x_high) } else { (0.0, 1.0) };
        let (y_low, y_high) = if y_low.is_finite() { (y_low, y_high) } else { (0.0, 1.0) };
        let y_ticks = match self.y.1 {
            Some(names) => category_ticks(names),
            None => frame::y_ticks((y_low, y_high), bottom - top, format::with_separators),
        };
        let left = style::MARGIN + 34 + frame::widest_label(area, &y_ticks)? + 14;
        let right = width - style::MARGIN - 20;
        let x_ticks = match self.x.1 {
            Some(names) => category_ticks(names),
            None => frame::x_ticks(area, (x_low, x_high), right - left, format::with_separators)?,
        };
        let frame =
            Frame { x: Scale::new(x_low, x_high, left, right), y: Scale::new(y_low, y_high, bottom, top) };
        let x_axis = Axis { ticks: x_ticks, description: self.x.0.to_string(), grid: true, line: true };
        let y_axis = Axis { ticks: y_ticks, description: self.y.0.to_string(), grid: true, line: true };
        frame.draw_axes(area, &x_axis, &y_axis)?;
        let dot = palette::BLUE.mix(0.35).filled();
        for (k, &(x, y)) in self.points.iter().enumerate() {
            let x = if self.x.1.is_some() { x + spread(k, 0.618_033_988_749_895) } else { x };
            let y = if self.y.1.is_some() { y + spread(k, 0.414_213_562_373_095) } else { y };
            area.draw(&Circle::new(frame.point(x, y), 3, dot)).map_err(drawing)?;
        }
        Ok(())
    }
}
