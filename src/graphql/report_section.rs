//! The "上年度存在问题整改情况" section of an agency's next report, structured and as
//! Markdown; the DOCX file is at `GET /reports/section.docx?agency=…&year=…`.

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use chrono::NaiveDate;

use super::{ContextExt, error::parse_id, types::Report};
use crate::{
    domain::report_section::{
        self as domain, CitedEvidence, Coverage, Mention, SectionItem, SectionShortcoming,
    },
    service::report_section::RectificationSection as Composed,
};

#[derive(Default)]
pub struct ReportSectionQuery;

#[Object]
impl ReportSectionQuery {
    /// The "上年度存在问题整改情况" section for the agency's `year` annual report, as of
    /// today: for each shortcoming (存在的不足) its items' states, measures, completion and
    /// due dates and the evidence they cite, written out in Chinese, ready to paste into the
    /// `year + 1` report. For admins, supervisors above the agency and its coordinators
    /// (leader and person accounts see only their own items: `FORBIDDEN`); `NOT_FOUND`
    /// when no annual report of that year was imported.
    async fn rectification_section(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The agency.")] agency_id: ID,
        #[graphql(desc = "The report year Y whose shortcomings are accounted for.")] year: i32,
    ) -> Result<RectificationSection> {
        let agency_id = parse_id("agencyId", &agency_id)?;
        let composed = ctx
            .services()
            .rectification_section(ctx.actor(), agency_id, year)
            .await?;
        Ok(RectificationSection(composed))
    }
}

/// Where an item stands, as the section counts it.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::Standing")]
pub enum SectionStanding {
    /// 已完成整改（销号）: closed as rectified.
    Rectified,
    /// Closed with the verdict 持续整改.
    ClosedContinuing,
    /// Closed with the verdict 未整改.
    ClosedNotRectified,
    /// 已完成整改待验收: submitted for verification.
    AwaitingVerification,
    /// 正在整改 (including not yet assigned or accepted).
    InProgress,
    /// 长期坚持.
    LongTerm,
    /// 已撤销: not counted.
    Cancelled,
}

/// The section (上年度存在问题整改情况).
pub struct RectificationSection(Composed);

#[Object]
impl RectificationSection {
    async fn agency_id(&self) -> ID {
        ID(self.0.agency.id.to_string())
    }
    async fn agency_name(&self) -> &str {
        &self.0.agency.name
    }
    /// The report year Y.
    async fn year(&self) -> i32 {
        self.0.section.year
    }
    /// The date the figures stand at (today in the agency's time zone).
    async fn as_of(&self) -> NaiveDate {
        self.0.section.as_of
    }
    /// e.g. 2025年度存在问题整改情况
    async fn title(&self) -> &str {
        &self.0.section.title
    }
    /// The year-Y annual report.
    async fn report(&self) -> Report {
        self.0.report.clone().into()
    }
    /// The year Y+1 annual report, when imported.
    async fn next_report(&self) -> Option<Report> {
        self.0.next_report.clone().map(Into::into)
    }
    /// How many items stand where.
    async fn counts(&self) -> SectionCounts {
        let c = &self.0.section.counts;
        SectionCounts {
            shortcomings: c.shortcomings as i32,
            items: c.items as i32,
            rectified: c.rectified as i32,
            closed_continuing: c.closed_continuing as i32,
            closed_not_rectified: c.closed_not_rectified as i32,
            awaiting_verification: c.awaiting_verification as i32,
            in_progress: c.in_progress as i32,
            long_term: c.long_term as i32,
            cancelled: c.cancelled as i32,
            completion_rate: c.completion_rate(),
        }
    }
    /// The opening paragraph (2025年度报告查摆问题3个，分解整改事项5项。截至…).
    async fn summary(&self) -> &str {
        &self.0.section.summary
    }
    /// One entry per shortcoming of the report, in order, with its paragraph.
    async fn shortcomings(&self) -> Vec<SectionShortcomingView> {
        self.0
            .section
            .shortcomings
            .iter()
            .map(|s| shortcoming_view(s, self.0.section.coverage.is_some()))
            .collect()
    }
    /// How the year Y+1 report's own previous-rectification section compares (null until
    /// that report is imported). Not part of the Markdown or DOCX text.
    async fn coverage(&self) -> Option<SectionCoverage> {
        self.0.section.coverage.as_ref().map(coverage_view)
    }
    /// The whole section as Markdown: heading, summary, one paragraph per shortcoming.
    async fn markdown(&self) -> String {
        self.0.markdown()
    }
    /// Where to download it as a Word document (send the same bearer token).
    async fn docx_path(&self) -> String {
        format!(
            "/reports/section.docx?agency={}&year={}",
            self.0.agency.id, self.0.section.year
        )
    }
}

/// How many items stand where; `items` leaves out cancelled items (and items that were
/// split into others and never worked themselves).
#[derive(SimpleObject)]
pub struct SectionCounts {
    pub shortcomings: i32,
    pub items: i32,
    pub rectified: i32,
    pub closed_continuing: i32,
    pub closed_not_rectified: i32,
    pub awaiting_verification: i32,
    pub in_progress: i32,
    pub long_term: i32,
    pub cancelled: i32,
    /// `rectified / items`; null with no items.
    pub completion_rate: Option<f64>,
}

