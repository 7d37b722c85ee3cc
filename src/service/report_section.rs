//! The "上年度存在问题整改情况" section for an agency and a report year: loaded in a fixed
//! number of queries, composed by `domain::report_section`, rendered as Markdown or DOCX.
//!
//! Who may read it: whoever reaches the agency with a role that reads the agency as a whole
//! (admins, supervisors above it, its coordinators). The section sums up every item of the
//! agency and cites their evidence, so leader and person accounts — who see only the items
//! they lead or answer for — are refused it, in their own agency too.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde_json::json;
use uuid::Uuid;

use super::{Actor, ServiceError, Services, import::COVERAGE_THRESHOLD};
use crate::{
    domain::{
        EvidenceKind, ReportKind,
        access::Operation,
        report_section::{
            self, EvidenceRecord, ItemRecord, Mention, NextReport, Section, SectionInput,
            SectionItem, SectionShortcoming, ShortcomingRecord,
        },
    },
    store::{agencies::AgencyRow, reports::ReportRow},
};

/// The section with the records it was composed from.
#[derive(Clone, Debug)]
pub struct RectificationSection {
    pub agency: AgencyRow,
    /// The year-Y annual report whose shortcomings the section accounts for.
    pub report: ReportRow,
    /// The year Y+1 annual report, when imported (the coverage compares with it).
    pub next_report: Option<ReportRow>,
    pub section: Section,
}

impl RectificationSection {
    /// The section as Markdown.
    pub fn markdown(&self) -> String {
        report_section::markdown(&self.section)
    }

    /// The file name a download carries: 某市司法局2025年度存在问题整改情况.docx.
    pub fn docx_file_name(&self) -> String {
        format!("{}{}.docx", self.agency.name, self.section.title)
    }

    /// The section as a DOCX file.
    pub fn docx(&self) -> Result<Vec<u8>, ServiceError> {
        report_section::docx::docx(&self.section)
            .map_err(|e| ServiceError::Fault(format!("building the DOCX: {e}")))
    }
}

/// Of an agency's annual reports on one year, the 法治政府建设年度报告 if there is one,
/// otherwise the first imported.
fn choose(mut reports: Vec<ReportRow>) -> Option<ReportRow> {
    let preferred = reports
        .iter()
        .position(|r| r.kind == ReportKind::RuleOfLawAnnualReport.as_str())
        .unwrap_or(0);
    (!reports.is_empty()).then(|| reports.swap_remove(preferred))
}

/// An annual report a section can be composed for.
#[derive(Clone, Debug)]
pub struct SectionChoice {
    pub agency_id: Uuid,
    pub agency_name: String,
    pub year: i32,
    pub title: Option<String>,
}

/// The most reports [`Services::section_choices`] lists.
pub const MAX_SECTION_CHOICES: i32 = 200;

impl Services {
    /// The annual reports within reach whose section the caller may read, one per agency
    /// and year (the first [`MAX_SECTION_CHOICES`] imported), by agency then latest year.
    pub async fn section_choices(&self, actor: &Actor) -> Result<Vec<SectionChoice>, ServiceError> {
        actor.require(Operation::Read)?;
        if actor.own_items_only().is_some() {
            return Err(ServiceError::Forbidden(
                "整改情况章节汇总单位全部整改事项，责任领导、责任人账号只能查看本人负责的事项"
                    .into(),
            ));
        }
        let (page, _) = self
            .reports(
                actor,
                crate::store::reports::ReportFilter::default(),
                crate::store::page::PageRequest::new(Some(MAX_SECTION_CHOICES), None),
            )
            .await?;
        let annual: Vec<ReportRow> = page
            .nodes
            .into_iter()
            .filter(|r| r.period == "annual")
            .collect();
        let agency_ids: Vec<Uuid> = annual.iter().map(|r| r.agency_id).collect();
        let names: std::collections::HashMap<Uuid, String> = self
            .store
            .agencies_by_ids(&agency_ids)
            .await?
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect();
        let mut seen = HashSet::new();
        let mut out: Vec<SectionChoice> = annual
            .into_iter()
            .filter(|r| seen.insert((r.agency_id, r.year)))
            .map(|r| SectionChoice {
                agency_name: names.get(&r.agency_id).cloned().unwrap_or_default(),
                agency_id: r.agency_id,
                year: r.year,
                title: r.title,
            })
            .collect();
        out.sort_by(|a, b| a.agency_name.cmp(&b.agency_name).then(b.year.cmp(&a.year)));
        Ok(out)
    }

