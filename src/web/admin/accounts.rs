//! 账户: the accounts, creating one with a first-sign-in link (shown once), and one
//! account's page — role and scope, disabling, a new password or link, its web sessions and
//! API tokens (each revocable).

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::Response,
};
use serde::Deserialize;
use uuid::Uuid;

use super::{
    Done, Notice, TreeLine, done, error_page, form_id, refusal, refuses_the_request, tree, when,
};
use crate::{
    domain::AccountRole,
    http::AppState,
    service::{ServiceError, administration::RoleChange, auth::AccountInput},
    store::page::PageRequest,
    web::{Shell, SignedIn, csrf::Posted, render, session::TokenOnly},
};

/// An account in the list.
#[derive(Clone, Debug)]
pub struct AccountLine {
    pub id: String,
    pub email: String,
    pub role: &'static str,
    pub agency: String,
    pub disabled: bool,
    pub waiting: bool,
}

/// A link just issued: shown this once.
#[derive(Clone, Debug)]
pub struct IssuedLink {
    pub email: String,
    pub url: String,
    pub expires: String,
    pub account: String,
}

fn roles() -> Vec<(&'static str, &'static str)> {
    AccountRole::ALL
        .iter()
        .map(|r| (r.as_str(), r.label()))
        .collect()
}

fn role_label(stored: &str) -> &'static str {
    AccountRole::parse(stored).map_or("", |r| r.label())
}

#[derive(Template)]
#[template(path = "web/admin_accounts.html", blocks = ["content", "nav"])]
pub struct AccountsPage {
    pub shell: Shell,
    pub accounts: Vec<AccountLine>,
    /// `?after=` for the next page.
    pub next: Option<String>,
    pub roles: Vec<(&'static str, &'static str)>,
    pub agencies: Vec<TreeLine>,
    pub link: Option<IssuedLink>,
    pub notice: Option<Notice>,
}
crate::web_page!(AccountsPage);

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    after: String,
}

async fn show_list(
    state: &AppState,
    signed: &SignedIn,
    headers: &HeaderMap,
    after: Option<Uuid>,
    link: Option<IssuedLink>,
    notice: Option<Notice>,
) -> Response {
    let services = &state.services;
    let all = match services.agency_tree(&signed.actor).await {
        Ok(all) => all,
        Err(e) => return error_page(signed, headers, &e),
    };
    let page = match services
        .accounts(&signed.actor, PageRequest::new(Some(100), after))
        .await
    {
        Ok(page) => page,
        Err(e) => return error_page(signed, headers, &e),
    };
    let name = |id: Option<Uuid>| {
        id.and_then(|id| all.iter().find(|a| a.id == id))
            .map(|a| a.name.clone())
            .unwrap_or_default()
    };
    let next = page
        .has_next_page
        .then(|| page.nodes.last().map(|a| a.id.to_string()))
        .flatten();
    let status = match &notice {
        Some(n) if !n.ok => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    render(
        headers,
        status,
        &AccountsPage {
            shell: signed.shell("管理 · 账户", "admin"),
            accounts: page
                .nodes
                .iter()
                .map(|a| AccountLine {
                    id: a.id.to_string(),
                    email: a.email.clone(),
                    role: role_label(&a.role),
                    agency: name(a.agency_id),
                    disabled: a.disabled_at.is_some(),
                    waiting: a.password_hash.is_none(),
                })
                .collect(),
            next,
            roles: roles(),
            agencies: tree(&all),
            link,
            notice,
        },
    )
}

/// GET /admin/accounts.
pub async fn list(
    State(state): State<AppState>,
    signed: SignedIn,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    let after = q.after.parse().ok();
    show_list(&state, &signed, &headers, after, None, None).await
}

#[derive(Deserialize)]
pub struct CreateForm {
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    person: String,
}
crate::admin_form!(CreateForm);

/// POST /admin/accounts: creates an account without a password and shows its
/// first-sign-in link once.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    posted: Posted<CreateForm>,
) -> Response {
    let Posted { signed, form } = posted;
    let result = async {
        let role = AccountRole::parse(&form.role)
            .map_err(|_| ServiceError::invalid("role", "请选择角色"))?;
        state
            .services
            .create_account_with_link(
                &signed.actor,
                AccountInput {
                    email: form.email.clone(),
                    password: None,
                    role,
                    agency_id: form_id("agencyId", &form.agency)?,
                    person_id: form_id("personId", &form.person)?,
                },
            )
            .await
    }
    .await;
    match result {
        Ok((account, link)) => {
            let link = link.map(|l| IssuedLink {
                email: account.email.clone(),
                url: format!("{}{}", state.public_url.trim_end_matches('/'), l.path),
                expires: when(&state, l.expires_at),
                account: account.id.to_string(),
            });
            show_list(&state, &signed, &headers, None, link, None).await
        }
        Err(e) if refuses_the_request(&e) => error_page(&signed, &headers, &e),
        Err(e) => show_list(&state, &signed, &headers, None, None, Some(refusal(&e))).await,
    }
}

