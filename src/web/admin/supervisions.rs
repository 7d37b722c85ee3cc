//! 督办授权: which office supervises which agencies (each mandate a subtree, between two
//! dates), granting and ending them. Admins only, as over GraphQL.

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::Response,
};
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use super::{
    Done, Notice, TreeLine, done, error_page, form_id, refusal, refuses_the_request, tree,
};
use crate::{
    http::AppState,
    service::{ServiceError, supervisions::GrantSupervision},
    store::supervisions::SupervisionFilter,
    web::{Shell, SignedIn, csrf::Posted, render},
};

/// A mandate in words.
#[derive(Clone, Debug)]
pub struct MandateLine {
    pub id: String,
    pub office: String,
    pub agency: String,
    pub from: String,
    /// Empty: open-ended.
    pub to: String,
    pub note: String,
    pub in_force: bool,
    /// Whether it can still be ended (not already ended in the past).
    pub endable: bool,
}

#[derive(Template)]
#[template(path = "web/admin_supervisions.html", blocks = ["content", "nav"])]
pub struct SupervisionsPage {
    pub shell: Shell,
    pub mandates: Vec<MandateLine>,
    pub agencies: Vec<TreeLine>,
    pub today: String,
    pub notice: Option<Notice>,
}
crate::web_page!(SupervisionsPage);

async fn show(
    state: &AppState,
    signed: &SignedIn,
    headers: &HeaderMap,
    notice: Option<Notice>,
) -> Response {
    let services = &state.services;
    let rows = match services
        .supervisions(&signed.actor, SupervisionFilter::default())
        .await
    {
        Ok(rows) => rows,
        Err(e) => return error_page(signed, headers, &e),
    };
    let all = match services.agency_tree(&signed.actor).await {
        Ok(all) => all,
        Err(e) => return error_page(signed, headers, &e),
    };
    let name = |id: Uuid| {
        all.iter()
            .find(|a| a.id == id)
            .map(|a| a.name.clone())
            .unwrap_or_default()
    };
    let today = services.today();
    let status = match &notice {
        Some(n) if !n.ok => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    render(
        headers,
        status,
        &SupervisionsPage {
            shell: signed.shell("管理 · 督办授权", "admin"),
            mandates: rows
                .iter()
                .map(|m| MandateLine {
                    id: m.id.to_string(),
                    office: name(m.office_id),
                    agency: name(m.agency_id),
                    from: m.valid_from.to_string(),
                    to: m.valid_to.map(|d| d.to_string()).unwrap_or_default(),
                    note: m.note.clone().unwrap_or_default(),
                    in_force: m.in_force_on(today),
                    endable: m.valid_to.is_none_or(|end| end > today),
                })
                .collect(),
            agencies: tree(&all),
            today: today.to_string(),
            notice,
        },
    )
}

/// GET /admin/supervisions.
pub async fn page(
    State(state): State<AppState>,
    signed: SignedIn,
    headers: HeaderMap,
    Query(q): Query<Done>,
) -> Response {
    show(&state, &signed, &headers, q.notice()).await
}

fn date(field: &'static str, value: &str) -> Result<Option<NaiveDate>, ServiceError> {
    match value.trim() {
        "" => Ok(None),
        d => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| ServiceError::invalid(field, "日期格式应为 2026-03-01")),
    }
}

#[derive(Deserialize)]
pub struct GrantForm {
    csrf: String,
    #[serde(default)]
    office: String,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    note: String,
}
crate::admin_form!(GrantForm);

/// POST /admin/supervisions: grants a mandate.
pub async fn grant(
    State(state): State<AppState>,
    headers: HeaderMap,
    posted: Posted<GrantForm>,
) -> Response {
    let Posted { signed, form } = posted;
    let result = async {
        let office_id = form_id("officeId", &form.office)?
            .ok_or_else(|| ServiceError::invalid("officeId", "请选择督办单位"))?;
        let agency_id = form_id("agencyId", &form.agency)?
            .ok_or_else(|| ServiceError::invalid("agencyId", "请选择被督办的单位"))?;
        state
            .services
            .grant_supervision(
                &signed.actor,
                GrantSupervision {
                    office_id,
                    agency_id,
                    valid_from: date("validFrom", &form.from)?,
                    valid_to: date("validTo", &form.to)?,
                    note: Some(form.note.clone()).filter(|n| !n.trim().is_empty()),
                },
            )
            .await
    }
    .await;
    match result {
        Ok(_) => done("/admin/supervisions", "granted"),
        Err(e) if refuses_the_request(&e) => error_page(&signed, &headers, &e),
        Err(e) => show(&state, &signed, &headers, Some(refusal(&e))).await,
    }
}

#[derive(Deserialize)]
pub struct EndForm {
    csrf: String,
    #[serde(default)]
    on: String,
}
crate::admin_form!(EndForm);

/// POST /admin/supervisions/{id}/end: the mandate is no longer in force from the day given
/// (today when none).
pub async fn end(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    posted: Posted<EndForm>,
) -> Response {
    let Posted { signed, form } = posted;
    let result = async {
        let on = date("on", &form.on)?;
        state.services.end_supervision(&signed.actor, id, on).await
    }
    .await;
    match result {
        Ok(_) => done("/admin/supervisions", "ended"),
        Err(e) if refuses_the_request(&e) => error_page(&signed, &headers, &e),
        Err(e) => show(&state, &signed, &headers, Some(refusal(&e))).await,
    }
}
