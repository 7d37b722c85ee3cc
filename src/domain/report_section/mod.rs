//! The "上年度存在问题整改情况" section of an agency's next annual report: for each
//! shortcoming of the year-Y report, what became of its items (states, measures, completion
//! and due dates, the evidence they cite), written as an official writes it — an opening
//! summary, then one paragraph per shortcoming numbered （一）（二）…
//!
//! Pure: the caller brings the rows and the date; [`compose`] returns the structured
//! section with each paragraph's text, and [`markdown`] / [`docx`] render it.
//!
//! When the year Y+1 report has been imported too, its own "previous rectification"
//! section is compared with this one ([`Coverage`]): which shortcomings it accounts for.
//! That comparison is for the people reviewing the report and stays out of the rendered
//! text, which is meant to be pasted into the report itself.

pub mod docx;
mod markdown;
mod numerals;
mod prose;

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use uuid::Uuid;

use crate::domain::{EvidenceKind, ItemCategory, ItemOutcome};

pub use markdown::markdown;
pub use numerals::chinese_numeral;
pub use prose::{cn_date, evidence_citation};

/// A shortcoming (存在的不足) of the year-Y report, in report order.
#[derive(Clone, Debug, PartialEq)]
pub struct ShortcomingRecord {
    pub id: Uuid,
    pub text: String,
}

/// An item (整改事项) of one of those shortcomings, with its dates in the agency's zone.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemRecord {
    pub id: Uuid,
    pub shortcoming_id: Uuid,
    /// The item this one was split from (拆分).
    pub parent_item_id: Option<Uuid>,
    /// The ledger number (台账编号).
    pub code: Option<String>,
    pub title: String,
    /// The rectification measures (整改措施) written on acceptance.
    pub measures: Option<String>,
    pub category: Option<ItemCategory>,
    /// The workflow state's name (`closed`, `in_progress` …).
    pub state: String,
    /// The verifier's verdict on closing.
    pub outcome: Option<ItemOutcome>,
    pub due_on: Option<NaiveDate>,
    /// When completion was claimed (submitted for verification).
    pub submitted_on: Option<NaiveDate>,
    /// When a supervisor verified and closed it (销号).
    pub closed_on: Option<NaiveDate>,
}

/// A piece of evidence (佐证材料) attached to an item.
#[derive(Clone, Debug, PartialEq)]
pub struct EvidenceRecord {
    pub id: Uuid,
    pub item_id: Uuid,
    pub kind: EvidenceKind,
    pub name: String,
    /// The file's SHA-256 (hex); notes and links have none.
    pub sha256: Option<String>,
    pub url: Option<String>,
    /// The day it was added, in the agency's zone.
    pub added_on: NaiveDate,
}

/// One item of the next report's previous-rectification section.
#[derive(Clone, Debug, PartialEq)]
pub struct Mention {
    pub ordinal: i32,
    pub text: String,
    /// The shortcoming of this section it answers, if any.
    pub shortcoming_id: Option<Uuid>,
    pub score: Option<f64>,
}

/// The year Y+1 report, when imported: what it says about year Y's shortcomings.
#[derive(Clone, Debug, PartialEq)]
pub struct NextReport {
    pub report_id: Uuid,
    pub year: i32,
    pub title: Option<String>,
    pub mentions: Vec<Mention>,
}

/// Everything the section is composed from.
#[derive(Clone, Debug)]
pub struct SectionInput {
    pub agency_name: String,
    /// The report year Y.
    pub year: i32,
    /// The year-Y report's title, when known.
    pub report_title: Option<String>,
    /// "截至" date: today in the agency's zone.
    pub as_of: NaiveDate,
    pub shortcomings: Vec<ShortcomingRecord>,
    /// The shortcomings' items, in the order to cite them.
    pub items: Vec<ItemRecord>,
    pub evidence: Vec<EvidenceRecord>,
    /// The workflow's state labels (name → 已销号 …).
    pub state_labels: HashMap<String, String>,
    /// The workflow's initial state: an item split into others and never worked itself
    /// is only their container.
    pub initial_state: String,
    pub next_report: Option<NextReport>,
}

/// Where an item stands, as the report counts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Standing {
    /// Closed (销号) as rectified (已整改), or with no verdict recorded.
    Rectified,
    /// Closed with the verdict 持续整改.
    ClosedContinuing,
    /// Closed with the verdict 未整改.
    ClosedNotRectified,
    /// Completion claimed, waiting for verification (待验收).
    AwaitingVerification,
    /// Being worked on (including not yet assigned or accepted).
    InProgress,
    /// A long-term item (长期坚持).
    LongTerm,
    /// Withdrawn or merged (已撤销): not counted.
    Cancelled,
}