/// A live web session of the account.
#[derive(Clone, Debug)]
pub struct SessionLine {
    pub id: String,
    pub started: String,
    pub last_seen: String,
}

/// An API token of the account.
#[derive(Clone, Debug)]
pub struct TokenLine {
    pub id: String,
    pub name: String,
    pub created: String,
    /// 有效, 已撤销 or 已过期.
    pub status: &'static str,
    pub live: bool,
}

/// A person the account may act for.
#[derive(Clone, Debug)]
pub struct PersonChoice {
    pub id: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "web/admin_account.html", blocks = ["content", "nav"])]
pub struct AccountPage {
    pub shell: Shell,
    pub id: String,
    pub email: String,
    pub role: String,
    pub role_label: &'static str,
    pub agency_id: String,
    pub agency: String,
    pub person_id: String,
    pub person: String,
    pub disabled: bool,
    pub waiting: bool,
    pub created: String,
    pub roles: Vec<(&'static str, &'static str)>,
    pub agencies: Vec<TreeLine>,
    pub persons: Vec<PersonChoice>,
    pub sessions: Vec<SessionLine>,
    pub tokens: Vec<TokenLine>,
    pub link: Option<IssuedLink>,
    pub notice: Option<Notice>,
}
crate::web_page!(AccountPage);

