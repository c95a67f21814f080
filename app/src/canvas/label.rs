//! Fitting a node's name in its box: lines break at spaces and after
//! hyphens, never inside a word; a name that does not fit is set smaller
//! (down to a readable minimum) before it is cut with an ellipsis.
//!
//! The arithmetic is pure: the text is measured once, at the largest size
//! it may take (one galley, which egui caches per text and font), and
//! widths at smaller sizes are scaled from that measure.

use std::ops::Range;

/// The smallest a name is set, in screen pixels.
pub const MIN_PX: f32 = 9.0;

/// A word of a label: where a line may end.
#[derive(Clone, Debug, PartialEq)]
pub struct Piece {
    /// Where it is in the text (a trailing hyphen included, spaces not).
    pub bytes: Range<usize>,
    /// Its x and width, at the measured size.
    pub x: f32,
    pub width: f32,
}

/// Splits a measured text into pieces. `glyphs` gives each char of
/// `text`, in order, with its x and advance at the measured size.
pub fn pieces(text: &str, glyphs: impl IntoIterator<Item = (f32, f32)>) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut open: Option<Piece> = None;
    for ((at, c), (x, advance)) in text.char_indices().zip(glyphs) {
        if c.is_whitespace() {
            out.extend(open.take());
            continue;
        }
        let piece = open.get_or_insert(Piece {
            bytes: at..at,
            x,
            width: 0.0,
        });
        piece.bytes.end = at + c.len_utf8();
        piece.width = x + advance - piece.x;
        if c == '-' {
            out.extend(open.take());
        }
    }
    out.extend(open);
    out
}

/// Where a label goes, in screen pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Area {
    /// Width of every line.
    pub width: f32,
    /// From the middle of the first line down to the last usable pixel.
    pub height: f32,
    /// Row height per pixel of font size.
    pub row_h: f32,
}

/// How a label is set.
#[derive(Clone, Debug, PartialEq)]
pub struct Fit {
    /// Font size, px.
    pub px: f32,
    /// The pieces that begin a line (the first line's is implied).
    pub breaks: Vec<usize>,
    /// Lines it may take: `breaks.len() + 1` unless `cut`.
    pub rows: usize,
    /// Does not fit even at the smallest size: the last line is cut with
    /// an ellipsis.
    pub cut: bool,
}

/// The largest size, from `max_px` down to `min_px` in half pixels, at
/// which the pieces (measured at `measured_px`) fit in `area` breaking
/// lines only between pieces; else the text at `min_px`, its last line
/// to be cut.
pub fn fit(pieces: &[Piece], measured_px: f32, area: Area, max_px: f32, min_px: f32) -> Fit {
    let min_px = min_px.min(max_px);
    let mut px = max_px;
    loop {
        let rows = rows_at(area, px);
        // Widths scale with the font size; a pixel of slack absorbs the
        // rounding of glyph positions at another size.
        let width = (area.width - 1.0) * measured_px / px;
        match wrap(pieces, width, rows) {
            Ok(breaks) => {
                return Fit {
                    px,
                    rows: breaks.len() + 1,
                    breaks,
                    cut: false,
                };
            }
            Err(breaks) if px <= min_px => {
                return Fit {
                    px,
                    rows: breaks.len() + 1,
                    breaks,
                    cut: true,
                };
            }
            Err(_) => px = (px - 0.5).max(min_px),
        }
    }
}

/// How many lines of `px` text `area` holds (at least one).
fn rows_at(area: Area, px: f32) -> usize {
    let row = (area.row_h * px).max(1.0);
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "clamped to 1..=64 first"
    )]
    let rows = ((area.height + row / 2.0) / row).floor().clamp(1.0, 64.0) as usize;
    rows
}

/// Greedy line breaking: the pieces that begin a line. `Err` with the
/// lines that do fit when the text needs more than `rows` lines or a
/// piece is wider than a line.
fn wrap(pieces: &[Piece], width: f32, rows: usize) -> Result<Vec<usize>, Vec<usize>> {
    let mut breaks = Vec::new();
    let mut line_start = 0.0;
    for (i, piece) in pieces.iter().enumerate() {
        let end = piece.x + piece.width;
        if i == 0 {
            line_start = piece.x;
        } else if end - line_start > width {
            if breaks.len() + 1 >= rows {
                return Err(breaks);
            }
            breaks.push(i);
            line_start = piece.x;
        }
        if piece.width > width {
            // Only a cut can show it, and only on the last line.
            return Err(breaks);
        }
    }
    Ok(breaks)
}