impl Standing {
    /// Where an item in `state` stands. States an office's own workflow adds count as
    /// awaiting verification once completion was claimed, otherwise as in progress.
    pub fn of(state: &str, outcome: Option<ItemOutcome>, submitted: bool) -> Standing {
        match state {
            "closed" => match outcome {
                Some(ItemOutcome::Continuing) => Standing::ClosedContinuing,
                Some(ItemOutcome::NotRectified) => Standing::ClosedNotRectified,
                _ => Standing::Rectified,
            },
            "cancelled" => Standing::Cancelled,
            "ongoing" => Standing::LongTerm,
            "submitted" => Standing::AwaitingVerification,
            "identified" | "assigned" | "in_progress" => Standing::InProgress,
            _ if submitted => Standing::AwaitingVerification,
            _ => Standing::InProgress,
        }
    }

    /// The stable name used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Rectified => "rectified",
            Standing::ClosedContinuing => "closed_continuing",
            Standing::ClosedNotRectified => "closed_not_rectified",
            Standing::AwaitingVerification => "awaiting_verification",
            Standing::InProgress => "in_progress",
            Standing::LongTerm => "long_term",
            Standing::Cancelled => "cancelled",
        }
    }
}

/// How many items stand where. `items` excludes cancelled items and containers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub shortcomings: usize,
    pub items: usize,
    pub rectified: usize,
    pub closed_continuing: usize,
    pub closed_not_rectified: usize,
    pub awaiting_verification: usize,
    pub in_progress: usize,
    pub long_term: usize,
    pub cancelled: usize,
}

impl Counts {
    fn add(&mut self, standing: Standing) {
        match standing {
            Standing::Rectified => self.rectified += 1,
            Standing::ClosedContinuing => self.closed_continuing += 1,
            Standing::ClosedNotRectified => self.closed_not_rectified += 1,
            Standing::AwaitingVerification => self.awaiting_verification += 1,
            Standing::InProgress => self.in_progress += 1,
            Standing::LongTerm => self.long_term += 1,
            Standing::Cancelled => {
                self.cancelled += 1;
                return;
            }
        }
        self.items += 1;
    }

    /// Items closed as rectified over all counted items; `None` with no items.
    pub fn completion_rate(&self) -> Option<f64> {
        (self.items > 0).then(|| self.rectified as f64 / self.items as f64)
    }
}

/// A piece of evidence as cited.
#[derive(Clone, Debug, PartialEq)]
pub struct CitedEvidence {
    pub id: Uuid,
    pub kind: EvidenceKind,
    pub name: String,
    pub sha256: Option<String>,
    pub url: Option<String>,
    pub added_on: NaiveDate,
    /// As the text cites it: a file 《名称》（2026年4月30日，SHA-256前12位：…）, a link
    /// 链接“名称”（网址，日期）, a note 文字说明“名称”（日期）.
    pub citation: String,
}

/// An item as the section reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct SectionItem {
    pub id: Uuid,
    pub code: Option<String>,
    pub title: String,
    pub state: String,
    /// The workflow's label for the state (已销号, 整改中 …).
    pub state_label: String,
    pub standing: Standing,
    pub measures: Option<String>,
    pub category: Option<ItemCategory>,
    pub outcome: Option<ItemOutcome>,
    pub due_on: Option<NaiveDate>,
    /// Closed on, or (awaiting verification) submitted on.
    pub completed_on: Option<NaiveDate>,
    /// Past its due date and neither closed, cancelled, nor submitted.
    pub overdue: bool,
    pub evidence: Vec<CitedEvidence>,
}

/// A shortcoming with its items and its paragraph.
#[derive(Clone, Debug, PartialEq)]
pub struct SectionShortcoming {
    pub id: Uuid,
    /// 1-based position in the section.
    pub position: usize,
    /// The position in Chinese numerals (一, 十一 …).
    pub numeral: String,
    pub text: String,
    /// The paragraph's lead: （一）关于“……”的问题。
    pub heading: String,
    /// The lead and what follows it, as one paragraph.
    pub paragraph: String,
    /// Counted items first, cancelled ones after; containers left out.
    pub items: Vec<SectionItem>,
    /// What the next report says about it (when imported).
    pub mentions: Vec<Mention>,
}

/// Which shortcomings the next report accounts for.
#[derive(Clone, Debug, PartialEq)]
pub struct Coverage {
    pub next_report_id: Uuid,
    pub next_year: i32,
    pub next_report_title: Option<String>,
    /// Shortcomings the next report mentions.
    pub accounted_for: usize,
    pub total: usize,
    /// `accounted_for / total`; `None` when the year had no shortcomings.
    pub ratio: Option<f64>,
    /// Items of the next report's section that answer none of these shortcomings.
    pub unmatched: Vec<Mention>,
}

/// The composed section.
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    pub agency_name: String,
    pub year: i32,
    pub report_title: Option<String>,
    pub as_of: NaiveDate,
    /// 2025年度存在问题整改情况
    pub title: String,
    pub counts: Counts,
    /// The opening paragraph.
    pub summary: String,
    pub shortcomings: Vec<SectionShortcoming>,
    pub coverage: Option<Coverage>,
}

