//! Time-to-event curves: the probability that an event has happened (or an agreement been reached)
//! by the end of each month, along calendar time from the scenario's start, with its pointwise 95%
//! Monte Carlo interval as a band. Several layers overlay scenarios (compare), each in its colour.
//!
//! The curve of month m is drawn at the end of that month (the start of month m + 1), from 0 at
//! the start of the first month, so a reader reads "by this date" straight off the axis.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::fan::date_ticks;
use super::frame::{self, Axis, Frame, Scale};
use super::style::{self, Key, draw_header, drawing, palette};
use super::{ChartError, Figure, format};
use crate::scenario::YearMonth;
use crate::stats::CumulativePoint;

/// One scenario's curve.
#[derive(Debug, Clone, PartialEq)]
pub struct CurveLayer<'a> {
    /// The scenario's name (shown when there are several layers).
    pub label: String,
    /// Its monthly points, in month order.
    pub points: &'a [CumulativePoint],
}

/// A time-to-event chart of one outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeToEventFigure<'a> {
    /// Caption.
    pub title: String,
    /// The line under it.
    pub subtitle: String,
    /// The first simulated month: month 0 on the x axis.
    pub start: YearMonth,
    /// One layer per scenario.
    pub layers: Vec<CurveLayer<'a>>,
}

impl Figure for TimeToEventFigure<'_> {
    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        draw_header(area, &self.title, &self.subtitle)?;
        let (width, height) = (style::SIZE.0 as i32, style::SIZE.1 as i32);
        let single = self.layers.len() == 1;
        let mut entries: Vec<(Key, String)> = Vec::new();
        for (index, layer) in self.layers.iter().enumerate() {
            let color = if single { palette::BLUE } else { palette::series(index) };
            let name = if single { "Probability it has happened".to_string() } else { layer.label.clone() };
            entries.push((Key::Line { color, width: 3, dashed: false }, name));
        }
        entries.push((
            Key::Fill(palette::SKY_BLUE.mix(0.45)),
            "95% interval (Monte Carlo error, each month)".to_string(),
        ));
        let top = style::draw_legend(
            area,
            &entries,
            (style::MARGIN, style::HEADER_HEIGHT + 18),
            width - style::MARGIN,
        )?;
        let bottom = height - 84;

        let last = self.layers.iter().flat_map(|l| l.points.iter()).map(|p| p.month + 1).max().unwrap_or(1);
        let highest = self
            .layers
            .iter()
            .flat_map(|l| l.points.iter())
            .map(|p| p.upper)
            .filter(|v| v.is_finite())
            .fold(0.0_f64, f64::max);
        // Round the top up to a step of 5 pp (10 pp above one half), never beyond 100%.
        let step = if highest > 0.5 { 0.1 } else { 0.05 };
        let high = ((highest / step).ceil() * step).clamp(step, 1.0);
        let label =
            |v: f64, d: usize| format!("{}%", format::with_separators(v * 100.0, d.saturating_sub(2)));
        let y_ticks = frame::y_ticks((0.0, high), bottom - top, label);
        let left = style::MARGIN + 34 + frame::widest_label(area, &y_ticks)? + 14;
        let right = width - style::MARGIN - 20;
        let x = Scale::new(0.0, f64::from(last), left, right);
        let x_ticks = date_ticks(area, self.start, (0.0, f64::from(last)), right - left)?;
        let frame = Frame { x, y: Scale::new(0.0, high, bottom, top) };
        let x_axis = Axis { ticks: x_ticks, description: String::new(), grid: true, line: true };
        let y_axis = Axis {
            ticks: y_ticks,
            description: "Probability it has happened by then".to_string(),
            grid: true,
            line: true,
        };
        frame.draw_axes(area, &x_axis, &y_axis)?;

        for (index, layer) in self.layers.iter().enumerate() {
            let color = if single { palette::SKY_BLUE.mix(0.45) } else { palette::series(index).mix(0.2) };
            let upper = std::iter::once(frame.point(0.0, 0.0))
                .chain(layer.points.iter().map(|p| frame.point(f64::from(p.month + 1), p.upper)));
            let lower = layer
                .points
                .iter()
                .rev()
                .map(|p| frame.point(f64::from(p.month + 1), p.lower))
                .chain(std::iter::once(frame.point(0.0, 0.0)));
            let outline: Vec<(i32, i32)> = upper.chain(lower).collect();
            if outline.len() >= 3 {
                area.draw(&Polygon::new(outline, color.filled())).map_err(drawing)?;
            }
        }
        for (index, layer) in self.layers.iter().enumerate() {
            let color = if single { palette::BLUE } else { palette::series(index) };
            let line: Vec<(i32, i32)> = std::iter::once(frame.point(0.0, 0.0))
                .chain(layer.points.iter().map(|p| frame.point(f64::from(p.month + 1), p.probability)))
                .collect();
            area.draw(&PathElement::new(line, color.stroke_width(3))).map_err(drawing)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_curve_draws_with_its_band() {
        let points: Vec<CumulativePoint> = (0..24)
            .map(|month| {
                let p = f64::from(month + 1) / 48.0;
                CumulativePoint {
                    month,
                    date: format!("2024-{:02}", month % 12 + 1),
                    probability: p,
                    lower: p - 0.01,
                    upper: p + 0.01,
                }
            })
            .collect();
        let figure = TimeToEventFigure {
            title: "First clash".into(),
            subtitle: "10,000 runs".into(),
            start: YearMonth { year: 2024, month: 1 },
            layers: vec![CurveLayer { label: "base".into(), points: &points }],
        };
        let svg = super::super::render_svg(&figure).unwrap();
        assert!(svg.contains("Probability it has happened by then"));
        assert!(svg.contains("<polygon"), "the band is drawn");
        assert!(svg.contains("60%"), "the axis reaches the band's top, in percent: {}", svg.len());
    }
}
