//! My items (我的事项: the list, its filters in the URL) and the item page.

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::Response,
};
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use super::{Shell, SignedIn, encode, errors, history, render};
use crate::{
    http::AppState,
    service::{
        ServiceError, Services,
        item_view::{ItemDetails, ItemStatus},
        items::{ItemOrder, MAX_SORTED_PAGE},
    },
    store::items::{ItemFilter, ItemRow},
};

/// How many items one page of the list shows.
const PAGE_SIZE: u64 = 20;

/// An item in a list, in words.
#[derive(Clone, Debug)]
pub struct Card {
    pub id: Uuid,
    pub title: String,
    pub code: String,
    pub state: String,
    pub level: u8,
    pub level_label: &'static str,
    pub due: String,
    pub days: String,
    /// The version read (a batch assignment is made under it).
    pub version: i32,
    /// The verifier's reason, when the item was returned.
    pub reason: Option<String>,
}

/// The name of an escalation level.
pub fn level_label(level: u8) -> &'static str {
    match level {
        1 => "蓝色提醒",
        2 => "黄色预警",
        3 => "红色督办",
        _ => "正常",
    }
}

/// Days left, in words.
pub fn days_text(status: &ItemStatus) -> String {
    match status.days_left {
        Some(d) if d > 0 => format!("还剩 {d} 天"),
        Some(0) => "今天到期".to_owned(),
        Some(d) => format!("已逾期 {} 天", -d),
        None => String::new(),
    }
}

impl Card {
    pub fn new(services: &Services, item: &ItemRow, status: &ItemStatus) -> Self {
        Self {
            id: item.id,
            title: item.title.clone(),
            code: item.code.clone().unwrap_or_default(),
            state: state_label(services, &item.state),
            level: status.escalation_level,
            level_label: level_label(status.escalation_level),
            due: item.due_on.map(|d| d.to_string()).unwrap_or_default(),
            days: days_text(status),
            version: item.version,
            reason: None,
        }
    }
}

/// A state's label in the workflow.
pub fn state_label(services: &Services, state: &str) -> String {
    services
        .workflow
        .state(state)
        .map_or_else(|| state.to_owned(), |s| s.label.clone())
}

/// The list's filters, as they stand in the URL.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub overdue: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub q: String,
    /// Only this unit's items (a dashboard's link); with `tree=1`, and every unit under it
    /// within reach.
    #[serde(default)]
    pub agency: String,
    #[serde(default)]
    pub tree: String,
    /// `1`: only open items (in no final state).
    #[serde(default)]
    pub open: String,
    /// `1`: only items returned by a verifier at least once (退回).
    #[serde(default)]
    pub returned: String,
    /// `1`: only items with an extension granted (延期).
    #[serde(default)]
    pub extended: String,
    /// The order: `due`, `state`, `code`, `updated`, or empty (as created).
    #[serde(default)]
    pub sort: String,
    /// The page, from 1.
    #[serde(default)]
    pub page: String,
    /// After an import: how many shortcomings it brought (a notice, not a filter).
    #[serde(default)]
    pub imported: String,
    /// After a batch assignment: how many items were assigned (a notice, not a filter).
    #[serde(default)]
    pub assigned: String,
}

impl ListQuery {
    /// Whether any filter is set (the filter box then shows open).
    pub fn is_filtered(&self) -> bool {
        [
            &self.state,
            &self.level,
            &self.overdue,
            &self.from,
            &self.to,
            &self.q,
            &self.open,
            &self.returned,
            &self.extended,
        ]
        .iter()
        .any(|v| !v.is_empty())
    }

