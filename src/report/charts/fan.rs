//! Fan charts of series outcomes: per month the p5–p95 and p25–p75 bands, the median line and the
//! mean dashed, along calendar time from the scenario's start. Several layers overlay scenarios with
//! each one's median and p25–p75 band.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::frame::{self, Axis, Frame, Scale, Tick};
use super::style::{self, Key, draw_header, drawing, palette};
use super::{ChartError, Figure, format};
use crate::scenario::YearMonth;
use crate::stats::SeriesPoint;

/// One scenario's monthly bands.
#[derive(Debug, Clone, PartialEq)]
pub struct FanLayer<'a> {
    /// The scenario's name (shown when there are several layers).
    pub label: String,
    /// Its monthly points, in month order.
    pub points: &'a [SeriesPoint],
}

/// A fan chart of one series outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct FanFigure<'a> {
    /// Caption.
    pub title: String,
    /// The line under it.
    pub subtitle: String,
    /// The y axis description with its unit.
    pub axis: String,
    /// The first simulated month: month 0 on the x axis.
    pub start: YearMonth,
    /// One layer per scenario.
    pub layers: Vec<FanLayer<'a>>,
}

const MEAN: Key = Key::Line { color: palette::VERMILLION, width: 2, dashed: true };
const MEDIAN: Key = Key::Line { color: palette::BLUE, width: 3, dashed: false };

impl FanFigure<'_> {
    fn points(&self) -> impl Iterator<Item = &SeriesPoint> {
        self.layers.iter().flat_map(|layer| layer.points.iter())
    }
}

impl Figure for FanFigure<'_> {
    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        draw_header(area, &self.title, &self.subtitle)?;
        let (width, height) = (style::SIZE.0 as i32, style::SIZE.1 as i32);
        let single = self.layers.len() == 1;
        let entries: Vec<(Key, String)> = if single {
            vec![
                (Key::Fill(palette::SKY_BLUE.mix(0.3)), "5th–95th percentile".to_string()),
                (Key::Fill(palette::SKY_BLUE.mix(0.65)), "25th–75th percentile".to_string()),
                (MEDIAN, "Median".to_string()),
                (MEAN, "Mean".to_string()),
            ]
        } else {
            self.layers
                .iter()
                .enumerate()
                .flat_map(|(i, layer)| {
                    let color = palette::series(i);
                    [
                        (Key::Line { color, width: 3, dashed: false }, format!("{}: median", layer.label)),
                        (Key::Fill(color.mix(0.25)), "25th–75th".to_string()),
                    ]
                })
                .collect()
        };
        let top = style::draw_legend(
            area,
            &entries,
            (style::MARGIN, style::HEADER_HEIGHT + 18),
            width - style::MARGIN,
        )?;
        let bottom = height - 84;

        let months = self.points().map(|p| p.month as f64);
        let (first, last) =
            months.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), m| (lo.min(m), hi.max(m)));
        let (first, last) = if first.is_finite() { (first, last) } else { (0.0, 1.0) };
        let values = self.points().flat_map(|p| {
            let bands = if single { [p.p5, p.p95, p.mean] } else { [p.p25, p.p75, p.p50] };
            bands.into_iter()
        });
        let (low, high) = values
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let (low, high) = if low.is_finite() { (low.min(0.0), high) } else { (0.0, 1.0) };
        let high = if high > low { high + (high - low) * 0.04 } else { high };
        let label = |v: f64, d: usize| format::with_separators(v, d);
        let y_ticks = frame::y_ticks((low, high), bottom - top, label);
        let left = style::MARGIN + 34 + frame::widest_label(area, &y_ticks)? + 14;
        let right = width - style::MARGIN - 20;
        let x = Scale::new(first, last, left, right);
        let x_ticks = date_ticks(area, self.start, (first, last), right - left)?;
        let frame = Frame { x, y: Scale::new(low, high, bottom, top) };
        let x_axis = Axis { ticks: x_ticks, description: String::new(), grid: true, line: true };
        let y_axis = Axis { ticks: y_ticks, description: self.axis.clone(), grid: true, line: true };
        frame.draw_axes(area, &x_axis, &y_axis)?;

        for (index, layer) in self.layers.iter().enumerate() {
            let points = layer.points;
            if single {
                band(area, &frame, points, |p| (p.p5, p.p95), palette::SKY_BLUE.mix(0.3))?;
                band(area, &frame, points, |p| (p.p25, p.p75), palette::SKY_BLUE.mix(0.65))?;
            } else {
                band(area, &frame, points, |p| (p.p25, p.p75), palette::series(index).mix(0.2))?;
            }
        }
        for (index, layer) in self.layers.iter().enumerate() {
            let median: Vec<(i32, i32)> = layer
                .points
                .iter()
                .filter(|p| p.p50.is_finite())
                .map(|p| frame.point(p.month as f64, p.p50))
                .collect();
            let color = if single { palette::BLUE } else { palette::series(index) };
            area.draw(&PathElement::new(median, color.stroke_width(3))).map_err(drawing)?;
            if single {
                let mean: Vec<(i32, i32)> = layer
                    .points
                    .iter()
                    .filter(|p| p.mean.is_finite())
                    .map(|p| frame.point(p.month as f64, p.mean))
                    .collect();
                area.draw(&DashedPathElement::new(mean, 9, 6, palette::VERMILLION.stroke_width(2)))
                    .map_err(drawing)?;
            }
        }
        Ok(())
    }
}

