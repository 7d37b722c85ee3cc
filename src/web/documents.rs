//! 报告与台账: the documents a supervising office or a coordinator works with — the
//! 上年度存在问题整改情况 section previewed as it prints (with its DOCX download and how the
//! next report covers it), the 整改台账 (download, upload an edited one, read the dry run as
//! a table of changes and rejections, apply), and the audit check of the hash chains (with
//! the head digests to keep elsewhere).
//!
//! An uploaded ledger is not kept on the server between the dry run and the apply: the dry
//! run's page carries the file back (base64 in the apply form, bounded by the upload
//! limit), and the apply runs the import again — so what is applied is checked afresh, and
//! a reloaded apply is refused row by row as stale instead of applied twice.

use askama::Template;
use axum::{
    extract::{FromRequest, FromRequestParts, Multipart, Query, Request, State},
    http::{HeaderMap, StatusCode},
    response::Response,
};
use base64::Engine as _;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{
    Shell, SignedIn,
    csrf::{self, CsrfForm, Posted},
    errors, render,
};
use crate::{
    domain::access::{Operation, role_may},
    http::AppState,
    service::{
        ServiceError,
        audit::{AuditReport, parse_digests},
        ledger::{LedgerImportOptions, LedgerImportReport},
        report_section::RectificationSection,
    },
};

/// A tab of the area's sub-navigation.
#[derive(Clone, Debug)]
pub struct Tab {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// The tabs a visitor sees: the audit only for those who may verify chains.
fn tabs(signed: &SignedIn, current: &str) -> Vec<Tab> {
    let audit = signed
        .actor
        .principal()
        .is_ok_and(|p| role_may(p.role, Operation::Audit));
    [
        ("/documents/section", "整改情况章节", true),
        ("/documents/ledger", "整改台账", true),
        ("/documents/audit", "审计核验", audit),
    ]
    .into_iter()
    .filter(|(_, _, shown)| *shown)
    .map(|(href, label, _)| Tab {
        href,
        label,
        current: href == current,
    })
    .collect()
}

// ---------------------------------------------------------------------------------------
// The section.

/// The section page's query: a report chosen by agency and year (`r` = `<agency>_<year>`
/// from the chooser, or `agency` and `year`).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct SectionQuery {
    #[serde(default)]
    pub r: String,
    #[serde(default)]
    pub agency: String,
    #[serde(default)]
    pub year: String,
}

/// A report in the chooser.
#[derive(Clone, Debug)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A paragraph of the preview: its lead (楷体 in print) and the rest.
#[derive(Clone, Debug)]
pub struct Paragraph {
    pub lead: String,
    pub rest: String,
}

/// A shortcoming as the next report covers it.
#[derive(Clone, Debug)]
pub struct CoverageLine {
    pub numeral: String,
    pub text: String,
    pub mentioned: bool,
    /// What the next report says about it.
    pub mentions: Vec<String>,
}

/// The coverage of the next report, once imported.
#[derive(Clone, Debug)]
pub struct CoverageView {
    pub next_year: i32,
    pub next_title: String,
    pub accounted_for: usize,
    pub total: usize,
    pub ratio: String,
    pub lines: Vec<CoverageLine>,
    pub unmatched: Vec<String>,
}

/// The composed section, as the page shows it.
#[derive(Clone, Debug)]
pub struct SectionView {
    pub heading: String,
    pub as_of: String,
    pub summary: String,
    pub paragraphs: Vec<Paragraph>,
    pub docx_href: String,
    pub docx_name: String,
    pub year: i32,
    pub coverage: Option<CoverageView>,
}

#[derive(Template)]
#[template(path = "web/documents_section.html", blocks = ["content", "nav"])]
pub struct SectionPage {
    pub shell: Shell,
    pub tabs: Vec<Tab>,
    pub choices: Vec<Choice>,
    pub section: Option<SectionView>,
    pub error: Option<String>,
}
crate::web_page!(SectionPage);

