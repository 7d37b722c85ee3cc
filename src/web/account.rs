//! 我的账户: my name, role and agency, my password and large-text mode, my calendar feed
//! link (made here, shown once), and where I am signed in (with signing out everywhere
//! else). What is shown and changed is the services' (`Services::profile` and friends).

use askama::Template;
use axum::{
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};

use super::{Shell, SignedIn, csrf::Posted, errors, render, session::TokenOnly};
use crate::{domain::AccountRole, http::AppState, service::profile::Profile};

/// A calendar feed, in words.
#[derive(Clone, Debug)]
pub struct FeedLine {
    pub id: String,
    pub created: String,
    pub revoked: bool,
}

/// A place the account is signed in.
#[derive(Clone, Debug)]
pub struct SessionLine {
    pub started: String,
    pub last_seen: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "web/account.html", blocks = ["content", "nav"])]
pub struct AccountPage {
    pub shell: Shell,
    pub name: String,
    pub email: String,
    pub role: &'static str,
    pub agency: String,
    pub title: String,
    /// Whether the account acts for a person (only a person has a calendar).
    pub has_person: bool,
    pub feeds: Vec<FeedLine>,
    /// A feed's address just made: shown this once.
    pub new_feed_url: Option<String>,
    pub sessions: Vec<SessionLine>,
    pub notice: Option<&'static str>,
}
crate::web_page!(AccountPage);

fn account_page(
    state: &AppState,
    signed: &SignedIn,
    profile: Profile,
    new_feed_url: Option<String>,
    notice: Option<&'static str>,
) -> AccountPage {
    let tz = state.services.zone(None);
    let when = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
    };
    AccountPage {
        shell: signed.shell("我的账户", "account"),
        name: signed.name.clone(),
        email: profile.account.email.clone(),
        role: AccountRole::parse(&profile.account.role).map_or("", |r| r.label()),
        agency: profile.agency.map(|a| a.name).unwrap_or_default(),
        title: profile
            .person
            .as_ref()
            .and_then(|p| p.title.clone())
            .unwrap_or_default(),
        has_person: profile.person.is_some(),
        feeds: profile
            .feeds
            .iter()
            .map(|f| FeedLine {
                id: f.id.to_string(),
                created: when(f.created_at),
                revoked: f.revoked_at.is_some(),
            })
            .collect(),
        new_feed_url,
        sessions: profile
            .sessions
            .iter()
            .map(|s| SessionLine {
                started: when(s.created_at),
                last_seen: when(s.last_seen_at),
                current: s.id == signed.session.session.id,
            })
            .collect(),
        notice,
    }
}

/// GET /account.
pub async fn page(State(state): State<AppState>, signed: SignedIn, headers: HeaderMap) -> Response {
    match state.services.profile(&signed.actor).await {
        Ok(profile) => render(
            &headers,
            StatusCode::OK,
            &account_page(&state, &signed, profile, None, None),
        ),
        Err(e) => errors::service_page(Some(&signed), &headers, &e),
    }
}

/// POST /account/calendar: makes a new calendar feed and shows its address once.
pub async fn new_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    posted: Posted<TokenOnly>,
) -> Response {
    let signed = posted.signed;
    let services = &state.services;
    let issued = match services.create_calendar_feed(&signed.actor).await {
        Ok(issued) => issued,
        Err(e) => return errors::service_page(Some(&signed), &headers, &e),
    };
    let url = format!(
        "{}/calendar/{}.ics",
        state.public_url.trim_end_matches('/'),
        issued.token
    );
    match services.profile(&signed.actor).await {
        Ok(profile) => render(
            &headers,
            StatusCode::OK,
            &account_page(&state, &signed, profile, Some(url), None),
        ),
        Err(e) => errors::service_page(Some(&signed), &headers, &e),
    }
}

/// POST /account/calendar/{id}/revoke: stops a feed.
pub async fn revoke_feed(
    State(state): State<AppState>,
    Path(id): Path<uuid::Uuid>,
    headers: HeaderMap,
    posted: Posted<TokenOnly>,
) -> Response {
    let signed = posted.signed;
    match state.services.revoke_calendar_feed(&signed.actor, id).await {
        Ok(_) => Redirect::to("/account").into_response(),
        Err(e) => errors::service_page(Some(&signed), &headers, &e),
    }
}

/// POST /account/sessions/end-others: signs out everywhere but here.
pub async fn end_others(
    State(state): State<AppState>,
    headers: HeaderMap,
    posted: Posted<TokenOnly>,
) -> Response {
    let signed = posted.signed;
    let services = &state.services;
    if let Err(e) = services
        .end_other_sessions(&signed.actor, signed.session.session.id)
        .await
    {
        return errors::service_page(Some(&signed), &headers, &e);
    }
    match services.profile(&signed.actor).await {
        Ok(profile) => render(
            &headers,
            StatusCode::OK,
            &account_page(
                &state,
                &signed,
                profile,
                None,
                Some("其他设备上的登录已全部退出。"),
            ),
        ),
        Err(e) => errors::service_page(Some(&signed), &headers, &e),
    }
}
