//! Metadata: which agency, which year and period, when published, what kind of report.

use chrono::NaiveDate;

use crate::{
    layout::{LineKind, Paragraph, is_date_line},
    numerals,
};

/// The period a report covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Annual,
    FirstHalf,
    SecondHalf,
}

/// What kind of document a report is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// 法治政府建设年度报告 (and its 情况报告 variants).
    RuleOfLawAnnualReport,
    /// 工作总结.
    WorkSummary,
    Other,
}

/// Endings of agency names (机关/单位).
const AGENCY_ENDINGS: &[&str] = &[
    "局",
    "办公室",
    "委员会",
    "人民政府",
    "政府",
    "厅",
    "委",
    "办",
    "院",
    "中心",
    "署",
    "总队",
    "支队",
    "大队",
    "管委会",
    "部",
    "会",
    "处",
    "所",
    "站",
];

/// Starts that show a name is not a full name (市机关事务管理局 — which 市?).
const GENERIC_STARTS: &[&str] = &[
    "市", "区", "县", "省", "州", "乡", "镇", "局", "本", "我", "该", "全",
];

fn looks_like_agency(s: &str) -> bool {
    let n = s.chars().count();
    (4..=30).contains(&n)
        && AGENCY_ENDINGS.iter().any(|e| s.ends_with(e))
        && !GENERIC_STARTS.iter().any(|g| s.starts_with(g))
        && !s.contains(['，', ',', '。', '：', ':', '、', ' ', '（', '('])
        && !s.chars().any(|c| c.is_ascii_digit())
}

/// The report's title: an early short line that names a report or summary.
pub fn title<'a>(paragraphs: &[Paragraph<'a>]) -> Option<&'a str> {
    paragraphs
        .iter()
        .take(12)
        .filter(|p| p.kind == LineKind::Body && p.marker.is_none())
        .map(|p| p.text)
        .filter(|t| {
            t.chars().count() <= 60
                && !t.ends_with('。')
                && !t.contains([' ', '\u{3000}', '>', '»'])
                && ["报告", "总结", "工作情况", "工作要点", "思路"]
                    .iter()
                    .any(|w| t.contains(w))
        })
        // A title usually names its year; breadcrumbs and column names do not.
        .min_by_key(|t| first_year(t).is_none())
}

