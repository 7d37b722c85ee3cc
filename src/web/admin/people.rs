//! One agency's administration page: its name and place in the tree (the forms of
//! [`super::agencies`]), its persons (with a form to open an account for each), its posts
//! and who held them (appointing, with the history), and its reminder webhook (the URL
//! masked, the 加签 secret never shown back).

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
    Done, Notice, TreeLine, done, error_page, form_id, refusal, refuses_the_request, subtree, tree,
};
use crate::{
    domain::AccountRole,
    http::AppState,
    service::{
        ServiceError,
        persons::CreatePerson,
        webhooks::{SecretChange, mask_url},
    },
    web::{Shell, SignedIn, csrf::Posted, render},
};

/// A person of the agency.
#[derive(Clone, Debug)]
pub struct PersonLine {
    pub id: String,
    pub name: String,
    pub title: String,
    pub email: String,
}

/// One holder's time in a post, in words.
#[derive(Clone, Debug)]
pub struct TenureLine {
    pub name: String,
    pub from: String,
    /// Empty while it lasts.
    pub to: String,
}

/// A post with its holder today and its history, newest first.
#[derive(Clone, Debug)]
pub struct PostLine {
    pub id: String,
    pub title: String,
    pub holder: String,
    pub history: Vec<TenureLine>,
}

#[derive(Template)]
#[template(path = "web/admin_agency.html", blocks = ["content", "nav"])]
pub struct AgencyPage {
    pub shell: Shell,
    pub id: String,
    pub name: String,
    pub short_name: String,
    pub kind: &'static str,
    pub parent: Option<(String, String)>,
    /// Where it may move: every agency outside its own subtree.
    pub parents: Vec<TreeLine>,
    pub persons: Vec<PersonLine>,
    pub posts: Vec<PostLine>,
    /// The webhook's URL, masked; empty when none is set.
    pub webhook: String,
    pub webhook_signed: bool,
    /// Roles an account opened for one of its persons may have.
    pub roles: Vec<(&'static str, &'static str)>,
    pub today: String,
    pub notice: Option<Notice>,
}
crate::web_page!(AgencyPage);

/// Renders the agency's page (status 422 when `notice` is a refusal).
pub async fn show(
    state: &AppState,
    signed: &SignedIn,
    headers: &HeaderMap,
    id: Uuid,
    notice: Option<Notice>,
) -> Response {
    let view = match state.services.agency_admin(&signed.actor, id).await {
        Ok(view) => view,
        Err(e) => return error_page(signed, headers, &e),
    };
    let status = match &notice {
        Some(n) if !n.ok => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    let names: std::collections::HashMap<Uuid, String> = view
        .persons
        .iter()
        .chain(view.other_holders.iter())
        .map(|p| (p.id, p.name.clone()))
        .collect();
    let name_of = |id: Uuid| {
        names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| "（其他单位人员）".into())
    };
    let today = state.services.today();
    let inside = subtree(&view.all, id);
    let parents = tree(&view.all)
        .into_iter()
        .filter(|l| l.id.parse().is_ok_and(|u: Uuid| !inside.contains(&u)))
        .collect();
    let parent = view.agency.parent_id.and_then(|p| {
        view.all
            .iter()
            .find(|a| a.id == p)
            .map(|a| (a.id.to_string(), a.name.clone()))
    });
    let page = AgencyPage {
        shell: signed.shell(&format!("管理 · {}", view.agency.name), "admin"),
        id: id.to_string(),
        name: view.agency.name.clone(),
        short_name: view.agency.short_name.clone().unwrap_or_default(),
        kind: crate::domain::AgencyKind::parse(&view.agency.kind).map_or("", |k| k.label()),
        parent,
        parents,
        persons: view
            .persons
            .iter()
            .map(|p| PersonLine {
                id: p.id.to_string(),
                name: p.name.clone(),
                title: p.title.clone().unwrap_or_default(),
                email: p.email.clone().unwrap_or_default(),
            })
            .collect(),
        posts: view
            .posts
            .iter()
            .map(|p| PostLine {
                id: p.post.id.to_string(),
                title: p.post.title.clone(),
                holder: p
                    .tenures
                    .iter()
                    .find(|t| t.started_on <= today && t.ended_on.is_none_or(|e| e > today))
                    .map(|t| name_of(t.person_id))
                    .unwrap_or_default(),
                history: p
                    .tenures
                    .iter()
                    .rev()
                    .map(|t| TenureLine {
                        name: name_of(t.person_id),
                        from: t.started_on.to_string(),
                        to: t.ended_on.map(|d| d.to_string()).unwrap_or_default(),
                    })
                    .collect(),
            })
            .collect(),
        webhook: view
            .webhook
            .as_ref()
            .map(|w| mask_url(&w.url))
            .unwrap_or_default(),
        webhook_signed: view.webhook.as_ref().is_some_and(|w| w.secret.is_some()),
        roles: [
            AccountRole::Leader,
            AccountRole::Person,
            AccountRole::Coordinator,
            AccountRole::Supervisor,
        ]
        .iter()
        .map(|r| (r.as_str(), r.label()))
        .collect(),
        today: today.to_string(),
        notice,
    };
    render(headers, status, &page)
}