fn section_view(s: &RectificationSection) -> SectionView {
    let sec = &s.section;
    let coverage = sec.coverage.as_ref().map(|c| CoverageView {
        next_year: c.next_year,
        next_title: c
            .next_report_title
            .clone()
            .unwrap_or_else(|| format!("{}年度报告", c.next_year)),
        accounted_for: c.accounted_for,
        total: c.total,
        ratio: c
            .ratio
            .map_or_else(|| "—".to_owned(), |r| format!("{:.0}%", r * 100.0)),
        lines: sec
            .shortcomings
            .iter()
            .map(|sh| CoverageLine {
                numeral: sh.numeral.clone(),
                text: sh.text.clone(),
                mentioned: !sh.mentions.is_empty(),
                mentions: sh.mentions.iter().map(|m| m.text.clone()).collect(),
            })
            .collect(),
        unmatched: c.unmatched.iter().map(|m| m.text.clone()).collect(),
    });
    SectionView {
        heading: format!("{}{}", sec.agency_name, sec.title),
        as_of: crate::domain::report_section::cn_date(sec.as_of),
        summary: sec.summary.clone(),
        paragraphs: sec
            .shortcomings
            .iter()
            .map(|sh| Paragraph {
                lead: sh.heading.clone(),
                rest: sh
                    .paragraph
                    .strip_prefix(&sh.heading)
                    .unwrap_or(&sh.paragraph)
                    .to_owned(),
            })
            .collect(),
        docx_href: format!(
            "/reports/section.docx?agency={}&year={}",
            s.agency.id, sec.year
        ),
        docx_name: s.docx_file_name(),
        year: sec.year,
        coverage,
    }
}

/// GET /documents/section: choose a report; see its section as it will print.
pub async fn section_page(
    State(state): State<AppState>,
    signed: SignedIn,
    headers: HeaderMap,
    Query(query): Query<SectionQuery>,
) -> Response {
    let services = &state.services;
    let choices = match services.section_choices(&signed.actor).await {
        Ok(c) => c,
        Err(e) => return errors::service_page(Some(&signed), &headers, &e),
    };
    let (agency, year) = match query.r.split_once('_') {
        Some((a, y)) => (a.to_owned(), y.to_owned()),
        None => (query.agency.clone(), query.year.clone()),
    };
    let wanted = match (Uuid::parse_str(agency.trim()), year.trim().parse::<i32>()) {
        (Ok(a), Ok(y)) => Some((a, y)),
        _ if agency.is_empty() && year.is_empty() => None,
        _ => return errors::page_for(Some(&signed), &headers, "NOT_FOUND"),
    };
    // Without a choice, the first report listed (the page is never empty when there is one).
    let wanted = wanted.or_else(|| choices.first().map(|c| (c.agency_id, c.year)));
    let (section, error) = match wanted {
        Some((a, y)) => match services.rectification_section(&signed.actor, a, y).await {
            Ok(s) => (Some(section_view(&s)), None),
            Err(e @ ServiceError::NotFound { .. }) => (
                None,
                Some(format!(
                    "{}（该单位没有已导入的 {y} 年度年度报告）",
                    errors::message(&e)
                )),
            ),
            Err(e) => return errors::service_page(Some(&signed), &headers, &e),
        },
        None => (None, None),
    };
    let page = SectionPage {
        shell: signed.shell("整改情况章节", "documents"),
        tabs: tabs(&signed, "/documents/section"),
        choices: choices
            .iter()
            .map(|c| Choice {
                value: format!("{}_{}", c.agency_id, c.year),
                label: format!("{} · {}年度", c.agency_name, c.year),
                selected: wanted == Some((c.agency_id, c.year)),
            })
            .collect(),
        section,
        error,
    };
    render(&headers, StatusCode::OK, &page)
}

// ---------------------------------------------------------------------------------------
// The ledger.

/// An agency whose ledger may be downloaded.
#[derive(Clone, Debug)]
pub struct LedgerRoot {
    pub name: String,
    pub agency_href: String,
    pub jurisdiction_href: String,
}

