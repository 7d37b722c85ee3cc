//! 工作台: the first page after signing in — what waits for me, most urgent first.

use askama::Template;
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::Response,
};

use super::{Shell, SignedIn, errors, items::Card, render};
use crate::{
    http::AppState,
    service::{Services, workbench::WorkItem},
};

/// An extension request, in words.
#[derive(Clone, Debug)]
pub struct ExtensionLine {
    pub item_id: uuid::Uuid,
    pub title: String,
    pub requested: String,
    pub status: &'static str,
    pub answer: Option<String>,
}

#[derive(Template)]
#[template(path = "web/workbench.html", blocks = ["content", "nav"])]
pub struct WorkbenchPage {
    pub shell: Shell,
    pub to_accept: Vec<Card>,
    pub returned: Vec<Card>,
    pub in_progress: Vec<Card>,
    pub submitted: Vec<Card>,
    pub extensions: Vec<ExtensionLine>,
    pub overdue: usize,
    pub truncated: bool,
}
crate::web_page!(WorkbenchPage);

fn cards(services: &Services, list: &[WorkItem]) -> Vec<Card> {
    list.iter()
        .map(|w| Card {
            reason: w.returned_because.clone(),
            ..Card::new(services, &w.item, &w.status)
        })
        .collect()
}

/// GET /: the workbench.
pub async fn page(State(state): State<AppState>, signed: SignedIn, headers: HeaderMap) -> Response {
    let services = &state.services;
    let bench = match services.workbench(&signed.actor).await {
        Ok(bench) => bench,
        Err(e) => return errors::service_page(Some(&signed), &headers, &e),
    };
    let page = WorkbenchPage {
        shell: signed.shell("工作台", "workbench"),
        to_accept: cards(services, &bench.to_accept),
        returned: cards(services, &bench.returned),
        in_progress: cards(services, &bench.in_progress),
        submitted: cards(services, &bench.submitted),
        extensions: bench
            .extensions
            .iter()
            .map(|x| ExtensionLine {
                item_id: x.item.id,
                title: x.item.title.clone(),
                requested: x.request.requested_due_on.to_string(),
                status: match x.request.status.as_str() {
                    "pending" => "待审批",
                    "approved" => "已同意",
                    "rejected" => "未同意",
                    _ => "",
                },
                answer: x.request.decision_comment.clone(),
            })
            .collect(),
        overdue: bench.overdue,
        truncated: bench.truncated,
    };
    render(&headers, StatusCode::OK, &page)
}