    /// The query string of these filters (without the page), for the next page's link.
    fn query_string(&self) -> String {
        [
            ("state", &self.state),
            ("level", &self.level),
            ("overdue", &self.overdue),
            ("from", &self.from),
            ("to", &self.to),
            ("q", &self.q),
            ("sort", &self.sort),
            ("agency", &self.agency),
            ("tree", &self.tree),
            ("open", &self.open),
            ("returned", &self.returned),
            ("extended", &self.extended),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
    }
}

/// An option of a select.
#[derive(Clone, Debug)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "web/items.html", blocks = ["content", "nav"])]
pub struct ItemsPage {
    pub shell: Shell,
    pub query: ListQuery,
    pub states: Vec<Choice>,
    pub levels: Vec<Choice>,
    pub sorts: Vec<Choice>,
    pub cards: Vec<Card>,
    pub total: u64,
    /// This page and how many there are (from 1).
    pub page: u64,
    pub pages: u64,
    pub previous: Option<String>,
    pub next: Option<String>,
    pub error: Option<String>,
    /// The unit the list is narrowed to (a dashboard's link), in words.
    pub unit: Option<String>,
    /// What was just done (an import, a batch assignment).
    pub notice: Option<String>,
}
crate::web_page!(ItemsPage);

/// The service's item filter for the list's query, and the unit it is narrowed to in
/// words (the unit is checked against the caller's reach by the service).
async fn filter_of(
    services: &Services,
    actor: &crate::service::Actor,
    q: &ListQuery,
) -> Result<(ItemFilter, Option<String>), ServiceError> {
    let date = |field: &'static str, s: &str| -> Result<Option<NaiveDate>, ServiceError> {
        if s.is_empty() {
            return Ok(None);
        }
        s.parse()
            .map(Some)
            .map_err(|_| ServiceError::invalid(field, "日期格式应为 年-月-日，如 2027-03-31"))
    };
    let text = q.q.trim();
    let (agency_ids, unit) = match q.agency.as_str() {
        "" => (None, None),
        id => {
            let id =
                Uuid::parse_str(id).map_err(|_| ServiceError::invalid("agency", "不是单位编号"))?;
            let tree = q.tree == "1";
            let (agency, ids) = services.agency_with_scope(actor, id, tree).await?;
            let words = if tree {
                format!("{}（含下属单位）", agency.name)
            } else {
                agency.name
            };
            (Some(ids), Some(words))
        }
    };
    let states = match (q.state.as_str(), q.open.as_str()) {
        ("", "1") => Some(services.open_state_names()),
        ("", _) => None,
        (state, _) => Some(vec![state.to_owned()]),
    };
    let filter = ItemFilter {
        agency_ids,
        states,
        due_on_or_after: date("filter", &q.from)?,
        due_on_or_before: date("filter", &q.to)?,
        escalation: match q.level.parse::<u8>() {
            Ok(level) => Some(services.escalation_filter(level).await?),
            Err(_) => None,
        },
        overdue_on: match q.overdue.as_str() {
            "1" => Some(services.overdue_filter().await?),
            _ => None,
        },
        text: (!text.is_empty()).then(|| text.to_owned()),
        with_action: (q.returned == "1")
            .then(|| crate::service::dashboard::REWORK_ACTION.to_owned()),
        with_extension: (q.extended == "1").then(|| "approved".to_owned()),
        ..Default::default()
    };
    Ok((filter, unit))
}

