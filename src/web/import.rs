//! Importing a report (导入报告), for those who may import: paste the text or upload the
//! file, then review what was found beside the report — each cut highlighted in the source,
//! low-confidence cuts and warnings marked — and correct it (remove, merge, split, add from
//! the text, move between sections, fix the agency and year, confirm or drop the proposed
//! links) before anything is written; then import.
//!
//! No draft is stored on the server: the review's state (the report's text and the
//! corrected lists) travels in the form as one JSON field, each post applies one change
//! and runs the import as a dry run with the corrected extraction, which the service checks
//! in full (`REVIEW_*`) every time. The final post imports the same corrected extraction.

use askama::Template;
use axum::{
    extract::{FromRequest, FromRequestParts, Multipart, Request, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use rectify_extract::{Extraction, LOW_CONFIDENCE};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Shell, SignedIn, csrf, errors, items::state_label, render};
use crate::{
    http::AppState,
    service::{
        ServiceError, Services,
        import::{ImportOutcome, ImportReport, ImportStatus, ReportFile},
        reviewed::{ReviewedExtraction, ReviewedItem, ReviewedLink},
    },
    store::{agencies::AgencyFilter, page::PageRequest},
};

/// The three lists of a review, in the order the page shows them.
pub const SECTIONS: [&str; 3] = ["存在的问题", "整改措施/下一步安排", "上年度问题整改情况"];
/// Short names of the lists, for the marks in the source.
const SHORT: [&str; 3] = ["问题", "措施", "上年整改"];
/// The largest review state a form may carry (the text is at most 2 MB).
const MAX_STATE_BYTES: usize = 6 * 1024 * 1024;
/// The most fields a review form may carry (one per item, link and control).
const MAX_FIELDS: usize = 5_000;
/// The most items a review holds in all.
const MAX_ITEMS: usize = 1_500;
/// The most agencies offered in the agency list.
const MAX_AGENCY_CHOICES: i32 = 200;

/// An item under review: a stable id (links refer to it), its text, its byte span in the
/// report text when it has one, and whether the extractor was unsure of the cut.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct DraftItem {
    pub id: u32,
    pub text: String,
    #[serde(default)]
    pub span: Option<(usize, usize)>,
    #[serde(default)]
    pub low: bool,
}

/// A proposed link between a shortcoming and a commitment (by item ids), kept or dropped.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct DraftLink {
    pub s: u32,
    pub c: u32,
    pub score: f64,
    pub on: bool,
}

/// The review as it stands: what the form carries from post to post.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Draft {
    /// The report's text as the import stores it (spans point into it).
    pub text: String,
    /// The uploaded file's name, when it came as a file.
    #[serde(default)]
    pub file: Option<String>,
    #[serde(default)]
    pub agency_id: Option<Uuid>,
    #[serde(default)]
    pub agency_name: String,
    #[serde(default)]
    pub year: Option<i32>,
    #[serde(default)]
    pub period: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub source_url: String,
    /// 存在的问题, 整改措施, 上年度问题整改情况.
    #[serde(default)]
    pub items: [Vec<DraftItem>; 3],
    #[serde(default)]
    pub links: Vec<DraftLink>,
    /// The extractor's warnings, as it gave them.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Spans the extractor asks a person to look at that are not items (e.g. sentences that
    /// read like shortcomings when no shortcomings section was found).
    #[serde(default)]
    pub hints: Vec<(usize, usize)>,
    #[serde(default)]
    pub next_id: u32,
}

impl Draft {
    /// The review of what the extractor found in `text`.
    pub fn of(text: String, file: Option<String>, e: &Extraction) -> Self {
        let mut next_id = 0;
        let mut list = |items: &[rectify_extract::Item]| -> Vec<DraftItem> {
            items
                .iter()
                .map(|i| {
                    next_id += 1;
                    DraftItem {
                        id: next_id,
                        text: i.text.clone(),
                        span: (i.span.1 > i.span.0).then_some(i.span),
                        low: i.confidence < LOW_CONFIDENCE,
                    }
                })
                .collect()
        };
        let items = [
            list(&e.shortcomings),
            list(&e.commitments),
            list(&e.previous_rectification),
        ];
        let links = e
            .links
            .iter()
            .filter_map(|l| {
                Some(DraftLink {
                    s: items[0].get(l.shortcoming)?.id,
                    c: items[1].get(l.commitment)?.id,
                    score: (l.score * 1000.0).round() / 1000.0,
                    on: true,
                })
            })
            .collect();
        let item_spans: Vec<(usize, usize)> =
            items.iter().flatten().filter_map(|i| i.span).collect();
        let hints = e
            .warnings
            .iter()
            .flat_map(|w| w.spans.iter().copied())
            .filter(|s| s.1 > s.0 && !item_spans.contains(s))
            .take(50)
            .collect();
        Self {
            text,
            file,
            agency_id: None,
            agency_name: e.agency.clone().unwrap_or_default(),
            year: e.report_year,
            period: match e.period {
                rectify_extract::Period::Annual => "annual",
                rectify_extract::Period::FirstHalf => "first_half",
                rectify_extract::Period::SecondHalf => "second_half",
            }
            .to_owned(),
            kind: match e.kind {
                rectify_extract::ReportKind::RuleOfLawAnnualReport => "rule_of_law_annual_report",
                rectify_extract::ReportKind::WorkSummary => "work_summary",
                rectify_extract::ReportKind::Other => "other",
            }
            .to_owned(),
            title: e.title.clone().unwrap_or_default(),
            source_url: String::new(),
            items,
            links,
            notes: e.warnings.iter().map(|w| w.message.clone()).collect(),
            hints,
            next_id,
        }
    }

