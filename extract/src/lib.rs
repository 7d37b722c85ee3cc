//! Pure extraction from the published text of a Chinese government report (法治政府建设年度报告,
//! 工作总结): metadata, shortcomings (存在的问题), next-period commitments (下一年度安排), the
//! previous period's rectification (上年度问题整改情况), and proposed shortcoming–commitment
//! links. No I/O: text in, data out.
//!
//! ```
//! let text = rectify_extract::ReportText::parse("三、存在的问题\n一是普法形式单一。\n二是执法培训不足。".as_bytes()).unwrap();
//! let report = rectify_extract::extract(&text);
//! assert_eq!(report.shortcomings.len(), 2);
//! ```

mod document;
mod enumerate;
mod input;
mod layout;
mod links;
mod markers;
mod meta;
mod numerals;
mod sections;
mod terms;

use chrono::NaiveDate;
use serde::Serialize;

#[cfg(any(test, feature = "samples"))]
pub use document::samples;
pub use document::{FileError, FileKind, MAX_FILE_BYTES, MAX_TEXT_FILE_BYTES, sniff};
pub use input::{InputError, MAX_REPORT_BYTES, ReportText};
pub use links::{LINK_FLOOR, Link};
pub use meta::{Period, ReportKind};

/// An item cut from the report: its exact text (without enumerator) and byte span.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Item {
    pub text: String,
    /// Byte offsets `[start, end)` in the report text.
    pub span: (usize, usize),
}

/// Something a reader should know about an extraction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WarningCode {
    /// No shortcomings section (存在的问题/不足) was found: none were invented.
    NoShortcomingsSection,
    /// No next-period commitments were found.
    NoCommitmentsSection,
    /// The text does not read as Chinese.
    NotChinese,
    /// The agency is not named in full anywhere in the text.
    AgencyUnknown,
    /// The year reported on could not be found.
    YearUnknown,
}

/// A warning with a message for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub code: WarningCode,
    pub message: String,
}

impl Warning {
    fn new(code: WarningCode) -> Self {
        let message = match code {
            WarningCode::NoShortcomingsSection => {
                "未找到“存在的问题/不足”部分，未生成任何问题（no shortcomings section was found; none were invented)"
            }
            WarningCode::NoCommitmentsSection => {
                "未找到下一年度（下一步）工作安排（no next-period commitments were found)"
            }
            WarningCode::NotChinese => {
                "文本不是中文报告（the text does not read as a Chinese report)"
            }
            WarningCode::AgencyUnknown => "文中未写明机关全称（the agency is not named in full)",
            WarningCode::YearUnknown => "未找到报告年度（the year reported on was not found)",
        };
        Self {
            code,
            message: message.to_owned(),
        }
    }
}

/// Everything extracted from one report.
#[derive(Clone, Debug, PartialEq)]
pub struct Extraction {
    pub agency: Option<String>,
    pub report_year: Option<i32>,
    pub period: Period,
    pub kind: ReportKind,
    pub title: Option<String>,
    pub published_date: Option<NaiveDate>,
    pub shortcomings: Vec<Item>,
    pub commitments: Vec<Item>,
    pub previous_rectification: Vec<Item>,
    pub links: Vec<Link>,
    pub warnings: Vec<Warning>,
}

