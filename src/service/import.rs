//! Importing a report: extract, then — in one transaction — find or create the agency,
//! store the report, its shortcomings, commitments and proposed links, flag recurrences,
//! check what the report says about last period's shortcomings, and open one `identified`
//! item per shortcoming. A dry run is the same run rolled back, so it shows exactly what
//! a real run would create.

use rectify_extract::{Extraction, InputError, RECURRENCE_THRESHOLD, ReportText, similarity};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{Actor, ServiceError, Services, reviewed::ReviewedExtraction, text};
use crate::{
    domain::{AccountRole, AgencyKind, ItemSource, ReportKind, ReportPeriod, access::Operation},
    store::{
        agencies::{AgencyRow, NewAgency},
        items::ItemRow,
        reports::{CommitmentRow, ReportReview, ReportRow, ShortcomingRow},
        tx::{EarlierShortcoming, NewEvent, NewItem, NewReport, ShortcomingWrite, Tx},
    },
};

/// How alike a previous-rectification item and an earlier shortcoming must be to count
/// the shortcoming as accounted for. Lower than recurrence: measures are worded unlike problems.
pub const COVERAGE_THRESHOLD: f64 = 0.12;

/// A report file as it arrived (Word, PDF, web page, text in UTF-8/UTF-16/GBK).
#[derive(Clone, Debug, Default)]
pub struct ReportFile {
    /// The file's name, when known: its extension only breaks ties in sniffing the kind.
    pub name: Option<String>,
    pub bytes: Vec<u8>,
}

/// What to import.
#[derive(Clone, Debug, Default)]
pub struct ImportReport {
    /// The report as published (pasted, or saved from its web page). Empty when `file` is given.
    pub text: String,
    /// The report as a file; exactly one of `text` and `file` is given.
    pub file: Option<ReportFile>,
    /// The agency, when known; otherwise the one the report names (created if new).
    pub agency_id: Option<Uuid>,
    /// The agency's full name, when the report does not name it.
    pub agency_name: Option<String>,
    /// The year reported on, when the report does not say it.
    pub year: Option<i32>,
    /// Where the text was published.
    pub source_url: Option<String>,
    /// Show what would be created and write nothing.
    pub dry_run: bool,
    /// Replace an already imported, different text for the same agency and period (with
    /// `reviewed`: also the same text, imported before as extracted or reviewed otherwise).
    pub replace: bool,
    /// The dry run's result as a person corrected it: imported exactly as given, without
    /// extracting again, and the report records who corrected it and when.
    pub reviewed: Option<ReviewedExtraction>,
}

/// What an import did (or, for a dry run, would do).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportStatus {
    /// A new report was stored.
    Created,
    /// The same text was imported before: nothing changed.
    AlreadyImported,
    /// A different text replaced the stored one; items with history were kept.
    Replaced,
}

/// A shortcoming as imported, with its item and any earlier shortcoming it repeats.
#[derive(Clone, Debug)]
pub struct ImportedShortcoming {
    pub row: ShortcomingRow,
    pub item: Option<ItemRow>,
    pub recurrence: Option<Recurrence>,
}

/// An earlier, similar shortcoming of the same agency (屡查屡犯).
#[derive(Clone, Debug)]
pub struct Recurrence {
    pub earlier: EarlierShortcoming,
    pub score: f64,
}

/// A proposed link, by the shortcoming's and commitment's positions (1-based ordinals).
#[derive(Clone, Debug)]
pub struct ImportedLink {
    pub shortcoming_ordinal: i32,
    pub commitment_ordinal: i32,
    pub score: f64,
}

/// An item of the report's previous-rectification section and the earlier shortcoming it answers.
#[derive(Clone, Debug)]
pub struct PreviousRectificationMatch {
    pub text: String,
    pub matched: Option<(EarlierShortcoming, f64)>,
}

/// Which of the previous period's shortcomings the new report accounts for.
#[derive(Clone, Debug)]
pub struct Coverage {
    /// The year of the earlier report(s) compared.
    pub previous_year: i32,
    pub accounted_for: Vec<EarlierShortcoming>,
    pub silent_on: Vec<EarlierShortcoming>,
}

/// A note for the person importing.
#[derive(Clone, Debug)]
pub struct ImportWarning {
    pub code: String,
    pub message: String,
}