/// GET /items: my items, filtered, a page at a time.
pub async fn list(
    State(state): State<AppState>,
    signed: SignedIn,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Response {
    let services = &state.services;
    let page_no = query
        .page
        .parse::<u64>()
        .unwrap_or(1)
        .clamp(1, MAX_SORTED_PAGE + 1);
    let result = async {
        let (filter, unit) = filter_of(services, &signed.actor, &query).await?;
        let (rows, total) = services
            .items_sorted(
                &signed.actor,
                filter,
                ItemOrder::parse(&query.sort),
                page_no - 1,
                PAGE_SIZE,
            )
            .await?;
        let zones = services.zones_of(rows.iter().map(|i| i.agency_id)).await?;
        let cards: Vec<Card> = rows
            .iter()
            .map(|item| {
                let status = services
                    .item_status_in(item, services.zone_or_default(zones.get(&item.agency_id)));
                Card::new(services, item, &status)
            })
            .collect();
        Ok::<_, ServiceError>((cards, total, unit))
    }
    .await;
    let base = query.query_string();
    let (cards, total, unit, error) = match result {
        Ok((cards, total, unit)) => (cards, total, unit, None),
        Err(e @ ServiceError::Validation { .. }) => {
            (Vec::new(), 0, None, Some(errors::message(&e)))
        }
        Err(e) => return errors::service_page(Some(&signed), &headers, &e),
    };
    let pages = total.div_ceil(PAGE_SIZE).clamp(1, MAX_SORTED_PAGE + 1);
    let join = if base.is_empty() { "" } else { "&" };
    let link = |n: u64| match n {
        1 if base.is_empty() => "/items".to_owned(),
        1 => format!("/items?{base}"),
        n => format!("/items?{base}{join}page={n}"),
    };
    let page = ItemsPage {
        shell: signed.shell("我的事项", "items"),
        states: services
            .workflow
            .states()
            .iter()
            .map(|s| Choice {
                value: s.name.clone(),
                label: s.label.clone(),
            })
            .collect(),
        levels: (0..=3)
            .map(|l| Choice {
                value: l.to_string(),
                label: level_label(l).to_owned(),
            })
            .collect(),
        sorts: [
            ("", "交办顺序"),
            ("due", "完成时限（最早在前）"),
            ("state", "办理状态"),
            ("code", "台账编号"),
            ("updated", "最近更新"),
        ]
        .iter()
        .map(|(value, label)| Choice {
            value: (*value).to_owned(),
            label: (*label).to_owned(),
        })
        .collect(),
        cards,
        total,
        page: page_no,
        pages,
        previous: (page_no > 1).then(|| link(page_no - 1)),
        next: (page_no < pages).then(|| link(page_no + 1)),
        error,
        unit,
        notice: match (query.imported.parse::<u32>(), query.assigned.parse::<u32>()) {
            (Ok(n), _) => Some(format!(
                "报告已导入，共 {n} 个问题；下面是该单位的事项，勾选后即可交办。"
            )),
            (_, Ok(n)) => Some(format!("已交办 {n} 个事项。")),
            _ => None,
        },
        query,
    };
    render(&headers, StatusCode::OK, &page)
}

/// A piece of evidence, in words.
#[derive(Clone, Debug)]
pub struct EvidenceView {
    pub name: String,
    pub kind: &'static str,
    pub size: String,
    pub when: String,
    pub link: Option<String>,
    pub note: Option<String>,
    pub download: Option<String>,
    pub image: Option<String>,
    pub pdf: Option<String>,
}

impl EvidenceView {
    /// `e` as a page shows it, added at `when` (in words the page chooses).
    pub fn of(e: &crate::store::workflow::EvidenceRow, when: String) -> Self {
        let is_file = e.storage_key.is_some();
        let ty = e.content_type.as_deref().unwrap_or_default();
        let src = format!("/evidence/{}?inline=1", e.id);
        Self {
            name: e.name.clone(),
            kind: match e.kind.as_str() {
                "file" => "文件",
                "note" => "说明",
                "link" => "链接",
                _ => "材料",
            },
            size: e.size_bytes.map(size_text).unwrap_or_default(),
            when,
            link: e.url.clone(),
            note: e.note.clone(),
            download: is_file.then(|| format!("/evidence/{}", e.id)),
            image: (is_file && ty.starts_with("image/")).then(|| src.clone()),
            pdf: (is_file && ty == "application/pdf").then_some(src),
        }
    }
}

/// An extension request, in words.
#[derive(Clone, Debug)]
pub struct ExtensionView {
    pub requested: String,
    pub reason: String,
    pub status: &'static str,
    pub answer: Option<String>,
}

/// An action the visitor may take now, and which form it needs.
#[derive(Clone, Debug)]
pub struct ActionView {
    pub name: String,
    pub label: String,
    /// `accept`, `report_progress`, `request_extension`, `submit` or `comment` (an action
    /// that needs at most a comment).
    pub form: &'static str,
}

/// The item page, in words.
#[derive(Clone, Debug)]
pub struct ItemView {
    pub id: Uuid,
    pub version: i32,
    pub title: String,
    pub code: String,
    pub state: String,
    pub level: u8,
    pub level_label: &'static str,
    pub category: String,
    pub due: String,
    pub days: String,
    pub agency: String,
    pub shortcoming: Option<String>,
    pub report: Option<String>,
    pub commitments: Vec<String>,
    pub measures: Option<String>,
    pub progress: Option<String>,
    pub lead_unit: String,
    pub supporting_units: String,
    pub leader: String,
    pub responsible: String,
    pub evidence: Vec<EvidenceView>,
    pub timeline: Vec<history::Entry>,
    pub extensions: Vec<ExtensionView>,
    pub actions: Vec<ActionView>,
    pub may_add_evidence: bool,
    /// Whether the page offers assigning and splitting (to those who may edit items; the
    /// service decides each time).
    pub may_edit: bool,
}

/// Actions the workflow defines with inputs of their own that this page does not offer
/// (the offices' screens will).
const OFFICE_ACTIONS: &[&str] = &["assign", "decide_extension", "verify"];

pub fn size_text(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / 1024.0 / 1024.0)
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

impl ItemView {
    pub fn new(services: &Services, d: &ItemDetails) -> Self {
        let item = &d.item;
        let tz = d
            .agency
            .as_ref()
            .map_or(services.time_zone, |a| services.agency_zone(a));
        let person = |p: &crate::store::persons::PersonRow| match &p.title {
            Some(t) if !t.is_empty() => format!("{}（{t}）", p.name),
            _ => p.name.clone(),
        };
        let leader = match (&d.lead_person, &d.lead_post) {
            (Some(p), _) => person(p),
            (None, Some((post, Some(holder)))) => {
                format!("{}（现任：{}）", post.title, holder.name)
            }
            (None, Some((post, None))) => format!("{}（暂无人任职）", post.title),
            (None, None) => String::new(),
        };
        let evidence = d
            .evidence
            .iter()
            .map(|e| {
                let when = e.created_at.with_timezone(&tz).format("%Y-%m-%d %H:%M");
                EvidenceView::of(e, when.to_string())
            })
            .collect();
        let actions = d
            .actions
            .iter()
            .filter(|a| !OFFICE_ACTIONS.contains(&a.as_str()))
            .filter_map(|a| services.workflow.action(a))
            .map(|a| ActionView {
                name: a.name.clone(),
                label: a.label.clone(),
                form: match a.name.as_str() {
                    "accept" => "accept",
                    "report_progress" => "report_progress",
                    "request_extension" => "request_extension",
                    "submit" => "submit",
                    _ => "comment",
                },
            })
            .collect();
        Self {
            id: item.id,
            version: item.version,
            title: item.title.clone(),
            code: item.code.clone().unwrap_or_default(),
            state: state_label(services, &item.state),
            level: d.status.escalation_level,
            level_label: level_label(d.status.escalation_level),
            category: item
                .category
                .map(|c| c.label().to_owned())
                .unwrap_or_default(),
            due: item.due_on.map(|d| d.to_string()).unwrap_or_default(),
            days: days_text(&d.status),
            agency: d
                .agency
                .as_ref()
                .map(|a| a.name.clone())
                .unwrap_or_default(),
            shortcoming: d.shortcoming.as_ref().map(|s| s.text.clone()),
            report: d.report.as_ref().map(|r| match &r.title {
                Some(t) if !t.is_empty() => t.clone(),
                _ => format!("{} 年度报告", r.year),
            }),
            commitments: d.commitments.iter().map(|c| c.text.clone()).collect(),
            measures: item.measures.clone(),
            progress: item.progress.clone(),
            lead_unit: d
                .lead_unit
                .as_ref()
                .map(|a| a.name.clone())
                .unwrap_or_default(),
            supporting_units: d
                .supporting_units
                .iter()
                .map(|a| a.name.as_str())
                .collect::<Vec<_>>()
                .join("、"),
            leader,
            responsible: d.responsible.as_ref().map(person).unwrap_or_default(),
            evidence,
            timeline: history::timeline(d, &services.workflow, tz),
            extensions: d
                .extensions
                .iter()
                .rev()
                .map(|x| ExtensionView {
                    requested: x.requested_due_on.to_string(),
                    reason: x.reason.clone(),
                    status: match x.status.as_str() {
                        "pending" => "待审批",
                        "approved" => "已同意",
                        "rejected" => "未同意",
                        _ => "",
                    },
                    answer: x.decision_comment.clone(),
                })
                .collect(),
            actions,
            may_add_evidence: d.may_add_evidence,
            may_edit: false,
        }
    }
}

/// What the visitor typed into the item's forms, kept when a change is refused.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Draft {
    #[serde(default)]
    pub measures: String,
    #[serde(default)]
    pub progress: String,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub due_on: String,
    #[serde(default)]
    pub reason: String,
}