    /// The section for `agency_id`'s `year` report (see the module comment for who may).
    #[tracing::instrument(skip(self, actor))]
    pub async fn rectification_section(
        &self,
        actor: &Actor,
        agency_id: Uuid,
        year: i32,
    ) -> Result<RectificationSection, ServiceError> {
        actor.require_in(Operation::Read, agency_id)?;
        if actor.own_items_only().is_some() {
            return Err(ServiceError::Forbidden(
                "整改情况章节汇总本单位全部整改事项及佐证材料，责任领导、责任人账号只能查看本人负责的事项；请由本单位联络员或督办部门查看 \
                 (the section covers all of the agency's items: leader and person accounts see only their own)"
                    .into(),
            ));
        }
        if !(2000..=2100).contains(&year) {
            return Err(ServiceError::invalid(
                "year",
                format!("{year} 不是有效的报告年度"),
            ));
        }
        let agency = self
            .store
            .agency(agency_id)
            .await?
            .ok_or_else(|| ServiceError::not_found("agency", agency_id))?;
        let report =
            choose(self.store.annual_reports(agency_id, year).await?).ok_or_else(|| {
                ServiceError::NotFound {
                    what: "annual report",
                    id: format!("of {} for {year}", agency.name),
                }
            })?;
        let rows = self.store.section_rows(report.id).await?;
        let next_report = choose(self.store.annual_reports(agency_id, year + 1).await?);
        let mentions = match &next_report {
            Some(next) => self.store.previous_rectifications_of(next.id).await?,
            None => Vec::new(),
        };

        let tz: Tz = self.agency_zone(&agency);
        let day = |at: DateTime<Utc>| -> NaiveDate { at.with_timezone(&tz).date_naive() };
        let ours: HashSet<Uuid> = rows.shortcomings.iter().map(|s| s.id).collect();
        let next_report_input = next_report.as_ref().map(|next| NextReport {
            report_id: next.id,
            year: next.year,
            title: next.title.clone(),
            mentions: mentions
                .into_iter()
                .map(|m| {
                    // Matched on import when this year's report was already there; a next
                    // report imported first is matched now, the same way.
                    let (shortcoming_id, score) = match m.matched_shortcoming_id {
                        Some(id) if ours.contains(&id) => (Some(id), m.match_score),
                        _ => best_match(&m.text, &rows.shortcomings),
                    };
                    Mention {
                        ordinal: m.ordinal,
                        text: m.text,
                        shortcoming_id,
                        score,
                    }
                })
                .collect(),
        });
        let input = SectionInput {
            agency_name: agency.name.clone(),
            year,
            report_title: report.title.clone(),
            as_of: Utc::now().with_timezone(&tz).date_naive(),
            shortcomings: rows
                .shortcomings
                .iter()
                .map(|s| ShortcomingRecord {
                    id: s.id,
                    text: s.text.clone(),
                })
                .collect(),
            items: rows
                .items
                .iter()
                .filter_map(|i| {
                    Some(ItemRecord {
                        id: i.id,
                        shortcoming_id: i.shortcoming_id?,
                        parent_item_id: i.parent_item_id,
                        code: i.code.clone(),
                        title: i.title.clone(),
                        measures: i.measures.clone(),
                        category: i.category,
                        state: i.state.clone(),
                        outcome: i.outcome,
                        due_on: i.due_on,
                        submitted_on: i.submitted_at.map(day),
                        closed_on: i.closed_at.map(day),
                    })
                })
                .collect(),
            evidence: rows
                .evidence
                .iter()
                .map(|e| EvidenceRecord {
                    id: e.id,
                    item_id: e.item_id,
                    kind: EvidenceKind::parse(&e.kind).unwrap_or(EvidenceKind::Note),
                    name: e.name.clone(),
                    sha256: e.sha256.clone(),
                    url: e.url.clone(),
                    added_on: day(e.created_at),
                })
                .collect(),
            state_labels: self
                .workflow
                .states()
                .iter()
                .map(|s| (s.name.clone(), s.label.clone()))
                .collect(),
            initial_state: self.workflow.initial().to_owned(),
            next_report: next_report_input,
        };
        let section = report_section::compose(&input);
        Ok(RectificationSection {
            agency,
            report,
            next_report,
            section,
        })
    }
}

