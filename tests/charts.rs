//! Charts: every kind renders as a 1200×700 PNG that is not blank and as SVG; the same summary gives
//! byte-identical files; no two texts overlap; overlay figures for `compare` render too.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "in a test, a panic is a failed test"
)]
mod common;

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::Path;
use std::rc::Rc;

use common::sample;
use crossroads::report::charts::{
    self, CdfFigure, ChartKind, DifferenceFigure, DifferenceRow, FanFigure, FanLayer, Figure,
    HistogramFigure, HistogramLayer, ProbabilityFigure, ProbabilityGroup,
};
use crossroads::report::words::DriverNames;
use crossroads::scenario::YearMonth;
use crossroads::stats::{OutcomeStatistics, Summary};
use plotters::prelude::*;
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind};

/// Decodes a PNG file: (width, height, RGB(A) bytes, bytes per pixel).
fn decode(path: &Path) -> (u32, u32, Vec<u8>, usize) {
    let file = std::fs::File::open(path).unwrap();
    let mut reader = png::Decoder::new(std::io::BufReader::new(file)).read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap();
    pixels.truncate(info.buffer_size());
    let channels = info.color_type.samples();
    (info.width, info.height, pixels, channels)
}

/// Asserts an image is a chart, not a blank: several colours, a fair share of non-white pixels.
fn assert_not_blank(pixels: &[u8], channels: usize, what: &str) {
    let colours: BTreeSet<&[u8]> = pixels.chunks(channels).map(|p| &p[..3]).collect();
    let inked = pixels.chunks(channels).filter(|p| p[..3] != [255, 255, 255]).count();
    let total = pixels.len() / channels;
    assert!(colours.len() >= 8, "{what}: only {} colours", colours.len());
    assert!(inked * 100 >= total, "{what}: only {inked} of {total} pixels drawn");
}

fn write_sample(dir: &Path) -> (Summary, Vec<charts::Chart>) {
    let summary = sample::summary();
    let charts = charts::write_run_charts(&summary, dir).unwrap();
    (summary, charts)
}

#[test]
fn every_chart_kind_renders_as_png_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    let (summary, charts) = write_sample(dir.path());
    let names: Vec<&str> = charts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names.first(), Some(&"overview"));
    for outcome in &summary.outcomes {
        // A 0/1 outcome is a bar of the overview, not a chart of its own.
        let alone = matches!(outcome.statistics, OutcomeStatistics::Numeric(_));
        assert_eq!(names.contains(&outcome.name.as_str()), alone, "{}", outcome.name);
        let series = format!("{}_series", outcome.name);
        assert_eq!(outcome.series.is_some(), names.contains(&series.as_str()), "{series}");
    }
    let kinds: BTreeSet<String> = charts.iter().map(|c| format!("{:?}", c.kind)).collect();
    assert_eq!(kinds.len(), 3, "histogram, overview and fan: {kinds:?}");
    for chart in &charts {
        assert_eq!(chart.png, dir.path().join("charts").join(format!("{}.png", chart.name)));
        let (width, height, pixels, channels) = decode(&chart.png);
        assert_eq!((width, height), (1200, 700), "{}", chart.name);
        assert_not_blank(&pixels, channels, &chart.name);
        let svg = std::fs::read_to_string(&chart.svg_file).unwrap();
        assert_eq!(svg, chart.svg);
        assert!(svg.starts_with("<svg width=\"1200\" height=\"700\""), "{}", chart.name);
        assert!(svg.contains(&chart.title.replace('&', "&amp;")), "{}: caption missing", chart.name);
    }
}

#[test]
fn same_summary_gives_identical_files() {
    let (first, second) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (_, a) = write_sample(first.path());
    let (_, b) = write_sample(second.path());
    assert_eq!(a.len(), b.len());
    for (a, b) in a.iter().zip(&b) {
        assert_eq!(a.svg, b.svg, "{}", a.name);
        assert_eq!(std::fs::read(&a.png).unwrap(), std::fs::read(&b.png).unwrap(), "{}", a.name);
    }
}

