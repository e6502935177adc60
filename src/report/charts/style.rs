//! The look shared by every chart: size, the Okabe–Ito palette, the embedded font, text helpers, the
//! header (title and subtitle) and legends laid out so that no two labels overlap.

use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, FontTransform, register_font};

use super::ChartError;

/// Every chart's size in pixels (PNG) and user units (SVG).
pub const SIZE: (u32, u32) = (1200, 700);

/// Space left free around the chart, pixels.
pub const MARGIN: i32 = 24;

/// The font family charts name. The glyphs measured and drawn into PNGs are DejaVu Sans, embedded in
/// the binary; an SVG names the same family and falls back on a similar face where a viewer lacks it.
pub const FONT_FAMILY: &str = "DejaVu Sans, Verdana, sans-serif";

/// Sizes of text, in the font's pixel scale.
pub mod text_size {
    /// The chart's title.
    pub const TITLE: f64 = 30.0;
    /// The line under the title.
    pub const SUBTITLE: f64 = 19.0;
    /// Axis descriptions and legend entries.
    pub const LABEL: f64 = 19.0;
    /// Tick labels and annotations.
    pub const TICK: f64 = 17.0;
}

/// The Okabe–Ito colour-blind-safe palette (Okabe & Ito 2008, "Color Universal Design").
pub mod palette {
    use plotters::style::RGBColor;

    /// Black: text and percentile marks.
    pub const BLACK: RGBColor = RGBColor(0, 0, 0);
    /// Orange.
    pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
    /// Sky blue: a single run's bars and bands.
    pub const SKY_BLUE: RGBColor = RGBColor(86, 180, 233);
    /// Bluish green.
    pub const BLUISH_GREEN: RGBColor = RGBColor(0, 158, 115);
    /// Yellow.
    pub const YELLOW: RGBColor = RGBColor(240, 228, 66);
    /// Blue: medians and the first scenario.
    pub const BLUE: RGBColor = RGBColor(0, 114, 178);
    /// Vermillion: means and the second scenario.
    pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
    /// Reddish purple.
    pub const REDDISH_PURPLE: RGBColor = RGBColor(204, 121, 167);

    /// Text other than titles (dark grey, 4.5:1 contrast or better on white).
    pub const INK: RGBColor = RGBColor(34, 34, 34);
    /// Secondary text.
    pub const MUTED: RGBColor = RGBColor(85, 85, 85);
    /// Axis lines.
    pub const AXIS: RGBColor = RGBColor(68, 68, 68);
    /// Grid lines.
    pub const GRID: RGBColor = RGBColor(225, 225, 225);

    /// Colours for overlaid scenarios, in order; yellow is left out (too light on white).
    pub const SERIES: [RGBColor; 6] = [BLUE, VERMILLION, BLUISH_GREEN, REDDISH_PURPLE, ORANGE, SKY_BLUE];

    /// The colour of the `index`-th overlaid series (cycling past six).
    pub fn series(index: usize) -> RGBColor {
        SERIES.get(index % SERIES.len()).copied().unwrap_or(BLACK)
    }
}

/// Registers the embedded DejaVu Sans under [`FONT_FAMILY`], once per process.
pub fn ensure_font() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = REGISTERED.get_or_init(|| {
        register_font(FONT_FAMILY, FontStyle::Normal, dejavu::sans::regular()).is_ok()
            && register_font(FONT_FAMILY, FontStyle::Bold, dejavu::sans::bold()).is_ok()
    });
    if *ok { Ok(()) } else { Err(ChartError::Font) }
}

/// Regular text of `size` in `color`, anchored at its top left.
pub fn text(size: f64, color: RGBColor) -> TextStyle<'static> {
    FontDesc::new(FontFamily::Name(FONT_FAMILY), size, FontStyle::Normal)
        .color(&color)
        .pos(Pos::new(HPos::Left, VPos::Top))
}

/// Bold text of `size` in `color`, anchored at its top left.
pub fn bold(size: f64, color: RGBColor) -> TextStyle<'static> {
    FontDesc::new(FontFamily::Name(FONT_FAMILY), size, FontStyle::Bold)
        .color(&color)
        .pos(Pos::new(HPos::Left, VPos::Top))
}

