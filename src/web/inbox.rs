//! 站内消息: the signed-in person's inbox, and marking it read.

use askama::Template;
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};

use super::{Shell, SignedIn, csrf::Posted, errors, render, session::TokenOnly};
use crate::{http::AppState, service::notifications::label};

/// A message, in words.
#[derive(Clone, Debug)]
pub struct MessageView {
    pub kind: &'static str,
    pub text: String,
    pub when: String,
    pub link: Option<String>,
    pub unread: bool,
}

#[derive(Template)]
#[template(path = "web/inbox.html", blocks = ["content", "nav"])]
pub struct InboxPage {
    pub shell: Shell,
    pub messages: Vec<MessageView>,
}
crate::web_page!(InboxPage);

/// GET /inbox.
pub async fn page(State(state): State<AppState>, signed: SignedIn, headers: HeaderMap) -> Response {
    let services = &state.services;
    let rows = match services.notifications(&signed.actor).await {
        Ok(rows) => rows,
        Err(e) => return errors::service_page(Some(&signed), &headers, &e),
    };
    let tz = services.zone(None);
    let page = InboxPage {
        shell: signed.shell("消息", "inbox"),
        messages: rows
            .into_iter()
            .map(|n| MessageView {
                kind: label(&n.kind),
                text: n.text,
                when: n
                    .created_at
                    .with_timezone(&tz)
                    .format("%Y-%m-%d %H:%M")
                    .to_string(),
                link: n.item_id.map(|id| format!("/items/{id}")),
                unread: n.read_at.is_none(),
            })
            .collect(),
    };
    render(&headers, StatusCode::OK, &page)
}

/// POST /inbox/read: marks every message read.
pub async fn mark_read(
    State(state): State<AppState>,
    headers: HeaderMap,
    posted: Posted<TokenOnly>,
) -> Response {
    let signed = posted.signed;
    match state
        .services
        .mark_notifications_read(&signed.actor, None)
        .await
    {
        Ok(_) => Redirect::to("/inbox").into_response(),
        Err(e) => errors::service_page(Some(&signed), &headers, &e),
    }
}
