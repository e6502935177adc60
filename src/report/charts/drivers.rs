//! Tornado charts: for one outcome, its strongest drivers as horizontal bars of Spearman's ρ from 0,
//! strongest on top, each with its 95% interval as a whisker and its value printed in a column on
//! the right (so no value can run into a label).

use std::collections::BTreeSet;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::frame::{self, Axis, Frame, Scale};
use super::probability::label_column;
use super::style::{self, Key, anchored, draw_header, drawing, palette, put, text, text_size};
use super::{Chart, ChartError, ChartJob, ChartKind, Figure, file_stem, format, write_charts};
use crate::stats::{Correlation, OutcomeDrivers, Sensitivity, Summary};

/// Most drivers a tornado chart shows.
pub const TOP_DRIVERS: usize = 8;

/// One bar: a driver indicator's correlation with the outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct DriverBar {
    /// The indicator: `driver` or `driver=category`.
    pub label: String,
    /// Its correlation with the outcome.
    pub correlation: Correlation,
}

/// A tornado chart of one outcome's drivers.
#[derive(Debug, Clone, PartialEq)]
pub struct DriversFigure {
    /// Caption.
    pub title: String,
    /// The line under it.
    pub subtitle: String,
    /// Bars, top to bottom (strongest first).
    pub bars: Vec<DriverBar>,
}

/// Thickest bar, pixels.
const MAX_BAR: f64 = 44.0;

/// Largest |value| the axis must show: the intervals' ends, rounded up to a tenth, at least 0.1.
fn extent(bars: &[DriverBar]) -> f64 {
    let widest =
        bars.iter().map(|b| b.correlation.lower.abs().max(b.correlation.upper.abs())).fold(0.0, f64::max);
    ((widest * 10.0 - 1e-9).ceil() / 10.0).clamp(0.1, 1.0)
}

impl Figure for DriversFigure {
    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        draw_header(area, &self.title, &self.subtitle)?;
        let (width, height) = (style::SIZE.0 as i32, style::SIZE.1 as i32);
        let entries = [
            (Key::Fill(palette::BLUE.to_rgba()), "Higher driver, higher outcome".to_string()),
            (Key::Fill(palette::VERMILLION.to_rgba()), "Higher driver, lower outcome".to_string()),
            (Key::Whisker(palette::BLACK), "95% interval".to_string()),
        ];
        let top = style::draw_legend(
            area,
            &entries,
            (style::MARGIN, style::HEADER_HEIGHT + 20),
            width - style::MARGIN,
        )? + 4;
        let bottom = height - 84;
        let rows = self.bars.len().max(1);
        let slot = (bottom - top) as f64 / rows as f64;
        let label_size = (slot * 0.5).clamp(12.0, text_size::LABEL);
        let labels: Vec<&str> = self.bars.iter().map(|b| b.label.as_str()).collect();
        let left = style::MARGIN + label_column(area, &labels, label_size, 0.36)?;
        let value_style = anchored(text(text_size::TICK, palette::INK), HPos::Right, VPos::Center);
        let (value_width, _) = style::measure(area, "−0.000", &value_style)?;
        let right = width - style::MARGIN - value_width - 16;
        let extent = extent(&self.bars);
        let x = Scale::new(-extent, extent, left, right);
        let x_ticks = frame::x_ticks(area, (-extent, extent), right - left, |v, d| {
            let text = format::with_separators(v, d);
            text.strip_prefix('-').map_or(text.clone(), |rest| format!("−{rest}"))
        })?;
        let frame = Frame { x, y: Scale::new(0.0, rows as f64, top, bottom) };
        let x_axis = Axis {
            ticks: x_ticks,
            description: "Spearman's rank correlation ρ between the driver and the outcome".to_string(),
            grid: true,
            line: true,
        };
        let y_axis = Axis { ticks: Vec::new(), description: String::new(), grid: false, line: false };
        frame.draw_axes(area, &x_axis, &y_axis)?;
        let zero = frame.x.pixel(0.0);
        area.draw(&PathElement::new(vec![(zero, top), (zero, bottom)], palette::AXIS.stroke_width(1)))
            .map_err(drawing)?;