/// GET /admin/agencies/{id}.
pub async fn page(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    signed: SignedIn,
    headers: HeaderMap,
    Query(q): Query<Done>,
) -> Response {
    show(&state, &signed, &headers, id, q.notice()).await
}

/// After a change on the agency's page: back to it, or the reason it was refused.
async fn after(
    state: &AppState,
    signed: &SignedIn,
    headers: &HeaderMap,
    id: Uuid,
    result: Result<(), ServiceError>,
    key: &str,
) -> Response {
    match result {
        Ok(()) => done(&format!("/admin/agencies/{id}"), key),
        Err(e) if refuses_the_request(&e) => error_page(signed, headers, &e),
        Err(e) => show(state, signed, headers, id, Some(refusal(&e))).await,
    }
}

#[derive(Deserialize)]
pub struct PersonForm {
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    email: String,
}
crate::admin_form!(PersonForm);

fn optional(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// POST /admin/agencies/{id}/persons.
pub async fn create_person(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    posted: Posted<PersonForm>,
) -> Response {
    let Posted { signed, form } = posted;
    let result = state
        .services
        .create_person(
            &signed.actor,
            CreatePerson {
                agency_id: id,
                name: form.name,
                title: optional(&form.title),
                email: optional(&form.email),
                phone: None,
            },
        )
        .await
        .map(|_| ());
    after(&state, &signed, &headers, id, result, "person").await
}

#[derive(Deserialize)]
pub struct PostForm {
    csrf: String,
    #[serde(default)]
    title: String,
}
crate::admin_form!(PostForm);

/// POST /admin/agencies/{id}/posts.
pub async fn create_post(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    posted: Posted<PostForm>,
) -> Response {
    let Posted { signed, form } = posted;
    let result = state
        .services
        .create_post(&signed.actor, id, &form.title)
        .await
        .map(|_| ());
    after(&state, &signed, &headers, id, result, "post").await
}

#[derive(Deserialize)]
pub struct AppointForm {
    csrf: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    from: String,
}
crate::admin_form!(AppointForm);

/// POST /admin/posts/{id}/appoint: the person chosen holds the post from the day given.
pub async fn appoint(
    State(state): State<AppState>,
    Path(post_id): Path<Uuid>,
    headers: HeaderMap,
    posted: Posted<AppointForm>,
) -> Response {
    let Posted { signed, form } = posted;
    let post = match state.services.post(&signed.actor, post_id).await {
        Ok(post) => post,
        Err(e) => return error_page(&signed, &headers, &e),
    };
    let result = async {
        let person = form_id("personId", &form.person)?
            .ok_or_else(|| ServiceError::invalid("personId", "请选择任职人员"))?;
        let from = match form.from.trim() {
            "" => None,
            d => Some(
                NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map_err(|_| ServiceError::invalid("from", "日期格式应为 2026-03-01"))?,
            ),
        };
        state
            .services
            .appoint(&signed.actor, post_id, person, from)
            .await
            .map(|_| ())
    }
    .await;
    after(
        &state,
        &signed,
        &headers,
        post.agency_id,
        result,
        "appointed",
    )
    .await
}

#[derive(Deserialize)]
pub struct WebhookForm {
    csrf: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    secret: String,
    /// `keep`, `clear` or `set` (the secret typed).
    #[serde(default)]
    secret_change: String,
    /// `1`: remove the webhook.
    #[serde(default)]
    remove: String,
}
crate::admin_form!(WebhookForm);

/// POST /admin/agencies/{id}/webhook: sets or removes the agency's reminder robot.
pub async fn set_webhook(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    posted: Posted<WebhookForm>,
) -> Response {
    let Posted { signed, form } = posted;
    let result = async {
        let url = if form.remove == "1" {
            None
        } else {
            Some(form.url.trim().to_owned())
                .filter(|u| !u.is_empty())
                .map(Some)
                .ok_or_else(|| ServiceError::invalid("url", "请填写 webhook 地址"))?
        };
        let secret = match (form.secret_change.as_str(), form.secret.trim()) {
            ("clear", _) => SecretChange::Clear,
            (_, "") => SecretChange::Keep,
            (_, s) => SecretChange::Set(s.to_owned()),
        };
        state
            .services
            .set_agency_webhook(&signed.actor, id, url, secret)
            .await
            .map(|_| ())
    }
    .await;
    after(&state, &signed, &headers, id, result, "webhook").await
}
