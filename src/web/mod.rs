//! The web application for leaders and responsible persons: server-rendered pages in
//! Chinese (askama templates under `templates/web/`), htmx only smoothing what are real
//! links and forms. An adapter over the services like the GraphQL resolvers: every
//! decision (who may see or do what) is the services'; handlers read, call, render.
//!
//! One module per area: [`session`] (sign-in, sign-out, password, large text), [`csrf`]
//! (the form token), [`workbench`], [`items`] (the list and the item page), [`actions`]
//! (the item's forms), [`history`] (the timeline in words), [`errors`] (each error code's
//! sentence and the error pages), [`dashboard`] and [`queues`] (the offices'), [`documents`]
//! (报告与台账: the report section, the ledger round trip, the audit check).

pub mod account;
pub mod actions;
pub mod admin;
pub mod assign;
pub mod charts;
pub mod compress;
pub mod csrf;
pub mod dashboard;
pub mod documents;
pub mod errors;
pub mod history;
pub mod import;
pub mod inbox;
pub mod items;
pub mod queues;
pub mod session;
pub mod welcome;
pub mod workbench;

use askama::Template;
use axum::{
    Router,
    extract::{DefaultBodyLimit, FromRequestParts, Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, Uri, header, request::Parts},
    middleware::map_response,
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
};

use crate::{
    assets,
    http::{AppState, Caller},
    service::{Actor, sessions::LiveSession},
};

/// The web application's routes, with its security headers.
pub fn router(max_body_bytes: usize) -> Router<AppState> {
    Router::new()
        .route("/", get(workbench::page))
        .route("/login", get(session::form).post(session::sign_in))
        .route("/logout", post(session::sign_out))
        .route(
            "/welcome/{token}",
            get(welcome::form).post(welcome::set_password),
        )
        .route(
            "/account/password",
            get(session::password_form).post(session::change_password),
        )
        .route("/account/large-text", post(session::large_text))
        .route("/account", get(account::page))
        .route("/account/calendar", post(account::new_feed))
        .route("/account/calendar/{id}/revoke", post(account::revoke_feed))
        .route("/account/sessions/end-others", post(account::end_others))
        .route("/inbox", get(inbox::page))
        .route("/inbox/read", post(inbox::mark_read))
        .route("/items", get(items::list))
        .route("/items/{id}", get(items::page))
        .route("/dashboard", get(dashboard::page))
        .route("/queues/verify", get(queues::verify_page))
        .route("/queues/verify/{id}", post(queues::verify))
        .route("/queues/extensions", get(queues::extensions_page))
        .route("/queues/extensions/{id}", post(queues::decide))
        .route("/queues/press", get(queues::press_page))
        .route("/queues/recurring", get(queues::recurring_page))
        .route("/documents/section", get(documents::section_page))
        .route("/documents/ledger", get(documents::ledger_page))
        .route(
            "/documents/ledger/preview",
            post(documents::ledger_preview).layer(DefaultBodyLimit::max(max_body_bytes)),
        )
        .route(
            "/documents/ledger/apply",
            post(documents::ledger_apply).layer(DefaultBodyLimit::max(max_body_bytes)),
        )
        .route("/documents/audit", get(documents::audit_page))
        .route(
            "/documents/audit/verify",
            post(documents::audit_verify).layer(DefaultBodyLimit::max(max_body_bytes)),
        )
        .route("/queues/urge", post(queues::urge))
        .route("/items/{id}/act", post(actions::act))
        .route("/items/{id}/comment", post(actions::comment))
        .route(
            "/items/{id}/evidence",
            post(actions::add_evidence).layer(DefaultBodyLimit::max(max_body_bytes)),
        )
        .merge(admin::router())
        .route("/import", get(import::start))
        .route(
            "/import/review",
            post(import::review_post).layer(DefaultBodyLimit::max(max_body_bytes)),
        )
        .route(
            "/import/confirm",
            post(import::confirm).layer(DefaultBodyLimit::max(max_body_bytes)),
        )
        .route("/items/assign", get(assign::form).post(assign::submit))
        .route("/items/{id}/split", post(assign::split))
        .route("/assets/{file}", get(asset))
        .layer(map_response(security_headers))
        .layer(axum::middleware::from_fn(compress::gzip))
}

/// The headers every page carries: no inline script may run, no other site may frame it,
/// no referrer leaves the site, types are not sniffed, private pages are not cached.
async fn security_headers(mut response: Response) -> Response {
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if is_html {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                 frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
                 frame-ancestors 'none'",
            ),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
        headers.append(header::VARY, HeaderValue::from_static("HX-Request"));
    }
    response
}

