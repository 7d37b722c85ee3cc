//! Metadata: which agency, which year and period, when published, what kind of report.

use chrono::NaiveDate;

use crate::{
    cues::Cues,
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
    "党组",
    "党委",
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

/// The report's title: the crawler header's 标题, else an early short line that names a
/// report or summary (never a sentence such as "根据…通知要求，…报告如下：").
pub fn title<'a>(
    paragraphs: &[Paragraph<'a>],
    header: Option<&'a str>,
    cues: &Cues,
) -> Option<&'a str> {
    if let Some(h) = header {
        return Some(h);
    }
    paragraphs
        .iter()
        .take(40)
        .filter(|p| p.kind == LineKind::Body && p.marker.is_none())
        .map(|p| p.text)
        .filter(|t| {
            t.chars().count() <= 60
                && !t.ends_with(['。', '：', ':'])
                && !t.contains(['>', '»', '。'])
                && !cues.meta.not_title.iter().any(|w| t.contains(w.as_str()))
                && cues.meta.title_words.iter().any(|w| t.contains(w.as_str()))
        })
        // A title usually names its year; breadcrumbs and column names do not.
        .min_by_key(|t| first_year(t).is_none())
}

/// The agency a title names before its year or its 关于 (平潭综合实验区2023年度…报告,
/// 某某局关于2022年…的报告).
fn title_agency(t: &str) -> Option<String> {
    let t: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    let cut = t
        .find("关于")
        .into_iter()
        .chain(t.find(|c: char| c.is_ascii_digit()))
        .min()?;
    let prefix = &t[..cut];
    let n = prefix.chars().count();
    let all_han = prefix
        .chars()
        .all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    (looks_like_agency(prefix)
        || (all_han
            && (4..=30).contains(&n)
            && !GENERIC_STARTS.iter().any(|g| prefix.starts_with(g))))
    .then(|| prefix.to_owned())
}

