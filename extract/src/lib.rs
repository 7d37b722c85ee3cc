//! Pure extraction from the published text of a Chinese government report: metadata,
//! shortcomings (存在的问题), next-period commitments (下一年度安排 / 改进措施), the previous
//! period's rectification (上年度问题整改情况), and proposed shortcoming–commitment links.
//! No I/O: text in, data out.
//!
//! Genres: 法治政府建设年度报告 and department 法治工作情况报告, 政府信息公开工作年度报告,
//! 工作总结 / 工作总结及工作计划, 政府工作报告, and the documents 整改 is run from (审计整改
//! 情况, 巡察反馈意见, 整改进展情况的通报, 民主生活会对照检查材料). Layouts: one block per
//! line, a whole page body on one line, PDF text (`pdftotext`), pages with site text and
//! crawler headers (see `normalize`).
//!
//! The words by which parts are recognised live in `cues.toml` (compiled in, replaceable with
//! [`Cues::from_toml`] and [`extract_with`]). Every item and section carries its span and a
//! confidence; unsure cuts and a missing problems section come back as [`Warning`]s with the
//! spans a person should look at.
//!
//! ```
//! let text = rectify_extract::ReportText::parse("三、存在的问题\n一是普法形式单一。\n二是执法培训不足。".as_bytes()).unwrap();
//! let report = rectify_extract::extract(&text);
//! assert_eq!(report.shortcomings.len(), 2);
//! ```

mod cues;
mod document;
mod enumerate;
mod input;
mod layout;
mod links;
mod markers;
mod meta;
mod normalize;
mod numerals;
mod review;
mod sections;
mod terms;

use chrono::NaiveDate;
use serde::Serialize;

pub use cues::{Cues, CuesError, DEFAULT_CUES_TOML, MAX_CUES_BYTES};
#[cfg(any(test, feature = "samples"))]
pub use document::samples;
pub use document::{FileError, FileKind, MAX_FILE_BYTES, MAX_TEXT_FILE_BYTES, sniff};
pub use input::{InputError, MAX_REPORT_BYTES, ReportText};
pub use links::{LINK_FLOOR, Link};
pub use meta::{Period, ReportKind};
pub use sections::{Class as SectionClass, Found as SectionFound};

/// An item cut from the report: its text (without enumerator), byte span and how sure
/// the cut is.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Item {
    /// The item's text; in PDF text its broken lines are joined and its page marks left out.
    pub text: String,
    /// Byte offsets `[start, end)` in the report text.
    pub span: (usize, usize),
    /// How sure the cut is, 0–1 (never NaN): below [`LOW_CONFIDENCE`] a person should look.
    pub confidence: f64,
}

// `confidence` is never NaN, so equality is an equivalence.
impl Eq for Item {}

/// Items and sections below this confidence are reported for review.
pub const LOW_CONFIDENCE: f64 = 0.6;

/// A part of the report that was classified: what it holds, where it is, how it was found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Section {
    pub class: SectionClass,
    /// Byte offsets of its body in the report text.
    pub span: (usize, usize),
    /// Byte offsets of its heading, when it has one.
    pub heading: Option<(usize, usize)>,
    pub found: SectionFound,
    /// How sure the classification is, 0–1.
    pub confidence: f64,
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
    /// Some items were cut with low confidence (their spans are given).
    LowConfidence,
}

/// A warning with a message for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub code: WarningCode,
    pub message: String,
    /// Byte spans a person should look at: the unsure items, or, when no shortcomings
    /// section was found, the paragraphs that read most like one.
    pub spans: Vec<(usize, usize)>,
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
            WarningCode::LowConfidence => {
                "部分条目切分把握不大，请人工核对（some items were cut with low confidence; please review them)"
            }
        };
        Self {
            code,
            message: message.to_owned(),
            spans: Vec::new(),
        }
    }

    fn with_spans(mut self, spans: Vec<(usize, usize)>) -> Self {
        self.spans = spans;
        self
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
    /// The classified parts of the report, in order.
    pub sections: Vec<Section>,
}

/// Extracts metadata, sections, items and links from a report with the compiled-in cues.
pub fn extract(text: &ReportText) -> Extraction {
    extract_with(text, cues::default_cues())
}

/// Like [`extract`] with other section cues (see [`Cues::from_toml`]).
pub fn extract_with(text: &ReportText, cues: &Cues) -> Extraction {
    extract_str(text.as_str(), cues)
}

/// The whole pipeline on any text, without [`ReportText`]'s size bound: for benchmarks of
/// large inputs. Every pass is linear in the text's size.
#[doc(hidden)]
pub fn extract_unbounded(text: &str) -> Extraction {
    extract_str(text, cues::default_cues())
}

