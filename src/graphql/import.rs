//! The `importReport` mutation and its result. The result is built from what the import
//! returned (not re-read), so a dry run shows exactly what would have been created.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject, Upload};

use super::{
    ContextExt,
    error::parse_id,
    types::{Agency, Commitment, Item, Report, Shortcoming},
};
use crate::service::{
    ServiceError,
    import::{Coverage, ImportOutcome, ImportReport, ImportedShortcoming, ReportFile},
    reviewed::{ReviewedExtraction, ReviewedItem, ReviewedLink},
};

/// What an import did.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::service::import::ImportStatus")]
pub enum ImportStatus {
    /// A new report was stored (or, in a dry run, would be).
    Created,
    /// The same text was imported before: nothing changed.
    AlreadyImported,
    /// A different text replaced the stored one; items with history were kept.
    Replaced,
}

/// A report to import: its `text` or its `file`, exactly one of them.
#[derive(InputObject)]
pub struct ImportReportInput {
    /// The report's text as published (pasted, or saved from its web page; HTML is accepted).
    pub text: Option<String>,
    /// The report as a file (a multipart upload): Word (.docx, its automatic numbering
    /// written out), PDF with a text layer, a saved web page, or text in UTF-8, UTF-16 or
    /// GBK/GB18030. The report keeps the file's SHA-256 and name. A scanned PDF, an old
    /// .doc or an unknown encoding is refused (UNSUPPORTED_TYPE, NOT_TEXT, MALFORMED,
    /// PAYLOAD_TOO_LARGE) with a message in Chinese.
    pub file: Option<Upload>,
    /// The agency, when known. Otherwise the agency the report names is found or created.
    pub agency_id: Option<ID>,
    /// The agency's full name, when the report does not name it.
    pub agency_name: Option<String>,
    /// The year reported on, when the report does not say it.
    pub year: Option<i32>,
    /// Where the report was published.
    pub source_url: Option<String>,
    /// Return what would be created and write nothing.
    #[graphql(default)]
    pub dry_run: bool,
    /// Replace an already imported, different text for the same agency, year and period
    /// (with `reviewed`: also the same text imported before).
    #[graphql(default)]
    pub replace: bool,
    /// The dry run's result as a person corrected it. Given, it is imported exactly as it
    /// is — nothing is extracted from the text, which is still sent (as `text` or `file`) to
    /// be stored and to hold the spans — and the report records who corrected it and when
    /// (`Report.correctedByHand`, `reviewedAt`, `reviewedBy`). Refusals: REVIEW_TOO_MANY,
    /// REVIEW_TOO_LONG, REVIEW_EMPTY_ITEM, REVIEW_BAD_SPAN, REVIEW_BAD_LINK,
    /// REVIEW_BAD_METADATA, REVIEW_NOTHING_TO_TRACK, each with a message in Chinese.
    pub reviewed: Option<ReviewedExtractionInput>,
}

/// An item of a reviewed extraction: its text and, when it still stands where the dry run
/// found it, its byte span in the report text (the dry run's `spanStart`/`spanEnd`).
#[derive(InputObject)]
pub struct ReviewedItemInput {
    pub text: String,
    pub span_start: Option<i32>,
    pub span_end: Option<i32>,
}

/// A link kept or made by the reviewer, by the 1-based positions (ordinals) of the
/// shortcoming and the commitment in the reviewed lists, as the dry run's `links` give them.
#[derive(InputObject)]
pub struct ReviewedLinkInput {
    pub shortcoming_ordinal: i32,
    pub commitment_ordinal: i32,
    /// The dry run's score, when the link was proposed (1 otherwise).
    pub score: Option<f64>,
}

/// A dry run's result, corrected by a person: items removed, merged, split, added or moved
/// between the lists, metadata fixed, links kept or dropped. Same names as the dry run's
/// result (`report { year period kind title publishedOn }`, `agency { name }`).
#[derive(InputObject)]
pub struct ReviewedExtractionInput {
    /// The agency's full name (`agencyId`/`agencyName` of the import take precedence).
    pub agency_name: Option<String>,
    /// The year reported on (the import's `year` takes precedence).
    pub year: Option<i32>,
    /// `annual` (default), `first_half` or `second_half`.
    pub period: Option<String>,
    /// `rule_of_law_annual_report`, `work_summary` or `other` (default).
    pub kind: Option<String>,
    pub title: Option<String>,
    pub published_on: Option<chrono::NaiveDate>,
    /// 存在的问题, in order.
    #[graphql(default)]
    pub shortcomings: Vec<ReviewedItemInput>,
    /// 整改措施 / 下一步安排, in order.
    #[graphql(default)]
    pub commitments: Vec<ReviewedItemInput>,
    /// 上年度问题整改情况, in order.
    #[graphql(default)]
    pub previous_rectification: Vec<ReviewedItemInput>,
    #[graphql(default)]
    pub links: Vec<ReviewedLinkInput>,
}