/// `style` anchored at `h`, `v` instead.
pub fn anchored(style: TextStyle<'static>, h: HPos, v: VPos) -> TextStyle<'static> {
    style.pos(Pos::new(h, v))
}

/// `style` turned to read bottom to top (a y axis description).
pub fn vertical(style: TextStyle<'static>) -> TextStyle<'static> {
    let TextStyle { font, color, pos } = style;
    TextStyle { font: font.transform(FontTransform::Rotate270), color, pos }
}

/// Converts a plotters drawing error.
pub fn drawing<E: std::error::Error + Send + Sync>(
    error: plotters::drawing::DrawingAreaErrorKind<E>,
) -> ChartError {
    ChartError::Draw(error.to_string())
}

/// Width and height of `text` in `style`, pixels.
pub fn measure<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle<'_>,
) -> Result<(i32, i32), ChartError> {
    let (w, h) = area.estimate_text_size(text, style).map_err(drawing)?;
    Ok((w as i32, h as i32))
}

/// `text`, cut short with an ellipsis at its end if it is wider than `width` pixels in `style`.
pub fn fit<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle<'_>,
    width: i32,
) -> Result<String, ChartError> {
    let chars: Vec<char> = text.chars().collect();
    let kept = longest_fitting(area, text, style, width, |n| chars.iter().take(n).collect::<String>() + "…")?;
    Ok(match kept {
        None => text.to_string(),
        Some(n) => chars.iter().take(n).collect::<String>().trim_end().to_string() + "…",
    })
}

/// `text`, cut short with an ellipsis at its start if it is wider than `width` pixels in `style`
/// (a dotted path, whose end names it).
pub fn fit_end<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle<'_>,
    width: i32,
) -> Result<String, ChartError> {
    let chars: Vec<char> = text.chars().collect();
    let tail = |n: usize| -> String {
        std::iter::once('…').chain(chars.iter().skip(chars.len() - n).copied()).collect()
    };
    Ok(match longest_fitting(area, text, style, width, tail)? {
        None => text.to_string(),
        Some(n) => tail(n),
    })
}

/// `None` when `text` fits in `width` pixels; otherwise the most characters `cut(n)` can keep and
/// still fit (a binary search on n: a cut's width grows with the characters it keeps).
fn longest_fitting<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle<'_>,
    width: i32,
    cut: impl Fn(usize) -> String,
) -> Result<Option<usize>, ChartError> {
    if measure(area, text, style)?.0 <= width {
        return Ok(None);
    }
    let (mut fits, mut too_long) = (0usize, text.chars().count());
    while too_long - fits > 1 {
        let middle = (fits + too_long) / 2;
        if measure(area, &cut(middle), style)?.0 <= width {
            fits = middle;
        } else {
            too_long = middle;
        }
    }
    Ok(Some(fits))
}

/// Draws `text` at `(x, y)` in pixels.
pub fn put<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle<'_>,
    (x, y): (i32, i32),
) -> Result<(), ChartError> {
    area.draw_text(text, style, (x, y)).map_err(drawing)
}

/// Height of the header [`draw_header`] draws, pixels.
pub const HEADER_HEIGHT: i32 = 96;

/// Fills `area` white and draws the title and subtitle along its top, each cut to the width.
pub fn draw_header<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
) -> Result<(), ChartError> {
    area.fill(&WHITE).map_err(drawing)?;
    let width = area.dim_in_pixel().0 as i32 - 2 * MARGIN;
    let title_style = bold(text_size::TITLE, palette::INK);
    let title = fit(area, title, &title_style, width)?;
    put(area, &title, &title_style, (MARGIN, 20))?;
    let subtitle_style = text(text_size::SUBTITLE, palette::MUTED);
    let subtitle = fit(area, subtitle, &subtitle_style, width)?;
    put(area, &subtitle, &subtitle_style, (MARGIN, 60))
}