/// The result of an import.
#[derive(Clone, Debug)]
pub struct ImportOutcome {
    pub status: ImportStatus,
    pub dry_run: bool,
    pub agency: AgencyRow,
    pub agency_created: bool,
    pub report: ReportRow,
    pub shortcomings: Vec<ImportedShortcoming>,
    pub commitments: Vec<CommitmentRow>,
    pub links: Vec<ImportedLink>,
    pub previous_rectification: Vec<PreviousRectificationMatch>,
    pub coverage: Option<Coverage>,
    /// On replacement: earlier shortcomings the new text no longer has, kept with their items.
    pub kept: Vec<ShortcomingRow>,
    pub warnings: Vec<ImportWarning>,
}

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn input_error(e: InputError) -> ServiceError {
    match e {
        InputError::TooLarge { .. } => ServiceError::TooLarge(e.to_string()),
        _ => ServiceError::invalid("text", e.to_string()),
    }
}

/// A file that could not be read: its code (`UNSUPPORTED_TYPE`, `NOT_TEXT`, `MALFORMED`,
/// or `PAYLOAD_TOO_LARGE`) and a message in Chinese.
fn file_error(e: InputError) -> ServiceError {
    let message = e.message_zh();
    match e.code() {
        "TOO_LARGE" => ServiceError::TooLarge(message),
        "EMPTY" => ServiceError::invalid("file", message),
        code => ServiceError::Rule { code, message },
    }
}

/// The report's text and, when it came as a file, the file's SHA-256 and name.
struct ReadReport {
    text: ReportText,
    file_sha256: Option<String>,
    file_name: Option<String>,
}

/// How many report files are decoded at once: each may take up to ~200 MB for a moment
/// (see `rectify_extract::ReportText::from_file`), so a burst of uploads waits its turn.
const DECODING_AT_ONCE: usize = 2;
static DECODING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(DECODING_AT_ONCE);

/// Reads a report file off the async runtime (a PDF or Word file takes milliseconds of CPU).
/// Decodes an uploaded file (run on the CPU pool: it is bounded work, but work).
fn read_file(file: ReportFile) -> Result<ReadReport, ServiceError> {
    let ReportFile { name, bytes } = file;
    // Stored beside the report: a name as the client sent it, at most 255 characters.
    let name = name.map(|n| n.chars().take(255).collect::<String>());
    let file_sha256 = Some(hex::encode(Sha256::digest(&bytes)));
    let text = ReportText::from_file(&bytes, name.as_deref()).map_err(file_error)?;
    Ok(ReadReport {
        text,
        file_sha256,
        file_name: name,
    })
}

/// The title of an item: the shortcoming's first sentence, at most 60 characters.
fn item_title(text: &str) -> String {
    let first = text
        .split(['。', '；', ';', '\n'])
        .next()
        .unwrap_or(text)
        .trim();
    let first = if first.is_empty() { text.trim() } else { first };
    let mut title: String = first.chars().take(60).collect();
    if first.chars().count() > 60 {
        title.push('…');
    }
    title
}

fn period_of(e: &Extraction) -> ReportPeriod {
    match e.period {
        rectify_extract::Period::Annual => ReportPeriod::Annual,
        rectify_extract::Period::FirstHalf => ReportPeriod::FirstHalf,
        rectify_extract::Period::SecondHalf => ReportPeriod::SecondHalf,
    }
}

fn kind_of(e: &Extraction) -> ReportKind {
    match e.kind {
        rectify_extract::ReportKind::RuleOfLawAnnualReport => ReportKind::RuleOfLawAnnualReport,
        rectify_extract::ReportKind::WorkSummary => ReportKind::WorkSummary,
        rectify_extract::ReportKind::Other => ReportKind::Other,
    }
}

/// An item's span as stored: none for the empty span a reviewed item without one carries.
fn span_of(item: &rectify_extract::Item) -> Option<(i32, i32)> {
    let (start, end) = item.span;
    (end > start).then_some((start as i32, end as i32))
}

fn actor_account(actor: &Actor) -> Option<Uuid> {
    actor.account_id()
}