        let thickness = (slot * 0.62).min(MAX_BAR);
        let label_style = anchored(text(label_size, palette::INK), HPos::Right, VPos::Center);
        for (row, bar) in self.bars.iter().enumerate() {
            let middle = (top as f64 + slot * (row as f64 + 0.5)).round() as i32;
            let label = style::fit(area, &bar.label, &label_style, left - style::MARGIN - 12)?;
            put(area, &label, &label_style, (left - 12, middle))?;
            let c = &bar.correlation;
            let half = (thickness / 2.0).max(2.0) as i32;
            let end = frame.x.pixel(c.spearman);
            let color = if c.spearman < 0.0 { palette::VERMILLION } else { palette::BLUE };
            if end != zero {
                let (from, to) = (zero.min(end), zero.max(end));
                area.draw(&Rectangle::new([(from, middle - half), (to, middle + half)], color.filled()))
                    .map_err(drawing)?;
            }
            let (low, high) = (frame.x.pixel(c.lower), frame.x.pixel(c.upper));
            let cap = (half * 2 / 3).clamp(3, 10);
            let whisker = palette::BLACK.stroke_width(2);
            area.draw(&PathElement::new(vec![(low, middle), (high, middle)], whisker)).map_err(drawing)?;
            for at in [low, high] {
                area.draw(&PathElement::new(vec![(at, middle - cap), (at, middle + cap)], whisker))
                    .map_err(drawing)?;
            }
            put(area, &crate::format::signed_rho(c.spearman), &value_style, (width - style::MARGIN, middle))?;
        }
        if self.bars.is_empty() {
            let style = anchored(text(text_size::LABEL, palette::MUTED), HPos::Center, VPos::Center);
            put(
                area,
                "No driver varies together with this outcome",
                &style,
                ((left + right) / 2, (top + bottom) / 2),
            )?;
        }
        Ok(())
    }
}

/// The tornado chart of one outcome: its [`TOP_DRIVERS`] strongest indicators; `None` when no
/// indicator has a coefficient (a constant outcome, or too few runs).
pub fn drivers_for(summary: &Summary, outcome: &OutcomeDrivers) -> Option<DriversFigure> {
    let with_coefficient = outcome.ranked().count();
    let bars: Vec<DriverBar> = outcome
        .ranked()
        .take(TOP_DRIVERS)
        .map(|(label, correlation)| DriverBar { label: label.to_string(), correlation: *correlation })
        .collect();
    if bars.is_empty() {
        return None;
    }
    let shown = if with_coefficient > bars.len() {
        format!("top {} of {} driver indicators", bars.len(), with_coefficient)
    } else if bars.len() == 1 {
        "the one driver indicator that varies".to_string()
    } else {
        format!("all {} driver indicators that vary", bars.len())
    };
    Some(DriversFigure {
        title: format!("What drives: {}", outcome.title),
        subtitle: format!(
            "Spearman's ρ over the {} runs where it is defined · {shown} · seed {}",
            format::count(outcome.runs),
            summary.seed
        ),
        bars,
    })
}

/// Writes `dir/charts/<outcome>_drivers.png|svg` for every outcome with a coefficient, in file
/// order, and returns them. A stem already used by one of `taken` gets a numbered suffix.
pub fn write_driver_charts(
    summary: &Summary,
    sensitivity: &Sensitivity,
    dir: &Path,
    taken: &[Chart],
) -> Result<Vec<Chart>, ChartError> {
    let folder = dir.join("charts");
    std::fs::create_dir_all(&folder).map_err(|source| ChartError::Io { path: folder.clone(), source })?;
    let mut names: BTreeSet<String> = taken.iter().map(|c| c.name.clone()).collect();
    let mut jobs = Vec::new();
    for outcome in &sensitivity.outcomes {
        let Some(figure) = drivers_for(summary, outcome) else { continue };
        let wanted = format!("{}_drivers", file_stem(&outcome.outcome));
        let mut name = wanted.clone();
        let mut n = 2;
        while names.contains(&name) {
            name = format!("{wanted}_{n}");
            n += 1;
        }
        names.insert(name.clone());
        jobs.push(ChartJob::new(figure, name, ChartKind::Drivers, Some(outcome.outcome.as_str())));
    }
    write_charts(jobs, &folder)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_axis_covers_every_interval() {
        let bar = |lower, spearman, upper| DriverBar {
            label: String::new(),
            correlation: Correlation { spearman, lower, upper },
        };
        assert_eq!(extent(&[bar(0.01, 0.02, 0.03)]), 0.1);
        assert_eq!(extent(&[bar(-0.47, -0.41, -0.35), bar(0.1, 0.2, 0.3)]), 0.5);
        assert_eq!(extent(&[bar(1.0, 1.0, 1.0)]), 1.0);
        assert_eq!(extent(&[bar(0.5, 0.55, 0.6)]), 0.6);
    }

    #[test]
    fn values_print_with_their_sign() {
        assert_eq!(crate::format::signed_rho(0.618), "+0.62");
        assert_eq!(crate::format::signed_rho(-0.414), "−0.41");
        assert_eq!(crate::format::signed_rho(-0.004), "−0.004");
        assert_eq!(crate::format::signed_rho(0.0001), "0.000");
        assert_eq!(crate::format::signed_rho(0.0), "0.000");
        assert_eq!(crate::format::signed_rho(1.0), "+1.00");
    }
}
