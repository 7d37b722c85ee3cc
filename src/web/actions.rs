//! The item's forms: take an action (accept with measures, report progress, ask for an
//! extension, submit, or an action that needs a comment) and add evidence (files, a note,
//! a link). On success, back to the item page (POST → redirect → GET); when refused, the
//! page again with the reason in Chinese and what was typed kept.

use axum::{
    extract::{FromRequest, FromRequestParts, Multipart, Path, Request, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use uuid::Uuid;

use super::{
    SignedIn,
    csrf::{self, CsrfForm, Posted},
    errors,
    items::{Draft, Outcome, item_page},
};
use crate::{
    http::AppState,
    service::{ServiceError, evidence::EvidenceInput, workflow::TransitionInput},
};

/// The fields of every action form (each action reads what it needs).
#[derive(Deserialize)]
pub struct ActForm {
    csrf: String,
    action: String,
    version: String,
    #[serde(flatten)]
    draft: Draft,
}

impl CsrfForm for ActForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// POST /items/<id>/act.
pub async fn act(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    posted: Posted<ActForm>,
) -> Response {
    let Posted { signed, form } = posted;
    let Ok(id) = Uuid::parse_str(&id) else {
        return errors::page_for(Some(&signed), &headers, "NOT_FOUND");
    };
    let services = &state.services;
    let actor = &signed.actor;
    let draft = &form.draft;
    let result = async {
        let version: i32 =
            form.version.trim().parse().map_err(|_| {
                ServiceError::invalid("version", "表单的版本号无效，请刷新页面后重试")
            })?;
        let comment = Some(draft.comment.trim().to_owned()).filter(|c| !c.is_empty());
        match form.action.as_str() {
            "report_progress" => services
                .report_progress(actor, id, draft.progress.clone(), version)
                .await
                .map(drop),
            "request_extension" => {
                let due_on = draft.due_on.trim().parse().map_err(|_| {
                    ServiceError::invalid("dueOn", "日期格式应为 年-月-日，如 2027-03-31")
                })?;
                services
                    .request_extension(actor, id, due_on, draft.reason.clone(), version)
                    .await
                    .map(drop)
            }
            action => {
                let measures = (action == "accept").then(|| draft.measures.trim().to_owned());
                let input = TransitionInput {
                    comment,
                    outcome: None,
                    measures: measures.filter(|m| !m.is_empty()),
                };
                services
                    .transition_item(actor, id, action, input, version)
                    .await
                    .map(drop)
            }
        }
    }
    .await;
    match result {
        Ok(()) => Redirect::to(&format!("/items/{id}?done={}", super::encode(&form.action)))
            .into_response(),
        Err(e) => refused(&state, &signed, &headers, id, &e, form.draft, form.action).await,
    }
}

/// The item page again, with why the change was refused and what was typed.
async fn refused(
    state: &AppState,
    signed: &SignedIn,
    headers: &HeaderMap,
    id: Uuid,
    e: &ServiceError,
    draft: Draft,
    open: String,
) -> Response {
    match e.code() {
        // Nothing to show the page with: the error page.
        "NOT_FOUND" | "FORBIDDEN" | "UNAUTHENTICATED" | "UNAVAILABLE" | "INTERNAL" => {
            errors::service_page(Some(signed), headers, e)
        }
        _ => {
            let outcome = Outcome {
                status: errors::status(e.code()),
                error: Some(errors::message(e)),
                draft,
                open,
                ..Outcome::default()
            };
            item_page(state, signed, headers, id, outcome).await
        }
    }
}

/// The most files one evidence form may carry.
const MAX_FILES: usize = 10;

/// What an evidence form carried.
#[derive(Default)]
struct EvidenceForm {
    csrf: String,
    files: Vec<(String, Vec<u8>)>,
    note: String,
    link: String,
    link_name: String,
}

/// Reads the multipart evidence form, bounded: at most [`MAX_FILES`] files, each at most
/// `max_file` bytes (the whole body is bounded by the router's limit).
async fn read_evidence_form(
    mut multipart: Multipart,
    max_file: usize,
) -> Result<EvidenceForm, ServiceError> {
    let mut form = EvidenceForm::default();
    let too_large =
        || ServiceError::TooLarge(format!("evidence files may be at most {max_file} bytes"));
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| ServiceError::invalid("file", "上传的表单无法读取，请重新选择文件后提交"))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let bytes = field.bytes().await.map_err(|_| too_large())?;
        match name.as_str() {
            "files" => {
                let Some(file_name) = file_name.filter(|n| !n.is_empty()) else {
                    continue;
                };
                if bytes.is_empty() {
                    continue;
                }
                if bytes.len() > max_file {
                    return Err(too_large());
                }
                if form.files.len() >= MAX_FILES {
                    return Err(ServiceError::invalid("file", "一次最多上传 10 个文件"));
                }
                form.files.push((file_name, bytes.to_vec()));
            }
            "csrf" | "note" | "link" | "link_name" => {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                match name.as_str() {
                    "csrf" => form.csrf = text,
                    "note" => form.note = text,
                    "link" => form.link = text,
                    _ => form.link_name = text,
                }
            }
            _ => {}
        }
    }
    Ok(form)
}