fn extract_str(original: &str, cues: &Cues) -> Extraction {
    let norm = normalize::normalize(original, cues);
    let text = norm.text.as_str();
    let span = |a: usize, b: usize| (norm.original(a), norm.original(b).max(norm.original(a)));
    let paragraphs = layout::paragraphs(text, cues);
    let header_title = normalize::header_field(original, "标题");
    let title = meta::title(&paragraphs, header_title, cues);
    let report_year = meta::report_year(&paragraphs, title);
    let mut extraction = Extraction {
        agency: meta::agency(&paragraphs, title, original, cues),
        report_year,
        period: meta::period(&paragraphs, title),
        kind: meta::kind(text, title),
        title: title.map(ToOwned::to_owned),
        published_date: meta::published_date(&paragraphs, original),
        shortcomings: Vec::new(),
        commitments: Vec::new(),
        previous_rectification: Vec::new(),
        links: Vec::new(),
        warnings: Vec::new(),
        sections: Vec::new(),
    };
    let mut paired_links = Vec::new();
    for region in sections::find(text, &paragraphs, report_year, cues) {
        let cuts = enumerate::items(text, &region, cues);
        let item = |c: enumerate::Cut| Item {
            text: text[c.start..c.end].to_owned(),
            span: span(c.start, c.end),
            confidence: c.confidence,
        };
        if region.class == sections::Class::Paired {
            for c in &cuts {
                let (problem, measure) = enumerate::split_pair(text, *c, cues);
                extraction.shortcomings.push(item(problem));
                if let Some(m) = measure {
                    paired_links.push((
                        extraction.shortcomings.len() - 1,
                        extraction.commitments.len(),
                    ));
                    extraction.commitments.push(item(m));
                }
            }
        }
        let slot = match region.class {
            sections::Class::Shortcomings => &mut extraction.shortcomings,
            sections::Class::Commitments => &mut extraction.commitments,
            sections::Class::PreviousRectification => &mut extraction.previous_rectification,
            sections::Class::Paired => &mut Vec::new(),
        };
        let mut confidence: f64 = match region.found {
            sections::Found::Heading => 0.9,
            sections::Found::Split => 0.8,
            sections::Found::LeadIn => 0.7,
        };
        if cuts.is_empty() {
            confidence *= 0.5;
        }
        extraction.sections.push(Section {
            class: region.class,
            span: span(region.start, region.end),
            heading: region.heading.map(|(a, b)| span(a, b)),
            found: region.found,
            confidence,
        });
        if region.class != sections::Class::Paired {
            slot.extend(cuts.into_iter().map(item));
        }
    }
    let s: Vec<&str> = texts(&extraction.shortcomings);
    let c: Vec<&str> = texts(&extraction.commitments);
    extraction.links = links::propose(&s, &c);
    for (s, c) in paired_links {
        if !extraction
            .links
            .iter()
            .any(|l| l.shortcoming == s && l.commitment == c)
        {
            extraction.links.push(Link {
                shortcoming: s,
                commitment: c,
                score: 1.0,
            });
        }
    }

    let han = text
        .chars()
        .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
        .count();
    let mut warnings = Vec::new();
    if han * 5 < text.chars().filter(|c| !c.is_whitespace()).count() {
        warnings.push(Warning::new(WarningCode::NotChinese));
    }
    if extraction.shortcomings.is_empty() {
        let candidates = review::problem_candidates(text, &paragraphs, cues)
            .into_iter()
            .map(|(a, b)| span(a, b))
            .collect();
        warnings.push(Warning::new(WarningCode::NoShortcomingsSection).with_spans(candidates));
    }
    if extraction.commitments.is_empty() {
        warnings.push(Warning::new(WarningCode::NoCommitmentsSection));
    }
    let unsure: Vec<(usize, usize)> = extraction
        .shortcomings
        .iter()
        .chain(&extraction.commitments)
        .chain(&extraction.previous_rectification)
        .filter(|i| i.confidence < LOW_CONFIDENCE)
        .map(|i| i.span)
        .collect();
    if !unsure.is_empty() {
        warnings.push(Warning::new(WarningCode::LowConfidence).with_spans(unsure));
    }
    if extraction.agency.is_none() {
        warnings.push(Warning::new(WarningCode::AgencyUnknown));
    }
    if extraction.report_year.is_none() {
        warnings.push(Warning::new(WarningCode::YearUnknown));
    }
    extraction.warnings = warnings;
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
    /// Item confidences (0–1), in the order of the item lists.
    pub confidence: Confidences,
    pub sections: &'a [Section],
}

/// Confidences of the items, in order.
#[derive(Serialize)]
pub struct Confidences {
    pub shortcomings: Vec<f64>,
    pub commitments: Vec<f64>,
    pub previous_rectification: Vec<f64>,
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
        let conf = |items: &[Item]| items.iter().map(|i| i.confidence).collect::<Vec<_>>();
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
            confidence: Confidences {
                shortcomings: conf(&self.shortcomings),
                commitments: conf(&self.commitments),
                previous_rectification: conf(&self.previous_rectification),
            },
            sections: &self.sections,
        }
    }
}
