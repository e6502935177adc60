//! The plotting frame: a rectangle in pixels, linear scales from data to pixels, and axes whose tick
//! labels are chosen so that they never overlap.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::ChartError;
use super::format::{self, Ticks};
use super::style::{self, anchored, drawing, measure, palette, put, text, text_size};

/// A linear map from data values `[low, high]` to pixels `[from, to]` (`to < from` for a y axis).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    /// Data value at `from`.
    pub low: f64,
    /// Data value at `to`.
    pub high: f64,
    /// Pixel of `low`.
    pub from: i32,
    /// Pixel of `high`.
    pub to: i32,
}

impl Scale {
    /// A scale over `[low, high]`, widened to a unit interval around a single value.
    pub fn new(low: f64, high: f64, from: i32, to: i32) -> Scale {
        let (low, high) = if high > low {
            (low, high)
        } else if low.is_finite() {
            let half = if low == 0.0 { 0.5 } else { low.abs() * 0.05 };
            (low - half, low + half)
        } else {
            (0.0, 1.0)
        };
        Scale { low, high, from, to }
    }

    /// The pixel of `value`, clamped a little beyond the axis so that a stray value cannot send a
    /// shape far off the canvas.
    pub fn pixel(&self, value: f64) -> i32 {
        let share = ((value - self.low) / (self.high - self.low)).clamp(-0.05, 1.05);
        let share = if share.is_finite() { share } else { 0.0 };
        (self.from as f64 + share * (self.to - self.from) as f64).round() as i32
    }
}

/// One labelled tick on an axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    /// Position in data units.
    pub value: f64,
    /// What is printed there.
    pub label: String,
}

impl Tick {
    /// Ticks from round positions and their labels.
    pub fn from_ticks(ticks: &Ticks, label: impl Fn(f64) -> String) -> Vec<Tick> {
        ticks.values.iter().map(|&value| Tick { value, label: label(value) }).collect()
    }
}

/// Smallest gap between neighbouring x tick labels, pixels.
const X_LABEL_GAP: i32 = 18;
/// Smallest distance between y ticks, pixels.
const Y_TICK_SPACING: f64 = 48.0;

/// Round ticks over `[low, high]` along an x axis `length` pixels long, labelled by `label`
/// (given the tick value and the decimals the step needs), as many as fit without overlap.
pub fn x_ticks<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (low, high): (f64, f64),
    length: i32,
    label: impl Fn(f64, usize) -> String,
) -> Result<Vec<Tick>, ChartError> {
    let style = text(text_size::TICK, palette::INK);
    let per_unit = length as f64 / (high - low).abs().max(f64::MIN_POSITIVE);
    let mut failure = None;
    let ticks = format::ticks_that_fit(low, high, |_, step| {
        let step_pixels = step * per_unit;
        // The labels this step would print, with the caller's wording.
        let first = (low / step - 1e-9).ceil() as i64;
        let last = (high / step + 1e-9).floor() as i64;
        if last - first > 60 {
            return false;
        }
        let decimals = decimals_for(step);
        let widest = (first..=last)
            .map(|i| measure(area, &label(i as f64 * step, decimals), &style).map(|(w, _)| w))
            .try_fold(0, |widest, width| width.map(|w| widest.max(w)));
        match widest {
            Ok(widest) => (widest + X_LABEL_GAP) as f64 <= step_pixels,
            Err(error) => {
                failure = Some(error);
                true
            }
        }
    });
    if let Some(error) = failure {
        return Err(error);
    }
    Ok(Tick::from_ticks(&ticks, |v| label(v, ticks.decimals)))
}

/// Round ticks over `[low, high]` along a y axis `length` pixels long, at least 48 pixels apart.
pub fn y_ticks((low, high): (f64, f64), length: i32, label: impl Fn(f64, usize) -> String) -> Vec<Tick> {
    let per_unit = length as f64 / (high - low).abs().max(f64::MIN_POSITIVE);
    let ticks = format::ticks_that_fit(low, high, |_, step| step * per_unit >= Y_TICK_SPACING);
    Tick::from_ticks(&ticks, |v| label(v, ticks.decimals))
}

/// Decimals needed to print multiples of `step` exactly.
fn decimals_for(step: f64) -> usize {
    (0..=9).find(|&d| ((step * 10f64.powi(d)).round() - step * 10f64.powi(d)).abs() < 1e-6).unwrap_or(9)
        as usize
}

/// Width of the widest label among `ticks`, pixels.
pub fn widest_label<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ticks: &[Tick],
) -> Result<i32, ChartError> {
    let style = text(text_size::TICK, palette::INK);
    ticks.iter().try_fold(0, |widest, tick| Ok(widest.max(measure(area, &tick.label, &style)?.0)))
}