/// A shortcoming of the report and what became of it.
#[derive(SimpleObject)]
#[graphql(name = "SectionShortcoming")]
pub struct SectionShortcomingView {
    pub shortcoming_id: ID,
    /// 1-based position in the section.
    pub position: i32,
    /// The position in Chinese numerals (一, 十一 …).
    pub numeral: String,
    /// The shortcoming's exact text.
    pub text: String,
    /// The paragraph's lead: （一）关于“……”的问题。
    pub heading: String,
    /// The whole paragraph, lead included.
    pub paragraph: String,
    pub items: Vec<SectionItemView>,
    /// Whether the Y+1 report accounts for it; null until that report is imported.
    pub accounted_for: Option<bool>,
    /// What the Y+1 report says about it.
    pub next_report_mentions: Vec<SectionMention>,
}

/// An item as the section reports it.
#[derive(SimpleObject)]
#[graphql(name = "SectionItem")]
pub struct SectionItemView {
    pub item_id: ID,
    /// 台账编号
    pub code: Option<String>,
    pub title: String,
    pub state: String,
    /// The workflow's label (已销号, 整改中 …).
    pub state_label: String,
    pub standing: SectionStanding,
    /// 整改措施
    pub measures: Option<String>,
    pub category: Option<super::types::ItemCategory>,
    /// `rectified`, `continuing` or `not_rectified` once closed.
    pub outcome: Option<String>,
    /// 已整改 / 持续整改 / 未整改
    pub outcome_label: Option<String>,
    pub due_on: Option<NaiveDate>,
    /// Closed on, or (awaiting verification) submitted on.
    pub completed_on: Option<NaiveDate>,
    /// Past its due date and still being worked on.
    pub overdue: bool,
    pub evidence: Vec<SectionEvidence>,
}

/// A piece of evidence (佐证材料) as cited.
#[derive(SimpleObject)]
pub struct SectionEvidence {
    pub evidence_id: ID,
    /// `file`, `note` or `link`.
    pub kind: String,
    pub name: String,
    pub sha256: Option<String>,
    pub url: Option<String>,
    /// The day it was added (agency's time zone).
    pub added_on: NaiveDate,
    /// As the text cites it: 《名称》（2026年4月30日，SHA-256前12位：…）.
    pub citation: String,
    /// For files: where to download it (send the same bearer token).
    pub download_path: Option<String>,
}

/// An item of the Y+1 report's previous-rectification section.
#[derive(SimpleObject)]
pub struct SectionMention {
    pub ordinal: i32,
    pub text: String,
    /// How alike it is to the shortcoming it answers (0–1).
    pub score: Option<f64>,
}

/// Which shortcomings the Y+1 report accounts for.
#[derive(SimpleObject)]
pub struct SectionCoverage {
    pub next_year: i32,
    pub next_report_id: ID,
    /// Shortcomings the Y+1 report mentions.
    pub accounted_for: i32,
    pub total: i32,
    /// `accountedFor / total`; null when the year had no shortcomings.
    pub ratio: Option<f64>,
    /// Items of its section that answer none of the shortcomings.
    pub unmatched: Vec<SectionMention>,
}

fn mention_view(m: &Mention) -> SectionMention {
    SectionMention {
        ordinal: m.ordinal,
        text: m.text.clone(),
        score: m.score,
    }
}

fn coverage_view(c: &Coverage) -> SectionCoverage {
    SectionCoverage {
        next_year: c.next_year,
        next_report_id: ID(c.next_report_id.to_string()),
        accounted_for: c.accounted_for as i32,
        total: c.total as i32,
        ratio: c.ratio,
        unmatched: c.unmatched.iter().map(mention_view).collect(),
    }
}

fn shortcoming_view(s: &SectionShortcoming, compared: bool) -> SectionShortcomingView {
    SectionShortcomingView {
        shortcoming_id: ID(s.id.to_string()),
        position: s.position as i32,
        numeral: s.numeral.clone(),
        text: s.text.clone(),
        heading: s.heading.clone(),
        paragraph: s.paragraph.clone(),
        items: s.items.iter().map(item_view).collect(),
        accounted_for: compared.then_some(!s.mentions.is_empty()),
        next_report_mentions: s.mentions.iter().map(mention_view).collect(),
    }
}

fn item_view(i: &SectionItem) -> SectionItemView {
    SectionItemView {
        item_id: ID(i.id.to_string()),
        code: i.code.clone(),
        title: i.title.clone(),
        state: i.state.clone(),
        state_label: i.state_label.clone(),
        standing: i.standing.into(),
        measures: i.measures.clone(),
        category: i.category.map(Into::into),
        outcome: i.outcome.map(|o| o.as_str().to_owned()),
        outcome_label: i.outcome.map(|o| o.label().to_owned()),
        due_on: i.due_on,
        completed_on: i.completed_on,
        overdue: i.overdue,
        evidence: i.evidence.iter().map(evidence_view).collect(),
    }
}

fn evidence_view(e: &CitedEvidence) -> SectionEvidence {
    SectionEvidence {
        evidence_id: ID(e.id.to_string()),
        kind: e.kind.as_str().to_owned(),
        name: e.name.clone(),
        sha256: e.sha256.clone(),
        url: e.url.clone(),
        added_on: e.added_on,
        citation: e.citation.clone(),
        download_path: (e.kind == crate::domain::EvidenceKind::File)
            .then(|| format!("/evidence/{}", e.id)),
    }
}
