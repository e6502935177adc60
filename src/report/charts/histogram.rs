//! Histograms of numeric outcomes: bars drawn as rectangles, the mean and the 5th, 50th and 95th
//! percentiles marked, a side panel with the numbers and, for `first(...)` outcomes, the runs where
//! the event never happened. Several layers overlay scenarios.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::frame::{self, Axis, Frame, Scale};
use super::style::{self, Key, anchored, bold, draw_header, drawing, palette, put, text, text_size};
use super::{ChartError, Figure, format};
use crate::stats::NumericStatistics;

/// One distribution in a histogram: a scenario's statistics of the outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramLayer<'a> {
    /// The scenario's name (shown when there are several layers).
    pub label: String,
    /// Its statistics, histogram included.
    pub statistics: &'a NumericStatistics,
}

/// A histogram chart of one numeric outcome, for one or several scenarios.
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramFigure<'a> {
    /// Caption: the outcome's title.
    pub title: String,
    /// The line under it: measure, month, runs.
    pub subtitle: String,
    /// The x axis description with its unit.
    pub axis: String,
    /// One layer per scenario, first drawn first.
    pub layers: Vec<HistogramLayer<'a>>,
    /// How the runs left out of the statistics are named, when they are always stated: "Never
    /// happened" for a `first(...)` outcome, "Condition unmet" for one with `given`. With `None`
    /// they are stated (as "Left out") only when there are some.
    pub left_out: Option<&'static str>,
}

/// Width of the side panel, pixels.
const PANEL_WIDTH: i32 = 300;
/// Height of one row of marker tags above the plot, pixels.
const TAG_ROW: i32 = 24;

/// A marked value: mean or percentile.
struct Mark {
    value: f64,
    tag: String,
    key: Key,
}

fn marks(statistics: &NumericStatistics) -> Vec<Mark> {
    vec![
        Mark { value: statistics.p5, tag: format!("p5 {}", format::number(statistics.p5)), key: PERCENTILE },
        Mark {
            value: statistics.p50,
            tag: format!("median {}", format::number(statistics.p50)),
            key: MEDIAN,
        },
        Mark { value: statistics.mean, tag: format!("mean {}", format::number(statistics.mean)), key: MEAN },
        Mark {
            value: statistics.p95,
            tag: format!("p95 {}", format::number(statistics.p95)),
            key: PERCENTILE,
        },
    ]
}

const MEAN: Key = Key::Line { color: palette::VERMILLION, width: 3, dashed: true };
const MEDIAN: Key = Key::Line { color: palette::BLACK, width: 3, dashed: false };
const PERCENTILE: Key = Key::Line { color: palette::BLACK, width: 2, dashed: true };

impl HistogramFigure<'_> {
    /// The x range covering every layer's bins (and its marks, should a bin list be empty).
    fn x_range(&self) -> (f64, f64) {
        let values = self.layers.iter().flat_map(|layer| {
            let s = layer.statistics;
            s.histogram.edges.iter().copied().chain([s.min, s.max])
        });
        let (low, high) = values
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
        if low.is_finite() { (low, high) } else { (0.0, 1.0) }
    }

    fn tallest_bar(&self) -> u64 {
        self.layers.iter().flat_map(|l| l.statistics.histogram.counts.iter().copied()).max().unwrap_or(0)
    }
}

