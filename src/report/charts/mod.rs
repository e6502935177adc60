//! Charts of a run's outcomes, PNG and SVG (DESIGN.md §7): a histogram per numeric outcome, a
//! probability bar with its Wilson interval per 0/1 outcome, an overview of all 0/1 outcomes and a fan
//! chart per series outcome, and per outcome the effect of its drivers: the outcome in each bin of
//! a driver's draws, on scales common to every chart of a kind; and a scatter of each correlated pair
//! of drivers (`[correlations]`); and for an experiment (`explore`), each outcome's point means
//! against its factors (`factors.rs`).
//!
//! Every chart is a [`Figure`]: plain data that draws itself on any plotters backend, so one figure
//! gives byte-identical PNG and SVG on every machine (the font is embedded; no system fonts). The
//! figures take *layers* — one per scenario — so `compare` overlays scenarios with the same code:
//! [`HistogramFigure`] and [`CdfFigure`] overlay distributions, [`ProbabilityFigure`] groups bars,
//! [`FanFigure`] overlays medians and p25–p75 bands, and [`DifferenceFigure`] shows B − A with its
//! interval.
//!
//! Bars are drawn as rectangles in file order (plotters' `Histogram` series keeps bars in a HashMap
//! and so draws them in a different order from run to run).

mod cdf;
pub mod compare;
mod difference;
mod drivers;
mod factors;
mod fan;
pub mod format;
mod frame;
mod histogram;
mod probability;
mod run;
mod scatter;
pub mod style;
mod time_to_event;

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use rayon::prelude::*;

pub use cdf::CdfFigure;
pub use compare::write_compare_charts;
pub use difference::{DifferenceFigure, DifferenceRow};
pub use drivers::{
    BinRow, DriverBlock, DriversFigure, ProbabilitySpan, TOP_DRIVERS, drivers_for, write_driver_charts,
};
pub use factors::{FactorPanel, FactorsFigure, PANELS};
pub use fan::{FanFigure, FanLayer};
pub use histogram::{HistogramFigure, HistogramLayer};
pub use probability::{ProbabilityFigure, ProbabilityGroup};
pub use run::{fan_for, histogram_for, overview_for, probability_for, time_to_event_for, write_run_charts};
pub use scatter::ScatterFigure;
pub use time_to_event::{CurveLayer, TimeToEventFigure};

use style::drawing;

/// Why a chart could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The embedded font did not load (a broken build, never bad input).
    #[error("the embedded chart font (DejaVu Sans) could not be loaded")]
    Font,
    /// plotters failed while drawing.
    #[error("drawing a chart failed: {0}")]
    Draw(String),
    /// A chart file or folder could not be written.
    #[error("could not write {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}

/// A chart's content: it knows its caption and how to draw itself on a 1200×700 area.
pub trait Figure {
    /// The caption, e.g. the outcome's `title`.
    fn title(&self) -> &str;

    /// Draws the whole chart, background included, on `area` ([`style::SIZE`] pixels).
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), ChartError>;
}

/// What a chart shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    /// A numeric outcome's histogram.
    Histogram,
    /// A 0/1 outcome's probability with its interval.
    Probability,
    /// All 0/1 outcomes of a run side by side.
    Overview,
    /// A series outcome's monthly bands.
    Fan,
    /// Cumulative distributions, overlaid (compare).
    Cdf,
    /// Paired differences against a baseline (compare).
    Difference,
    /// An outcome by the bins of its drivers with the largest swing.
    Drivers,
    /// The probability that an event has happened by each month (`first(...)`, monthly
    /// `ever(...)`/`agreed(...)` outcomes), overlaid in compare.
    TimeToEvent,
    /// A correlated pair of drivers, run by run (`[correlations]`).
    Scatter,
    /// An experiment's point means against its factors (`crossroads explore`).
    Factors,
}

/// A chart written to disk.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// File stem, e.g. `peace_treaty`, `overview`, `armenians_home_series`.
    pub name: String,
    /// What it shows.
    pub kind: ChartKind,
    /// The outcome it draws, if it draws one.
    pub outcome: Option<String>,
    /// Its caption.
    pub title: String,
    /// The PNG file.
    pub png: PathBuf,
    /// The SVG file.
    pub svg_file: PathBuf,
    /// The SVG text, for embedding in report.html.
    pub svg: String,
}