#[test]
fn charts_state_what_matters() {
    let dir = tempfile::tempdir().unwrap();
    let (_, charts) = write_sample(dir.path());
    let svg = |name: &str| charts.iter().find(|c| c.name == name).unwrap().svg.clone();
    // first(...): the runs where the event never happened are on the chart.
    let first = svg("first_clash");
    assert!(
        first.contains("Never happened") && first.contains("1,234") && first.contains("12.3% of 10,000 runs")
    );
    // Thousands separators on the axis of a count of persons; the unit is the axis description.
    let home = svg("armenians_home");
    assert!(home.contains(">\n10,000\n<") || home.contains(">10,000<"), "no 10,000 tick");
    assert!(
        home.contains("Persons") && home.contains("median") && home.contains("mean") && home.contains("p95")
    );
    // A probability prints its number and interval in the overview; near 0 it keeps its digits.
    let overview = svg("overview");
    assert!(overview.contains("37.2%"));
    assert!(overview.contains("0.040%") && overview.contains("99.87%"));
    // The single-probability figure still draws (compare uses it).
    let summary = sample::summary();
    let treaty = &summary.outcomes[0];
    if let OutcomeStatistics::Probability(s) = &treaty.statistics {
        let svg = charts::render_svg(&charts::probability_for(&summary, treaty, s)).unwrap();
        assert!(svg.contains("37.2%") && svg.contains("36.3–38.2%"));
    }
    // The fan chart's x axis is in calendar years from the start.
    let fan = svg("armenians_home_series");
    for year in 2024..=2033 {
        assert!(fan.contains(&format!("{year}\n")) || fan.contains(&format!(">{year}<")), "no {year} label");
    }
}

#[test]
fn names_are_safe_and_unique() {
    let dir = tempfile::tempdir().unwrap();
    let mut summary = sample::summary();
    summary.outcomes[0].name = "overview".to_string();
    summary.outcomes[1].name = "../escape attempt".to_string();
    let charts = charts::write_run_charts(&summary, dir.path()).unwrap();
    let names: Vec<&str> = charts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(&names[..1], &["overview"]);
    for chart in &charts {
        assert_eq!(chart.png.parent(), Some(dir.path().join("charts").as_path()));
    }
    assert_eq!(charts.iter().filter(|c| c.kind == ChartKind::Overview).count(), 1);
}

/// A backend that draws nothing and records where every text would go, as pixel boxes.
#[derive(Default)]
struct TextRecorder {
    boxes: Rc<RefCell<Vec<TextBox>>>,
}

/// A text and its box in pixels: left, top, right, bottom.
type TextBox = (String, (i32, i32, i32, i32));

impl DrawingBackend for TextRecorder {
    type ErrorType = std::fmt::Error;

    fn get_size(&self) -> (u32, u32) {
        (1200, 700)
    }
    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        Ok(())
    }
    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        Ok(())
    }
    fn draw_pixel(
        &mut self,
        _: BackendCoord,
        _: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        Ok(())
    }
    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        (x, y): BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        use plotters::style::text_anchor::{HPos, VPos};
        let ((x0, y0), (x1, y1)) =
            style.layout_box(text).map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let (w, h) = (x1 - x0, y1 - y0);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -w,
            HPos::Center => -w / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -h / 2,
            VPos::Bottom => -h,
        };
        // The corners of the text's box, turned as the backend turns the glyphs.
        let corners = [(dx, dy), (dx + w, dy + h)].map(|(u, v)| style.transform().transform(u, v));
        let (ax, ay) = corners[0];
        let (bx, by) = corners[1];
        self.boxes
            .borrow_mut()
            .push((text.to_string(), (x + ax.min(bx), y + ay.min(by), x + ax.max(bx), y + ay.max(by))));
        Ok(())
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        _: BackendCoord,
        _: BackendCoord,
        _: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        Ok(())
    }
}

/// Texts whose boxes overlap (by more than a pixel each way), and texts that leave the canvas.
fn overlaps(figure: &impl Figure) -> Vec<String> {
    charts::style::ensure_font().unwrap();
    let recorder = TextRecorder::default();
    let boxes = Rc::clone(&recorder.boxes);
    figure.draw(&recorder.into_drawing_area()).unwrap();
    let boxes = boxes.borrow();
    let mut problems = Vec::new();
    for (i, (a, (ax0, ay0, ax1, ay1))) in boxes.iter().enumerate() {
        if *ax0 < 0 || *ay0 < 0 || *ax1 > 1200 || *ay1 > 700 {
            problems.push(format!("{a:?} leaves the canvas"));
        }
        for (b, (bx0, by0, bx1, by1)) in &boxes[i + 1..] {
            let wide = ax1.min(bx1) - ax0.max(bx0);
            let tall = ay1.min(by1) - ay0.max(by0);
            if wide > 1 && tall > 1 {
                problems.push(format!("{a:?} overlaps {b:?}"));
            }
        }
    }
    problems
}