/// A plotting rectangle with its two scales.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    /// Horizontal scale: data → pixel column.
    pub x: Scale,
    /// Vertical scale: data → pixel row (grows downwards).
    pub y: Scale,
}

impl Frame {
    /// Left edge of the plot, pixels.
    pub fn left(&self) -> i32 {
        self.x.from.min(self.x.to)
    }
    /// Right edge of the plot, pixels.
    pub fn right(&self) -> i32 {
        self.x.from.max(self.x.to)
    }
    /// Top edge of the plot, pixels.
    pub fn top(&self) -> i32 {
        self.y.from.min(self.y.to)
    }
    /// Bottom edge of the plot, pixels.
    pub fn bottom(&self) -> i32 {
        self.y.from.max(self.y.to)
    }

    /// The pixel of a data point.
    pub fn point(&self, x: f64, y: f64) -> (i32, i32) {
        (self.x.pixel(x), self.y.pixel(y))
    }

    /// Draws grid lines at the ticks, the axis lines along the bottom and left, the tick labels and
    /// the axis descriptions (x below the labels, y turned along the left edge).
    pub fn draw_axes<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        x: &Axis,
        y: &Axis,
    ) -> Result<(), ChartError> {
        let grid = palette::GRID.stroke_width(1);
        let axis = palette::AXIS.stroke_width(1);
        let tick_style = text(text_size::TICK, palette::INK);
        for tick in &y.ticks {
            let row = self.y.pixel(tick.value);
            if y.grid {
                area.draw(&PathElement::new(vec![(self.left(), row), (self.right(), row)], grid))
                    .map_err(drawing)?;
            }
            area.draw(&PathElement::new(vec![(self.left() - 5, row), (self.left(), row)], axis))
                .map_err(drawing)?;
            let style = anchored(tick_style.clone(), HPos::Right, VPos::Center);
            put(area, &tick.label, &style, (self.left() - 9, row))?;
        }
        for tick in &x.ticks {
            let column = self.x.pixel(tick.value);
            if x.grid {
                area.draw(&PathElement::new(vec![(column, self.top()), (column, self.bottom())], grid))
                    .map_err(drawing)?;
            }
            area.draw(&PathElement::new(vec![(column, self.bottom()), (column, self.bottom() + 5)], axis))
                .map_err(drawing)?;
            let style = anchored(tick_style.clone(), HPos::Center, VPos::Top);
            put(area, &tick.label, &style, (column, self.bottom() + 9))?;
        }
        area.draw(&PathElement::new(vec![(self.left(), self.bottom()), (self.right(), self.bottom())], axis))
            .map_err(drawing)?;
        if y.line {
            area.draw(&PathElement::new(vec![(self.left(), self.top()), (self.left(), self.bottom())], axis))
                .map_err(drawing)?;
        }
        let label_style = text(text_size::LABEL, palette::INK);
        if !x.description.is_empty() {
            let style = anchored(label_style.clone(), HPos::Center, VPos::Top);
            let description =
                style::fit(area, &x.description, &style, self.right() - self.left() + 2 * style::MARGIN)?;
            put(area, &description, &style, ((self.left() + self.right()) / 2, self.bottom() + 38))?;
        }
        if !y.description.is_empty() {
            let widest = widest_label(area, &y.ticks)?;
            let style = style::vertical(anchored(label_style, HPos::Center, VPos::Bottom));
            let description = style::fit(area, &y.description, &style, self.bottom() - self.top())?;
            // Rotated text: its "bottom" anchor is its right side once turned.
            put(area, &description, &style, (self.left() - widest - 20, (self.top() + self.bottom()) / 2))?;
        }
        Ok(())
    }
}

/// What an axis shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// Labelled ticks.
    pub ticks: Vec<Tick>,
    /// Description with unit, e.g. "Persons at home".
    pub description: String,
    /// Whether grid lines cross the plot at the ticks.
    pub grid: bool,
    /// Whether the axis line itself is drawn (y axes of bar charts leave it out).
    pub line: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_map_ends_and_clamp() {
        let scale = Scale::new(0.0, 10.0, 100, 600);
        assert_eq!(scale.pixel(0.0), 100);
        assert_eq!(scale.pixel(10.0), 600);
        assert_eq!(scale.pixel(5.0), 350);
        assert_eq!(scale.pixel(1e9), 625);
        assert_eq!(scale.pixel(f64::NAN), 100);
        let flat = Scale::new(3.0, 3.0, 0, 100);
        assert!(flat.high > flat.low);
        assert_eq!(flat.pixel(3.0), 50);
    }

    #[test]
    fn decimals_follow_the_step() {
        assert_eq!(decimals_for(0.25), 2);
        assert_eq!(decimals_for(20_000.0), 0);
        assert_eq!(decimals_for(0.1), 1);
    }
}