/// A changed row, for the table.
#[derive(Clone, Debug)]
pub struct ChangeLine {
    pub row: u32,
    pub item_id: Uuid,
    pub item: String,
    /// (column, before, after).
    pub fields: Vec<(&'static str, String, String)>,
    pub actions: String,
}

/// A rejected row, for the table.
#[derive(Clone, Debug)]
pub struct RejectLine {
    pub row: u32,
    pub item_id: Option<Uuid>,
    pub column: &'static str,
    pub reason: String,
}

/// What an import did (or would do), for the page.
#[derive(Clone, Debug)]
pub struct ImportView {
    pub dry_run: bool,
    pub applied: bool,
    pub rows_read: usize,
    pub unchanged: usize,
    pub changes: Vec<ChangeLine>,
    pub rejects: Vec<RejectLine>,
    /// The file carried to the apply form (base64), its name and SHA-256.
    pub file: String,
    pub file_name: String,
    pub sha256: String,
}

#[derive(Template)]
#[template(path = "web/documents_ledger.html", blocks = ["content", "nav"])]
pub struct LedgerPage {
    pub shell: Shell,
    pub tabs: Vec<Tab>,
    pub roots: Vec<LedgerRoot>,
    pub max_mb: usize,
    pub result: Option<ImportView>,
    pub error: Option<String>,
}
crate::web_page!(LedgerPage);

/// The workflow action a ledger row was taken as, in words.
fn action_label(action: &str) -> &str {
    match action {
        "assign" => "交办",
        "accept" => "签收",
        "report_progress" => "报告进展",
        other => other,
    }
}

fn import_view(r: &LedgerImportReport, bytes: &[u8], file_name: &str) -> ImportView {
    ImportView {
        dry_run: r.dry_run,
        applied: r.applied,
        rows_read: r.rows_read,
        unchanged: r.unchanged,
        changes: r
            .changed
            .iter()
            .map(|c| ChangeLine {
                row: c.row,
                item_id: c.item_id,
                item: c.code.clone().unwrap_or_else(|| c.item_id.to_string()),
                fields: c
                    .changes
                    .iter()
                    .map(|f| (f.column.header(), f.from.clone(), f.to.clone()))
                    .collect(),
                actions: c
                    .actions
                    .iter()
                    .map(|a| action_label(a))
                    .collect::<Vec<_>>()
                    .join("、"),
            })
            .collect(),
        rejects: r
            .rejected
            .iter()
            .map(|x| RejectLine {
                row: x.row,
                item_id: x.item_id,
                column: x.column.map_or("", |c| c.header()),
                reason: x.reason.clone(),
            })
            .collect(),
        file: if r.dry_run && !r.changed.is_empty() {
            base64::engine::general_purpose::STANDARD.encode(bytes)
        } else {
            String::new()
        },
        file_name: file_name.to_owned(),
        sha256: hex::encode(Sha256::digest(bytes)),
    }
}

async fn ledger_render(
    state: &AppState,
    signed: &SignedIn,
    headers: &HeaderMap,
    status: StatusCode,
    result: Option<ImportView>,
    error: Option<String>,
) -> Response {
    let roots = match state.services.board_roots(&signed.actor).await {
        Ok(r) => r,
        Err(e) => return errors::service_page(Some(signed), headers, &e),
    };
    let page = LedgerPage {
        shell: signed.shell("整改台账", "documents"),
        tabs: tabs(signed, "/documents/ledger"),
        roots: roots
            .iter()
            .map(|a| LedgerRoot {
                name: a.name.clone(),
                agency_href: format!("/ledger.xlsx?agency={}&scope=agency", a.id),
                jurisdiction_href: format!("/ledger.xlsx?agency={}&scope=jurisdiction", a.id),
            })
            .collect(),
        max_mb: state.services.max_upload_bytes.div_ceil(1024 * 1024),
        result,
        error,
    };
    render(headers, status, &page)
}

/// GET /documents/ledger: download; upload an edited ledger for a dry run.
pub async fn ledger_page(
    State(state): State<AppState>,
    signed: SignedIn,
    headers: HeaderMap,
) -> Response {
    ledger_render(&state, &signed, &headers, StatusCode::OK, None, None).await
}

/// A multipart form with a CSRF token and at most one file (`file`).
struct Upload {
    csrf: String,
    file: Option<(String, Vec<u8>)>,
}

/// Reads a multipart form, refusing a file over `max` bytes before keeping it.
async fn read_upload(mut multipart: Multipart, max: usize) -> Result<Upload, ServiceError> {
    let mut out = Upload {
        csrf: String::new(),
        file: None,
    };
    let too_large = || ServiceError::TooLarge(format!("上传的文件最大 {max} 字节"));
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|_| ServiceError::invalid("file", "the form could not be read"))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().unwrap_or_default().to_owned();
        // Read chunk by chunk so an oversize file is refused at the limit, not after.
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|_| too_large())? {
            if bytes.len() + chunk.len() > max {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "csrf" => out.csrf = String::from_utf8_lossy(&bytes).into_owned(),
            "file" if !bytes.is_empty() => out.file = Some((file_name, bytes)),
            _ => {}
        }
    }
    Ok(out)
}