    /// Where item `id` is: its list and position.
    fn find(&self, id: u32) -> Option<(usize, usize)> {
        self.items
            .iter()
            .enumerate()
            .find_map(|(s, list)| list.iter().position(|i| i.id == id).map(|p| (s, p)))
    }

    /// Puts `item` into list `section` in the report's order (by where it stands in the
    /// text; an item without a span goes last).
    fn insert(&mut self, section: usize, item: DraftItem) {
        let list = &mut self.items[section];
        let at = match item.span {
            Some((start, _)) => list
                .iter()
                .position(|i| i.span.is_some_and(|(s, _)| s > start))
                .unwrap_or(list.len()),
            None => list.len(),
        };
        list.insert(at, item);
    }

    fn new_id(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id
    }

    /// The corrected extraction the service checks and imports.
    pub fn reviewed(&self) -> ReviewedExtraction {
        let list = |items: &[DraftItem]| -> Vec<ReviewedItem> {
            items
                .iter()
                .map(|i| ReviewedItem {
                    text: i.text.clone(),
                    span: i.span.map(|(s, e)| (s as i64, e as i64)),
                })
                .collect()
        };
        let position = |section: usize, id: u32| {
            self.items[section]
                .iter()
                .position(|i| i.id == id)
                .map(|p| p as i64)
        };
        let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        ReviewedExtraction {
            agency: opt(&self.agency_name),
            year: self.year,
            period: opt(&self.period),
            kind: opt(&self.kind),
            title: opt(&self.title),
            published_on: None,
            shortcomings: list(&self.items[0]),
            commitments: list(&self.items[1]),
            previous_rectification: list(&self.items[2]),
            links: self
                .links
                .iter()
                .filter(|l| l.on)
                .filter_map(|l| {
                    Some(ReviewedLink {
                        shortcoming: position(0, l.s)?,
                        commitment: position(1, l.c)?,
                        score: Some(l.score),
                    })
                })
                .collect(),
        }
    }

    /// The import this review asks for (a dry run unless `dry_run` is false).
    fn import(&self, dry_run: bool, replace: bool) -> ImportReport {
        ImportReport {
            text: self.text.clone(),
            file: None,
            agency_id: self.agency_id,
            agency_name: None,
            year: self.year,
            source_url: Some(self.source_url.trim().to_owned()).filter(|u| !u.is_empty()),
            dry_run,
            replace,
            reviewed: Some(self.reviewed()),
        }
    }

    /// Drops links whose items are gone or no longer a shortcoming and a commitment.
    fn prune_links(&mut self) {
        let ids = |s: usize| self.items[s].iter().map(|i| i.id).collect::<Vec<_>>();
        let (s, c) = (ids(0), ids(1));
        self.links.retain(|l| s.contains(&l.s) && c.contains(&l.c));
        let mut seen = std::collections::HashSet::new();
        self.links.retain(|l| seen.insert((l.s, l.c)));
    }