fn reviewed_items(list: Vec<ReviewedItemInput>) -> Vec<ReviewedItem> {
    list.into_iter()
        .map(|i| ReviewedItem {
            text: i.text,
            span: match (i.span_start, i.span_end) {
                (None, None) => None,
                // Half a span is no span: checked (and refused) as one outside the text.
                (s, e) => Some((s.map_or(-1, i64::from), e.map_or(-1, i64::from))),
            },
        })
        .collect()
}

impl From<ReviewedExtractionInput> for ReviewedExtraction {
    fn from(r: ReviewedExtractionInput) -> Self {
        Self {
            agency: r.agency_name,
            year: r.year,
            period: r.period,
            kind: r.kind,
            title: r.title,
            published_on: r.published_on,
            shortcomings: reviewed_items(r.shortcomings),
            commitments: reviewed_items(r.commitments),
            previous_rectification: reviewed_items(r.previous_rectification),
            links: r
                .links
                .into_iter()
                .map(|l| ReviewedLink {
                    shortcoming: i64::from(l.shortcoming_ordinal) - 1,
                    commitment: i64::from(l.commitment_ordinal) - 1,
                    score: l.score,
                })
                .collect(),
        }
    }
}

/// An earlier shortcoming of the same agency that a new one repeats (屡查屡犯).
#[derive(SimpleObject)]
pub struct RecurrenceInfo {
    /// The earlier shortcoming.
    pub shortcoming_id: ID,
    pub text: String,
    /// The year of the earlier report.
    pub year: i32,
    /// The earlier item, and its state now.
    pub item_id: Option<ID>,
    pub item_state: Option<String>,
    /// Similarity (0–1).
    pub score: f64,
}

/// A shortcoming as imported.
pub struct ImportedShortcomingView(ImportedShortcoming);

#[Object(name = "ImportedShortcoming")]
impl ImportedShortcomingView {
    async fn shortcoming(&self) -> Shortcoming {
        Shortcoming(self.0.row.clone())
    }
    /// The item opened for it (`identified`), or the item it already had.
    async fn item(&self) -> Option<Item> {
        self.0.item.clone().map(Item)
    }
    /// Set when the same agency listed a similar shortcoming before.
    async fn recurrence(&self) -> Option<RecurrenceInfo> {
        self.0.recurrence.as_ref().map(|r| RecurrenceInfo {
            shortcoming_id: ID(r.earlier.shortcoming.id.to_string()),
            text: r.earlier.shortcoming.text.clone(),
            year: r.earlier.year,
            item_id: r.earlier.item_id.map(|id| ID(id.to_string())),
            item_state: r.earlier.item_state.clone(),
            score: r.score,
        })
    }
}

/// A proposed link between a shortcoming and a commitment of the report.
#[derive(SimpleObject)]
pub struct ProposedLink {
    pub shortcoming_ordinal: i32,
    pub commitment_ordinal: i32,
    /// Relevance (0–1).
    pub score: f64,
}

/// An item of the previous-rectification section and the earlier shortcoming it answers.
#[derive(SimpleObject)]
pub struct PreviousRectificationView {
    pub text: String,
    /// The earlier shortcoming it reports on, if one matched.
    pub matched_shortcoming_id: Option<ID>,
    pub matched_text: Option<String>,
    pub score: Option<f64>,
}

/// An earlier shortcoming, for coverage.
#[derive(SimpleObject)]
pub struct EarlierShortcomingView {
    pub shortcoming_id: ID,
    pub text: String,
    pub item_id: Option<ID>,
    pub item_state: Option<String>,
}

/// Which of the previous period's shortcomings the new report accounts for.
#[derive(SimpleObject)]
pub struct CoverageView {
    pub previous_year: i32,
    pub accounted_for: Vec<EarlierShortcomingView>,
    /// Earlier shortcomings the new report does not mention.
    pub silent_on: Vec<EarlierShortcomingView>,
}

fn earlier_views(list: &[crate::store::tx::EarlierShortcoming]) -> Vec<EarlierShortcomingView> {
    list.iter()
        .map(|e| EarlierShortcomingView {
            shortcoming_id: ID(e.shortcoming.id.to_string()),
            text: e.shortcoming.text.clone(),
            item_id: e.item_id.map(|id| ID(id.to_string())),
            item_state: e.item_state.clone(),
        })
        .collect()
}

impl From<&Coverage> for CoverageView {
    fn from(c: &Coverage) -> Self {
        Self {
            previous_year: c.previous_year,
            accounted_for: earlier_views(&c.accounted_for),
            silent_on: earlier_views(&c.silent_on),
        }
    }
}