/// POST /items/<id>/evidence: files (several), a note, a link — each added as evidence.
pub async fn add_evidence(
    State(state): State<AppState>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let (mut parts, body) = req.into_parts();
    let signed = match SignedIn::from_request_parts(&mut parts, &state).await {
        Ok(s) => s,
        Err(response) => return response,
    };
    let headers = parts.headers.clone();
    let req = Request::from_parts(parts, body);
    let Ok(multipart) = Multipart::from_request(req, &state).await else {
        return csrf::refused(&signed, &headers);
    };
    let form = match read_evidence_form(multipart, state.services.max_upload_bytes).await {
        Ok(form) => form,
        Err(e) => {
            return errors::service_page(Some(&signed), &headers, &e);
        }
    };
    if !csrf::matches(&signed.session.session.csrf_token, &form.csrf) {
        return csrf::refused(&signed, &headers);
    }
    let Ok(id) = Uuid::parse_str(&id) else {
        return errors::page_for(Some(&signed), &headers, "NOT_FOUND");
    };
    let mut inputs: Vec<EvidenceInput> = form
        .files
        .into_iter()
        .map(|(name, bytes)| EvidenceInput::File { name, bytes })
        .collect();
    if !form.note.trim().is_empty() {
        inputs.push(EvidenceInput::Note {
            name: "整改说明".to_owned(),
            text: form.note.trim().to_owned(),
        });
    }
    if !form.link.trim().is_empty() {
        let name = Some(form.link_name.trim())
            .filter(|n| !n.is_empty())
            .unwrap_or(form.link.trim())
            .chars()
            .take(255)
            .collect();
        inputs.push(EvidenceInput::Link {
            name,
            url: form.link.trim().to_owned(),
        });
    }
    if inputs.is_empty() {
        let outcome = Outcome {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            error: Some("请选择要上传的文件，或填写说明、链接。".to_owned()),
            open: "evidence".to_owned(),
            ..Outcome::default()
        };
        return item_page(&state, &signed, &headers, id, outcome).await;
    }
    for input in inputs {
        if let Err(e) = state.services.add_evidence(&signed.actor, id, input).await {
            return refused(
                &state,
                &signed,
                &headers,
                id,
                &e,
                Draft::default(),
                "evidence".to_owned(),
            )
            .await;
        }
    }
    Redirect::to(&format!("/items/{id}?done=evidence")).into_response()
}

/// The comment form.
#[derive(Deserialize)]
pub struct CommentForm {
    csrf: String,
    #[serde(default)]
    comment: String,
}

impl CsrfForm for CommentForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// POST /items/<id>/comment: a 批示 or 留言 on the item.
pub async fn comment(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    posted: Posted<CommentForm>,
) -> Response {
    let Posted { signed, form } = posted;
    let Ok(id) = Uuid::parse_str(&id) else {
        return errors::page_for(Some(&signed), &headers, "NOT_FOUND");
    };
    match state
        .services
        .add_comment(&signed.actor, id, &form.comment)
        .await
    {
        Ok(_) => Redirect::to(&format!("/items/{id}?done=comment")).into_response(),
        Err(e) => {
            let draft = Draft {
                comment: form.comment,
                ..Draft::default()
            };
            refused(
                &state,
                &signed,
                &headers,
                id,
                &e,
                draft,
                "comment".to_owned(),
            )
            .await
        }
    }
}
