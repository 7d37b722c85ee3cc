//! 督办队列: the supervising office's queues — 待验收 (verify with an outcome, or return with
//! a reason; the evidence previewed beside), extension requests to decide, and red items to
//! urge one or many at once with a note. Each form posts back here and lands on its queue
//! again with what happened (POST → redirect → GET).

use std::collections::HashMap;

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use uuid::Uuid;

use super::{
    Shell, SignedIn,
    csrf::{CsrfForm, Posted},
    errors,
    items::{Card, EvidenceView},
    render,
};
use crate::{
    domain::ItemOutcome,
    http::AppState,
    service::{ServiceError, Services, workflow::TransitionInput},
    store::{items::ItemRow, workflow::EvidenceRow},
};

/// What the last form did, from the redirect's query.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Done {
    #[serde(default)]
    pub done: String,
    #[serde(default)]
    pub n: String,
    #[serde(default)]
    pub failed: String,
    #[serde(default)]
    pub error: String,
}

impl Done {
    /// The sentence it reads as.
    fn notice(&self) -> Option<String> {
        let n = self.n.parse::<u32>().unwrap_or(1);
        let done = match self.done.as_str() {
            "verify" => "已验收通过，事项已销号。".to_owned(),
            "reject" => "已退回，责任人会收到退回原因。".to_owned(),
            "approve" => "已同意延期，完成时限已更新。".to_owned(),
            "deny" => "已不同意延期。".to_owned(),
            "urge" => format!("已督办 {n} 项，督办意见已发给责任领导和责任人。"),
            _ => return None,
        };
        Some(match self.failed.parse::<u32>() {
            Ok(f) if f > 0 => {
                format!("{done}另有 {f} 项未能督办（可能已被他人更新），请刷新后重试。")
            }
            _ => done,
        })
    }
}