impl Services {
    /// Imports a report (see the module comment).
    #[tracing::instrument(skip_all, fields(dry_run = input.dry_run, replace = input.replace))]
    pub async fn import_report(
        &self,
        actor: &Actor,
        mut input: ImportReport,
    ) -> Result<ImportOutcome, ServiceError> {
        actor.require(Operation::ImportReports)?;
        text::optional("agencyName", input.agency_name.as_deref(), 200)?;
        if let Some(url) = text::optional("sourceUrl", input.source_url.as_deref(), 2000)? {
            let web = reqwest::Url::parse(&url)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
            if !web {
                return Err(ServiceError::invalid(
                    "sourceUrl",
                    "来源网址须以 http:// 或 https:// 开头",
                ));
            }
        }
        let file = input.file.take();
        if file.is_some() && !input.text.trim().is_empty() {
            return Err(ServiceError::invalid("file", "报告文本和文件只能提供一个"));
        }
        // Decoding a file and reading the text are CPU work proportional to their size: off
        // the async workers, and no more at once than there are cores (files: fewer still).
        let _turn = match &file {
            Some(_) => Some(
                DECODING
                    .acquire()
                    .await
                    .map_err(|_| ServiceError::Unavailable)?,
            ),
            None => None,
        };
        let raw = input.text.clone();
        let cues = self.cues.clone();
        let reviewed = input.reviewed.take();
        let is_reviewed = reviewed.is_some();
        let (read, extraction) = self
            .cpu
            .run(move || {
                let read = match file {
                    Some(file) => read_file(file)?,
                    None => ReadReport {
                        text: ReportText::from_str_checked(&raw).map_err(input_error)?,
                        file_sha256: None,
                        file_name: None,
                    },
                };
                // A reviewed extraction is imported as the person left it: checked against
                // the text its spans point into, never extracted again.
                let extraction = match reviewed {
                    Some(reviewed) => reviewed.check(read.text.as_str())?,
                    None => rectify_extract::extract_with(&read.text, &cues),
                };
                Ok::<_, ServiceError>((read, extraction))
            })
            .await??;
        if extraction
            .warnings
            .iter()
            .any(|w| w.code == rectify_extract::WarningCode::NotChinese)
        {
            return Err(ServiceError::invalid(
                "text",
                "该文本不像中文的法治政府建设年度报告或工作总结",
            ));
        }
        if extraction.shortcomings.is_empty() && extraction.commitments.is_empty() {
            return Err(ServiceError::invalid(
                "text",
                "文本中没有识别出“存在的问题”或“下一年度安排”，没有可跟踪的内容",
            ));
        }
        let year = input.year.or(extraction.report_year).ok_or_else(|| {
            ServiceError::invalid("year", "报告未写明年度：请填写报告年度（year）")
        })?;
        if !(2000..=2100).contains(&year) {
            return Err(ServiceError::invalid(
                "year",
                format!("{year} 不是有效的报告年度"),
            ));
        }
        let tx = self.store.begin().await?;
        let review = is_reviewed.then(|| ReportReview {
            at: chrono::Utc::now(),
            account_id: actor.account_id(),
            person_id: actor.person_id(),
        });
        let result = self
            .import_in(&tx, actor, &input, &read, &extraction, year, review)
            .await;
        match result {
            Ok(outcome) if !input.dry_run && outcome.status != ImportStatus::AlreadyImported => {
                tx.commit().await?;
                if outcome.agency_created {
                    self.agencies_changed();
                }
                tracing::info!(
                    report = %outcome.report.id,
                    status = ?outcome.status,
                    reviewed = is_reviewed,
                    "report imported"
                );
                Ok(outcome)
            }
            Ok(outcome) => {
                tx.rollback().await?;
                Ok(outcome)
            }
            Err(e) => {
                tx.rollback().await.ok();
                Err(e)
            }
        }
    }