/// The text with a line break before each piece of `fit.breaks`; when
/// cut, the last line holds all the rest (the layout cuts it).
pub fn lines(text: &str, pieces: &[Piece], fit: &Fit) -> String {
    let mut out = String::with_capacity(text.len() + fit.breaks.len());
    let mut from = pieces.first().map_or(0, |p| p.bytes.start);
    for &b in &fit.breaks {
        let end = pieces[b - 1].bytes.end;
        out.push_str(&text[from..end]);
        out.push('\n');
        from = pieces[b].bytes.start;
    }
    let end = if fit.cut {
        text.trim_end().len()
    } else {
        pieces.last().map_or(from, |p| p.bytes.end)
    };
    out.push_str(&text[from..end.max(from)]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every char 6 px wide at 10 px (a monospaced stand-in for a font).
    fn measure(text: &str) -> Vec<Piece> {
        pieces(
            text,
            (0..text.chars().count()).map(|i| (i as f32 * 6.0, 6.0)),
        )
    }

    fn area(width: f32, lines: f32) -> Area {
        // One row is 1.2 × the size; `lines` rows of 10 px text.
        Area {
            width,
            height: (lines - 0.5) * 12.0,
            row_h: 1.2,
        }
    }

    fn set(text: &str, area: Area) -> (Fit, String) {
        let p = measure(text);
        let fit = fit(&p, 10.0, area, 10.0, 7.0);
        let lines = lines(text, &p, &fit);
        (fit, lines)
    }

    #[test]
    fn a_name_that_fits_is_returned_whole_at_full_size() {
        let (fit, text) = set("Web frontend", area(200.0, 1.0));
        assert_eq!(text, "Web frontend");
        assert_eq!((fit.px, fit.rows, fit.cut), (10.0, 1, false));
    }

    #[test]
    fn lines_break_between_words_never_inside_one() {
        // "Fulfilment" is 60 px: it fits a 62 px line, "workers" follows.
        let (fit, text) = set("Fulfilment workers (EKS)", area(62.0, 3.0));
        assert_eq!(text, "Fulfilment\nworkers\n(EKS)");
        assert!(!fit.cut && (fit.px - 10.0).abs() < f32::EPSILON);
        for line in text.lines() {
            assert!(
                "Fulfilment workers (EKS)"
                    .split(' ')
                    .any(|word| line.split(' ').any(|w| w == word)),
                "{line:?} is not made of whole words"
            );
        }
    }

    #[test]
    fn a_hyphen_is_a_place_to_break_and_stays_on_its_line() {
        let (_, text) = set("catalog-db primary", area(50.0, 3.0));
        assert_eq!(text, "catalog-\ndb\nprimary");
    }

    #[test]
    fn a_word_wider_than_the_box_shrinks_the_font_before_anything_is_cut() {
        // 60 px at 10 px; 50 px wide lines need 8 px or smaller.
        let (fit, text) = set("Fulfilment", area(50.0, 2.0));
        assert_eq!(text, "Fulfilment");
        assert!(!fit.cut);
        assert!(fit.px < 10.0 && fit.px >= 7.0, "{}", fit.px);
        assert!(60.0 * fit.px / 10.0 <= 50.0 - 1.0);
    }

    #[test]
    fn too_many_lines_shrink_the_font_until_they_fit_in_the_height() {
        // Three lines at 10 px, but room for two: smaller text, two lines.
        let (fit, text) = set("Catalog service (EKS)", area(60.0, 2.0));
        assert!(!fit.cut);
        assert_eq!(text.lines().count(), 2, "{text:?}");
        assert!(fit.px < 10.0);
    }

    #[test]
    fn what_does_not_fit_at_the_smallest_size_is_cut_on_its_last_line() {
        let (fit, text) = set("Orders DB (Aurora Serverless v2)", area(60.0, 1.0));
        assert!(fit.cut);
        assert!((fit.px - 7.0).abs() < f32::EPSILON);
        assert_eq!(fit.rows, 1);
        // The layout cuts the last line; the text keeps all of it.
        assert_eq!(text, "Orders DB (Aurora Serverless v2)");
        let (fit, text) = set("Orders DB (Aurora Serverless v2)", area(60.0, 2.0));
        assert!(fit.cut);
        assert_eq!(text, "Orders DB\n(Aurora Serverless v2)");
    }

    #[test]
    fn spaces_are_dropped_at_breaks_and_kept_inside_lines() {
        let (_, text) = set("  Route 53   (failover) ", area(60.0, 3.0));
        assert_eq!(text, "Route 53\n(failover)");
    }
}
