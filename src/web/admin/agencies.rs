//! 单位: the agency tree with a form to add one; renaming and moving (their forms are on
//! each agency's page, see [`super::people`]).

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::Response,
};
use serde::Deserialize;
use uuid::Uuid;

use super::{
    Done, Notice, TreeLine, done, error_page, form_id, refusal, refuses_the_request, tree,
};
use crate::{
    domain::AgencyKind,
    http::AppState,
    service::agencies::CreateAgency,
    web::{Shell, SignedIn, csrf::Posted, render},
};

#[derive(Template)]
#[template(path = "web/admin_agencies.html", blocks = ["content", "nav"])]
pub struct AgenciesPage {
    pub shell: Shell,
    pub tree: Vec<TreeLine>,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub notice: Option<Notice>,
    /// What was typed into the form, kept when it was refused.
    pub name: String,
    pub parent: String,
}
crate::web_page!(AgenciesPage);

fn kinds() -> Vec<(&'static str, &'static str)> {
    AgencyKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label()))
        .collect()
}

async fn show(
    state: &AppState,
    signed: &SignedIn,
    headers: &HeaderMap,
    status: StatusCode,
    notice: Option<Notice>,
    typed: (String, String),
) -> Response {
    match state.services.agency_tree(&signed.actor).await {
        Ok(rows) => render(
            headers,
            status,
            &AgenciesPage {
                shell: signed.shell("管理 · 单位", "admin"),
                tree: tree(&rows),
                kinds: kinds(),
                notice,
                name: typed.0,
                parent: typed.1,
            },
        ),
        Err(e) => error_page(signed, headers, &e),
    }
}

/// GET /admin: the agency tree.
pub async fn page(
    State(state): State<AppState>,
    signed: SignedIn,
    headers: HeaderMap,
    Query(q): Query<Done>,
) -> Response {
    show(
        &state,
        &signed,
        &headers,
        StatusCode::OK,
        q.notice(),
        Default::default(),
    )
    .await
}

#[derive(Deserialize)]
pub struct CreateForm {
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    parent: String,
    #[serde(default)]
    kind: String,
}
crate::admin_form!(CreateForm);

/// POST /admin/agencies: adds an agency (under the one chosen).
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    posted: Posted<CreateForm>,
) -> Response {
    let Posted { signed, form } = posted;
    let result = async {
        let parent_id = form_id("parentId", &form.parent)?;
        let kind = AgencyKind::parse(&form.kind).unwrap_or(AgencyKind::Department);
        state
            .services
            .create_agency(
                &signed.actor,
                CreateAgency {
                    name: form.name.clone(),
                    short_name: None,
                    parent_id,
                    kind,
                    time_zone: None,
                },
            )
            .await
    }
    .await;
    match result {
        Ok(_) => done("/admin", "created"),
        Err(e) if refuses_the_request(&e) => error_page(&signed, &headers, &e),
        Err(e) => {
            let status = crate::web::errors::status(e.code());
            show(
                &state,
                &signed,
                &headers,
                status,
                Some(refusal(&e)),
                (form.name, form.parent),
            )
            .await
        }
    }
}

#[derive(Deserialize)]
pub struct RenameForm {
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    short_name: String,
}
crate::admin_form!(RenameForm);

/// POST /admin/agencies/{id}/rename.
pub async fn rename(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    posted: Posted<RenameForm>,
) -> Response {
    let Posted { signed, form } = posted;
    let short = Some(form.short_name.as_str()).filter(|s| !s.trim().is_empty());
    match state
        .services
        .rename_agency(&signed.actor, id, &form.name, short)
        .await
    {
        Ok(_) => done(&format!("/admin/agencies/{id}"), "renamed"),
        Err(e) if refuses_the_request(&e) => error_page(&signed, &headers, &e),
        Err(e) => super::people::show(&state, &signed, &headers, id, Some(refusal(&e))).await,
    }
}

#[derive(Deserialize)]
pub struct MoveForm {
    csrf: String,
    #[serde(default)]
    parent: String,
}
crate::admin_form!(MoveForm);

/// POST /admin/agencies/{id}/move: puts the agency under another (empty: at the top).
pub async fn move_to(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    posted: Posted<MoveForm>,
) -> Response {
    let Posted { signed, form } = posted;
    let result = async {
        let parent = form_id("parentId", &form.parent)?;
        state.services.move_agency(&signed.actor, id, parent).await
    }
    .await;
    match result {
        Ok(_) => done(&format!("/admin/agencies/{id}"), "moved"),
        Err(e) if refuses_the_request(&e) => error_page(&signed, &headers, &e),
        Err(e) => super::people::show(&state, &signed, &headers, id, Some(refusal(&e))).await,
    }
}