/// Composes the section (see the module comment).
pub fn compose(input: &SectionInput) -> Section {
    // A split item (已拆分) only groups its parts; so does one split before that state
    // existed and never worked itself.
    let parents: HashSet<Uuid> = input
        .items
        .iter()
        .filter_map(|i| i.parent_item_id)
        .collect();
    let is_container = |i: &ItemRecord| {
        i.state == crate::domain::SPLIT_STATE
            || (parents.contains(&i.id) && i.state == input.initial_state)
    };

    let mut evidence_of: HashMap<Uuid, Vec<&EvidenceRecord>> = HashMap::new();
    for e in &input.evidence {
        evidence_of.entry(e.item_id).or_default().push(e);
    }
    let mut items_of: HashMap<Uuid, Vec<SectionItem>> = HashMap::new();
    let mut counts = Counts {
        shortcomings: input.shortcomings.len(),
        ..Counts::default()
    };
    let known: HashSet<Uuid> = input.shortcomings.iter().map(|s| s.id).collect();
    for item in input.items.iter().filter(|i| !is_container(i)) {
        if !known.contains(&item.shortcoming_id) {
            continue;
        }
        let section_item = section_item(
            item,
            evidence_of.get(&item.id).map(Vec::as_slice).unwrap_or(&[]),
            input,
        );
        counts.add(section_item.standing);
        items_of
            .entry(item.shortcoming_id)
            .or_default()
            .push(section_item);
    }

    let mut mentions_of: HashMap<Uuid, Vec<Mention>> = HashMap::new();
    let mut unmatched = Vec::new();
    if let Some(next) = &input.next_report {
        for m in &next.mentions {
            match m.shortcoming_id.filter(|id| known.contains(id)) {
                Some(id) => mentions_of.entry(id).or_default().push(m.clone()),
                None => unmatched.push(m.clone()),
            }
        }
    }

    let shortcomings: Vec<SectionShortcoming> = input
        .shortcomings
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut items = items_of.remove(&s.id).unwrap_or_default();
            // Cancelled items are mentioned after the others.
            items.sort_by_key(|i| i.standing == Standing::Cancelled);
            let numeral = chinese_numeral(i as u32 + 1);
            let heading = format!("（{numeral}）关于“{}”的问题。", prose::quote(&s.text));
            let paragraph = format!("{heading}{}", prose::body(&items, &s.text, input.as_of));
            SectionShortcoming {
                id: s.id,
                position: i + 1,
                numeral,
                text: s.text.clone(),
                heading,
                paragraph,
                items,
                mentions: mentions_of.remove(&s.id).unwrap_or_default(),
            }
        })
        .collect();

    let coverage = input.next_report.as_ref().map(|next| {
        let accounted_for = shortcomings
            .iter()
            .filter(|s| !s.mentions.is_empty())
            .count();
        let total = shortcomings.len();
        Coverage {
            next_report_id: next.report_id,
            next_year: next.year,
            next_report_title: next.title.clone(),
            accounted_for,
            total,
            ratio: (total > 0).then(|| accounted_for as f64 / total as f64),
            unmatched,
        }
    });

    Section {
        agency_name: input.agency_name.clone(),
        year: input.year,
        report_title: input.report_title.clone(),
        as_of: input.as_of,
        title: format!("{}年度存在问题整改情况", input.year),
        summary: prose::summary(input.year, input.as_of, &counts),
        counts,
        shortcomings,
        coverage,
    }
}

fn section_item(
    item: &ItemRecord,
    evidence: &[&EvidenceRecord],
    input: &SectionInput,
) -> SectionItem {
    let standing = Standing::of(&item.state, item.outcome, item.submitted_on.is_some());
    let completed_on = match standing {
        Standing::Rectified | Standing::ClosedContinuing | Standing::ClosedNotRectified => {
            item.closed_on
        }
        Standing::AwaitingVerification => item.submitted_on,
        _ => None,
    };
    let overdue = matches!(standing, Standing::InProgress | Standing::LongTerm)
        && item.due_on.is_some_and(|due| due < input.as_of);
    SectionItem {
        id: item.id,
        code: item.code.clone(),
        title: item.title.clone(),
        state: item.state.clone(),
        state_label: input
            .state_labels
            .get(&item.state)
            .cloned()
            .unwrap_or_else(|| item.state.clone()),
        standing,
        measures: item.measures.clone().filter(|m| !m.trim().is_empty()),
        category: item.category,
        outcome: item.outcome,
        due_on: item.due_on,
        completed_on,
        overdue,
        evidence: evidence
            .iter()
            .map(|e| CitedEvidence {
                id: e.id,
                kind: e.kind,
                name: e.name.clone(),
                sha256: e.sha256.clone(),
                url: e.url.clone(),
                added_on: e.added_on,
                citation: evidence_citation(
                    e.kind,
                    &e.name,
                    e.url.as_deref(),
                    e.sha256.as_deref(),
                    e.added_on,
                ),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests;
