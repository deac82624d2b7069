//! Drawing primitives for the inline SVG charts: escaped text, bars, rules, the legend, and
//! rough text widths to lay them out without a browser.

use super::escape;

/// The width of every chart's drawing, in SVG units (the page scales it to its column).
pub(super) const WIDTH: f64 = 1000.0;

/// Roughly how wide `text` is at `size` pixels of the page's sans-serif font.
pub(super) fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.6
}

/// How wide a character of a label may be, in ems: generous, as labels can be bold.
pub(super) const LABEL_EM: f64 = 0.66;

/// `text` cut to fit `width` at `size` pixels (counting [`LABEL_EM`] a character), with an
/// ellipsis when cut.
pub(super) fn fit(text: &str, size: f64, width: f64) -> String {
    let room = (width / (size * LABEL_EM)).floor().max(2.0) as usize;
    if text.chars().count() <= room {
        return text.to_owned();
    }
    format!("{}…", text.chars().take(room - 1).collect::<String>())
}

/// An accessible chart: `label` is its `<title>` and `aria-label`, `description` its `<desc>`.
pub(super) fn svg(
    id: &str,
    width: f64,
    height: f64,
    label: &str,
    description: &str,
    body: &str,
) -> String {
    let label = escape(label);
    format!(
        "<svg class=\"chart\" id=\"{id}\" role=\"img\" aria-label=\"{label}\" \
         viewBox=\"0 0 {width:.0} {height:.0}\" preserveAspectRatio=\"xMinYMin meet\">\n\
         <title>{label}</title>\n<desc>{}</desc>\n{body}</svg>\n",
        escape(description)
    )
}

/// A `<text>` at (`x`, `y`) anchored at `anchor` (`start`, `middle`, `end`), escaped.
pub(super) fn text(x: f64, y: f64, class: &str, anchor: &str, content: &str) -> String {
    format!(
        "<text x=\"{x:.1}\" y=\"{y:.1}\" class=\"{class}\" text-anchor=\"{anchor}\">{}</text>\n",
        escape(content)
    )
}

/// A `<rect>`; nothing when it has no width.
pub(super) fn rect(x: f64, y: f64, width: f64, height: f64, class: &str) -> String {
    if width <= 0.0 {
        return String::new();
    }
    format!(
        "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{width:.1}\" height=\"{height:.1}\" class=\"{class}\"/>\n"
    )
}

/// A horizontal or vertical `<line>`.
pub(super) fn line(x1: f64, y1: f64, x2: f64, y2: f64, class: &str) -> String {
    format!(
        "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" class=\"{class}\"/>\n"
    )
}

/// The champion / challenger legend, starting at `x` on the baseline `y`.
pub(super) fn legend(x: f64, y: f64) -> String {
    let second = x + 18.0 + text_width("Champion", 12.0) + 22.0;
    [
        rect(x, y - 10.0, 12.0, 12.0, "bar-champion"),
        text(x + 18.0, y, "legend", "start", "Champion"),
        rect(second, y - 10.0, 12.0, 12.0, "bar-challenger"),
        text(second + 18.0, y, "legend", "start", "Challenger"),
    ]
    .concat()
}

/// A round step for an axis going up to `max` (1, 2 or 5 times a power of ten; at most 6 ticks).
pub(super) fn nice_step(max: u64) -> u64 {
    let mut power = 1_u64;
    loop {
        for factor in [1, 2, 5] {
            let step = power.saturating_mul(factor);
            if max.div_ceil(step) <= 5 {
                return step;
            }
        }
        power = power.saturating_mul(10);
    }
}