/// A note about the import.
#[derive(SimpleObject)]
pub struct ImportWarningView {
    /// NO_SHORTCOMINGS_SECTION, NO_COMMITMENTS_SECTION, AGENCY_UNKNOWN, YEAR_UNKNOWN,
    /// ALREADY_IMPORTED, KEPT_SHORTCOMINGS, RECURRING_SHORTCOMINGS, PREVIOUS_SHORTCOMINGS_UNACCOUNTED.
    pub code: String,
    pub message: String,
}

/// The result of `importReport`.
pub struct ImportResult(ImportOutcome);

#[Object]
impl ImportResult {
    async fn status(&self) -> ImportStatus {
        self.0.status.into()
    }
    /// Whether this was a dry run, as asked (nothing is written then, nor when the status
    /// is ALREADY_IMPORTED).
    async fn dry_run(&self) -> bool {
        self.0.dry_run
    }
    async fn agency(&self) -> Agency {
        Agency(self.0.agency.clone())
    }
    /// True when the agency was created by this import.
    async fn agency_created(&self) -> bool {
        self.0.agency_created
    }
    async fn report(&self) -> Report {
        self.0.report.clone().into()
    }
    async fn shortcomings(&self) -> Vec<ImportedShortcomingView> {
        self.0
            .shortcomings
            .iter()
            .cloned()
            .map(ImportedShortcomingView)
            .collect()
    }
    async fn commitments(&self) -> Vec<Commitment> {
        self.0.commitments.iter().cloned().map(Commitment).collect()
    }
    async fn links(&self) -> Vec<ProposedLink> {
        self.0
            .links
            .iter()
            .map(|l| ProposedLink {
                shortcoming_ordinal: l.shortcoming_ordinal,
                commitment_ordinal: l.commitment_ordinal,
                score: l.score,
            })
            .collect()
    }
    /// The report's section on how the previous period's shortcomings were rectified.
    async fn previous_rectification(&self) -> Vec<PreviousRectificationView> {
        self.0
            .previous_rectification
            .iter()
            .map(|p| PreviousRectificationView {
                text: p.text.clone(),
                matched_shortcoming_id: p
                    .matched
                    .as_ref()
                    .map(|(e, _)| ID(e.shortcoming.id.to_string())),
                matched_text: p.matched.as_ref().map(|(e, _)| e.shortcoming.text.clone()),
                score: p.matched.as_ref().map(|(_, s)| *s),
            })
            .collect()
    }
    /// Set when the agency has a report for the previous period.
    async fn coverage(&self) -> Option<CoverageView> {
        self.0.coverage.as_ref().map(Into::into)
    }
    /// On replacement: shortcomings of the old text that the new one no longer has (kept).
    async fn kept_shortcomings(&self) -> Vec<Shortcoming> {
        self.0.kept.iter().cloned().map(Shortcoming).collect()
    }
    async fn warnings(&self) -> Vec<ImportWarningView> {
        self.0
            .warnings
            .iter()
            .map(|w| ImportWarningView {
                code: w.code.clone(),
                message: w.message.clone(),
            })
            .collect()
    }
}

#[derive(Default)]
pub struct ImportMutation;

#[Object]
impl ImportMutation {
    /// Imports a published report: its shortcomings become `identified` items linked to the
    /// report's commitments. In one transaction; `dryRun` shows what would be created.
    /// Re-importing the same text changes nothing; a different text for the same agency and
    /// period is refused (CONFLICT) unless `replace` is set. The report comes as `text` or as
    /// an uploaded `file` (Word, PDF, web page, text in UTF-8/UTF-16/GBK), read off the
    /// async runtime. With `reviewed`, the dry run's result as a person corrected it is
    /// imported exactly as given, and the report says who corrected it.
    async fn import_report(
        &self,
        ctx: &Context<'_>,
        input: ImportReportInput,
    ) -> Result<ImportResult> {
        let file = input
            .file
            .map(|upload| {
                let value = upload.value(ctx).map_err(|e| {
                    ServiceError::invalid("file", format!("上传的文件无法读取：{e}"))
                })?;
                Ok::<_, ServiceError>(ReportFile {
                    name: Some(value.filename),
                    bytes: value.content.to_vec(),
                })
            })
            .transpose()?;
        if file.is_none() && input.text.is_none() {
            return Err(ServiceError::invalid("text", "请提供报告文本或文件").into());
        }
        let input = ImportReport {
            text: input.text.unwrap_or_default(),
            file,
            agency_id: input
                .agency_id
                .as_ref()
                .map(|id| parse_id("agencyId", id))
                .transpose()?,
            agency_name: input.agency_name,
            year: input.year,
            source_url: input.source_url,
            dry_run: input.dry_run,
            replace: input.replace,
            reviewed: input.reviewed.map(Into::into),
        };
        Ok(ImportResult(
            ctx.services().import_report(ctx.actor(), input).await?,
        ))
    }
}