/// A queue's tab in the sub-navigation.
#[derive(Clone, Debug)]
pub struct Tab {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

fn tabs(current: &str) -> Vec<Tab> {
    [
        ("/queues/verify", "待验收"),
        ("/queues/extensions", "延期申请"),
        ("/queues/press", "逾期和红色督办"),
        ("/queues/recurring", "屡查屡犯"),
    ]
    .into_iter()
    .map(|(href, label)| Tab {
        href,
        label,
        current: href == current,
    })
    .collect()
}

/// A submitted item on the 待验收 queue.
#[derive(Clone, Debug)]
pub struct VerifyEntry {
    pub card: Card,
    pub unit: String,
    pub version: i32,
    pub measures: String,
    pub evidence: Vec<EvidenceView>,
}

/// An extension request to decide.
#[derive(Clone, Debug)]
pub struct DecideEntry {
    pub card: Card,
    pub unit: String,
    pub version: i32,
    pub request_id: Uuid,
    pub requested: String,
    pub reason: String,
}

/// A red item to urge.
#[derive(Clone, Debug)]
pub struct PressEntry {
    pub card: Card,
    pub unit: String,
    pub version: i32,
}

#[derive(Template)]
#[template(path = "web/queue_verify.html", blocks = ["content", "nav"])]
pub struct VerifyPage {
    pub shell: Shell,
    pub tabs: Vec<Tab>,
    pub notice: Option<String>,
    pub error: Option<String>,
    pub entries: Vec<VerifyEntry>,
    pub more: bool,
    pub outcomes: Vec<(&'static str, &'static str)>,
}
crate::web_page!(VerifyPage);

#[derive(Template)]
#[template(path = "web/queue_extensions.html", blocks = ["content", "nav"])]
pub struct ExtensionsPage {
    pub shell: Shell,
    pub tabs: Vec<Tab>,
    pub notice: Option<String>,
    pub error: Option<String>,
    pub entries: Vec<DecideEntry>,
    pub more: bool,
}
crate::web_page!(ExtensionsPage);

#[derive(Template)]
#[template(path = "web/queue_press.html", blocks = ["content", "nav"])]
pub struct PressPage {
    pub shell: Shell,
    pub tabs: Vec<Tab>,
    pub notice: Option<String>,
    pub error: Option<String>,
    pub entries: Vec<PressEntry>,
    pub more: bool,
}
crate::web_page!(PressPage);

/// An open item whose shortcoming repeats an earlier report's.
#[derive(Clone, Debug)]
pub struct RecurringEntry {
    pub card: Card,
    pub unit: String,
    pub version: i32,
    pub shortcoming: String,
    /// 2024年度报告第2项问题：……
    pub earlier: String,
}

#[derive(Template)]
#[template(path = "web/queue_recurring.html", blocks = ["content", "nav"])]
pub struct RecurringPage {
    pub shell: Shell,
    pub tabs: Vec<Tab>,
    pub notice: Option<String>,
    pub error: Option<String>,
    pub entries: Vec<RecurringEntry>,
    pub more: bool,
}
crate::web_page!(RecurringPage);

/// Cards for items, with their units' names.
async fn cards(
    services: &Services,
    items: &[ItemRow],
) -> Result<(Vec<Card>, HashMap<Uuid, String>), ServiceError> {
    let zones = services.zones_of(items.iter().map(|i| i.agency_id)).await?;
    let units: Vec<Uuid> = items.iter().map(|i| i.agency_id).collect();
    let names = services
        .store
        .agencies_by_ids(&units)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let cards = items
        .iter()
        .map(|item| {
            let status =
                services.item_status_in(item, services.zone_or_default(zones.get(&item.agency_id)));
            Card::new(services, item, &status)
        })
        .collect();
    Ok((cards, names))
}

fn evidence_views(evidence: &[EvidenceRow]) -> Vec<EvidenceView> {
    evidence
        .iter()
        .map(|e| EvidenceView::of(e, e.created_at.format("%Y-%m-%d").to_string()))
        .collect()
}

/// GET /queues/verify: 待验收.
pub async fn verify_page(
    State(state): State<AppState>,
    signed: SignedIn,
    headers: HeaderMap,
    Query(done): Query<Done>,
) -> Response {
    let services = &state.services;
    let result = async {
        let queue = services.verification_queue(&signed.actor).await?;
        let items: Vec<ItemRow> = queue.entries.iter().map(|e| e.item.clone()).collect();
        let (cards, names) = cards(services, &items).await?;
        let entries = queue
            .entries
            .iter()
            .zip(cards)
            .map(|(e, card)| VerifyEntry {
                card,
                unit: names.get(&e.item.agency_id).cloned().unwrap_or_default(),
                version: e.item.version,
                measures: e.item.measures.clone().unwrap_or_default(),
                evidence: evidence_views(&e.evidence),
            })
            .collect();
        Ok::<_, ServiceError>((entries, queue.more))
    }
    .await;
    let (entries, more) = match result {
        Ok(found) => found,
        Err(e) => return errors::service_page(Some(&signed), &headers, &e),
    };
    let page = VerifyPage {
        shell: signed.shell("待验收", "queues"),
        tabs: tabs("/queues/verify"),
        notice: done.notice(),
        error: (!done.error.is_empty()).then(|| errors::sentence(&done.error).to_owned()),
        entries,
        more,
        outcomes: ItemOutcome::ALL
            .iter()
            .map(|o| (o.as_str(), o.label()))
            .collect(),
    };
    render(&headers, StatusCode::OK, &page)
}

/// GET /queues/extensions: extension requests to decide.
pub async fn extensions_page(
    State(state): State<AppState>,
    signed: SignedIn,
    headers: HeaderMap,
    Query(done): Query<Done>,
) -> Response {
    let services = &state.services;
    let result = async {
        let queue = services.extension_queue(&signed.actor).await?;
        let items: Vec<ItemRow> = queue.entries.iter().map(|e| e.item.clone()).collect();
        let (cards, names) = cards(services, &items).await?;
        let entries = queue
            .entries
            .iter()
            .zip(cards)
            .map(|(e, card)| DecideEntry {
                card,
                unit: names.get(&e.item.agency_id).cloned().unwrap_or_default(),
                version: e.item.version,
                request_id: e.request.id,
                requested: e.request.requested_due_on.to_string(),
                reason: e.request.reason.clone(),
            })
            .collect();
        Ok::<_, ServiceError>((entries, queue.more))
    }
    .await;
    let (entries, more) = match result {
        Ok(found) => found,
        Err(e) => return errors::service_page(Some(&signed), &headers, &e),
    };
    let page = ExtensionsPage {
        shell: signed.shell("延期申请", "queues"),
        tabs: tabs("/queues/extensions"),
        notice: done.notice(),
        error: (!done.error.is_empty()).then(|| errors::sentence(&done.error).to_owned()),
        entries,
        more,
    };
    render(&headers, StatusCode::OK, &page)
}

/// GET /queues/press: red items to urge.
pub async fn press_page(
    State(state): State<AppState>,
    signed: SignedIn,
    headers: HeaderMap,
    Query(done): Query<Done>,
) -> Response {
    let services = &state.services;
    let result = async {
        let queue = services.press_queue(&signed.actor).await?;
        let (cards, names) = cards(services, &queue.entries).await?;
        let entries = queue
            .entries
            .iter()
            .zip(cards)
            .map(|(item, card)| PressEntry {
                card,
                unit: names.get(&item.agency_id).cloned().unwrap_or_default(),
                version: item.version,
            })
            .collect();
        Ok::<_, ServiceError>((entries, queue.more))
    }
    .await;
    let (entries, more) = match result {
        Ok(found) => found,
        Err(e) => return errors::service_page(Some(&signed), &headers, &e),
    };
    let page = PressPage {
        shell: signed.shell("逾期和红色督办", "queues"),
        tabs: tabs("/queues/press"),
        notice: done.notice(),
        error: (!done.error.is_empty()).then(|| errors::sentence(&done.error).to_owned()),
        entries,
        more,
    };
    render(&headers, StatusCode::OK, &page)
}

/// GET /queues/recurring: 屡查屡犯 — open items of shortcomings that repeat an earlier
/// report's, to press.
pub async fn recurring_page(
    State(state): State<AppState>,
    signed: SignedIn,
    headers: HeaderMap,
    Query(done): Query<Done>,
) -> Response {
    let services = &state.services;
    let result = async {
        let queue = services.recurring_queue(&signed.actor).await?;
        let items: Vec<ItemRow> = queue.entries.iter().map(|e| e.item.clone()).collect();
        let (cards, names) = cards(services, &items).await?;
        let entries = queue
            .entries
            .iter()
            .zip(cards)
            .map(|(e, card)| RecurringEntry {
                card,
                unit: names.get(&e.item.agency_id).cloned().unwrap_or_default(),
                version: e.item.version,
                shortcoming: e.shortcoming.clone().unwrap_or_default(),
                earlier: match &e.earlier {
                    Some((year, ordinal, text)) => {
                        format!("{year}年度报告第{ordinal}项问题：{text}")
                    }
                    None => "此前年度报告的问题".to_owned(),
                },
            })
            .collect();
        Ok::<_, ServiceError>((entries, queue.more))
    }
    .await;
    let (entries, more) = match result {
        Ok(found) => found,
        Err(e) => return errors::service_page(Some(&signed), &headers, &e),
    };
    let page = RecurringPage {
        shell: signed.shell("屡查屡犯", "queues"),
        tabs: tabs("/queues/recurring"),
        notice: done.notice(),
        error: (!done.error.is_empty()).then(|| errors::sentence(&done.error).to_owned()),
        entries,
        more,
    };
    render(&headers, StatusCode::OK, &page)
}

/// The verify-or-return form.
#[derive(Deserialize)]
pub struct VerifyForm {
    csrf: String,
    version: String,
    /// `verify` or `reject`.
    decision: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    comment: String,
}

impl CsrfForm for VerifyForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Back to a queue with what happened, or the refusal's code.
fn back(queue: &str, result: Result<String, ServiceError>) -> Response {
    match result {
        Ok(done) => Redirect::to(&format!("{queue}?done={done}")).into_response(),
        Err(e) => Redirect::to(&format!("{queue}?error={}", e.code())).into_response(),
    }
}

/// POST /queues/verify/<id>: verify with an outcome, or return with a reason.
pub async fn verify(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    posted: Posted<VerifyForm>,
) -> Response {
    let Posted { signed, form } = posted;
    let Ok(id) = Uuid::parse_str(&id) else {
        return errors::page_for(Some(&signed), &headers, "NOT_FOUND");
    };
    let result = async {
        let version: i32 =
            form.version.trim().parse().map_err(|_| {
                ServiceError::invalid("version", "表单的版本号无效，请刷新页面后重试")
            })?;
        let comment = Some(form.comment.trim().to_owned()).filter(|c| !c.is_empty());
        let (action, outcome) = match form.decision.as_str() {
            "verify" => (
                "verify",
                Some(
                    ItemOutcome::parse(&form.outcome)
                        .map_err(|_| ServiceError::invalid("outcome", "请选择整改结果"))?,
                ),
            ),
            _ => ("reject", None),
        };
        state
            .services
            .transition_item(
                &signed.actor,
                id,
                action,
                TransitionInput {
                    comment,
                    outcome,
                    measures: None,
                },
                version,
            )
            .await?;
        Ok(action.to_owned())
    }
    .await;
    back("/queues/verify", result)
}

/// The decide-an-extension form.
#[derive(Deserialize)]
pub struct DecideForm {
    csrf: String,
    version: String,
    /// `approve` or `deny`.
    decision: String,
    #[serde(default)]
    comment: String,
}

impl CsrfForm for DecideForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// POST /queues/extensions/<request id>: approve or deny.
pub async fn decide(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    posted: Posted<DecideForm>,
) -> Response {
    let Posted { signed, form } = posted;
    let Ok(id) = Uuid::parse_str(&id) else {
        return errors::page_for(Some(&signed), &headers, "NOT_FOUND");
    };
    let result = async {
        let version: i32 =
            form.version.trim().parse().map_err(|_| {
                ServiceError::invalid("version", "表单的版本号无效，请刷新页面后重试")
            })?;
        let approve = form.decision == "approve";
        let comment = Some(form.comment.trim().to_owned()).filter(|c| !c.is_empty());
        state
            .services
            .decide_extension(&signed.actor, id, approve, comment, version)
            .await?;
        Ok(if approve { "approve" } else { "deny" }.to_owned())
    }
    .await;
    back("/queues/extensions", result)
}

/// The urge form: a note and the items ticked (`pick-<id>` = its version).
#[derive(Deserialize)]
pub struct UrgeForm {
    csrf: String,
    #[serde(default)]
    note: String,
    /// The queue the form is on (`recurring`; otherwise the red items').
    #[serde(default)]
    back: String,
    #[serde(flatten)]
    picks: HashMap<String, String>,
}

impl CsrfForm for UrgeForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// POST /queues/urge: urge the ticked items with one note.
pub async fn urge(State(state): State<AppState>, posted: Posted<UrgeForm>) -> Response {
    let Posted { signed, form } = posted;
    let targets: Vec<(Uuid, i32)> = form
        .picks
        .iter()
        .filter_map(|(k, v)| {
            let id = Uuid::parse_str(k.strip_prefix("pick-")?).ok()?;
            Some((id, v.trim().parse().ok()?))
        })
        .collect();
    let note = form.note.trim().to_owned();
    let result = async {
        if note.is_empty() {
            return Err(ServiceError::invalid("comment", "请填写督办意见"));
        }
        let outcomes = state
            .services
            .urge_items(
                &signed.actor,
                targets,
                note,
                state.reminders.templates(),
                state.reminders.public_url(),
            )
            .await?;
        let failed = outcomes.iter().filter(|(_, r)| r.is_err()).count();
        let urged = outcomes.len() - failed;
        // None urged: the first refusal says why (a stale version, an item out of reach).
        if urged == 0
            && let Some((_, Err(e))) = outcomes.into_iter().next()
        {
            return Err(e);
        }
        Ok(format!("urge&n={urged}&failed={failed}"))
    }
    .await;
    let queue = if form.back == "recurring" {
        "/queues/recurring"
    } else {
        "/queues/press"
    };
    back(queue, result)
}