/// Extracts metadata, sections, items and links from a report.
pub fn extract(text: &ReportText) -> Extraction {
    let text = text.as_str();
    let paragraphs = layout::paragraphs(text);
    let title = meta::title(&paragraphs);
    let report_year = meta::report_year(&paragraphs, title);
    let mut extraction = Extraction {
        agency: meta::agency(&paragraphs, title),
        report_year,
        period: meta::period(&paragraphs, title),
        kind: meta::kind(text, title),
        title: title.map(ToOwned::to_owned),
        published_date: meta::published_date(&paragraphs),
        shortcomings: Vec::new(),
        commitments: Vec::new(),
        previous_rectification: Vec::new(),
        links: Vec::new(),
        warnings: Vec::new(),
    };
    for section in sections::find(&paragraphs, report_year) {
        let slot = match section.class {
            sections::Class::Shortcomings => &mut extraction.shortcomings,
            sections::Class::Commitments => &mut extraction.commitments,
            sections::Class::PreviousRectification => &mut extraction.previous_rectification,
        };
        slot.extend(enumerate::items(&section.body).into_iter().map(|c| Item {
            text: c.text,
            span: (c.start, c.end),
        }));
    }
    let s: Vec<&str> = extraction
        .shortcomings
        .iter()
        .map(|i| i.text.as_str())
        .collect();
    let c: Vec<&str> = extraction
        .commitments
        .iter()
        .map(|i| i.text.as_str())
        .collect();
    extraction.links = links::propose(&s, &c);

    let han = text
        .chars()
        .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
        .count();
    if han * 5 < text.chars().filter(|c| !c.is_whitespace()).count() {
        extraction
            .warnings
            .push(Warning::new(WarningCode::NotChinese));
    }
    if extraction.shortcomings.is_empty() {
        extraction
            .warnings
            .push(Warning::new(WarningCode::NoShortcomingsSection));
    }
    if extraction.commitments.is_empty() {
        extraction
            .warnings
            .push(Warning::new(WarningCode::NoCommitmentsSection));
    }
    if extraction.agency.is_none() {
        extraction
            .warnings
            .push(Warning::new(WarningCode::AgencyUnknown));
    }
    if extraction.report_year.is_none() {
        extraction
            .warnings
            .push(Warning::new(WarningCode::YearUnknown));
    }
    extraction
}

/// How alike two passages are (0–1), for recurrence (屡查屡犯) across reports: cosine of
/// their content-word vectors.
pub fn similarity(a: &str, b: &str) -> f64 {
    terms::cosine(&terms::tf(a), &terms::tf(b))
}

/// The similarity above which a new shortcoming is taken as a recurrence of an earlier one.
pub const RECURRENCE_THRESHOLD: f64 = 0.35;

fn texts(items: &[Item]) -> Vec<&str> {
    items.iter().map(|i| i.text.as_str()).collect()
}

/// The JSON shape `score-extraction` reads, plus spans, period, kind and warnings.
#[derive(Serialize)]
pub struct ExtractionJson<'a> {
    pub agency: Option<&'a str>,
    pub report_year: Option<i32>,
    pub published_date: Option<String>,
    pub period: Period,
    pub kind: ReportKind,
    pub title: Option<&'a str>,
    pub shortcomings: Vec<&'a str>,
    pub commitments: Vec<&'a str>,
    pub previous_rectification: Vec<&'a str>,
    /// `[shortcoming, commitment, score]`.
    pub links: Vec<(usize, usize, f64)>,
    pub warnings: &'a [Warning],
    pub spans: Spans,
}

/// Byte spans of the items, in order.
#[derive(Serialize)]
pub struct Spans {
    pub shortcomings: Vec<(usize, usize)>,
    pub commitments: Vec<(usize, usize)>,
    pub previous_rectification: Vec<(usize, usize)>,
}

impl Extraction {
    /// The serialisable view.
    pub fn to_json(&self) -> ExtractionJson<'_> {
        let spans = |items: &[Item]| items.iter().map(|i| i.span).collect::<Vec<_>>();
        ExtractionJson {
            agency: self.agency.as_deref(),
            report_year: self.report_year,
            published_date: self
                .published_date
                .map(|d| d.format("%Y-%m-%d").to_string()),
            period: self.period,
            kind: self.kind,
            title: self.title.as_deref(),
            shortcomings: texts(&self.shortcomings),
            commitments: texts(&self.commitments),
            previous_rectification: texts(&self.previous_rectification),
            links: self
                .links
                .iter()
                .map(|l| (l.shortcoming, l.commitment, l.score))
                .collect(),
            warnings: &self.warnings,
            spans: Spans {
                shortcomings: spans(&self.shortcomings),
                commitments: spans(&self.commitments),
                previous_rectification: spans(&self.previous_rectification),
            },
        }
    }
}