    /// Reads a report (its `text` or `file`) and extracts from it, writing nothing: the
    /// report's text as the import stores it (spans point into it) and what the extractor
    /// found in it, with each item's confidence and the warnings' spans — what a person
    /// reviews before importing (the web application's review page).
    pub async fn read_for_review(
        &self,
        actor: &Actor,
        text: String,
        file: Option<ReportFile>,
    ) -> Result<(String, Extraction), ServiceError> {
        actor.require(Operation::ImportReports)?;
        if file.is_some() && !text.trim().is_empty() {
            return Err(ServiceError::invalid("file", "报告文本和文件只能提供一个"));
        }
        if file.is_none() && text.trim().is_empty() {
            return Err(ServiceError::invalid(
                "text",
                "请粘贴报告文本或上传报告文件",
            ));
        }
        let _turn = match &file {
            Some(_) => Some(
                DECODING
                    .acquire()
                    .await
                    .map_err(|_| ServiceError::Unavailable)?,
            ),
            None => None,
        };
        let cues = self.cues.clone();
        self.cpu
            .run(move || {
                let read = match file {
                    Some(file) => read_file(file)?.text,
                    None => ReportText::from_str_checked(&text).map_err(input_error)?,
                };
                let extraction = rectify_extract::extract_with(&read, &cues);
                Ok::<_, ServiceError>((read.as_str().to_owned(), extraction))
            })
            .await?
    }

    /// The report's agency: the one given, or found by name, or created — within the
    /// caller's jurisdiction (a supervisor's new agency goes under the supervisor's own).
    async fn resolve_agency(
        &self,
        tx: &Tx,
        actor: &Actor,
        input: &ImportReport,
        extraction: &Extraction,
    ) -> Result<(AgencyRow, bool), ServiceError> {
        if let Some(id) = input.agency_id {
            let agency = tx
                .agency(id)
                .await?
                .ok_or_else(|| ServiceError::not_found("agency", id))?;
            actor.require_in(Operation::ImportReports, agency.id)?;
            return Ok((agency, false));
        }
        let name = input
            .agency_name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .or(extraction.agency.as_deref())
            .ok_or_else(|| {
                ServiceError::invalid(
                    "agencyId",
                    "报告未写明单位全称：请选择单位（agencyId）或填写单位名称",
                )
            })?;
        if let Some(agency) = tx.agency_by_name(name).await? {
            actor.require_in(Operation::ImportReports, agency.id)?;
            return Ok((agency, false));
        }
        let parent_id = match actor {
            Actor::Account(p) if p.role == AccountRole::Supervisor => p.agency_id,
            Actor::Account(p) if p.role != AccountRole::Admin => {
                return Err(ServiceError::Forbidden(format!(
                    "the report is by {name}, which is not an agency within your reach; \
                     ask a supervisor to import it or choose your agency (agencyId)"
                )));
            }
            _ => None,
        };
        let agency = tx
            .insert_agency(NewAgency {
                name: name.to_owned(),
                short_name: None,
                parent_id,
                kind: AgencyKind::Department.as_str().to_owned(),
                time_zone: self.time_zone.name().to_owned(),
            })
            .await?;
        Ok((agency, true))
    }

