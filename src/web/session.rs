//! Signing in and out, changing one's password, and the large-text mode (长辈模式).
//! The password is checked by the service (`Services::start_session` →
//! `Services::check_password`, the same check as GraphQL `login`).

use askama::Template;
use axum::{
    Form,
    extract::{Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{
    Shell, SignedIn,
    csrf::{self, CsrfForm, PRE_SESSION_COOKIE, Posted},
    errors, render,
};
use crate::{
    http::{AppState, Caller, SESSION_COOKIE},
    service::{ServiceError, sessions::ABSOLUTE_TIMEOUT},
};

#[derive(Template)]
#[template(path = "web/login.html", blocks = ["content", "nav"])]
pub struct LoginPage {
    pub shell: Shell,
    pub token: String,
    pub next: String,
    pub email: String,
    pub error: Option<String>,
}
crate::web_page!(LoginPage);

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Where to go after signing in: a path on this site, never another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && n.len() <= 2000
                && !n.chars().any(|c| c.is_control() || c == '\\') =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// The `Secure` attribute when the service is reached over https.
pub(super) fn secure(state: &AppState) -> &'static str {
    if state.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    }
}

pub(super) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    if getrandom::fill(&mut bytes).is_err() {
        return String::new();
    }
    hex::encode(bytes)
}

/// GET /login: the sign-in form (straight on to `next` when already signed in).
pub async fn form(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<NextQuery>,
    headers: HeaderMap,
) -> Response {
    let next = safe_next(query.next.as_deref());
    if caller.session.is_some() {
        return Redirect::to(&next).into_response();
    }
    login_page(&state, &headers, next, String::new(), None, StatusCode::OK)
}

fn login_page(
    state: &AppState,
    headers: &HeaderMap,
    next: String,
    email: String,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let token = random_token();
    let page = LoginPage {
        shell: Shell::anonymous("登录"),
        token: token.clone(),
        next,
        email,
        error,
    };
    let mut response = render(headers, status, &page);
    let cookie = format!(
        "{PRE_SESSION_COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/login{}",
        secure(state)
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

#[derive(Deserialize)]
pub struct SignInForm {
    email: String,
    password: String,
    csrf: Option<String>,
    next: Option<String>,
}

/// POST /login: checks the password through the service, starts a session, goes on.
pub async fn sign_in(
    State(state): State<AppState>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let client = crate::http::client_address_of(peer, &headers);
    let next = safe_next(form.next.as_deref());
    if !csrf::pre_session_ok(&headers, form.csrf.as_deref().unwrap_or_default()) {
        return errors::page_for(None, &headers, "CSRF");
    }
    match state
        .services
        .start_session(&form.email, &form.password, Some(client))
        .await
    {
        Ok(started) => {
            let cookie = format!(
                "{SESSION_COOKIE}={}; HttpOnly; SameSite=Lax; Path=/; Max-Age={}{}",
                started.secret,
                ABSOLUTE_TIMEOUT.num_seconds(),
                secure(&state)
            );
            let mut response = Redirect::to(&next).into_response();
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            response
        }
        Err(e) => {
            let (message, status) = match &e {
                ServiceError::Unauthenticated | ServiceError::WrongCredentials => (
                    errors::sentence("WRONG_CREDENTIALS").to_owned(),
                    StatusCode::UNAUTHORIZED,
                ),
                other => (errors::message(other), errors::status(other.code())),
            };
            login_page(
                &state,
                &headers,
                next,
                form.email.chars().take(254).collect(),
                Some(message),
                status,
            )
        }
    }
}

/// A form with nothing but its token.
#[derive(Deserialize)]
pub struct TokenOnly {
    csrf: String,
}

impl CsrfForm for TokenOnly {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// POST /logout: ends the session and forgets the cookie.
pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    posted: Posted<TokenOnly>,
) -> Response {
    let signed = posted.signed;
    if let Err(e) = state.services.end_session(signed.session.session.id).await {
        return errors::service_page(Some(&signed), &headers, &e);
    }
    let mut response = Redirect::to("/login").into_response();
    let cookie = format!(
        "{SESSION_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0{}",
        secure(&state)
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

#[derive(Template)]
#[template(path = "web/password.html", blocks = ["content", "nav"])]
pub struct PasswordPage {
    pub shell: Shell,
    pub error: Option<String>,
    pub done: bool,
}
crate::web_page!(PasswordPage);

/// GET /account/password.
pub async fn password_form(signed: SignedIn, headers: HeaderMap) -> Response {
    let page = PasswordPage {
        shell: signed.shell("修改密码", "account"),
        error: None,
        done: false,
    };
    render(&headers, StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    csrf: String,
    current: String,
    new: String,
    confirm: String,
}

impl CsrfForm for PasswordForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// POST /account/password: checks the current password, sets the new one, ends the
/// account's other sessions.
pub async fn change_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    posted: Posted<PasswordForm>,
) -> Response {
    let Posted { signed, form } = posted;
    let result = if form.new != form.confirm {
        Err("两次输入的新密码不一致。".to_owned())
    } else {
        state
            .services
            .change_password(
                &signed.actor,
                &form.current,
                &form.new,
                Some(signed.session.session.id),
            )
            .await
            .map_err(|e| errors::message(&e))
    };
    let (error, done, status) = match result {
        Ok(()) => (None, true, StatusCode::OK),
        Err(message) => (Some(message), false, StatusCode::UNPROCESSABLE_ENTITY),
    };
    let page = PasswordPage {
        shell: signed.shell("修改密码", "account"),
        error,
        done,
    };
    render(&headers, status, &page)
}

#[derive(Deserialize)]
pub struct LargeTextForm {
    csrf: String,
    on: String,
    back: Option<String>,
}

impl CsrfForm for LargeTextForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// POST /account/large-text: turns 长辈模式 on or off for the account, then back.
pub async fn large_text(
    State(state): State<AppState>,
    headers: HeaderMap,
    posted: Posted<LargeTextForm>,
) -> Response {
    let Posted { signed, form } = posted;
    if let Err(e) = state
        .services
        .set_large_text(&signed.actor, form.on == "1")
        .await
    {
        return errors::service_page(Some(&signed), &headers, &e);
    }
    // The page the visitor is on: after htmx navigation the form's own `back` may be an
    // earlier page, the browser's Referer (same origin only) is the current one.
    let referer = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.parse::<axum::http::Uri>().ok())
        .and_then(|u| u.path_and_query().map(|p| p.as_str().to_owned()));
    let back = referer.or(form.back);
    Redirect::to(&safe_next(back.as_deref())).into_response()
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn goes_back_only_to_a_page_of_this_site() {
        assert_eq!(safe_next(Some("/items/42")), "/items/42");
        assert_eq!(
            safe_next(Some("/items?state=assigned&page=2")),
            "/items?state=assigned&page=2"
        );
        for bad in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "items",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