    /// Applies one change `op` (with the fields it needs). A change that cannot be made is
    /// refused with a sentence.
    fn apply(&mut self, op: &str, fields: &Fields) -> Result<(), String> {
        let mut parts = op.split('-');
        let verb = parts.next().unwrap_or_default();
        let id: Option<u32> = parts.next().and_then(|p| p.parse().ok());
        let arg: Option<usize> = parts.next().and_then(|p| p.parse().ok());
        let gone = || "该条目已不存在，请刷新后重试。".to_owned();
        match (verb, id) {
            ("" | "refresh", _) => Ok(()),
            ("remove", Some(id)) => {
                let (s, p) = self.find(id).ok_or_else(gone)?;
                self.items[s].remove(p);
                self.prune_links();
                Ok(())
            }
            ("merge", Some(id)) => {
                let (s, p) = self.find(id).ok_or_else(gone)?;
                if p + 1 >= self.items[s].len() {
                    return Err("这是本部分最后一条，没有下一条可合并。".to_owned());
                }
                let next = self.items[s].remove(p + 1);
                let item = &mut self.items[s][p];
                item.text = format!("{}{}", item.text.trim_end(), next.text.trim_start());
                item.span = match (item.span, next.span) {
                    (Some(a), Some(b)) => Some((a.0.min(b.0), a.1.max(b.1))),
                    (a, b) => a.or(b),
                };
                item.low = item.low || next.low;
                let kept = item.id;
                for l in &mut self.links {
                    if l.s == next.id {
                        l.s = kept;
                    }
                    if l.c == next.id {
                        l.c = kept;
                    }
                }
                self.prune_links();
                Ok(())
            }
            ("split", Some(id)) => {
                let (s, p) = self.find(id).ok_or_else(gone)?;
                let item = self.items[s][p].clone();
                let pieces: Vec<&str> = item
                    .text
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .collect();
                if pieces.len() < 2 {
                    return Err("要拆分，请先在该条文字中要断开的地方换行，再按“拆分”。".to_owned());
                }
                // Each piece keeps the part of the span where its words stand.
                let mut from = item.span.map_or(0, |s| s.0);
                let mut parts = Vec::new();
                for (n, piece) in pieces.iter().enumerate() {
                    let span = item.span.and_then(|(_, end)| {
                        let found = self.text.get(from..end)?.find(piece)?;
                        let start = from + found;
                        from = start + piece.len();
                        Some((start, start + piece.len()))
                    });
                    let id = if n == 0 { item.id } else { self.new_id() };
                    parts.push(DraftItem {
                        id,
                        text: (*piece).to_owned(),
                        span,
                        low: item.low,
                    });
                }
                // The new pieces keep the links of the item they came from.
                let whole = item.id;
                let pieces_ids: Vec<u32> = parts[1..].iter().map(|p| p.id).collect();
                let new_links: Vec<DraftLink> = self
                    .links
                    .iter()
                    .filter(|l| l.s == whole || l.c == whole)
                    .flat_map(|l| {
                        pieces_ids.iter().map(move |&piece| DraftLink {
                            s: if l.s == whole { piece } else { l.s },
                            c: if l.c == whole { piece } else { l.c },
                            ..l.clone()
                        })
                    })
                    .collect();
                self.links.extend(new_links);
                self.items[s].splice(p..=p, parts);
                self.prune_links();
                Ok(())
            }
            ("move", Some(id)) => {
                let to = arg.filter(|a| *a < 3).ok_or_else(gone)?;
                let (s, p) = self.find(id).ok_or_else(gone)?;
                if s != to {
                    let item = self.items[s].remove(p);
                    self.insert(to, item);
                    self.prune_links();
                }
                Ok(())
            }
            ("add", _) => {
                let text = fields.get("add_text").trim().to_owned();
                if text.is_empty() {
                    return Err(
                        "请在左侧报告原文中选中要补充的文字，或把它粘贴到“补充条目”框中。"
                            .to_owned(),
                    );
                }
                let section = fields
                    .get("add_section")
                    .parse::<usize>()
                    .ok()
                    .filter(|s| *s < 3)
                    .unwrap_or(0);
                let near = fields
                    .get("add_at")
                    .parse::<usize>()
                    .ok()
                    .map(|units| byte_of_utf16(&self.text, units));
                let span = locate(&self.text, &text, near);
                let id = self.new_id();
                self.insert(
                    section,
                    DraftItem {
                        id,
                        text,
                        span,
                        low: false,
                    },
                );
                Ok(())
            }
            _ => Err("未知的操作。".to_owned()),
        }
    }

    /// Takes what the form's fields say: metadata, each item's text, which links are kept.
    fn take_fields(&mut self, fields: &Fields) {
        // A field the form did not carry leaves the review as it was.
        if let Some(v) = fields.find("agency_id") {
            self.agency_id = Uuid::parse_str(v.trim()).ok();
        }
        if let Some(v) = fields.find("agency_name") {
            self.agency_name = v.trim().chars().take(200).collect();
        }
        if let Some(v) = fields.find("year") {
            self.year = v.trim().parse().ok();
        }
        if let Some(v) = fields.find("period") {
            self.period = v.trim().chars().take(40).collect();
        }
        if let Some(v) = fields.find("kind") {
            self.kind = v.trim().chars().take(40).collect();
        }
        if let Some(v) = fields.find("title") {
            self.title = v.trim().chars().take(500).collect();
        }
        if let Some(v) = fields.find("source_url") {
            self.source_url = v.trim().chars().take(2000).collect();
        }
        for list in &mut self.items {
            for item in list {
                if let Some(text) = fields.find(&format!("t{}", item.id)) {
                    // The form's lines come back as CRLF; items keep LF.
                    item.text = text.replace("\r\n", "\n").trim().to_owned();
                }
            }
        }
        if fields.find("links_shown").is_some() {
            let kept: Vec<&str> = fields.all("link").collect();
            for l in &mut self.links {
                l.on = kept.contains(&format!("{}-{}", l.s, l.c).as_str());
            }
        }
    }
}

/// The byte offset in `text` of the character `units` UTF-16 code units in (a browser's
/// selection counts in those).
fn byte_of_utf16(text: &str, units: usize) -> usize {
    let mut seen = 0;
    for (i, c) in text.char_indices() {
        if seen >= units {
            return i;
        }
        seen += c.len_utf16();
    }
    text.len()
}

