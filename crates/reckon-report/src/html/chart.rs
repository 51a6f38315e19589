//! Small inline SVG bar charts: two bars per row (underbilled and overbilled,
//! or billed and in use), drawn without a chart library so the document
//! stays one self-contained file. The second series is hatched, so the two
//! stay apart on a black-and-white printout.

use maud::{Markup, html};
use rust_decimal::Decimal;

/// One row of the chart: a label, two values with their printed text, and
/// a figure printed in a column at the right (money at stake, impact).
#[derive(Debug, Clone)]
pub(super) struct BarRow {
    pub label: String,
    pub first: Decimal,
    pub first_text: String,
    pub second: Decimal,
    pub second_text: String,
    pub aside: String,
}

/// What a chart is called and what its parts are named.
#[derive(Debug, Clone, Copy)]
pub(super) struct ChartText<'a> {
    pub caption: &'a str,
    pub series: [&'a str; 2],
    /// Heading of the right-hand column.
    pub aside: &'a str,
}

// Geometry in viewBox units; the SVG is scaled to the text width, where one
// unit is about 0.3 mm, so a font size of 10 prints at about 8.5 pt.
const WIDTH: u32 = 600;
const LABEL_RIGHT: u32 = 186;
const BAR_LEFT: u32 = 192;
const BAR_SPAN: u32 = 250;
const TOP: u32 = 22;
const ROW_HEIGHT: u32 = 20;
const BAR_HEIGHT: u32 = 7;
const LABEL_CHARS: usize = 34;

const FIRST_FILL: &str = "#a9c1dc";
const FIRST_STROKE: &str = "#3d6a99";
const SECOND_STROKE: &str = "#a0602a";

/// A grouped horizontal bar chart. `chart_id` must be unique in the
/// document and made of `[a-z0-9-]` (it names the hatch pattern); it never
/// comes from the data.
pub(super) fn grouped_bars(chart_id: &str, text: ChartText<'_>, rows: &[BarRow]) -> Markup {
    let ChartText {
        caption,
        series,
        aside,
    } = text;
    let scale_max = rows
        .iter()
        .flat_map(|row| [row.first, row.second])
        .fold(Decimal::ZERO, Decimal::max);
    let height = TOP + ROW_HEIGHT * rows.len() as u32 + 4;
    let hatch = format!("{chart_id}-hatch");
    let hatch_fill = format!("url(#{hatch})");
    html! {
        figure.chart {
            svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label=(caption)
                viewBox=(format!("0 0 {WIDTH} {height}")) font-size="10" {
                title { (caption) }
                defs {
                    pattern id=(hatch) patternUnits="userSpaceOnUse" width="5" height="5"
                        patternTransform="rotate(45)" {
                        rect width="5" height="5" fill="#f6e2cf" {}
                        line x1="0" y1="0" x2="0" y2="5" stroke=(SECOND_STROKE) stroke-width="1.6" {}
                    }
                }
                // Legend.
                rect x=(BAR_LEFT) y="4" width="12" height="10" fill=(FIRST_FILL) stroke=(FIRST_STROKE) stroke-width="0.8" {}
                text x=(BAR_LEFT + 16) y="13" { (series[0]) }
                rect x=(BAR_LEFT + 130) y="4" width="12" height="10" fill=(hatch_fill) stroke=(SECOND_STROKE) stroke-width="0.8" {}
                text x=(BAR_LEFT + 146) y="13" { (series[1]) }
                text x=(WIDTH - 2) y="13" text-anchor="end" font-weight="bold" { (aside) }
                line x1=(BAR_LEFT) y1=(TOP - 2) x2=(BAR_LEFT) y2=(height - 4) stroke="#777" stroke-width="0.8" {}
                @for (index, row) in rows.iter().enumerate() {
                    @let row_top = TOP + ROW_HEIGHT * index as u32;
                    @let first_width = bar_width(row.first, scale_max);
                    @let second_width = bar_width(row.second, scale_max);
                    @if index > 0 {
                        line x1="0" y1=(row_top) x2=(WIDTH) y2=(row_top) stroke="#e2e2e2" stroke-width="0.6" {}
                    }
                    text x=(LABEL_RIGHT) y=(row_top + 14) text-anchor="end" {
                        title { (row.label) }
                        (shorten(&row.label, LABEL_CHARS))
                    }
                    rect x=(BAR_LEFT) y=(row_top + 2) width=(first_width) height=(BAR_HEIGHT)
                        fill=(FIRST_FILL) stroke=(FIRST_STROKE) stroke-width="0.8" {}
                    text x=(value_x(first_width)) y=(row_top + 8) font-size="8" fill="#333" { (row.first_text) }
                    rect x=(BAR_LEFT) y=(row_top + 4 + BAR_HEIGHT) width=(second_width) height=(BAR_HEIGHT)
                        fill=(hatch_fill) stroke=(SECOND_STROKE) stroke-width="0.8" {}
                    text x=(value_x(second_width)) y=(row_top + 10 + BAR_HEIGHT) font-size="8" fill="#333" { (row.second_text) }
                    text x=(WIDTH - 2) y=(row_top + 14) text-anchor="end" { (row.aside) }
                }
            }
            figcaption { (caption) }
        }
    }
}

/// A bar's length in viewBox units, exact to a tenth; negative values and
/// an all-zero chart draw no bar.
fn bar_width(value: Decimal, scale_max: Decimal) -> Decimal {
    if value <= Decimal::ZERO || scale_max <= Decimal::ZERO {
        return Decimal::ZERO;
    }
    value
        .checked_div(scale_max)
        .and_then(|share| share.checked_mul(Decimal::from(BAR_SPAN)))
        .map(|width| width.round_dp(1).normalize())
        .unwrap_or(Decimal::ZERO)
}

fn value_x(bar_width: Decimal) -> Decimal {
    Decimal::from(BAR_LEFT + 4) + bar_width
}

/// At most `limit` characters (not bytes), with an ellipsis when cut.
fn shorten(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let mut short: String = text.chars().take(limit.saturating_sub(1)).collect();
    short.push('…');
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value() {
        let span = Decimal::from(BAR_SPAN);
        assert_eq!(
            bar_width(Decimal::from(50), Decimal::from(100)),
            span / Decimal::TWO
        );
        assert_eq!(
            bar_width(Decimal::from(1), Decimal::from(3)),
            (span / Decimal::from(3)).round_dp(1)
        );
        assert_eq!(bar_width(Decimal::from(5), Decimal::ZERO), Decimal::ZERO);
        assert_eq!(
            bar_width(Decimal::from(-5), Decimal::from(5)),
            Decimal::ZERO
        );
        assert_eq!(bar_width(Decimal::MAX, Decimal::MAX), span);
    }

    #[test]
    fn long_labels_are_cut_on_characters() {
        assert_eq!(shorten("Contoso", 30), "Contoso");
        assert_eq!(shorten("ééééé", 3), "éé…");
    }
}