    #[allow(clippy::too_many_arguments)]
    async fn import_in(
        &self,
        tx: &Tx,
        actor: &Actor,
        input: &ImportReport,
        read: &ReadReport,
        extraction: &Extraction,
        year: i32,
        review: Option<ReportReview>,
    ) -> Result<ImportOutcome, ServiceError> {
        let text = read.text.as_str();
        let (agency, agency_created) = self.resolve_agency(tx, actor, input, extraction).await?;
        let period = period_of(extraction);
        let kind = kind_of(extraction);
        let sha256 = sha256_hex(text);
        let new_report = NewReport {
            agency_id: agency.id,
            year,
            period: period.as_str().to_owned(),
            kind: kind.as_str().to_owned(),
            title: extraction.title.clone(),
            published_on: extraction.published_date,
            source_url: input.source_url.clone(),
            raw_text: text.to_owned(),
            sha256: sha256.clone(),
            source_file_sha256: read.file_sha256.clone(),
            source_file_name: read.file_name.clone(),
            review,
        };
        let mut warnings: Vec<ImportWarning> = extraction
            .warnings
            .iter()
            .filter(|w| {
                w.code != rectify_extract::WarningCode::AgencyUnknown
                    || input.agency_id.is_none() && input.agency_name.is_none()
            })
            .map(|w| ImportWarning {
                code: serde_json::to_value(w.code)
                    .ok()
                    .and_then(|v| v.as_str().map(ToOwned::to_owned))
                    .unwrap_or_default(),
                message: w.message.clone(),
            })
            .collect();

        let existing = tx
            .report_by_key(agency.id, year, period.as_str(), kind.as_str())
            .await?;
        let (report, status, kept, existing_items) = match existing {
            Some(report) if report.sha256 == sha256 && review.is_none() => {
                return self
                    .already_imported(tx, agency, report, input.dry_run)
                    .await;
            }
            Some(report) if report.sha256 == sha256 && !input.replace => {
                return Err(ServiceError::Conflict(format!(
                    "该报告（{}，编号 {}）已于 {} 导入；要以核对后的结果替换它，请同时设置 replace（this text was imported before: set replace to import your corrections over it)",
                    agency.name,
                    report.id,
                    report.created_at.format("%Y-%m-%d")
                )));
            }
            Some(report) if !input.replace => {
                return Err(ServiceError::Conflict(format!(
                    "{}已有另一份{}年度{}报告（编号 {}，导入于 {}）；如需替换，请以 replace 方式导入",
                    agency.name,
                    year,
                    period.label(),
                    report.id,
                    report.created_at.format("%Y-%m-%d")
                )));
            }
            Some(report) => {
                tx.replace_report_text(report.id, &new_report).await?;
                // The row as it now stands (its id, key and creation stay).
                let report = ReportRow {
                    title: new_report.title.clone(),
                    published_on: new_report.published_on,
                    sha256: new_report.sha256.clone(),
                    source_file_sha256: new_report.source_file_sha256.clone(),
                    source_file_name: new_report.source_file_name.clone(),
                    review: new_report.review,
                    ..report
                };
                tx.clear_commitments(report.id).await?;
                tx.park_shortcoming_ordinals(report.id).await?;
                let old = tx.shortcomings_of(report.id).await?;
                let mut items = 0;
                for s in &old {
                    items += tx.items_of_shortcoming(s.id).await?.len();
                }
                (report, ImportStatus::Replaced, old, items)
            }
            None => (
                tx.insert_report(new_report).await?,
                ImportStatus::Created,
                Vec::new(),
                0,
            ),
        };

        // Earlier shortcomings of the agency, for recurrence and coverage.
        let earlier: Vec<EarlierShortcoming> = tx
            .shortcomings_of_agency(agency.id, Some(report.id))
            .await?
            .into_iter()
            .filter(|e| e.year < year || (e.year == year && e.period != period.as_str()))
            .collect();

        let mut kept = kept;
        // Each extracted shortcoming either matches a stored one (on replacement: it keeps
        // that row, so its item and history stay attached) or is new. New ones are written
        // in batches: one statement per table, not one per row.
        let mut slots: Vec<Option<ImportedShortcoming>> = Vec::new();
        let mut new_writes = Vec::new();
        let mut new_recurrences = Vec::new();
        for (i, item) in extraction.shortcomings.iter().enumerate() {
            let recurrence = earlier
                .iter()
                .map(|e| (e, similarity(&item.text, &e.shortcoming.text)))
                .filter(|(_, s)| *s >= RECURRENCE_THRESHOLD)
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(e, s)| Recurrence {
                    earlier: e.clone(),
                    score: (s * 1000.0).round() / 1000.0,
                });
            let write = ShortcomingWrite {
                ordinal: i as i32 + 1,
                text: item.text.clone(),
                span: span_of(item),
                recurrence_of_id: recurrence.as_ref().map(|r| r.earlier.shortcoming.id),
                recurrence_score: recurrence.as_ref().map(|r| r.score),
            };
            let same = kept
                .iter()
                .position(|old| old.text == item.text || similarity(&old.text, &item.text) >= 0.8);
            match same {
                Some(pos) => {
                    let old = kept.remove(pos);
                    tx.update_shortcoming(old.id, write.clone()).await?;
                    let item = tx.items_of_shortcoming(old.id).await?.into_iter().next();
                    let row = ShortcomingRow {
                        ordinal: write.ordinal,
                        text: write.text,
                        span: write.span,
                        recurrence_of_id: write.recurrence_of_id,
                        recurrence_score: write.recurrence_score,
                        ..old
                    };
                    slots.push(Some(ImportedShortcoming {
                        row,
                        item,
                        recurrence,
                    }));
                }
                None => {
                    slots.push(None);
                    new_writes.push(write);
                    new_recurrences.push(recurrence);
                }
            }
        }
        let new_rows = tx.insert_shortcomings(report.id, new_writes).await?;
        let suffix = match period {
            ReportPeriod::Annual => "",
            ReportPeriod::FirstHalf => "H1",
            ReportPeriod::SecondHalf => "H2",
        };
        let simple = agency.id.simple().to_string();
        let unit = &simple[simple.len() - 6..];
        let source_document = extraction
            .title
            .clone()
            .unwrap_or_else(|| format!("{}{year}年{}", agency.name, kind.label()));
        let new_items = tx
            .insert_items(
                new_rows
                    .iter()
                    .enumerate()
                    .map(|(i, row)| NewItem {
                        agency_id: agency.id,
                        code: Some(format!(
                            "{year}{suffix}-{unit}-{:03}",
                            existing_items + i + 1
                        )),
                        shortcoming_id: Some(row.id),
                        parent_item_id: None,
                        source: ItemSource::AnnualReport.as_str().to_owned(),
                        source_document: Some(source_document.clone()),
                        title: item_title(&row.text),
                        state: "identified".to_owned(),
                    })
                    .collect(),
            )
            .await?;
        let now = chrono::Utc::now();
        tx.start_chains(
            new_items
                .iter()
                .zip(&new_rows)
                .map(|(item, row)| NewEvent {
                    item_id: item.id,
                    action: "create",
                    from_state: None,
                    to_state: Some("identified"),
                    actor_account_id: actor_account(actor),
                    actor_person_id: None,
                    comment: Some(if review.is_some() {
                        "从年度报告导入，经人工核对"
                    } else {
                        "从年度报告导入"
                    }),
                    payload_json: json!({
                        "report_id": report.id,
                        "report_sha256": sha256,
                        "shortcoming_id": row.id,
                        "ordinal": row.ordinal,
                    })
                    .to_string(),
                    at: now,
                })
                .collect(),
        )
        .await?;
        let mut fresh = new_rows.into_iter().zip(new_items).zip(new_recurrences);
        let shortcomings: Vec<ImportedShortcoming> = slots
            .into_iter()
            .filter_map(|slot| {
                slot.or_else(|| {
                    fresh
                        .next()
                        .map(|((row, item), recurrence)| ImportedShortcoming {
                            row,
                            item: Some(item),
                            recurrence,
                        })
                })
            })
            .collect();
        // Shortcomings the new text no longer has keep their rows and items, numbered after the new ones.
        for (i, old) in kept.iter_mut().enumerate() {
            let ordinal = (extraction.shortcomings.len() + i) as i32 + 1;
            tx.update_shortcoming(
                old.id,
                ShortcomingWrite {
                    ordinal,
                    text: old.text.clone(),
                    span: None,
                    recurrence_of_id: old.recurrence_of_id,
                    recurrence_score: old.recurrence_score,
                },
            )
            .await?;
            old.ordinal = ordinal;
            old.span = None;
        }
        if !kept.is_empty() {
            warnings.push(ImportWarning {
                code: "KEPT_SHORTCOMINGS".into(),
                message: format!(
                    "被替换的文本中有 {} 个问题不在新文本中，这些问题及其整改事项已保留",
                    kept.len()
                ),
            });
        }