#[test]
fn no_two_texts_overlap_on_any_run_chart() {
    let summary = sample::summary();
    let overview = charts::overview_for(&summary).unwrap();
    assert_eq!(overlaps(&overview), Vec::<String>::new(), "overview");
    for outcome in &summary.outcomes {
        let problems = match &outcome.statistics {
            OutcomeStatistics::Probability(s) => overlaps(&charts::probability_for(&summary, outcome, s)),
            OutcomeStatistics::Numeric(s) => overlaps(&charts::histogram_for(&summary, outcome, s)),
        };
        assert_eq!(problems, Vec::<String>::new(), "{}", outcome.name);
        if let Some(fan) = charts::fan_for(&summary, outcome) {
            assert_eq!(overlaps(&fan), Vec::<String>::new(), "{} series", outcome.name);
        }
    }
}

#[test]
fn marks_that_coincide_are_staggered() {
    // A spike: mean, median and both percentiles all in one bin.
    let summary = sample::summary();
    let mut stats = match &summary.outcomes[9].statistics {
        OutcomeStatistics::Numeric(s) => s.clone(),
        OutcomeStatistics::Probability(_) => unreachable!(),
    };
    (stats.p5, stats.p25, stats.p50, stats.mean, stats.p75, stats.p95) = (4.0, 4.0, 4.0, 4.01, 4.0, 4.0);
    let figure = charts::histogram_for(&summary, &summary.outcomes[9], &stats);
    assert_eq!(overlaps(&figure), Vec::<String>::new());
}

/// The numeric statistics of outcome `index` of the sample.
fn numeric(summary: &Summary, index: usize) -> &crossroads::stats::NumericStatistics {
    match &summary.outcomes[index].statistics {
        OutcomeStatistics::Numeric(s) => s,
        OutcomeStatistics::Probability(_) => panic!("outcome {index} is a probability"),
    }
}

fn probability(summary: &Summary, index: usize) -> &crossroads::stats::ProbabilityStatistics {
    match &summary.outcomes[index].statistics {
        OutcomeStatistics::Probability(s) => s,
        OutcomeStatistics::Numeric(_) => panic!("outcome {index} is numeric"),
    }
}

#[test]
fn overlay_figures_for_compare_render() {
    let a = sample::summary();
    let b = sample::summary();
    let layers = vec![
        HistogramLayer { label: a.scenario.clone(), statistics: numeric(&a, 6) },
        HistogramLayer { label: "turkey_weak".to_string(), statistics: numeric(&b, 10) },
    ];
    let histogram = HistogramFigure {
        title: "Month of the first deadly clash".to_string(),
        subtitle: "two scenarios".to_string(),
        axis: "Months".to_string(),
        layers: layers.clone(),
        left_out: Some("Never happened"),
    };
    let cdf = CdfFigure {
        title: "Month of the first deadly clash".to_string(),
        subtitle: "two scenarios".to_string(),
        axis: "Months".to_string(),
        layers,
    };
    let groups = (0..5)
        .map(|i| ProbabilityGroup {
            label: a.outcomes[i].title.clone(),
            bars: vec![
                Some(probability(&a, i)),
                if i == 2 { None } else { Some(probability(&b, (i + 1) % 5)) },
            ],
        })
        .collect();
    let grouped = ProbabilityFigure {
        title: "Probabilities".to_string(),
        subtitle: "baseline and variant".to_string(),
        series: vec!["baseline".to_string(), "variant".to_string()],
        groups,
    };
    let points_a = a.outcomes[5].series.as_deref().unwrap();
    let points_b = a.outcomes[7].series.as_deref().unwrap();
    let fan = FanFigure {
        title: "Overlaid".to_string(),
        subtitle: "medians and middle halves".to_string(),
        axis: "Index".to_string(),
        start: YearMonth::parse("2024-01").unwrap(),
        layers: vec![
            FanLayer { label: "baseline".to_string(), points: points_b },
            FanLayer { label: "variant".to_string(), points: &points_a[..60] },
        ],
    };
    let difference = DifferenceFigure {
        title: "Variant − baseline".to_string(),
        subtitle: "paired over runs".to_string(),
        axis: "Difference, percentage points".to_string(),
        rows: vec![
            DifferenceRow {
                label: "Peace treaty signed".to_string(),
                estimate: 0.052,
                lower: 0.047,
                upper: 0.057,
                series: 1,
            },
            DifferenceRow {
                label: "Armed clash".to_string(),
                estimate: -0.001,
                lower: -0.002,
                upper: 0.0,
                series: 1,
            },
            DifferenceRow {
                label: "Same in both".to_string(),
                estimate: 0.0,
                lower: 0.0,
                upper: 0.0,
                series: 1,
            },
        ],
        probabilities: true,
    };
    fn check(figure: &impl Figure, what: &str) {
        let pixels = charts::render_pixels(figure).unwrap();
        assert_eq!(pixels.len(), 1200 * 700 * 3);
        assert_not_blank(&pixels, 3, what);
        let svg = charts::render_svg(figure).unwrap();
        assert_eq!(svg, charts::render_svg(figure).unwrap(), "{what}: SVG not deterministic");
        assert_eq!(overlaps(figure), Vec::<String>::new(), "{what}");
    }
    check(&histogram, "overlaid histograms");
    check(&cdf, "cumulative distributions");
    check(&grouped, "grouped probabilities");
    check(&fan, "overlaid fans");
    check(&difference, "differences");
    assert!(charts::render_svg(&grouped).unwrap().contains("not in this scenario"));
    assert!(charts::render_svg(&difference).unwrap().contains("5.2 pp"));
}