#[derive(Template)]
#[template(path = "web/item.html", blocks = ["content", "nav"])]
pub struct ItemPage {
    pub shell: Shell,
    pub item: ItemView,
    /// A sentence on the top of the page: what went wrong.
    pub error: Option<String>,
    /// A sentence on the top of the page: what was done.
    pub notice: Option<String>,
    pub draft: Draft,
    /// The action whose form is open (the one that was refused).
    pub open: String,
}
crate::web_page!(ItemPage);

#[derive(Deserialize)]
pub struct PageQuery {
    done: Option<String>,
}

/// What was done, from the redirect after a form.
fn done_notice(done: Option<&str>) -> Option<String> {
    Some(
        match done? {
            "accept" => "已签收，整改措施已保存。",
            "report_progress" => "进展情况已报告。",
            "request_extension" => "延期申请已提交，等待督办部门审批。",
            "submit" => "已提交验收。",
            "evidence" => "佐证材料已添加。",
            "comment" => "已发表。",
            "split" => "已拆分为多个事项，原事项改为“已拆分”。",
            _ => "已办理。",
        }
        .to_owned(),
    )
}

/// What the item page says besides the item: the status, what went wrong or was done,
/// what was typed, which form is open.
#[derive(Debug, Default)]
pub struct Outcome {
    pub status: StatusCode,
    pub error: Option<String>,
    pub notice: Option<String>,
    pub draft: Draft,
    pub open: String,
}

