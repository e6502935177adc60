//! Paired differences against a baseline (compare): each outcome's B − A as a point with its 95%
//! interval, around a line at zero. Rows share one axis, so a figure holds outcomes of one unit
//! (probabilities in percentage points, or one numeric unit).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::frame::{self, Axis, Frame, Scale};
use super::probability::label_column;
use super::style::{self, anchored, draw_header, drawing, palette, put, text, text_size};
use super::{ChartError, Figure, format};

/// One outcome's difference against the baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct DifferenceRow {
    /// Printed left of the row: the outcome's title, and the scenario if several are compared.
    pub label: String,
    /// The paired difference B − A, in the figure's unit.
    pub estimate: f64,
    /// Lower end of its 95% interval.
    pub lower: f64,
    /// Upper end of its 95% interval.
    pub upper: f64,
    /// The series (scenario) it belongs to: its colour.
    pub series: usize,
}

/// A chart of differences against a baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct DifferenceFigure {
    /// Caption.
    pub title: String,
    /// The line under it.
    pub subtitle: String,
    /// The x axis description with its unit, e.g. "Difference B − A, percentage points".
    pub axis: String,
    /// Rows, top to bottom.
    pub rows: Vec<DifferenceRow>,
    /// Whether values are probabilities (printed as percentage points).
    pub probabilities: bool,
}

impl DifferenceFigure {
    fn value(&self, v: f64) -> String {
        if self.probabilities {
            format!("{} pp", format::with_separators(v * 100.0, if (v * 100.0).abs() < 1.0 { 2 } else { 1 }))
        } else {
            format::number(v)
        }
    }
}

impl Figure for DifferenceFigure {
    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        draw_header(area, &self.title, &self.subtitle)?;
        let (width, height) = (style::SIZE.0 as i32, style::SIZE.1 as i32);
        let top = style::HEADER_HEIGHT + 16;
        let bottom = height - 84;
        let rows = self.rows.len().max(1);
        let slot = (bottom - top) as f64 / rows as f64;
        let label_size = (slot * 0.55).clamp(12.0, text_size::LABEL);
        let labels: Vec<&str> = self.rows.iter().map(|r| r.label.as_str()).collect();
        let left = style::MARGIN + label_column(area, &labels, label_size, 0.4)?;
        let value_style = text((slot * 0.5).clamp(12.0, text_size::TICK), palette::INK);
        let widest_value = self.rows.iter().try_fold(0, |widest, row| {
            Ok::<i32, ChartError>(
                widest.max(style::measure(area, &self.value(row.estimate), &value_style)?.0),
            )
        })?;
        let right = width - style::MARGIN - widest_value - 14;
        let reach = self
            .rows
            .iter()
            .flat_map(|r| [r.lower, r.upper, r.estimate])
            .filter(|v| v.is_finite())
            .fold(0.0f64, |reach, v| reach.max(v.abs()));
        let reach = if reach > 0.0 { reach * 1.08 } else { 1.0 };
        let scale = if self.probabilities { 100.0 } else { 1.0 };
        let x_ticks = frame::x_ticks(area, (-reach * scale, reach * scale), right - left, |v, d| {
            format::with_separators(v, d)
        })?;
        let x_ticks =
            x_ticks.into_iter().map(|t| frame::Tick { value: t.value / scale, label: t.label }).collect();
        let frame =
            Frame { x: Scale::new(-reach, reach, left, right), y: Scale::new(0.0, rows as f64, top, bottom) };
        let x_axis = Axis { ticks: x_ticks, description: self.axis.clone(), grid: true, line: true };
        let y_axis = Axis { ticks: Vec::new(), description: String::new(), grid: false, line: false };
        frame.draw_axes(area, &x_axis, &y_axis)?;
        let zero = frame.x.pixel(0.0);
        area.draw(&PathElement::new(vec![(zero, top), (zero, bottom)], palette::AXIS.stroke_width(2)))
            .map_err(drawing)?;
        for (index, row) in self.rows.iter().enumerate() {
            let middle = (top as f64 + slot * (index as f64 + 0.5)).round() as i32;
            let label_style = anchored(text(label_size, palette::INK), HPos::Right, VPos::Center);
            let label = style::fit(area, &row.label, &label_style, left - style::MARGIN - 12)?;
            put(area, &label, &label_style, (left - 12, middle))?;
            let color = palette::series(row.series);
            let (low, high) = (frame.x.pixel(row.lower), frame.x.pixel(row.upper));
            let cap = ((slot * 0.2) as i32).clamp(3, 10);
            let whisker = color.stroke_width(2);
            area.draw(&PathElement::new(vec![(low, middle), (high, middle)], whisker)).map_err(drawing)?;
            for at in [low, high] {
                area.draw(&PathElement::new(vec![(at, middle - cap), (at, middle + cap)], whisker))
                    .map_err(drawing)?;
            }
            let point = frame.x.pixel(row.estimate);
            let radius = ((slot * 0.15) as i32).clamp(3, 7);
            area.draw(&Circle::new((point, middle), radius, color.filled())).map_err(drawing)?;
            let style = anchored(value_style.clone(), HPos::Left, VPos::Center);
            put(area, &self.value(row.estimate), &style, (frame.right() + 10, middle))?;
        }
        Ok(())
    }
}