/// The signed-in visitor and their multipart upload, CSRF checked; or the response to give.
async fn signed_upload(
    state: &AppState,
    req: Request,
) -> Result<(SignedIn, HeaderMap, Upload), Response> {
    let (mut parts, body) = req.into_parts();
    let signed = SignedIn::from_request_parts(&mut parts, state).await?;
    let headers = parts.headers.clone();
    let req = Request::from_parts(parts, body);
    let Ok(multipart) = Multipart::from_request(req, state).await else {
        return Err(csrf::refused(&signed, &headers));
    };
    let upload = match read_upload(multipart, state.services.max_upload_bytes).await {
        Ok(u) => u,
        Err(e) => return Err(errors::service_page(Some(&signed), &headers, &e)),
    };
    if !csrf::matches(&signed.session.session.csrf_token, &upload.csrf) {
        return Err(csrf::refused(&signed, &headers));
    }
    Ok((signed, headers, upload))
}

/// POST /documents/ledger/preview: the dry run of an uploaded ledger.
pub async fn ledger_preview(State(state): State<AppState>, req: Request) -> Response {
    let (signed, headers, upload) = match signed_upload(&state, req).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let Some((name, bytes)) = upload.file else {
        return ledger_render(
            &state,
            &signed,
            &headers,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some("请选择要导入的台账文件（XLSX）。".to_owned()),
        )
        .await;
    };
    let options = LedgerImportOptions {
        dry_run: true,
        apply_valid_rows: false,
    };
    match state
        .services
        .import_ledger(&signed.actor, &bytes, options)
        .await
    {
        Ok(report) => {
            let view = import_view(&report, &bytes, &name);
            ledger_render(&state, &signed, &headers, StatusCode::OK, Some(view), None).await
        }
        Err(e) => ledger_refused(&state, &signed, &headers, &e).await,
    }
}

/// The ledger page again with why a file was refused.
async fn ledger_refused(
    state: &AppState,
    signed: &SignedIn,
    headers: &HeaderMap,
    e: &ServiceError,
) -> Response {
    if matches!(
        e,
        ServiceError::Unauthenticated | ServiceError::Forbidden(_)
    ) {
        return errors::service_page(Some(signed), headers, e);
    }
    // The file's own problem (not XLSX, no header, too many rows) says what to fix.
    let detail = match e {
        ServiceError::Validation { .. } | ServiceError::TooLarge(_) | ServiceError::Rule { .. } => {
            e.to_string()
        }
        _ => errors::message(e),
    };
    ledger_render(
        state,
        signed,
        headers,
        errors::status(e.code()),
        None,
        Some(detail),
    )
    .await
}

/// The apply form: the file the dry run read, carried back.
#[derive(Deserialize)]
pub struct ApplyForm {
    csrf: String,
    file: String,
    #[serde(default)]
    file_name: String,
    #[serde(default)]
    apply_valid_rows: String,
}

impl CsrfForm for ApplyForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// POST /documents/ledger/apply: the import for real, of the file the dry run showed.
pub async fn ledger_apply(
    State(state): State<AppState>,
    headers: HeaderMap,
    posted: Posted<ApplyForm>,
) -> Response {
    let Posted { signed, form } = posted;
    // Base64 is 4/3 of the bytes: refuse before decoding anything larger than a file may be.
    if form.file.len() > state.services.max_upload_bytes.div_ceil(3) * 4 + 4 {
        let e = ServiceError::TooLarge("台账文件超过上传大小限制".into());
        return ledger_refused(&state, &signed, &headers, &e).await;
    }
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(form.file.trim()) else {
        let e = ServiceError::invalid("file", "导入的文件已损坏，请重新上传");
        return ledger_refused(&state, &signed, &headers, &e).await;
    };
    let options = LedgerImportOptions {
        dry_run: false,
        apply_valid_rows: form.apply_valid_rows == "1",
    };
    match state
        .services
        .import_ledger(&signed.actor, &bytes, options)
        .await
    {
        Ok(report) => {
            let view = import_view(&report, &bytes, &form.file_name);
            ledger_render(&state, &signed, &headers, StatusCode::OK, Some(view), None).await
        }
        Err(e) => ledger_refused(&state, &signed, &headers, &e).await,
    }
}