        let commitments = tx
            .insert_commitments(
                report.id,
                extraction
                    .commitments
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (i as i32 + 1, c.text.clone(), span_of(c)))
                    .collect(),
            )
            .await?;
        let mut links = Vec::new();
        let mut link_rows = Vec::new();
        for l in &extraction.links {
            let (Some(s), Some(c)) = (
                shortcomings.get(l.shortcoming),
                commitments.get(l.commitment),
            ) else {
                continue;
            };
            link_rows.push((s.row.id, c.id, l.score));
            links.push(ImportedLink {
                shortcoming_ordinal: s.row.ordinal,
                commitment_ordinal: c.ordinal,
                score: l.score,
            });
        }
        match review {
            // The links a person kept or added are confirmed by that person.
            Some(r) => {
                tx.insert_confirmed_links(link_rows, r.account_id, r.at)
                    .await?
            }
            None => tx.insert_auto_links(link_rows).await?,
        }

        // What the report says about the previous period's shortcomings.
        let previous_year = match period {
            ReportPeriod::Annual => year - 1,
            _ => year,
        };
        let previous: Vec<&EarlierShortcoming> = earlier
            .iter()
            .filter(|e| {
                if period == ReportPeriod::SecondHalf {
                    e.year == year && e.period == ReportPeriod::FirstHalf.as_str()
                } else {
                    e.year == previous_year && e.period == ReportPeriod::Annual.as_str()
                }
            })
            .collect();
        let mut previous_rectification = Vec::new();
        for (i, p) in extraction.previous_rectification.iter().enumerate() {
            let matched = previous
                .iter()
                .map(|e| (*e, similarity(&p.text, &e.shortcoming.text)))
                .filter(|(_, s)| *s >= COVERAGE_THRESHOLD)
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(e, s)| (e.clone(), (s * 1000.0).round() / 1000.0));
            tx.insert_previous_rectification(
                report.id,
                i as i32 + 1,
                p.text.clone(),
                matched.as_ref().map(|(e, s)| (e.shortcoming.id, *s)),
            )
            .await?;
            previous_rectification.push(PreviousRectificationMatch {
                text: p.text.clone(),
                matched,
            });
        }
        let coverage = (!previous.is_empty()).then(|| {
            let (accounted_for, silent_on): (Vec<EarlierShortcoming>, Vec<EarlierShortcoming>) =
                previous.iter().map(|e| (*e).clone()).partition(|e| {
                    previous_rectification.iter().any(|p| {
                        p.matched
                            .as_ref()
                            .is_some_and(|(m, _)| m.shortcoming.id == e.shortcoming.id)
                    })
                });
            Coverage {
                previous_year,
                accounted_for,
                silent_on,
            }
        });
        if let Some(c) = &coverage
            && !c.silent_on.is_empty()
        {
            warnings.push(ImportWarning {
                code: "PREVIOUS_SHORTCOMINGS_UNACCOUNTED".into(),
                message: format!(
                    "本报告未说明{2}年度报告所列 {1} 个问题中 {0} 个的整改情况",
                    c.silent_on.len(),
                    c.silent_on.len() + c.accounted_for.len(),
                    c.previous_year
                ),
            });
        }
        let recurring = shortcomings
            .iter()
            .filter(|s| s.recurrence.is_some())
            .count();
        if recurring > 0 {
            warnings.push(ImportWarning {
                code: "RECURRING_SHORTCOMINGS".into(),
                message: format!("{recurring} 个问题与以往报告的问题重复（屡查屡犯）"),
            });
        }

        Ok(ImportOutcome {
            status,
            dry_run: input.dry_run,
            agency,
            agency_created,
            report,
            shortcomings,
            commitments,
            links,
            previous_rectification,
            coverage,
            kept,
            warnings,
        })
    }

    async fn already_imported(
        &self,
        tx: &Tx,
        agency: AgencyRow,
        report: ReportRow,
        dry_run: bool,
    ) -> Result<ImportOutcome, ServiceError> {
        let mut shortcomings = Vec::new();
        for row in tx.shortcomings_of(report.id).await? {
            let item = tx.items_of_shortcoming(row.id).await?.into_iter().next();
            shortcomings.push(ImportedShortcoming {
                row,
                item,
                recurrence: None,
            });
        }
        Ok(ImportOutcome {
            status: ImportStatus::AlreadyImported,
            dry_run,
            agency,
            agency_created: false,
            warnings: vec![ImportWarning {
                code: "ALREADY_IMPORTED".into(),
                message: format!(
                    "相同的文本已于 {} 导入，未作任何更改",
                    report.created_at.format("%Y-%m-%d")
                ),
            }],
            report,
            shortcomings,
            commitments: Vec::new(),
            links: Vec::new(),
            previous_rectification: Vec::new(),
            coverage: None,
            kept: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::item_title;

    #[test]
    fn an_item_title_is_the_first_sentence_cut_to_sixty_characters() {
        assert_eq!(item_title("学习不够深入。方式单一。"), "学习不够深入");
        let long = "很".repeat(80);
        assert_eq!(item_title(&long).chars().count(), 61);
    }
}