impl Figure for HistogramFigure<'_> {
    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        draw_header(area, &self.title, &self.subtitle)?;
        let (width, height) = (style::SIZE.0 as i32, style::SIZE.1 as i32);
        let single = self.layers.len() == 1;
        let bottom = height - 84;
        let ceiling = (self.tallest_bar() as f64 * 1.06).max(1.0);
        let count_label = |v: f64, decimals: usize| format::with_separators(v, decimals);
        // The y labels' width sets the left edge; the tag rows (known once x is) set the top.
        let provisional =
            frame::y_ticks((0.0, ceiling), bottom - style::HEADER_HEIGHT - 4 * TAG_ROW, count_label);
        let left = style::MARGIN + 34 + frame::widest_label(area, &provisional)? + 14;
        let right = width - style::MARGIN - PANEL_WIDTH - 28;
        let (low, high) = self.x_range();
        let x_ticks = frame::x_ticks(area, (low, high), right - left, format::with_separators)?;
        let x = Scale::new(low, high, left, right);

        let tag_style = anchored(text(text_size::TICK, palette::INK), HPos::Center, VPos::Bottom);
        let mut tags = Vec::new();
        if single && let Some(layer) = self.layers.first() {
            for mark in marks(layer.statistics) {
                let (w, _) = style::measure(area, &mark.tag, &tag_style)?;
                tags.push((mark, w));
            }
        }
        let spans: Vec<(i32, i32)> = tags.iter().map(|(m, w)| (x.pixel(m.value), *w)).collect();
        let rows = style::stagger(&spans, 10);
        let row_count = rows.iter().max().map_or(0, |r| r + 1) as i32;
        let top = style::HEADER_HEIGHT + 14 + row_count * TAG_ROW;
        let y_ticks = frame::y_ticks((0.0, ceiling), bottom - top, count_label);
        let frame = Frame { x, y: Scale::new(0.0, ceiling, bottom, top) };
        let x_axis = Axis { ticks: x_ticks, description: self.axis.clone(), grid: false, line: true };
        let y_axis = Axis { ticks: y_ticks, description: "Runs".to_string(), grid: true, line: true };
        frame.draw_axes(area, &x_axis, &y_axis)?;

        for (index, layer) in self.layers.iter().enumerate() {
            draw_bars(area, &frame, layer.statistics, single, palette::series(index))?;
        }
        for (index, layer) in self.layers.iter().enumerate() {
            let s = layer.statistics;
            if s.runs == 0 {
                continue;
            }
            if single {
                for mark in marks(s) {
                    draw_mark(area, &frame, mark.value, mark.key)?;
                }
            } else {
                let color = palette::series(index);
                draw_mark(area, &frame, s.p50, Key::Line { color, width: 3, dashed: false })?;
                draw_mark(area, &frame, s.mean, Key::Line { color, width: 2, dashed: true })?;
            }
        }
        for (((mark, _), row), (centre, _)) in tags.iter().zip(&rows).zip(&spans) {
            let y = top - 6 - *row as i32 * TAG_ROW;
            // A thin leader from the tag down to the plot keeps a raised tag attached to its line.
            if *row > 0 {
                area.draw(&PathElement::new(
                    vec![(*centre, y), (*centre, top)],
                    palette::GRID.stroke_width(1),
                ))
                .map_err(drawing)?;
            }
            let color = match mark.key {
                Key::Line { color, .. } => color,
                _ => palette::INK,
            };
            put(
                area,
                &mark.tag,
                &anchored(text(text_size::TICK, color), HPos::Center, VPos::Bottom),
                (*centre, y),
            )?;
        }
        let panel = Panel { left: width - style::MARGIN - PANEL_WIDTH, right: width - style::MARGIN };
        if single {
            if let Some(layer) = self.layers.first() {
                panel.single(area, layer.statistics, self.left_out, style::HEADER_HEIGHT + 20)?;
            }
        } else {
            panel.layers(area, &self.layers, self.left_out, style::HEADER_HEIGHT + 20)?;
        }
        Ok(())
    }
}

/// Draws a layer's bars: filled blocks with white seams for one scenario; a translucent fill under a
/// solid outline for overlaid scenarios.
fn draw_bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    frame: &Frame,
    statistics: &NumericStatistics,
    single: bool,
    color: RGBColor,
) -> Result<(), ChartError> {
    let histogram = &statistics.histogram;
    let bins = histogram.edges.windows(2).zip(&histogram.counts);
    let mut outline = Vec::new();
    for (edges, &count) in bins {
        let [from, to] = edges else { continue };
        let (x0, y0) = frame.point(*from, 0.0);
        let (x1, y1) = frame.point(*to, count as f64);
        outline.extend([(x0, y1), (x1, y1)]);
        if count == 0 {
            continue;
        }
        if single {
            area.draw(&Rectangle::new([(x0, y1), (x1, y0)], palette::SKY_BLUE.filled())).map_err(drawing)?;
            area.draw(&Rectangle::new([(x0, y1), (x1, y0)], WHITE.stroke_width(1))).map_err(drawing)?;
        } else {
            area.draw(&Rectangle::new([(x0, y1), (x1, y0)], color.mix(0.18).filled())).map_err(drawing)?;
        }
    }
    if !single && let (Some(first), Some(last)) = (outline.first().copied(), outline.last().copied()) {
        let base = frame.bottom();
        let mut path = vec![(first.0, base)];
        path.extend(outline);
        path.push((last.0, base));
        area.draw(&PathElement::new(path, color.stroke_width(2))).map_err(drawing)?;
    }
    Ok(())
}

/// Draws a vertical mark across the plot at `value` in the key's line style.
fn draw_mark<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    frame: &Frame,
    value: f64,
    key: Key,
) -> Result<(), ChartError> {
    if !value.is_finite() {
        return Ok(());
    }
    let column = frame.x.pixel(value);
    let line = vec![(column, frame.bottom()), (column, frame.top())];
    match key {
        Key::Line { color, width, dashed: true } => {
            area.draw(&DashedPathElement::new(line, 9, 6, color.stroke_width(width))).map_err(drawing)
        }
        Key::Line { color, width, dashed: false } => {
            area.draw(&PathElement::new(line, color.stroke_width(width))).map_err(drawing)
        }
        _ => Ok(()),
    }
}

