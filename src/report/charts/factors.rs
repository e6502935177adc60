//! An experiment's point means against its factors (`crossroads explore`): for one outcome, a
//! panel per factor — the factors that matter most first, at most [`PANELS`] — each dot a design
//! point, at its value of the factor and the outcome's mean over the point's replications. The
//! panels share the y scale, so a steep cloud next to a flat one reads as what the indices say; a
//! cloud that is wide at every x is the other factors' and chance's part.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{self, Axis, Frame, Scale};
use super::style::{self, draw_header, drawing, palette};
use super::{ChartError, Figure, format};

/// Panels on one chart: two columns, three rows.
pub const PANELS: usize = 6;

/// One factor's panel.
#[derive(Debug, Clone, PartialEq)]
pub struct FactorPanel {
    /// Under the panel: the factor's path (cut at its start when too long: its end names it).
    pub label: String,
    /// In the panel's corner: what ranks it, e.g. "total index 0.24".
    pub rank: String,
    /// (factor value, point mean) per point.
    pub points: Vec<(f64, f64)>,
}

/// One outcome's point means against its most important factors.
#[derive(Debug, Clone, PartialEq)]
pub struct FactorsFigure {
    /// Caption.
    pub title: String,
    /// The line under it.
    pub subtitle: String,
    /// The y axis's description (the left panels carry it).
    pub y_label: String,
    /// At most [`PANELS`] panels, left to right, then the second row.
    pub panels: Vec<FactorPanel>,
}

impl Figure for FactorsFigure {
    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        draw_header(area, &self.title, &self.subtitle)?;
        let (width, height) = (style::SIZE.0 as i32, style::SIZE.1 as i32);
        let finite = |&&(x, y): &&(f64, f64)| x.is_finite() && y.is_finite();
        let (y_low, y_high) = self
            .panels
            .iter()
            .flat_map(|p| p.points.iter())
            .filter(finite)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &(_, y)| (lo.min(y), hi.max(y)));
        let (y_low, y_high) = if y_low.is_finite() { (y_low, y_high) } else { (0.0, 1.0) };
        let columns = 2;
        let rows = self.panels.len().div_ceil(columns).max(1) as i32;
        let top = style::HEADER_HEIGHT;
        let row_height = (height - top - 8) / rows;
        let y_ticks_probe = frame::y_ticks((y_low, y_high), row_height - 80, format::with_separators);
        let tick_width = frame::widest_label(area, &y_ticks_probe)?;
        let first_left = style::MARGIN + 34 + tick_width + 14;
        let column_width = (width - first_left - style::MARGIN) / columns as i32;
        let dot = palette::BLUE.mix(0.4).filled();
        for (index, panel) in self.panels.iter().enumerate() {
            let (row, column) = ((index / columns) as i32, (index % columns) as i32);
            let left = first_left + column * column_width + if column == 0 { 0 } else { tick_width + 18 };
            let right = first_left + (column + 1) * column_width - 18;
            let panel_top = top + row * row_height + 24;
            let bottom = top + (row + 1) * row_height - 70;
            let (x_low, x_high) = panel
                .points
                .iter()
                .filter(finite)
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &(x, _)| (lo.min(x), hi.max(x)));
            let (x_low, x_high) = if x_low.is_finite() { (x_low, x_high) } else { (0.0, 1.0) };
            let x_ticks = frame::x_ticks(area, (x_low, x_high), right - left, format::with_separators)?;
            let y_ticks = frame::y_ticks((y_low, y_high), bottom - panel_top, format::with_separators);
            let frame = Frame {
                x: Scale::new(x_low, x_high, left, right),
                y: Scale::new(y_low, y_high, bottom, panel_top),
            };
            let label_style = style::text(style::text_size::LABEL, palette::INK);
            let label =
                style::fit_end(area, &panel.label, &label_style, right - left + 2 * style::MARGIN - 8)?;
            let x_axis = Axis { ticks: x_ticks, description: label, grid: true, line: true };
            let y_axis = Axis {
                ticks: y_ticks,
                description: if column == 0 { self.y_label.clone() } else { String::new() },
                grid: true,
                line: true,
            };
            frame.draw_axes(area, &x_axis, &y_axis)?;
            for &(x, y) in panel.points.iter().filter(|p| finite(p)) {
                area.draw(&Circle::new(frame.point(x, y), 2, dot)).map_err(drawing)?;
            }
            let rank_style = style::text(style::text_size::TICK, palette::MUTED);
            style::put(area, &panel.rank, &rank_style, (left, panel_top - 21))?;
        }
        Ok(())
    }
}
