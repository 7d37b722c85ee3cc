//! Charts as geometry for inline SVG, computed on the server: they print, need no script,
//! and scale with the page (the templates draw them from these numbers; colours are CSS
//! classes, since the pages allow no inline style).

/// A horizontal bar with its label and value, a link to what it counts.
#[derive(Clone, Debug)]
pub struct HBar {
    pub label: String,
    pub value: u64,
    pub href: String,
    /// The top of the bar.
    pub y: u32,
    /// The baseline of the row's texts.
    pub text_y: u32,
    /// The bar's width (at least 1 where the value is not 0, so it shows).
    pub width: u32,
    /// Where the value is written, after the bar.
    pub value_x: u32,
}

/// Rows of horizontal bars.
#[derive(Clone, Debug)]
pub struct HBarChart {
    pub height: u32,
    pub bars: Vec<HBar>,
}

/// The width of a horizontal bar chart's drawing (its viewBox).
pub const HBAR_WIDTH: u32 = 300;
/// Where the bars start (the labels stand left of it).
pub const HBAR_LEFT: u32 = 78;
/// The longest bar (leaving room for the value).
const HBAR_SPAN: u32 = 180;
const HBAR_ROW: u32 = 26;
pub const HBAR_THICKNESS: u32 = 16;

/// Bars for (label, value, link), scaled to the largest value.
pub fn hbars(rows: Vec<(String, u64, String)>) -> HBarChart {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let bars = rows
        .into_iter()
        .enumerate()
        .map(|(i, (label, value, href))| {
            let i = u32::try_from(i).unwrap_or(u32::MAX / HBAR_ROW);
            let width = scale(value, max, HBAR_SPAN);
            HBar {
                label,
                value,
                href,
                y: i * HBAR_ROW + 4,
                text_y: i * HBAR_ROW + 17,
                width,
                value_x: HBAR_LEFT + width + 6,
            }
        })
        .collect::<Vec<_>>();
    HBarChart {
        height: u32::try_from(bars.len()).unwrap_or(0) * HBAR_ROW + 6,
        bars,
    }
}

/// `value` of `max` as a length of at most `span`; at least 1 when not 0.
fn scale(value: u64, max: u64, span: u32) -> u32 {
    if value == 0 {
        return 0;
    }
    let scaled = value.saturating_mul(u64::from(span)) / max.max(1);
    u32::try_from(scaled).unwrap_or(span).clamp(1, span)
}

/// A vertical bar of the trend.
#[derive(Clone, Debug)]
pub struct VBar {
    pub x: u32,
    pub y: u32,
    pub height: u32,
    /// `created`, `closed` or `due`: the CSS class that colours it.
    pub series: &'static str,
    /// What it shows, e.g. "2026-03 新增 12".
    pub title: String,
}

/// Months of grouped bars (created, closed, due).
#[derive(Clone, Debug)]
pub struct TrendChart {
    pub width: u32,
    pub bars: Vec<VBar>,
    /// (x of the label's middle, "3月").
    pub months: Vec<(u32, String)>,
    /// The largest value, written at the top of the axis.
    pub max: u64,
}

/// The trend chart's height, its plot's bottom and the bars' width.
pub const TREND_HEIGHT: u32 = 180;
pub const TREND_BASE: u32 = 150;
pub const TREND_BAR: u32 = 11;
const TREND_GROUP: u32 = 48;
const TREND_TOP: u32 = 14;

/// Grouped bars for months of (month "YYYY-MM", created, closed, due).
pub fn trend(months: &[(String, u64, u64, u64)]) -> TrendChart {
    let max = months
        .iter()
        .flat_map(|m| [m.1, m.2, m.3])
        .max()
        .unwrap_or(0)
        .max(1);
    let mut bars = Vec::new();
    let mut labels = Vec::new();
    for (i, (month, created, closed, due)) in months.iter().enumerate() {
        let left = u32::try_from(i).unwrap_or(0) * TREND_GROUP;
        for (k, (series, name, value)) in [
            ("created", "新增", *created),
            ("closed", "销号", *closed),
            ("due", "到期", *due),
        ]
        .into_iter()
        .enumerate()
        {
            let height = scale(value, max, TREND_BASE - TREND_TOP);
            bars.push(VBar {
                x: left + 6 + u32::try_from(k).unwrap_or(0) * (TREND_BAR + 1),
                y: TREND_BASE - height,
                height,
                series,
                title: format!("{month} {name} {value}"),
            });
        }
        let label = month
            .split_once('-')
            .and_then(|(_, m)| m.parse::<u32>().ok())
            .map_or_else(|| month.clone(), |m| format!("{m}月"));
        labels.push((left + TREND_GROUP / 2, label));
    }
    TrendChart {
        width: u32::try_from(months.len()).unwrap_or(0).max(1) * TREND_GROUP,
        bars,
        months: labels,
        max,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_small_values_still_show() {
        let chart = hbars(vec![
            ("整改中".into(), 1000, "/a".into()),
            ("待验收".into(), 1, "/b".into()),
            ("已撤销".into(), 0, "/c".into()),
        ]);
        let widths: Vec<u32> = chart.bars.iter().map(|b| b.width).collect();
        assert_eq!(widths, vec![HBAR_SPAN, 1, 0]);
        assert_eq!(chart.bars[1].y, HBAR_ROW + 4);
        assert_eq!(chart.height, 3 * HBAR_ROW + 6);
    }

    #[test]
    fn a_trend_groups_three_bars_a_month_on_one_baseline() {
        let chart = trend(&[("2026-01".into(), 4, 2, 0), ("2026-02".into(), 8, 0, 1)]);
        assert_eq!(chart.bars.len(), 6);
        assert_eq!(chart.max, 8);
        assert!(chart.bars.iter().all(|b| b.y + b.height == TREND_BASE));
        assert_eq!(chart.bars[3].height, TREND_BASE - TREND_TOP);
        assert_eq!(chart.months[1].1, "2月");
        assert_eq!(chart.bars[2].height, 0);
    }
}