/// Renders the item page for `signed`, with a refused change's message and draft.
pub async fn item_page(
    state: &AppState,
    signed: &SignedIn,
    headers: &HeaderMap,
    id: Uuid,
    outcome: Outcome,
) -> Response {
    let Outcome {
        status,
        error,
        notice,
        draft,
        open,
    } = outcome;
    let details = match state.services.item_details(&signed.actor, id).await {
        Ok(d) => d,
        Err(e) => return errors::service_page(Some(signed), headers, &e),
    };
    let mut item = ItemView::new(&state.services, &details);
    item.may_edit = signed.actor.principal().is_ok_and(|p| {
        crate::domain::access::role_may(p.role, crate::domain::access::Operation::EditItems)
    }) && !state.services.workflow.is_final(&details.item.state);
    let page = ItemPage {
        shell: signed.shell(&item.title, "items"),
        item,
        error,
        notice,
        draft,
        open,
    };
    render(headers, status, &page)
}

/// GET /items/<id>: the item page.
pub async fn page(
    State(state): State<AppState>,
    signed: SignedIn,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else {
        return errors::page_for(Some(&signed), &headers, "NOT_FOUND");
    };
    let outcome = Outcome {
        notice: done_notice(query.done.as_deref()),
        ..Outcome::default()
    };
    item_page(&state, &signed, &headers, id, outcome).await
}