async fn show(
    state: &AppState,
    signed: &SignedIn,
    headers: &HeaderMap,
    id: Uuid,
    link: Option<IssuedLink>,
    notice: Option<Notice>,
) -> Response {
    let view = match state.services.account_admin(&signed.actor, id).await {
        Ok(view) => view,
        Err(e) => return error_page(signed, headers, &e),
    };
    let status = match &notice {
        Some(n) if !n.ok => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    let a = &view.account;
    let now = chrono::Utc::now();
    let page = AccountPage {
        shell: signed.shell(&format!("管理 · {}", a.email), "admin"),
        id: a.id.to_string(),
        email: a.email.clone(),
        role: a.role.clone(),
        role_label: role_label(&a.role),
        agency_id: a.agency_id.map(|i| i.to_string()).unwrap_or_default(),
        agency: a
            .agency_id
            .and_then(|i| view.all.iter().find(|x| x.id == i))
            .map(|x| x.name.clone())
            .unwrap_or_default(),
        person_id: a.person_id.map(|i| i.to_string()).unwrap_or_default(),
        person: view
            .person
            .as_ref()
            .map(|p| p.name.clone())
            .unwrap_or_default(),
        disabled: a.disabled_at.is_some(),
        waiting: a.password_hash.is_none(),
        created: when(state, a.created_at),
        roles: roles(),
        agencies: tree(&view.all),
        persons: view
            .persons
            .iter()
            .map(|p| PersonChoice {
                id: p.id.to_string(),
                name: p.name.clone(),
            })
            .collect(),
        sessions: view
            .sessions
            .iter()
            .map(|s| SessionLine {
                id: s.id.to_string(),
                started: when(state, s.created_at),
                last_seen: when(state, s.last_seen_at),
            })
            .collect(),
        tokens: view
            .tokens
            .iter()
            .map(|t| {
                let (status, live) = if t.revoked_at.is_some() {
                    ("已撤销", false)
                } else if t.expires_at.is_some_and(|e| e <= now) {
                    ("已过期", false)
                } else {
                    ("有效", true)
                };
                TokenLine {
                    id: t.id.to_string(),
                    name: t.name.clone(),
                    created: when(state, t.created_at),
                    status,
                    live,
                }
            })
            .collect(),
        link,
        notice,
    };
    render(headers, status, &page)
}

/// GET /admin/accounts/{id}.
pub async fn page(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    signed: SignedIn,
    headers: HeaderMap,
    Query(q): Query<Done>,
) -> Response {
    show(&state, &signed, &headers, id, None, q.notice()).await
}

/// After a change on an account's page: back to it, or the reason it was refused.
async fn after(
    state: &AppState,
    signed: &SignedIn,
    headers: &HeaderMap,
    id: Uuid,
    result: Result<(), ServiceError>,
    key: &str,
) -> Response {
    match result {
        Ok(()) => done(&format!("/admin/accounts/{id}"), key),
        Err(e) if refuses_the_request(&e) => error_page(signed, headers, &e),
        Err(e) => show(state, signed, headers, id, None, Some(refusal(&e))).await,
    }
}

/// POST /admin/accounts/{id}: a new first-sign-in link, shown once.
pub async fn issue_link(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    posted: Posted<TokenOnly>,
) -> Response {
    let signed = posted.signed;
    match state.services.issue_welcome_link(&signed.actor, id).await {
        Ok(l) => {
            let link = IssuedLink {
                email: String::new(),
                url: format!("{}{}", state.public_url.trim_end_matches('/'), l.path),
                expires: when(&state, l.expires_at),
                account: id.to_string(),
            };
            show(&state, &signed, &headers, id, Some(link), None).await
        }
        Err(e) if refuses_the_request(&e) => error_page(&signed, &headers, &e),
        Err(e) => show(&state, &signed, &headers, id, None, Some(refusal(&e))).await,
    }
}

#[derive(Deserialize)]
pub struct RoleForm {
    csrf: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    person: String,
}
crate::admin_form!(RoleForm);

/// POST /admin/accounts/{id}/role: a new role and scope.
pub async fn change_role(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    posted: Posted<RoleForm>,
) -> Response {
    let Posted { signed, form } = posted;
    let result = async {
        let role = AccountRole::parse(&form.role)
            .map_err(|_| ServiceError::invalid("role", "请选择角色"))?;
        let change = RoleChange {
            role,
            agency_id: form_id("agencyId", &form.agency)?,
            person_id: form_id("personId", &form.person)?,
        };
        state
            .services
            .change_account_role(&signed.actor, id, change)
            .await
            .map(|_| ())
    }
    .await;
    after(&state, &signed, &headers, id, result, "role").await
}

/// POST /admin/accounts/{id}/disable: its sessions and tokens stop working at once.
pub async fn disable(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    posted: Posted<TokenOnly>,
) -> Response {
    let signed = posted.signed;
    let result = state
        .services
        .set_account_disabled(&signed.actor, id, true)
        .await
        .map(|_| ());
    after(&state, &signed, &headers, id, result, "disabled").await
}

/// POST /admin/accounts/{id}/enable.
pub async fn enable(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    posted: Posted<TokenOnly>,
) -> Response {
    let signed = posted.signed;
    let result = state
        .services
        .set_account_disabled(&signed.actor, id, false)
        .await
        .map(|_| ());
    after(&state, &signed, &headers, id, result, "enabled").await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    csrf: String,
    #[serde(default)]
    password: String,
}
crate::admin_form!(PasswordForm);

/// POST /admin/accounts/{id}/password: sets a new password; its tokens end.
pub async fn reset_password(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    posted: Posted<PasswordForm>,
) -> Response {
    let Posted { signed, form } = posted;
    let result = state
        .services
        .reset_password(&signed.actor, id, &form.password)
        .await;
    after(&state, &signed, &headers, id, result, "password").await
}

#[derive(Deserialize)]
pub struct BackForm {
    csrf: String,
    /// The account whose page to return to.
    #[serde(default)]
    account: String,
}
crate::admin_form!(BackForm);

fn back_to(form: &BackForm) -> String {
    match form.account.parse::<Uuid>() {
        Ok(id) => format!("/admin/accounts/{id}"),
        Err(_) => "/admin/accounts".into(),
    }
}

/// POST /admin/sessions/{id}/revoke: signs that session out.
pub async fn revoke_session(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    posted: Posted<BackForm>,
) -> Response {
    let Posted { signed, form } = posted;
    match state.services.revoke_session(&signed.actor, id).await {
        Ok(()) => done(&back_to(&form), "session"),
        Err(e) => error_page(&signed, &headers, &e),
    }
}

/// POST /admin/tokens/{id}/revoke.
pub async fn revoke_token(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    posted: Posted<BackForm>,
) -> Response {
    let Posted { signed, form } = posted;
    match state.services.revoke_token(&signed.actor, id).await {
        Ok(()) => done(&back_to(&form), "token"),
        Err(e) => error_page(&signed, &headers, &e),
    }
}