/// Fills the band between the two values `range` gives for each month.
fn band<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    frame: &Frame,
    points: &[SeriesPoint],
    range: impl Fn(&SeriesPoint) -> (f64, f64),
    color: RGBAColor,
) -> Result<(), ChartError> {
    let finite: Vec<(f64, (f64, f64))> = points
        .iter()
        .map(|p| (p.month as f64, range(p)))
        .filter(|(_, (lo, hi))| lo.is_finite() && hi.is_finite())
        .collect();
    let upper = finite.iter().map(|(m, (_, hi))| frame.point(*m, *hi));
    let lower = finite.iter().rev().map(|(m, (lo, _))| frame.point(*m, *lo));
    let outline: Vec<(i32, i32)> = upper.chain(lower).collect();
    if outline.len() < 3 {
        return Ok(());
    }
    area.draw(&Polygon::new(outline, color.filled())).map_err(drawing)
}

/// Steps between date labels, months: monthly labels read `YYYY-MM`, yearly ones `YYYY`.
const DATE_STEPS: [u32; 10] = [1, 2, 3, 6, 12, 24, 60, 120, 240, 600];

/// Labelled ticks along months `first..=last` after `start`, at round dates (January of round
/// years, or round months within a year), as many as fit `length` pixels without overlap.
pub(super) fn date_ticks<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    start: YearMonth,
    (first, last): (f64, f64),
    length: i32,
) -> Result<Vec<Tick>, ChartError> {
    let from = first.max(0.0).ceil() as u32;
    let to = last.max(0.0).floor() as u32;
    let per_month = length as f64 / (last - first).max(1.0);
    let mut fallback = Vec::new();
    for step in DATE_STEPS {
        let ticks: Vec<Tick> = (from..=to)
            .filter_map(|month| {
                let date = start.plus(month);
                let index = date.year as i64 * 12 + date.month as i64 - 1;
                let label = if step < 12 {
                    (index % step as i64 == 0).then(|| date.to_string())
                } else {
                    (date.month == 1 && (date.year as i64).rem_euclid((step / 12) as i64) == 0)
                        .then(|| format!("{:04}", date.year))
                };
                label.map(|label| Tick { value: month as f64, label })
            })
            .collect();
        if ticks.len() > 40 {
            continue;
        }
        let widest = frame::widest_label(area, &ticks)?;
        let spacing = step as f64 * per_month;
        if ticks.len() >= 2 && (widest + 18) as f64 <= spacing {
            return Ok(ticks);
        }
        if fallback.is_empty() && ticks.len() == 1 {
            fallback = ticks;
        }
    }
    if fallback.is_empty() {
        // Too short a series for any round date: label its first month.
        fallback.push(Tick { value: from as f64, label: start.plus(from).to_string() });
    }
    Ok(fallback)
}