/// The agency: the signature line above the date, else the title's prefix (or the line
/// above a title that names none), else the speaker of a 政府工作报告 ("我代表X，"), else the
/// 来源 / 发布机构 line; `None` when no full name is written.
pub fn agency(
    paragraphs: &[Paragraph<'_>],
    title: Option<&str>,
    original: &str,
    cues: &Cues,
) -> Option<String> {
    named_agency(paragraphs, title, original, cues).map(|a| own_name(&a).to_owned())
}

/// How many characters a region's own name has at most before its 区/县/旗.
const MAX_REGION_CHARS: usize = 6;

/// A county-level government's own name, without the region above it: reports of one body
/// name it now with its prefecture and province (淮安市洪泽区人民政府, 福建省平潭县人民政府)
/// and now without (洪泽区人民政府), on the cover, in the signature and in the text alike; the
/// body is one, so its name is the shorter one, under which its reports of every year meet.
/// Only names of the form <province 省 / prefecture 市><district 区 · county 县 · banner 旗>
/// 人民政府…: a department's name (淮安市城市管理局) keeps its region, which is part of it.
pub fn own_name(name: &str) -> &str {
    let mut rest = name;
    while let Some(cut) = region_end(rest, &['省', '市'])
        && county_government(&rest[cut..])
    {
        rest = &rest[cut..];
    }
    rest
}

/// Where a leading region name ending in one of `suffixes` ends (2 to 7 Han characters).
fn region_end(s: &str, suffixes: &[char]) -> Option<usize> {
    let (i, c) = s
        .char_indices()
        .skip(1)
        .take(MAX_REGION_CHARS)
        .take_while(|(_, c)| ('\u{4e00}'..='\u{9fff}').contains(c))
        .find(|(_, c)| suffixes.contains(c))?;
    Some(i + c.len_utf8())
}

/// <district/county/banner/county-level city>人民政府…, possibly under more regions.
fn county_government(s: &str) -> bool {
    region_end(s, &['区', '县', '旗', '市']).is_some_and(|i| s[i..].starts_with("人民政府"))
        || region_end(s, &['省', '市']).is_some_and(|i| county_government(&s[i..]))
}

fn named_agency(
    paragraphs: &[Paragraph<'_>],
    title: Option<&str>,
    original: &str,
    cues: &Cues,
) -> Option<String> {
    for (i, p) in paragraphs.iter().enumerate().rev() {
        if p.kind == LineKind::Date && i > 0 {
            let above = paragraphs[i - 1].text;
            if looks_like_agency(above) {
                return Some(above.to_owned());
            }
        }
    }
    if let Some(t) = title {
        // 巡察组关于巡察X党组的反馈意见: the body inspected.
        if let Some(rest) = ["关于巡察", "关于巡视"]
            .iter()
            .find_map(|k| t.split(k).nth(1))
        {
            let name = rest.split("的").next().unwrap_or("");
            let name = name.trim_end_matches("党组").trim_end_matches("党委");
            if looks_like_agency(name) {
                return Some(name.to_owned());
            }
        }
        if let Some(a) = title_agency(t) {
            let a = cues
                .meta
                .agency_suffixes_dropped
                .iter()
                .find_map(|s| a.strip_suffix(s.as_str()))
                .map_or(a.clone(), ToOwned::to_owned);
            return Some(a);
        }
        if let Some(i) = paragraphs.iter().take(40).position(|p| p.text == t)
            && i > 0
            && looks_like_agency(paragraphs[i - 1].text)
        {
            return Some(paragraphs[i - 1].text.to_owned());
        }
    }
    for p in paragraphs.iter().take(40) {
        if let Some(rest) = p.text.split("我代表").nth(1) {
            let name: String = rest
                .chars()
                .take_while(|c| !matches!(c, '，' | ',' | '、' | '。'))
                .collect();
            if looks_like_agency(&name) {
                return Some(name);
            }
        }
    }
    if let Some(a) =
        crate::normalize::header_field(original, "发布机构").filter(|a| looks_like_agency(a))
    {
        return Some(a.to_owned());
    }
    for p in paragraphs.iter().take(40) {
        for key in &cues.meta.source_keys {
            if let Some(rest) = p.text.split(key.as_str()).nth(1) {
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

/// The year reported on: the title's year (a 政府工作报告 reports on the year before the one
/// it is given in, as its 工作回顾 heading says), else the first year of the opening text.
pub fn report_year(paragraphs: &[Paragraph<'_>], title: Option<&str>) -> Option<i32> {
    let speech = title.is_some_and(|t| t.contains("政府工作报告"));
    if speech {
        let review = paragraphs.iter().find_map(|p| {
            let i = p.text.find("年工作回顾")?;
            let y = p.text.get(i.checked_sub(4)?..i)?.parse::<i32>().ok()?;
            (2000..=2099).contains(&y).then_some(y)
        });
        if review.is_some() {
            return review;
        }
        let digits: String = title?
            .chars()
            .filter(char::is_ascii_digit)
            .take(4)
            .collect();
        if let Ok(y) = digits.parse::<i32>() {
            return Some(y - 1);
        }
    }
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

/// The published date: the signature date, else the date line of a speech ("——2019年1月8日在…
/// 会议上"), else the page's 发布时间 (crawler header or page text).
pub fn published_date(paragraphs: &[Paragraph<'_>], original: &str) -> Option<NaiveDate> {
    if let Some(d) = paragraphs
        .iter()
        .rev()
        .filter(|p| p.kind == LineKind::Date && is_date_line(p.text))
        .find_map(|p| parse_cn_date(p.text))
    {
        return Some(d);
    }
    if let Some(d) = paragraphs.iter().take(40).find_map(|p| {
        let i = p.text.find("——")?;
        let rest = &p.text[i + "——".len()..];
        let day = rest.find('日')?;
        if !rest[day..].starts_with("日在") {
            return None;
        }
        parse_cn_date(&rest[..day + '日'.len_utf8()])
    }) {
        return Some(d);
    }
    if let Some(d) = crate::normalize::header_field(original, "发布时间").and_then(parse_iso_prefix)
    {
        return Some(d);
    }
    paragraphs.iter().take(20).find_map(|p| {
        ["发布时间", "发布日期", "发文日期", "成文日期"]
            .iter()
            .find_map(|key| {
                let rest = p.text.split(key).nth(1)?;
                let rest = rest.trim_start_matches(['：', ':', ' ', '\u{3000}']);
                parse_iso_prefix(rest).or_else(|| {
                    let upto = rest.find('日').map(|i| &rest[..i + '日'.len_utf8()])?;
                    parse_cn_date(upto)
                })
            })
    })
}

fn parse_iso_prefix(rest: &str) -> Option<NaiveDate> {
    let date: String = rest.chars().take(10).collect();
    NaiveDate::parse_from_str(&date, "%Y-%m-%d")
        .ok()
        .or_else(|| NaiveDate::parse_from_str(&date.replace('/', "-"), "%Y-%m-%d").ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cues::default_cues;
    use crate::layout;

    #[test]
    fn a_county_governments_own_name_leaves_out_the_regions_above_it() {
        assert_eq!(own_name("淮安市洪泽区人民政府"), "洪泽区人民政府");
        assert_eq!(own_name("福建省福州市平潭县人民政府"), "平潭县人民政府");
        assert_eq!(
            own_name("淮安市洪泽区人民政府办公室"),
            "洪泽区人民政府办公室"
        );
        assert_eq!(own_name("苏州市昆山市人民政府"), "昆山市人民政府");
        for kept in [
            "淮安市人民政府",
            "洪泽区人民政府",
            "淮安市城市管理局",
            "淮安市洪泽区司法局",
            "苏州市工业园区管委会",
            "平潭综合实验区社会事业局",
            "福建省人民政府",
        ] {
            assert_eq!(own_name(kept), kept);
        }
    }

    fn paragraphs(t: &str) -> Vec<Paragraph<'_>> {
        layout::paragraphs(t, default_cues())
    }

    #[test]
    fn the_signature_names_the_agency_and_dates_the_report() {
        let text = "2025年，我局扎实推进法治政府建设。现报告如下：\n一、主要成效\n……\n某某市司法局\n2026年1月16日\n扫一扫在手机上查看";
        let ps = paragraphs(text);
        assert_eq!(
            agency(&ps, title(&ps, None, default_cues()), "", default_cues()).as_deref(),
            Some("某某市司法局")
        );
        assert_eq!(
            published_date(&ps, ""),
            NaiveDate::from_ymd_opt(2026, 1, 16)
        );
        assert_eq!(
            report_year(&ps, title(&ps, None, default_cues())),
            Some(2025)
        );
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
        assert_eq!(
            agency(&ps, title(&ps, None, default_cues()), "", default_cues()),
            None
        );
    }

    #[test]
    fn the_title_gives_agency_year_and_half_year_period() {
        let ps = paragraphs(
            "首页\n某某市机关事务管理局2025年上半年工作总结和下半年工作思路\n发布时间:2025-07-08 10:29 来源:某某市机关事务局\n2025年上半年，我局……",
        );
        let t = title(&ps, None, default_cues());
        assert_eq!(
            agency(&ps, t, "", default_cues()).as_deref(),
            Some("某某市机关事务管理局")
        );
        assert_eq!(report_year(&ps, t), Some(2025));
        assert_eq!(period(&ps, t), Period::FirstHalf);
        assert_eq!(published_date(&ps, ""), NaiveDate::from_ymd_opt(2025, 7, 8));
        assert_eq!(kind("", t), ReportKind::WorkSummary);
    }
}