/// A static file of the web application, under its digested name: cached for a year.
async fn asset(Path(file): Path<String>) -> Response {
    match assets::web_file(&file) {
        Some((content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// What the layout around every page shows.
#[derive(Clone, Debug)]
pub struct Shell {
    /// The page's title (also the browser tab's).
    pub title: String,
    /// The signed-in person's name (or the account's email); empty when signed out.
    pub name: String,
    /// The session's CSRF token, for the forms in the layout (sign-out, large text).
    pub csrf: String,
    pub large_text: bool,
    /// How many of the visitor's messages are unread.
    pub unread: u64,
    /// Which navigation entry is current: `workbench`, `items`, `dashboard`, `queues`,
    /// `documents`, `account` or empty.
    pub current: &'static str,
    /// Whether the visitor reads agencies as a whole (admins, offices, coordinators): the
    /// dashboard and the documents (报告与台账) are in the navigation.
    pub dashboard: bool,
    /// Whether the visitor verifies and presses items (admins, offices): the queues are in
    /// the navigation.
    pub queues: bool,
    /// Whether the visitor administers (admins): 管理 is in the navigation.
    pub admin: bool,
    /// Whether the visitor may import reports and assign items (admins, offices,
    /// coordinators): 导入报告 is in the navigation, the item list offers batch assignment.
    pub import: bool,
    /// The page's own path and query (forms in the layout come back to it).
    pub path: String,
    pub css: String,
    pub htmx: String,
    pub js: String,
}

impl Shell {
    /// The layout for a signed-out visitor.
    pub fn anonymous(title: &str) -> Self {
        Self {
            title: title.to_owned(),
            name: String::new(),
            csrf: String::new(),
            large_text: false,
            unread: 0,
            current: "",
            dashboard: false,
            queues: false,
            admin: false,
            import: false,
            path: "/".to_owned(),
            css: assets::web_path("app.css"),
            htmx: assets::web_path("htmx-2.0.4.min.js"),
            js: assets::web_path("app.js"),
        }
    }
}

/// A signed-in visitor of the pages (by the session cookie). Extracting it from a request
/// without a live session answers with a redirect to the sign-in page, coming back after.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub actor: Actor,
    pub session: LiveSession,
    /// The person's name, or the account's email when it acts for no person.
    pub name: String,
    /// The path and query of the page asked for.
    pub path: String,
    /// How many of the person's messages are unread.
    pub unread: u64,
}

impl SignedIn {
    /// The layout for this visitor.
    pub fn shell(&self, title: &str, current: &'static str) -> Shell {
        let role = self.actor.principal().ok().map(|p| p.role);
        Shell {
            dashboard: role.is_some_and(|r| !crate::domain::access::limited_to_own_items(r)),
            queues: role.is_some_and(|r| {
                crate::domain::access::role_may(r, crate::domain::access::Operation::Audit)
            }),
            admin: role.is_some_and(|r| {
                crate::domain::access::role_may(r, crate::domain::access::Operation::Administer)
            }),
            import: role.is_some_and(|r| {
                crate::domain::access::role_may(r, crate::domain::access::Operation::ImportReports)
            }),
            name: self.name.clone(),
            csrf: self.session.session.csrf_token.clone(),
            large_text: self.session.large_text,
            unread: self.unread,
            current,
            path: self.path.clone(),
            ..Shell::anonymous(title)
        }
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let Some(session) = caller.session else {
            return Err(to_sign_in(&parts.uri, &parts.headers));
        };
        let principal = session.actor.principal().map_err(|e| errors::page(&e))?;
        let name = match principal.person_id {
            Some(person) => state
                .services
                .store
                .person(person)
                .await
                .map_err(|e| errors::page(&e.into()))?
                .map(|p| p.name),
            None => None,
        }
        .unwrap_or_else(|| principal.email.clone());
        let path = if parts.method == axum::http::Method::GET {
            parts
                .uri
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_owned()
        } else {
            "/".to_owned()
        };
        let unread = state
            .services
            .unread_notifications(&caller.actor)
            .await
            .map_err(|e| errors::page(&e))?;
        Ok(Self {
            actor: caller.actor,
            session,
            name,
            path,
            unread,
        })
    }
}

/// The redirect to the sign-in page, with the page asked for as `next`.
fn to_sign_in(uri: &Uri, headers: &HeaderMap) -> Response {
    let next = uri
        .path_and_query()
        .map(|p| p.as_str())
        .filter(|p| *p != "/")
        .map(|p| format!("?next={}", encode(p)))
        .unwrap_or_default();
    let target = format!("/login{next}");
    if is_htmx(headers) {
        // htmx follows a plain redirect inside the page; a full reload is what is wanted.
        return (
            StatusCode::OK,
            [(
                header::HeaderName::from_static("hx-redirect"),
                HeaderValue::from_str(&target).unwrap_or(HeaderValue::from_static("/login")),
            )],
        )
            .into_response();
    }
    Redirect::to(&target).into_response()
}

/// Percent-encodes a query value.
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Whether htmx sent the request and wants a fragment (a history restore wants the page).
pub fn is_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request") && !headers.contains_key("hx-history-restore-request")
}

/// Escapes text for HTML (the templates escape by themselves; this is for the title alone).
fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A page template: the whole page, or its `content` block alone for htmx.
pub trait Page: Template {
    /// The page's title.
    fn title(&self) -> &str;
    /// The `content` block alone.
    fn fragment(&self) -> askama::Result<String>;
}

/// Renders `page` whole, or as a fragment (with its title) when htmx asked.
pub fn render<P: Page>(headers: &HeaderMap, status: StatusCode, page: &P) -> Response {
    let rendered = if is_htmx(headers) {
        page.fragment().map(|content| {
            format!(
                "<title>{} · 整改通</title>\n{content}",
                escape_html(page.title())
            )
        })
    } else {
        page.render()
    };
    match rendered {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a page failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("<!doctype html><meta charset=utf-8><title>出错了</title><p>页面生成失败，已记录，请稍后再试。</p>"),
            )
                .into_response()
        }
    }
}

/// Implements [`Page`] for a template whose struct has a `shell` and a `content` block.
#[macro_export]
macro_rules! web_page {
    ($ty:ty) => {
        impl $crate::web::Page for $ty {
            fn title(&self) -> &str {
                &self.shell.title
            }
            fn fragment(&self) -> askama::Result<String> {
                // The navigation outside the swapped part follows along (out of band).
                let nav = askama::Template::render(&self.as_nav())?.replacen(
                    "<nav id=\"nav\"",
                    "<nav id=\"nav\" hx-swap-oob=\"true\"",
                    1,
                );
                Ok(askama::Template::render(&self.as_content())? + &nav)
            }
        }
    };
}

/// The state shared by handlers (a shorthand).
pub type AppData = State<AppState>;
