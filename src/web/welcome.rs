//! First sign-in (首次登录): the page a one-time link (`/welcome/<token>`) opens, where
//! the holder of an account created without a password chooses one and is signed in.
//! The link's checks (unknown, used, expired; throttled per address) are the service's
//! (`Services::welcome_account`, `Services::redeem_welcome_link`). The form, before any
//! session, is protected by a double-submit cookie like the sign-in form's.

use askama::Template;
use axum::{
    Form,
    extract::{ConnectInfo, Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{
    Shell,
    csrf::{self, PRE_SESSION_COOKIE},
    errors, render,
    session::{random_token, secure},
};
use crate::{
    http::{AppState, SESSION_COOKIE, client_address_of},
    service::sessions::ABSOLUTE_TIMEOUT,
};

#[derive(Template)]
#[template(path = "web/welcome.html", blocks = ["content", "nav"])]
pub struct WelcomePage {
    pub shell: Shell,
    /// The form's double-submit token.
    pub token: String,
    pub action: String,
    pub email: String,
    /// Whether the link works (the form is shown).
    pub usable: bool,
    pub error: Option<String>,
}
crate::web_page!(WelcomePage);

/// The page, with a fresh form token in its cookie (scoped to `/welcome`).
fn welcome_page(
    state: &AppState,
    headers: &HeaderMap,
    link: &str,
    email: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let token = random_token();
    let page = WelcomePage {
        shell: Shell::anonymous("首次登录"),
        token: token.clone(),
        action: format!("/welcome/{}", super::encode(link)),
        usable: email.is_some(),
        email: email.unwrap_or_default(),
        error,
    };
    let mut response = render(headers, status, &page);
    let cookie = format!(
        "{PRE_SESSION_COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/welcome{}",
        secure(state)
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// GET /welcome/{token}: the form to choose a password, or why the link does not work.
pub async fn form(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    Path(link): Path<String>,
    headers: HeaderMap,
) -> Response {
    let client = client_address_of(peer, &headers);
    match state.services.welcome_account(&link, Some(client)).await {
        Ok(account) => welcome_page(
            &state,
            &headers,
            &link,
            Some(account.email),
            None,
            StatusCode::OK,
        ),
        Err(e) => welcome_page(
            &state,
            &headers,
            &link,
            None,
            Some(errors::message(&e)),
            errors::status(e.code()),
        ),
    }
}

#[derive(Deserialize)]
pub struct WelcomeForm {
    csrf: Option<String>,
    new: String,
    confirm: String,
}

/// POST /welcome/{token}: sets the password, spends the link, signs in, goes home.
pub async fn set_password(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    Path(link): Path<String>,
    headers: HeaderMap,
    Form(form): Form<WelcomeForm>,
) -> Response {
    if !csrf::pre_session_ok(&headers, form.csrf.as_deref().unwrap_or_default()) {
        return errors::page_for(None, &headers, "CSRF");
    }
    let client = client_address_of(peer, &headers);
    if form.new != form.confirm {
        let email = state
            .services
            .welcome_account(&link, Some(client))
            .await
            .ok()
            .map(|a| a.email);
        return welcome_page(
            &state,
            &headers,
            &link,
            email,
            Some("两次输入的新密码不一致。".into()),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    match state
        .services
        .redeem_welcome_link(&link, &form.new, Some(client))
        .await
    {
        Ok(started) => {
            let cookie = format!(
                "{SESSION_COOKIE}={}; HttpOnly; SameSite=Lax; Path=/; Max-Age={}{}",
                started.secret,
                ABSOLUTE_TIMEOUT.num_seconds(),
                secure(&state)
            );
            let mut response = Redirect::to("/").into_response();
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            response
        }
        Err(e) => {
            // A password refused keeps the form; a link that stopped working does not.
            let email = match e.code() {
                "VALIDATION" => state
                    .services
                    .welcome_account(&link, Some(client))
                    .await
                    .ok()
                    .map(|a| a.email),
                _ => None,
            };
            welcome_page(
                &state,
                &headers,
                &link,
                email,
                Some(errors::message(&e)),
                errors::status(e.code()),
            )
        }
    }
}