/// The figure as SVG text ([`style::SIZE`] user units).
pub fn render_svg(figure: &impl Figure) -> Result<String, ChartError> {
    style::ensure_font()?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, style::SIZE).into_drawing_area();
        figure.draw(&root)?;
        root.present().map_err(drawing)?;
    }
    Ok(svg)
}

/// The figure's pixels, RGB, row by row ([`style::SIZE`]).
pub fn render_pixels(figure: &impl Figure) -> Result<Vec<u8>, ChartError> {
    style::ensure_font()?;
    let (width, height) = style::SIZE;
    let mut pixels = vec![0u8; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, style::SIZE).into_drawing_area();
        figure.draw(&root)?;
        root.present().map_err(drawing)?;
    }
    Ok(pixels)
}

/// Writes the figure as PNG to `path`: RGB, the `Up` filter and fast deflate. A chart is mostly
/// flat colour, so fast compression costs little in size (the default run's PNGs are 7.0 MB
/// instead of 5.1 MB with zlib's default level and adaptive filters; the pixels are the same) and
/// encodes several times faster; report.html embeds the SVG.
pub fn render_png(figure: &impl Figure, path: &Path) -> Result<(), ChartError> {
    let pixels = render_pixels(figure)?;
    let failed = |error: &dyn std::fmt::Display| ChartError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(error.to_string()),
    };
    let file =
        std::fs::File::create(path).map_err(|source| ChartError::Io { path: path.to_path_buf(), source })?;
    let (width, height) = style::SIZE;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    encoder.set_filter(png::FilterType::Up);
    let mut writer = encoder.write_header().map_err(|e| failed(&e))?;
    writer.write_image_data(&pixels).map_err(|e| failed(&e))?;
    writer.finish().map_err(|e| failed(&e))
}

/// Writes `folder/<name>.png` and `folder/<name>.svg` and describes them.
pub fn write_chart(
    figure: &impl Figure,
    folder: &Path,
    name: &str,
    kind: ChartKind,
    outcome: Option<&str>,
) -> Result<Chart, ChartError> {
    let png = folder.join(format!("{name}.png"));
    let svg_file = folder.join(format!("{name}.svg"));
    render_png(figure, &png)?;
    let svg = render_svg(figure)?;
    std::fs::write(&svg_file, &svg).map_err(|source| ChartError::Io { path: svg_file.clone(), source })?;
    Ok(Chart {
        name: name.to_string(),
        kind,
        outcome: outcome.map(str::to_string),
        title: figure.title().to_string(),
        png,
        svg_file,
        svg,
    })
}

/// One chart to write: a figure and the file stem, kind and outcome it is written under. Jobs are
/// planned in file order (stems are handed out in that order) and drawn by [`write_charts`].
pub struct ChartJob<'a> {
    write: Box<WriteChart<'a>>,
}

/// Draws one planned chart into a folder.
type WriteChart<'a> = dyn Fn(&Path) -> Result<Chart, ChartError> + Send + Sync + 'a;

impl<'a> ChartJob<'a> {
    /// The job of writing `figure` as `<name>.png` and `<name>.svg`.
    pub fn new(
        figure: impl Figure + Send + Sync + 'a,
        name: String,
        kind: ChartKind,
        outcome: Option<&'a str>,
    ) -> Self {
        ChartJob { write: Box::new(move |folder| write_chart(&figure, folder, &name, kind, outcome)) }
    }
}

/// Writes every job's chart into `folder`, in parallel on the current rayon pool (the caller's
/// `install`, or the global pool), and returns the charts in job order. Each chart is drawn by one
/// thread from its own figure, so the files are byte-identical whatever the thread count.
pub fn write_charts(jobs: Vec<ChartJob<'_>>, folder: &Path) -> Result<Vec<Chart>, ChartError> {
    jobs.into_par_iter().map(|job| (job.write)(folder)).collect()
}

/// A file stem safe on every system: letters, digits, `_` and `-` kept, anything else `_`.
pub fn file_stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' })
        .collect();
    if stem.is_empty() { "_".to_string() } else { stem }
}