/// The span of `needle` in `text`: the occurrence nearest `near` when given, else the first.
fn locate(text: &str, needle: &str, near: Option<usize>) -> Option<(usize, usize)> {
    let found = text.match_indices(needle).map(|(i, _)| i).take(1000);
    let start = match near {
        Some(at) => found.min_by_key(|i| i.abs_diff(at))?,
        None => found.into_iter().next()?,
    };
    Some((start, start + needle.len()))
}

/// A review form's fields, in order (names repeat: `link`).
#[derive(Default)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    fn find(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    fn get(&self, name: &str) -> &str {
        self.find(name).unwrap_or_default()
    }
    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> {
        self.0
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Reads a multipart import form, bounded: at most [`MAX_FIELDS`] fields, text fields up
/// to [`MAX_STATE_BYTES`], the file up to `max_file` bytes (the whole body is bounded by
/// the router's limit).
async fn read_form(
    mut multipart: Multipart,
    max_file: usize,
) -> Result<(Fields, Option<ReportFile>), ServiceError> {
    let mut fields = Vec::new();
    let mut file = None;
    let unreadable = || ServiceError::invalid("form", "表单无法读取，请刷新页面后重试");
    while let Some(field) = multipart.next_field().await.map_err(|_| unreadable())? {
        if fields.len() >= MAX_FIELDS {
            return Err(ServiceError::invalid("form", "表单内容过多"));
        }
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let bytes = field.bytes().await.map_err(|_| {
            ServiceError::TooLarge(format!("报告文件最大 {} MB", max_file / 1024 / 1024))
        })?;
        if name == "file" {
            if bytes.is_empty() {
                continue;
            }
            if bytes.len() > max_file {
                return Err(ServiceError::TooLarge(format!(
                    "报告文件最大 {} MB",
                    max_file / 1024 / 1024
                )));
            }
            file = Some(ReportFile {
                name: file_name.filter(|n| !n.is_empty()),
                bytes: bytes.to_vec(),
            });
            continue;
        }
        if bytes.len() > MAX_STATE_BYTES {
            return Err(ServiceError::TooLarge("表单内容过大".to_owned()));
        }
        fields.push((name, String::from_utf8_lossy(&bytes).into_owned()));
    }
    Ok((Fields(fields), file))
}

/// Signs the visitor in and reads the multipart form, checking its CSRF token.
async fn signed_form(
    state: &AppState,
    req: Request,
) -> Result<(SignedIn, HeaderMap, Fields, Option<ReportFile>), Response> {
    let (mut parts, body) = req.into_parts();
    let signed = SignedIn::from_request_parts(&mut parts, state).await?;
    let headers = parts.headers.clone();
    let req = Request::from_parts(parts, body);
    let Ok(multipart) = Multipart::from_request(req, state).await else {
        return Err(csrf::refused(&signed, &headers));
    };
    let limit = rectify_extract::MAX_FILE_BYTES.min(state.services.max_upload_bytes);
    let (fields, file) = match read_form(multipart, limit).await {
        Ok(read) => read,
        Err(e) => return Err(errors::service_page(Some(&signed), &headers, &e)),
    };
    if !csrf::matches(&signed.session.session.csrf_token, fields.get("csrf")) {
        return Err(csrf::refused(&signed, &headers));
    }
    Ok((signed, headers, fields, file))
}

/// An option of a select.
#[derive(Clone, Debug)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// What the start page shows.
#[derive(Template)]
#[template(path = "web/import.html", blocks = ["content", "nav"])]
pub struct StartPage {
    pub shell: Shell,
    pub agencies: Vec<Choice>,
    pub error: Option<String>,
    pub text: String,
    pub agency_id: String,
    pub year: String,
}
crate::web_page!(StartPage);

/// The agencies the visitor may import for (within reach), by name.
async fn agency_choices(
    services: &Services,
    actor: &crate::service::Actor,
) -> Result<Vec<Choice>, ServiceError> {
    let (rows, _) = services
        .agencies(
            actor,
            AgencyFilter::default(),
            PageRequest::new(Some(MAX_AGENCY_CHOICES), None),
        )
        .await?;
    let mut choices: Vec<Choice> = rows
        .nodes
        .into_iter()
        .map(|a| Choice {
            value: a.id.to_string(),
            label: a.name,
        })
        .collect();
    choices.sort_by(|a, b| a.label.cmp(&b.label));
    Ok(choices)
}

/// The sentence for an import's refusal: the service's own words where they are for people.
fn refusal(e: &ServiceError) -> String {
    match e {
        ServiceError::Rule { message, .. }
        | ServiceError::Validation { message, .. }
        | ServiceError::Conflict(message) => message.clone(),
        ServiceError::TooLarge(_) => "报告太大：文本最大 2 MB，文件最大 20 MB。".to_owned(),
        ServiceError::Forbidden(_) => {
            "该报告所属单位不在您的职责范围内：请在“单位”中选择本单位，或请督办部门导入。"
                .to_owned()
        }
        other => errors::message(other),
    }
}

/// GET /import: paste or upload a report.
pub async fn start(
    State(state): State<AppState>,
    signed: SignedIn,
    headers: HeaderMap,
) -> Response {
    let result = async {
        signed
            .actor
            .require(crate::domain::access::Operation::ImportReports)?;
        agency_choices(&state.services, &signed.actor).await
    }
    .await;
    let agencies = match result {
        Ok(a) => a,
        Err(e) => return errors::service_page(Some(&signed), &headers, &e),
    };
    let agency_id = match agencies.as_slice() {
        [only] => only.value.clone(),
        _ => String::new(),
    };
    let page = StartPage {
        shell: signed.shell("导入报告", "import"),
        agencies,
        error: None,
        text: String::new(),
        agency_id,
        year: String::new(),
    };
    render(&headers, StatusCode::OK, &page)
}

/// A mark in the source: which list and position, the item's id, and how it stands.
#[derive(Clone, Debug)]
pub struct Segment {
    pub text: String,
    /// `s`, `c`, `p` (shortcoming, commitment, previous), `hint`, or empty (plain text).
    pub class: &'static str,
    pub label: String,
    pub anchor: String,
    pub low: bool,
}

/// An item as the review shows it.
#[derive(Clone, Debug)]
pub struct ItemRowView {
    pub id: u32,
    pub n: usize,
    pub text: String,
    pub rows: usize,
    pub low: bool,
    pub placed: bool,
    /// The earlier shortcoming it repeats (屡查屡犯), in words, and a link to its item.
    pub recurrence: Option<String>,
    pub recurrence_link: Option<String>,
    /// For a previous-rectification item: the earlier shortcoming it answers.
    pub answers: Option<String>,
    /// The commitments (or shortcomings) it is linked to, by number.
    pub linked: String,
    pub last: bool,
}

/// A section of the review.
#[derive(Clone, Debug)]
pub struct SectionView {
    pub index: usize,
    pub name: &'static str,
    pub items: Vec<ItemRowView>,
}

/// A proposed link, as the review shows it.
#[derive(Clone, Debug)]
pub struct LinkView {
    pub value: String,
    pub s: usize,
    pub c: usize,
    pub s_text: String,
    pub c_text: String,
    pub score: String,
    pub on: bool,
}

#[derive(Template)]
#[template(path = "web/import_review.html", blocks = ["content", "nav"])]
pub struct ReviewPage {
    pub shell: Shell,
    pub state: String,
    pub file: Option<String>,
    pub agencies: Vec<Choice>,
    pub agency_id: String,
    pub agency_name: String,
    pub year: String,
    pub period: String,
    pub kind: String,
    pub title: String,
    pub source_url: String,
    pub segments: Vec<Segment>,
    pub sections: Vec<SectionView>,
    pub links: Vec<LinkView>,
    pub notes: Vec<String>,
    pub warnings: Vec<String>,
    /// What the import will do, in a sentence.
    pub plan: Option<String>,
    /// Set when a report for the same agency and period is stored: what replacing it does.
    pub replacing: Option<String>,
    pub replace: bool,
    pub may_import: bool,
    pub error: Option<String>,
    pub silent_on: Vec<String>,
    pub counts: [usize; 3],
}
crate::web_page!(ReviewPage);

fn short(text: &str, n: usize) -> String {
    let mut s: String = text.chars().take(n).collect();
    if text.chars().count() > n {
        s.push('…');
    }
    s
}

/// The report's text cut into plain runs and marked items, in order.
fn segments(d: &Draft) -> Vec<Segment> {
    let mut marks: Vec<(usize, usize, &'static str, String, String, bool)> = Vec::new();
    for (s, list) in d.items.iter().enumerate() {
        for (n, item) in list.iter().enumerate() {
            if let Some((a, b)) = item.span {
                marks.push((
                    a,
                    b,
                    ["s", "c", "p"][s],
                    format!("{}{}", SHORT[s], n + 1),
                    format!("src-{}", item.id),
                    item.low,
                ));
            }
        }
    }
    for (i, (a, b)) in d.hints.iter().enumerate() {
        marks.push((
            *a,
            *b,
            "hint",
            "请核对".to_owned(),
            format!("hint-{i}"),
            true,
        ));
    }
    marks.sort_by_key(|m| (m.0, m.1));
    let text = d.text.as_str();
    let mut out = Vec::new();
    let mut at = 0;
    let plain = |from: usize, to: usize, out: &mut Vec<Segment>| {
        if let Some(t) = text.get(from..to).filter(|t| !t.is_empty()) {
            out.push(Segment {
                text: t.to_owned(),
                class: "",
                label: String::new(),
                anchor: String::new(),
                low: false,
            });
        }
    };
    for (a, b, class, label, anchor, low) in marks {
        // Overlapping marks are cut where the earlier one ends.
        let a = a.max(at);
        if a >= b || !text.is_char_boundary(a) || !text.is_char_boundary(b) || b > text.len() {
            continue;
        }
        plain(at, a, &mut out);
        out.push(Segment {
            text: text[a..b].to_owned(),
            class,
            label,
            anchor,
            low,
        });
        at = b;
    }
    plain(at, text.len(), &mut out);
    out
}

fn period_or_default(p: &str) -> &str {
    if p.is_empty() { "annual" } else { p }
}

/// Renders the review of `draft`: runs the import as a dry run with the corrected
/// extraction (the service checks it in full) and shows what it would do.
async fn review(
    state: &AppState,
    signed: &SignedIn,
    headers: &HeaderMap,
    draft: &Draft,
    replace: bool,
    error: Option<String>,
) -> Response {
    let services = &state.services;
    let agencies = match agency_choices(services, &signed.actor).await {
        Ok(a) => a,
        Err(e) => return errors::service_page(Some(signed), headers, &e),
    };
    // First as a new import; when the agency has this period's report already, again as a
    // replacement, to say what replacing it would do.
    let mut error = error;
    let mut replacing = None;
    let mut outcome: Option<ImportOutcome> = None;
    match services
        .import_report(&signed.actor, draft.import(true, false))
        .await
    {
        Ok(o) => outcome = Some(o),
        Err(ServiceError::Conflict(message)) => {
            match services
                .import_report(&signed.actor, draft.import(true, true))
                .await
            {
                Ok(o) => {
                    replacing = Some(format!(
                        "{message}。勾选“替换已导入的报告”后导入：报告文本和条目换成本次核对的结果，与原有问题相同的条目保留其事项和办理记录{}。",
                        if o.kept.is_empty() {
                            String::new()
                        } else {
                            format!(
                                "，原报告中另有 {} 个问题不在本次结果中，这些问题及其事项也会保留",
                                o.kept.len()
                            )
                        }
                    ));
                    outcome = Some(o);
                }
                Err(e) => error = error.or(Some(refusal(&e))),
            }
        }
        Err(e) => error = error.or(Some(refusal(&e))),
    }
    let page = review_page(
        signed,
        draft,
        agencies,
        outcome.as_ref(),
        replacing,
        replace,
        error,
        services,
    );
    let status = if page.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(headers, status, &page)
}

#[allow(clippy::too_many_arguments)]
fn review_page(
    signed: &SignedIn,
    draft: &Draft,
    agencies: Vec<Choice>,
    outcome: Option<&ImportOutcome>,
    replacing: Option<String>,
    replace: bool,
    error: Option<String>,
    services: &Services,
) -> ReviewPage {
    let number = |section: usize, id: u32| {
        draft.items[section]
            .iter()
            .position(|i| i.id == id)
            .map(|p| p + 1)
    };
    let sections = draft
        .items
        .iter()
        .enumerate()
        .map(|(s, list)| SectionView {
            index: s,
            name: SECTIONS[s],
            items: list
                .iter()
                .enumerate()
                .map(|(n, item)| {
                    let imported = outcome.and_then(|o| match s {
                        0 => o.shortcomings.get(n).map(|x| (x.recurrence.as_ref(), None)),
                        2 => o
                            .previous_rectification
                            .get(n)
                            .map(|p| (None, p.matched.as_ref())),
                        _ => None,
                    });
                    let recurrence = imported.and_then(|(r, _)| r);
                    let answers = imported.and_then(|(_, m)| m);
                    let linked: Vec<String> = draft
                        .links
                        .iter()
                        .filter(|l| l.on)
                        .filter_map(|l| match s {
                            0 if l.s == item.id => number(1, l.c).map(|c| format!("措施{c}")),
                            1 if l.c == item.id => number(0, l.s).map(|x| format!("问题{x}")),
                            _ => None,
                        })
                        .collect();
                    ItemRowView {
                        id: item.id,
                        n: n + 1,
                        rows: (item.text.chars().count() / 40 + 1).clamp(2, 8),
                        text: item.text.clone(),
                        low: item.low,
                        placed: item.span.is_some(),
                        recurrence:
                            recurrence.map(|r| {
                                format!(
                                    "屡查屡犯：与 {} 年报告的问题“{}”相似（相似度 {:.2}）{}",
                                    r.earlier.year,
                                    short(&r.earlier.shortcoming.text, 40),
                                    r.score,
                                    match &r.earlier.item_state {
                                        Some(st) => format!(
                                            "，该问题的事项现为“{}”",
                                            state_label(services, st)
                                        ),
                                        None => "，该问题没有事项".to_owned(),
                                    }
                                )
                            }),
                        recurrence_link: recurrence
                            .and_then(|r| r.earlier.item_id)
                            .map(|id| format!("/items/{id}")),
                        answers: answers.map(|(e, score)| {
                            format!(
                                "对应 {} 年问题“{}”（相似度 {:.2}）",
                                e.year,
                                short(&e.shortcoming.text, 40),
                                score
                            )
                        }),
                        linked: linked.join("、"),
                        last: n + 1 == list.len(),
                    }
                })
                .collect(),
        })
        .collect();
    let links = draft
        .links
        .iter()
        .filter_map(|l| {
            let s = number(0, l.s)?;
            let c = number(1, l.c)?;
            Some(LinkView {
                value: format!("{}-{}", l.s, l.c),
                s,
                c,
                s_text: short(&draft.items[0][s - 1].text, 30),
                c_text: short(&draft.items[1][c - 1].text, 30),
                score: format!("{:.2}", l.score),
                on: l.on,
            })
        })
        .collect();
    let plan = outcome.map(|o| {
        let new_items = o
            .shortcomings
            .iter()
            .filter(|s| s.item.as_ref().is_some_and(|i| i.state == "identified"))
            .count();
        let what = match o.status {
            ImportStatus::Replaced => "替换该单位已导入的同期报告",
            ImportStatus::AlreadyImported => "不作任何更改（相同文本已导入）",
            ImportStatus::Created => "新建报告",
        };
        format!(
            "导入将{what}：{}{} {} 年度，{} 个问题（{} 个新的待交办事项）、{} 条整改措施、{} 条上年度整改情况、{} 条关联。",
            o.agency.name,
            if o.agency_created { "（新建单位）" } else { "" },
            o.report.year,
            o.shortcomings.len(),
            new_items,
            o.commitments.len(),
            o.previous_rectification.len(),
            o.links.len(),
        )
    });
    let warnings = outcome
        .map(|o| {
            o.warnings
                .iter()
                .map(|w| w.message.clone())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let silent_on = outcome
        .and_then(|o| o.coverage.as_ref())
        .map(|c| {
            c.silent_on
                .iter()
                .map(|e| short(&e.shortcoming.text, 60))
                .collect()
        })
        .unwrap_or_default();
    ReviewPage {
        shell: signed.shell("核对导入结果", "import"),
        state: serde_json::to_string(draft).unwrap_or_default(),
        file: draft.file.clone(),
        agencies,
        agency_id: draft.agency_id.map(|a| a.to_string()).unwrap_or_default(),
        agency_name: draft.agency_name.clone(),
        year: draft.year.map(|y| y.to_string()).unwrap_or_default(),
        period: period_or_default(&draft.period).to_owned(),
        kind: draft.kind.clone(),
        title: draft.title.clone(),
        source_url: draft.source_url.clone(),
        segments: segments(draft),
        sections,
        links,
        notes: draft.notes.clone(),
        warnings,
        may_import: outcome.is_some() && error.is_none(),
        plan,
        replace: replace && replacing.is_some(),
        replacing,
        error,
        silent_on,
        counts: [
            draft.items[0].len(),
            draft.items[1].len(),
            draft.items[2].len(),
        ],
    }
}

/// The review state a form carried, checked for size and shape.
fn draft_of(fields: &Fields) -> Result<Draft, ServiceError> {
    let raw = fields.get("state");
    let draft: Draft = serde_json::from_str(raw)
        .map_err(|_| ServiceError::invalid("state", "核对状态无法读取，请重新上传报告"))?;
    if draft.text.len() > rectify_extract::MAX_REPORT_BYTES
        || draft.items.iter().map(Vec::len).sum::<usize>() > MAX_ITEMS
        || draft.links.len() > crate::service::reviewed::MAX_REVIEWED_LINKS
        || draft.notes.len() > 50
        || draft.hints.len() > 50
    {
        return Err(ServiceError::TooLarge("核对内容过多".to_owned()));
    }
    Ok(draft)
}

/// POST /import/review: the first review of a pasted or uploaded report, or one change to
/// a review (the `op` field) and the review again.
pub async fn review_post(State(state): State<AppState>, req: Request) -> Response {
    let (signed, headers, fields, file) = match signed_form(&state, req).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    let services = &state.services;
    let replace = fields.get("replace") == "1";
    if fields.find("state").is_none() {
        // A new report: read it, extract, and review what was found.
        let text = fields.get("text").to_owned();
        let file_name = file.as_ref().and_then(|f| f.name.clone());
        let read = services
            .read_for_review(&signed.actor, text.clone(), file)
            .await;
        let (report_text, extraction) = match read {
            Ok(r) => r,
            Err(e @ (ServiceError::Forbidden(_) | ServiceError::Unauthenticated)) => {
                return errors::service_page(Some(&signed), &headers, &e);
            }
            Err(e) => {
                let agencies = agency_choices(services, &signed.actor)
                    .await
                    .unwrap_or_default();
                let page = StartPage {
                    shell: signed.shell("导入报告", "import"),
                    agencies,
                    error: Some(refusal(&e)),
                    text: text.chars().take(200_000).collect(),
                    agency_id: fields.get("agency_id").to_owned(),
                    year: fields.get("year").to_owned(),
                };
                return render(&headers, errors::status(e.code()), &page);
            }
        };
        let mut draft = Draft::of(report_text, file_name, &extraction);
        draft.agency_id = Uuid::parse_str(fields.get("agency_id").trim()).ok();
        if let Ok(year) = fields.get("year").trim().parse() {
            draft.year = Some(year);
        }
        draft.source_url = fields.get("source_url").trim().chars().take(2000).collect();
        if draft.agency_id.is_none()
            && let Ok(agencies) = agency_choices(services, &signed.actor).await
        {
            // The agency the report names, when it is one within reach; or the only one.
            draft.agency_id = agencies
                .iter()
                .find(|a| a.label == draft.agency_name)
                .or(match agencies.as_slice() {
                    [only] => Some(only),
                    _ => None,
                })
                .and_then(|a| Uuid::parse_str(&a.value).ok());
        }
        return review(&state, &signed, &headers, &draft, false, None).await;
    }
    let mut draft = match draft_of(&fields) {
        Ok(d) => d,
        Err(e) => return errors::service_page(Some(&signed), &headers, &e),
    };
    draft.take_fields(&fields);
    let error = draft.apply(fields.get("op"), &fields).err();
    review(&state, &signed, &headers, &draft, replace, error).await
}

/// POST /import/confirm: imports the review as it stands, then lists the new items.
pub async fn confirm(State(state): State<AppState>, req: Request) -> Response {
    let (signed, headers, fields, _) = match signed_form(&state, req).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    let mut draft = match draft_of(&fields) {
        Ok(d) => d,
        Err(e) => return errors::service_page(Some(&signed), &headers, &e),
    };
    draft.take_fields(&fields);
    let replace = fields.get("replace") == "1";
    match state
        .services
        .import_report(&signed.actor, draft.import(false, replace))
        .await
    {
        Ok(outcome) => Redirect::to(&format!(
            "/items?agency={}&imported={}",
            outcome.agency.id,
            outcome.shortcomings.len()
        ))
        .into_response(),
        Err(e @ (ServiceError::Forbidden(_) | ServiceError::Unauthenticated)) => {
            errors::service_page(Some(&signed), &headers, &e)
        }
        Err(e) => {
            review(
                &state,
                &signed,
                &headers,
                &draft,
                replace,
                Some(refusal(&e)),
            )
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str =
        "二、存在的问题\n一是学习不深，方式单一。\n二是执法不严。\n三、下一步\n（一）加强学习。";

    fn draft() -> Draft {
        let text = rectify_extract::ReportText::from_str_checked(TEXT).unwrap();
        let e = rectify_extract::extract(&text);
        Draft::of(TEXT.to_owned(), None, &e)
    }

    #[test]
    fn a_browser_offset_in_utf16_units_becomes_bytes_and_finds_the_nearest_occurrence() {
        assert_eq!(
            byte_of_utf16("a😀b", 3),
            5,
            "an astral character counts two units"
        );
        assert_eq!(byte_of_utf16("问题", 1), 3);
        assert_eq!(byte_of_utf16("问题", 9), 6);
        let text = "学习。学习。学习。";
        assert_eq!(locate(text, "学习", Some(10)), Some((9, 15)));
        assert_eq!(locate(text, "学习", None), Some((0, 6)));
        assert_eq!(locate(text, "没有", None), None);
    }

    #[test]
    fn changes_keep_links_and_spans_where_they_belong() {
        let mut d = draft();
        assert_eq!(d.items[0].len(), 2, "{d:?}");
        let (first, second) = (d.items[0][0].id, d.items[0][1].id);
        let measure = d.items[1][0].id;
        d.links = vec![DraftLink {
            s: second,
            c: measure,
            score: 0.5,
            on: true,
        }];
        let none = Fields::default();
        // Merge: one item spanning both, the link follows.
        d.apply(&format!("merge-{first}"), &none).unwrap();
        assert_eq!(d.items[0].len(), 1);
        assert_eq!(d.links[0].s, first);
        let (a, b) = d.items[0][0].span.unwrap();
        assert!(TEXT[a..b].contains("学习不深") && TEXT[a..b].contains("执法不严"));
        // Split on a line break: each piece where it stands, both linked.
        d.items[0][0].text = "学习不深，方式单一。\n执法不严。".to_owned();
        d.apply(&format!("split-{first}"), &none).unwrap();
        assert_eq!(d.items[0].len(), 2);
        let (a, b) = d.items[0][1].span.unwrap();
        assert_eq!(&TEXT[a..b], "执法不严。");
        assert_eq!(d.links.len(), 2);
        // Move a shortcoming to the measures: its links go (a link joins a problem to a measure).
        let piece = d.items[0][1].id;
        d.apply(&format!("move-{piece}-1"), &none).unwrap();
        assert_eq!(d.links.len(), 1);
        assert_eq!(
            d.items[1][0].id, piece,
            "in the text's order, before the measure"
        );
        // Remove, and an unknown change is refused in words.
        d.apply(&format!("remove-{first}"), &none).unwrap();
        assert!(d.links.is_empty());
        assert!(d.apply("explode-1", &none).is_err());
        assert!(
            d.apply(&format!("split-{piece}"), &none).is_err(),
            "one line: nothing to split"
        );
        // The reviewed extraction numbers links by position.
        let r = d.reviewed();
        assert!(r.shortcomings.is_empty());
        assert_eq!(r.commitments.len(), 2);
    }
}