/// How a legend entry's key is drawn.
#[derive(Debug, Clone, Copy)]
pub enum Key {
    /// A filled square.
    Fill(RGBAColor),
    /// A short line, solid or dashed.
    Line {
        /// Its colour.
        color: RGBColor,
        /// Its width, pixels.
        width: u32,
        /// Dashed rather than solid.
        dashed: bool,
    },
    /// An interval: a horizontal line with end caps.
    Whisker(RGBColor),
}

/// Length of a legend key, pixels.
const KEY_WIDTH: i32 = 34;

/// Draws a legend key with its left end at `x` and its middle at `y`.
pub fn draw_key<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    key: Key,
    (x, y): (i32, i32),
) -> Result<(), ChartError> {
    match key {
        Key::Fill(color) => area
            .draw(&Rectangle::new([(x + 4, y - 9), (x + KEY_WIDTH - 4, y + 9)], color.filled()))
            .map_err(drawing),
        Key::Line { color, width, dashed: false } => area
            .draw(&PathElement::new(vec![(x, y), (x + KEY_WIDTH, y)], color.stroke_width(width)))
            .map_err(drawing),
        Key::Line { color, width, dashed: true } => area
            .draw(&DashedPathElement::new(vec![(x, y), (x + KEY_WIDTH, y)], 7, 5, color.stroke_width(width)))
            .map_err(drawing),
        Key::Whisker(color) => {
            let style = color.stroke_width(2);
            area.draw(&PathElement::new(vec![(x + 2, y), (x + KEY_WIDTH - 2, y)], style)).map_err(drawing)?;
            for end in [x + 2, x + KEY_WIDTH - 2] {
                area.draw(&PathElement::new(vec![(end, y - 7), (end, y + 7)], style)).map_err(drawing)?;
            }
            Ok(())
        }
    }
}

/// Draws legend entries left to right from `(x, y)` (their vertical middle), wrapping to a new line
/// before `right`; returns the y of the line after the last.
pub fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(Key, String)],
    (x, y): (i32, i32),
    right: i32,
) -> Result<i32, ChartError> {
    let style = anchored(text(text_size::LABEL, palette::INK), HPos::Left, VPos::Center);
    let line_height = 30;
    let (mut cursor, mut line) = (x, y);
    for (key, label) in entries {
        let label = fit(area, label, &style, right - x - KEY_WIDTH - 8)?;
        let width = KEY_WIDTH + 8 + measure(area, &label, &style)?.0;
        if cursor > x && cursor + width > right {
            cursor = x;
            line += line_height;
        }
        draw_key(area, *key, (cursor, line))?;
        put(area, &label, &style, (cursor + KEY_WIDTH + 8, line))?;
        cursor += width + 28;
    }
    Ok(line + line_height)
}

/// Places labels centred at the given x positions in rows so that no two in a row overlap (at least
/// `gap` pixels apart): each goes to the first row where it fits. Returns each label's row, in the
/// order given.
pub fn stagger(spans: &[(i32, i32)], gap: i32) -> Vec<usize> {
    // Labels are placed left to right; `order` keeps the caller's indices.
    let mut order: Vec<usize> = (0..spans.len()).collect();
    order.sort_by_key(|&i| spans.get(i).map_or(0, |s| s.0));
    let mut row_ends: Vec<i32> = Vec::new();
    let mut rows = vec![0; spans.len()];
    for i in order {
        let Some(&(centre, width)) = spans.get(i) else { continue };
        let left = centre - width / 2;
        let row = match row_ends.iter().position(|&end| end + gap <= left) {
            Some(row) => row,
            None => {
                row_ends.push(i32::MIN / 2);
                row_ends.len() - 1
            }
        };
        if let Some(end) = row_ends.get_mut(row) {
            *end = left + width;
        }
        if let Some(slot) = rows.get_mut(i) {
            *slot = row;
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stagger_separates_overlapping_labels() {
        // Two close labels and one far away: the close pair takes two rows, the far one row 0.
        let rows = stagger(&[(100, 60), (120, 60), (400, 60)], 8);
        assert_eq!(rows, vec![0, 1, 0]);
        let rows = stagger(&[(100, 40), (200, 40)], 8);
        assert_eq!(rows, vec![0, 0]);
    }
}