/// The agency: the signature line above the date, else the title's prefix, else the 来源
/// line, else the first sentence's subject; `None` when no full name is written.
pub fn agency(paragraphs: &[Paragraph<'_>], title: Option<&str>) -> Option<String> {
    for (i, p) in paragraphs.iter().enumerate().rev() {
        if p.kind == LineKind::Date && i > 0 {
            let above = paragraphs[i - 1].text;
            if looks_like_agency(above) {
                return Some(above.to_owned());
            }
        }
    }
    if let Some(t) = title {
        let prefix = t.split(|c: char| c.is_ascii_digit()).next().unwrap_or("");
        let prefix = prefix.split("关于").next().unwrap_or(prefix);
        if looks_like_agency(prefix) {
            return Some(prefix.to_owned());
        }
    }
    for p in paragraphs.iter().take(15) {
        for key in ["来源：", "来源:", "信息来源：", "发文机关：", "发布机构："]
        {
            if let Some(rest) = p.text.split(key).nth(1) {
                let name = rest
                    .split(|c: char| c.is_whitespace() || c == '\u{3000}')
                    .next()
                    .unwrap_or("");
                if looks_like_agency(name) {
                    return Some(name.to_owned());
                }
            }
        }
    }
    None
}

/// Four ASCII digits followed by 年, as a year in 2000..=2099.
fn year_at(s: &str, i: usize) -> Option<i32> {
    let y = s.get(i..i + 4)?;
    let year: i32 = y.parse().ok()?;
    (s[i + 4..].starts_with('年') && (2000..=2099).contains(&year)).then_some(year)
}

fn first_year(s: &str) -> Option<i32> {
    s.char_indices()
        .filter(|(_, c)| *c == '2')
        .find_map(|(i, _)| {
            // A range such as 2021-2025年 names a plan, not the year reported on.
            let prev = s[..i].chars().next_back();
            if prev.is_some_and(|c| c == '-' || c == '—' || c == '至' || c.is_ascii_digit()) {
                return None;
            }
            year_at(s, i)
        })
}

/// The year reported on: the title's year, else the first year of the opening text.
pub fn report_year(paragraphs: &[Paragraph<'_>], title: Option<&str>) -> Option<i32> {
    if let Some(y) = title.and_then(first_year) {
        return Some(y);
    }
    let opening: String = paragraphs
        .iter()
        .filter(|p| p.kind == LineKind::Body)
        .take(4)
        .map(|p| p.text)
        .collect::<Vec<_>>()
        .join("\n");
    first_year(&opening)
}

/// The period: half-year when the title (or opening) says so.
pub fn period(paragraphs: &[Paragraph<'_>], title: Option<&str>) -> Period {
    let opening: String = title
        .into_iter()
        .chain(
            paragraphs
                .iter()
                .filter(|p| p.kind == LineKind::Body)
                .take(2)
                .map(|p| p.text),
        )
        .collect::<Vec<_>>()
        .join("\n");
    let first = opening.find("上半年");
    let second = opening.find("下半年");
    match (first, second) {
        (Some(_), _) if opening.contains("上半年工作") || opening.contains("年上半年") => {
            Period::FirstHalf
        }
        (None, Some(_)) if opening.contains("下半年工作总结") || opening.contains("年下半年") => {
            Period::SecondHalf
        }
        _ => Period::Annual,
    }
}

/// The kind of report.
pub fn kind(text: &str, title: Option<&str>) -> ReportKind {
    let t = title.unwrap_or("");
    if t.contains("法治") && (t.contains("报告") || t.contains("情况")) {
        return ReportKind::RuleOfLawAnnualReport;
    }
    if t.contains("总结") {
        return ReportKind::WorkSummary;
    }
    if text.matches("法治政府建设").count() >= 2 || text.contains("法治政府建设年度报告")
    {
        return ReportKind::RuleOfLawAnnualReport;
    }
    if text.contains("工作总结") {
        return ReportKind::WorkSummary;
    }
    ReportKind::Other
}

/// Parses a date line (2026年2月9日 or 二〇二六年二月九日).
fn parse_cn_date(s: &str) -> Option<NaiveDate> {
    let s: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
        .collect();
    let (y, rest) = s.split_once('年')?;
    let (m, rest) = rest.split_once('月')?;
    let d = rest.strip_suffix('日')?;
    let num = |p: &str| -> Option<u32> {
        p.parse().ok().or_else(|| {
            numerals::parse_prefix(p)
                .filter(|(_, used)| *used == p.len())
                .map(|(v, _)| v)
        })
    };
    let year = y.parse::<u32>().ok().or_else(|| numerals::digitwise(y))?;
    NaiveDate::from_ymd_opt(year as i32, num(m)?, num(d)?)
}

/// The published date: the signature date, else the page's 发布时间.
pub fn published_date(paragraphs: &[Paragraph<'_>]) -> Option<NaiveDate> {
    if let Some(d) = paragraphs
        .iter()
        .rev()
        .filter(|p| p.kind == LineKind::Date && is_date_line(p.text))
        .find_map(|p| parse_cn_date(p.text))
    {
        return Some(d);
    }
    paragraphs.iter().take(20).find_map(|p| {
        ["发布时间", "发布日期", "发文日期", "成文日期"]
            .iter()
            .find_map(|key| {
                let rest = p.text.split(key).nth(1)?;
                let rest = rest.trim_start_matches(['：', ':', ' ', '\u{3000}']);
                let date: String = rest.chars().take(10).collect();
                NaiveDate::parse_from_str(&date, "%Y-%m-%d")
                    .ok()
                    .or_else(|| NaiveDate::parse_from_str(&date.replace('/', "-"), "%Y-%m-%d").ok())
                    .or_else(|| {
                        let upto = rest.find('日').map(|i| &rest[..i + '日'.len_utf8()])?;
                        parse_cn_date(upto)
                    })
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::paragraphs;

    #[test]
    fn the_signature_names_the_agency_and_dates_the_report() {
        let text = "2025年，我局扎实推进法治政府建设。现报告如下：\n一、主要成效\n……\n某某市司法局\n2026年1月16日\n扫一扫在手机上查看";
        let ps = paragraphs(text);
        assert_eq!(agency(&ps, title(&ps)).as_deref(), Some("某某市司法局"));
        assert_eq!(published_date(&ps), NaiveDate::from_ymd_opt(2026, 1, 16));
        assert_eq!(report_year(&ps, title(&ps)), Some(2025));
    }

    #[test]
    fn chinese_numeral_dates_are_read() {
        assert_eq!(
            parse_cn_date("二〇二六年二月九日"),
            NaiveDate::from_ymd_opt(2026, 2, 9)
        );
        assert_eq!(
            parse_cn_date("二〇二五年十二月二十六日"),
            NaiveDate::from_ymd_opt(2025, 12, 26)
        );
    }

    #[test]
    fn a_name_without_its_place_is_not_a_full_name() {
        assert!(!looks_like_agency("市机关事务管理局"));
        assert!(looks_like_agency("温州市机关事务管理局"));
        let ps = paragraphs("情况报告\n2024年，市机关事务管理局坚持依法行政。");
        assert_eq!(agency(&ps, title(&ps)), None);
    }

    #[test]
    fn the_title_gives_agency_year_and_half_year_period() {
        let ps = paragraphs(
            "首页\n某某市机关事务管理局2025年上半年工作总结和下半年工作思路\n发布时间:2025-07-08 10:29 来源:某某市机关事务局\n2025年上半年，我局……",
        );
        let t = title(&ps);
        assert_eq!(agency(&ps, t).as_deref(), Some("某某市机关事务管理局"));
        assert_eq!(report_year(&ps, t), Some(2025));
        assert_eq!(period(&ps, t), Period::FirstHalf);
        assert_eq!(published_date(&ps), NaiveDate::from_ymd_opt(2025, 7, 8));
        assert_eq!(kind("", t), ReportKind::WorkSummary);
    }
}