#[test]
fn degenerate_statistics_draw_without_panicking() {
    let mut summary = sample::summary();
    for outcome in &mut summary.outcomes {
        match &mut outcome.statistics {
            OutcomeStatistics::Numeric(s) => {
                s.runs = 0;
                s.undefined = 10_000;
                s.histogram.edges.clear();
                s.histogram.counts.clear();
                (s.mean, s.sd, s.min, s.max) = (f64::NAN, f64::NAN, f64::NAN, f64::NAN);
            }
            OutcomeStatistics::Probability(p) => {
                (p.successes, p.probability, p.lower, p.upper) = (0, 0.0, 0.0, 0.0003);
            }
        }
        if let Some(series) = &mut outcome.series {
            series.truncate(1);
        }
    }
    summary.start = "not a month".to_string();
    let dir = tempfile::tempdir().unwrap();
    let charts = charts::write_run_charts(&summary, dir.path()).unwrap();
    let numeric =
        summary.outcomes.iter().filter(|o| matches!(o.statistics, OutcomeStatistics::Numeric(_))).count();
    assert_eq!(charts.len(), 1 + numeric + 3, "overview, histograms, fans");
}

#[test]
fn driver_effect_charts_render_state_their_numbers_and_never_overlap() {
    let dir = tempfile::tempdir().unwrap();
    let (summary, taken) = write_sample(dir.path());
    let effects = sample::effects();
    let names = DriverNames::default();
    let drivers = charts::write_driver_charts(&summary, &effects, &names, dir.path(), &taken).unwrap();
    // One per outcome with a swing (the sample's last outcome is constant).
    assert_eq!(drivers.len(), effects.outcomes.len() - 1);
    let span = charts::ProbabilitySpan::of(&effects);
    for (chart, outcome) in drivers.iter().zip(&effects.outcomes) {
        assert_eq!(chart.name, format!("{}_drivers", outcome.outcome));
        assert_eq!(chart.kind, ChartKind::Drivers);
        let (width, height, pixels, channels) = decode(&chart.png);
        assert_eq!((width, height), (1200, 700), "{}", chart.name);
        assert_not_blank(&pixels, channels, &chart.name);
        assert_eq!(std::fs::read_to_string(&chart.svg_file).unwrap(), chart.svg);
        let figure = charts::drivers_for(&summary, outcome, span, &names).unwrap();
        assert_eq!(figure.blocks.len(), charts::TOP_DRIVERS, "{}", chart.name);
        assert_eq!(overlaps(&figure), Vec::<String>::new(), "{}", chart.name);
        // One common scale: every probability chart spans the same width.
        if figure.probability {
            assert!((figure.range.1 - figure.range.0 - span.0).abs() < 1e-12, "{}", chart.name);
        }
    }
    // Titles and category names, not identifiers; the swing in percentage points.
    let svg = &drivers[0].svg;
    assert!(svg.contains("Russia war exit") && !svg.contains("russia_war_exit"), "{}", drivers[0].name);
    assert!(svg.contains("middle third (0.681–0.796)") && svg.contains("swing") && svg.contains(" pp"));
    // A stem already taken gets a suffix rather than overwriting another chart.
    let mut clash = sample::effects();
    clash.outcomes[0].outcome = "any_clash".to_string();
    let again = charts::write_driver_charts(&summary, &clash, &names, dir.path(), &drivers).unwrap();
    assert_eq!(again[0].name, "any_clash_drivers_2");
    // A single driver with an empty bin still draws cleanly.
    let mut one = sample::effects().outcomes.remove(0);
    one.drivers.truncate(1);
    one.drivers[0].bins[1].runs = 0;
    one.drivers[0].bins[1].mean = f64::NAN;
    let figure = charts::drivers_for(&summary, &one, span, &names).unwrap();
    assert_eq!(overlaps(&figure), Vec::<String>::new());
    assert!(charts::render_svg(&figure).unwrap().contains("no runs"));
}