/// The shortcoming a previous-rectification item answers, by the same measure and
/// threshold as on import.
fn best_match(
    text: &str,
    shortcomings: &[crate::store::reports::ShortcomingRow],
) -> (Option<Uuid>, Option<f64>) {
    shortcomings
        .iter()
        .map(|s| (s.id, rectify_extract::similarity(text, &s.text)))
        .filter(|(_, score)| *score >= COVERAGE_THRESHOLD)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map_or((None, None), |(id, score)| {
            (Some(id), Some((score * 1000.0).round() / 1000.0))
        })
}

impl RectificationSection {
    /// The structured section as JSON (the command line's `--format json`), with the same
    /// names as the GraphQL type.
    pub fn to_json(&self) -> serde_json::Value {
        let s = &self.section;
        let c = &s.counts;
        json!({
            "agencyId": self.agency.id,
            "agencyName": self.agency.name,
            "year": s.year,
            "asOf": s.as_of,
            "title": s.title,
            "reportId": self.report.id,
            "nextReportId": self.next_report.as_ref().map(|r| r.id),
            "counts": {
                "shortcomings": c.shortcomings,
                "items": c.items,
                "rectified": c.rectified,
                "closedContinuing": c.closed_continuing,
                "closedNotRectified": c.closed_not_rectified,
                "awaitingVerification": c.awaiting_verification,
                "inProgress": c.in_progress,
                "longTerm": c.long_term,
                "cancelled": c.cancelled,
                "completionRate": c.completion_rate(),
            },
            "summary": s.summary,
            "shortcomings": s.shortcomings.iter()
                .map(|sh| shortcoming_json(sh, s.coverage.is_some()))
                .collect::<Vec<_>>(),
            "coverage": s.coverage.as_ref().map(|cov| json!({
                "nextYear": cov.next_year,
                "nextReportId": cov.next_report_id,
                "accountedFor": cov.accounted_for,
                "total": cov.total,
                "ratio": cov.ratio,
                "unmatched": cov.unmatched.iter().map(mention_json).collect::<Vec<_>>(),
            })),
            "markdown": self.markdown(),
        })
    }
}

fn mention_json(m: &Mention) -> serde_json::Value {
    json!({ "ordinal": m.ordinal, "text": m.text, "score": m.score })
}

fn shortcoming_json(sh: &SectionShortcoming, compared: bool) -> serde_json::Value {
    json!({
        "shortcomingId": sh.id,
        "position": sh.position,
        "numeral": sh.numeral,
        "text": sh.text,
        "heading": sh.heading,
        "paragraph": sh.paragraph,
        "accountedFor": compared.then_some(!sh.mentions.is_empty()),
        "nextReportMentions": sh.mentions.iter().map(mention_json).collect::<Vec<_>>(),
        "items": sh.items.iter().map(item_json).collect::<Vec<_>>(),
    })
}

fn item_json(i: &SectionItem) -> serde_json::Value {
    json!({
        "itemId": i.id,
        "code": i.code,
        "title": i.title,
        "state": i.state,
        "stateLabel": i.state_label,
        "standing": i.standing.as_str(),
        "measures": i.measures,
        "category": i.category.map(|c| c.as_str()),
        "outcome": i.outcome.map(|o| o.as_str()),
        "dueOn": i.due_on,
        "completedOn": i.completed_on,
        "overdue": i.overdue,
        "evidence": i.evidence.iter().map(|e| json!({
            "evidenceId": e.id,
            "kind": e.kind.as_str(),
            "name": e.name,
            "sha256": e.sha256,
            "url": e.url,
            "addedOn": e.added_on,
            "citation": e.citation,
        })).collect::<Vec<_>>(),
    })
}