// ---------------------------------------------------------------------------------------
// The audit.

/// A broken chain, located.
#[derive(Clone, Debug)]
pub struct BreakLine {
    pub item_id: Uuid,
    /// The item's title and ledger number, when it still exists.
    pub item: String,
    pub seq: i32,
    pub description: String,
}

/// A verification's outcome.
#[derive(Clone, Debug)]
pub struct AuditView {
    pub items: u64,
    pub events: u64,
    pub against: Option<usize>,
    pub breaks: Vec<BreakLine>,
}

#[derive(Template)]
#[template(path = "web/documents_audit.html", blocks = ["content", "nav"])]
pub struct AuditPage {
    pub shell: Shell,
    pub tabs: Vec<Tab>,
    pub result: Option<AuditView>,
    pub error: Option<String>,
}
crate::web_page!(AuditPage);

fn audit_view(
    r: &AuditReport,
    against: Option<usize>,
    titles: &std::collections::HashMap<Uuid, String>,
) -> AuditView {
    AuditView {
        items: r.items_checked,
        events: r.events_checked,
        against,
        breaks: r
            .breaks
            .iter()
            .map(|b| BreakLine {
                item_id: b.item_id,
                item: titles
                    .get(&b.item_id)
                    .cloned()
                    .unwrap_or_else(|| b.item_id.to_string()),
                seq: b.seq,
                description: b.describe(),
            })
            .collect(),
    }
}

/// GET /documents/audit: what the check does, its form, the digests download.
pub async fn audit_page(signed: SignedIn, headers: HeaderMap) -> Response {
    if let Err(e) = signed.actor.require(Operation::Audit) {
        return errors::service_page(Some(&signed), &headers, &e);
    }
    let page = AuditPage {
        shell: signed.shell("审计核验", "documents"),
        tabs: tabs(&signed, "/documents/audit"),
        result: None,
        error: None,
    };
    render(&headers, StatusCode::OK, &page)
}

/// POST /documents/audit/verify: every chain within reach, optionally against an uploaded
/// digest file.
pub async fn audit_verify(State(state): State<AppState>, req: Request) -> Response {
    let (signed, headers, upload) = match signed_upload(&state, req).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let exported = match &upload.file {
        Some((_, bytes)) => match std::str::from_utf8(bytes)
            .map_err(|_| ServiceError::invalid("digests", "摘要文件不是文本文件"))
            .and_then(parse_digests)
        {
            Ok(d) => Some(d),
            Err(e) => {
                let page = AuditPage {
                    shell: signed.shell("审计核验", "documents"),
                    tabs: tabs(&signed, "/documents/audit"),
                    result: None,
                    error: Some(e.to_string()),
                };
                return render(&headers, StatusCode::UNPROCESSABLE_ENTITY, &page);
            }
        },
        None => None,
    };
    let digests = exported.clone().unwrap_or_default();
    match state
        .services
        .verify_audit(&signed.actor, None, &digests)
        .await
    {
        Ok(report) => {
            // The broken items by title (they are within reach: the check covered them).
            let ids: Vec<Uuid> = report.breaks.iter().map(|b| b.item_id).collect();
            let titles = match state.services.store.items_by_ids(&ids).await {
                Ok(items) => items
                    .into_iter()
                    .map(|i| {
                        let title = match &i.code {
                            Some(code) => format!("{}（{code}）", i.title),
                            None => i.title,
                        };
                        (i.id, title)
                    })
                    .collect(),
                Err(e) => return errors::service_page(Some(&signed), &headers, &e.into()),
            };
            let page = AuditPage {
                shell: signed.shell("审计核验", "documents"),
                tabs: tabs(&signed, "/documents/audit"),
                result: Some(audit_view(&report, exported.map(|d| d.len()), &titles)),
                error: None,
            };
            render(&headers, StatusCode::OK, &page)
        }
        Err(e) => errors::service_page(Some(&signed), &headers, &e),
    }
}