/// The side panel of numbers, right of the plot.
struct Panel {
    left: i32,
    right: i32,
}

/// Height of one panel line, pixels.
const LINE: i32 = 28;

impl Panel {
    /// A line: an optional key, a name on the left, a value on the right.
    fn line<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        y: i32,
        key: Option<Key>,
        name: &str,
        value: &str,
        style: &TextStyle<'static>,
    ) -> Result<(), ChartError> {
        let indent = 42;
        if let Some(key) = key {
            style::draw_key(area, key, (self.left, y))?;
        }
        let value_style = anchored(style.clone(), HPos::Right, VPos::Center);
        let (value_width, _) = style::measure(area, value, &value_style)?;
        let name_style = anchored(style.clone(), HPos::Left, VPos::Center);
        let name = style::fit(area, name, &name_style, self.right - self.left - indent - value_width - 10)?;
        put(area, &name, &name_style, (self.left + indent, y))?;
        put(area, value, &value_style, (self.right, y))
    }

    fn single<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        s: &NumericStatistics,
        left_out: Option<&str>,
        top: i32,
    ) -> Result<(), ChartError> {
        let plain = text(text_size::LABEL, palette::INK);
        let muted = text(text_size::TICK, palette::MUTED);
        let mut y = top;
        if s.runs == 0 {
            self.line(area, y, None, "No run defined it", "", &plain)?;
        } else {
            let rows: [(Option<Key>, &str, String, &TextStyle<'static>); 7] = [
                (Some(MEAN), "Mean", format::number(s.mean), &plain),
                (None, "MC standard error", format::number(s.standard_error), &muted),
                (Some(MEDIAN), "Median", format::number(s.p50), &plain),
                (Some(PERCENTILE), "5th percentile", format::number(s.p5), &plain),
                (Some(PERCENTILE), "95th percentile", format::number(s.p95), &plain),
                (None, "p25–p75", format!("{}–{}", format::number(s.p25), format::number(s.p75)), &muted),
                (None, "Range", format!("{}–{}", format::number(s.min), format::number(s.max)), &muted),
            ];
            for (key, name, value, style) in rows {
                self.line(area, y, key, name, &value, style)?;
                y += LINE;
            }
        }
        y += LINE / 2;
        let total = s.runs + s.undefined;
        self.line(area, y, None, "Runs counted", &format::count(s.runs), &plain)?;
        if let Some(label) = left_out.or((s.undefined > 0).then_some("Left out")) {
            y += LINE;
            let share = if total > 0 { s.undefined as f64 / total as f64 } else { 0.0 };
            let style = bold(text_size::LABEL, palette::INK);
            self.line(area, y, None, label, &format::count(s.undefined), &style)?;
            y += LINE;
            let note = format!("{} of {} runs", format::percent(share), format::count(total));
            self.line(area, y, None, "", &note, &muted)?;
        }
        Ok(())
    }

    fn layers<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        layers: &[HistogramLayer<'_>],
        left_out: Option<&str>,
        top: i32,
    ) -> Result<(), ChartError> {
        let plain = text(text_size::TICK, palette::INK);
        let bottom = style::SIZE.1 as i32 - style::MARGIN;
        let per_layer = if left_out.is_some() { 5 } else { 4 } * LINE - LINE / 2;
        let mut y = top;
        for (index, layer) in layers.iter().enumerate() {
            if y + per_layer > bottom {
                put(area, "…", &anchored(plain.clone(), HPos::Left, VPos::Center), (self.left, y))?;
                break;
            }
            let s = layer.statistics;
            let color = palette::series(index);
            let heading = anchored(bold(text_size::LABEL, color), HPos::Left, VPos::Center);
            let label = style::fit(area, &layer.label, &heading, self.right - self.left - 42)?;
            style::draw_key(area, Key::Fill(color.mix(0.35)), (self.left, y))?;
            put(area, &label, &heading, (self.left + 42, y))?;
            y += LINE;
            self.line(
                area,
                y,
                Some(Key::Line { color, width: 2, dashed: true }),
                "Mean",
                &format::number(s.mean),
                &plain,
            )?;
            y += LINE;
            self.line(
                area,
                y,
                Some(Key::Line { color, width: 3, dashed: false }),
                "Median",
                &format::number(s.p50),
                &plain,
            )?;
            y += LINE;
            let spread = format!("{}–{}", format::number(s.p5), format::number(s.p95));
            self.line(area, y, None, "p5–p95", &spread, &plain)?;
            if let Some(label) = left_out {
                y += LINE;
                let total = s.runs + s.undefined;
                let share = if total > 0 { s.undefined as f64 / total as f64 } else { 0.0 };
                self.line(area, y, None, label, &format::percent(share), &plain)?;
            }
            y += LINE + LINE / 2;
        }
        Ok(())
    }
}
