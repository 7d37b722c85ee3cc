//! Assigning items (交办): one item or many at once — the lead (a person or a post), the
//! responsible person, the lead and supporting units, the due date and the category — with
//! pickers of the items' agencies' people and posts searchable by name; and splitting an
//! item into several measures (拆分). The service decides who may; all or nothing.

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
    items::{Outcome, item_page},
    render,
};
use crate::{
    domain::ItemCategory,
    http::AppState,
    service::{
        ServiceError,
        workflow::{Assignment, MAX_ASSIGNED_AT_ONCE},
    },
    store::{agencies::AgencyFilter, page::PageRequest, persons::PersonFilter},
};

/// A form's fields in order (names repeat: `item`, `supporting`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(transparent)]
pub struct Pairs(Vec<(String, String)>);

impl Pairs {
    fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }
    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> {
        self.0
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl CsrfForm for Pairs {
    fn csrf(&self) -> &str {
        self.get("csrf")
    }
}

/// The selected items: `id:version` each, at most [`MAX_ASSIGNED_AT_ONCE`].
fn selected(pairs: &Pairs) -> Result<Vec<(Uuid, i32)>, ServiceError> {
    let chosen: Vec<&str> = pairs.all("item").take(MAX_ASSIGNED_AT_ONCE + 1).collect();
    if chosen.is_empty() {
        return Err(ServiceError::invalid(
            "items",
            "请先在事项列表中勾选要交办的事项",
        ));
    }
    chosen
        .into_iter()
        .map(|v| {
            let (id, version) = v.split_once(':').unwrap_or((v, "0"));
            Ok((
                Uuid::parse_str(id.trim())
                    .map_err(|_| ServiceError::invalid("items", "事项编号有误"))?,
                version.trim().parse().unwrap_or(0),
            ))
        })
        .collect()
}

/// An option of a picker.
#[derive(Clone, Debug)]
pub struct Pick {
    pub value: String,
    pub label: String,
}

/// A selected item, in words.
#[derive(Clone, Debug)]
pub struct Chosen {
    pub value: String,
    pub title: String,
    pub code: String,
    pub state: String,
    pub agency: String,
}

#[derive(Template)]
#[template(path = "web/assign.html", blocks = ["content", "nav"])]
pub struct AssignPage {
    pub shell: Shell,
    pub items: Vec<Chosen>,
    pub persons: Vec<Pick>,
    pub posts: Vec<Pick>,
    pub units: Vec<Pick>,
    pub categories: Vec<Pick>,
    pub error: Option<String>,
    /// What was chosen, kept when the assignment is refused.
    pub form: Pairs,
    pub q: String,
}
crate::web_page!(AssignPage);

impl AssignPage {
    /// Whether `value` was chosen for `name`.
    pub fn chose(&self, name: &str, value: &str) -> bool {
        self.form.all(name).any(|v| v == value)
    }
    pub fn field(&self, name: &str) -> &str {
        self.form.get(name)
    }
}

/// The assignment page for the selected items, with what was typed and why it was refused.
async fn assign_page(
    state: &AppState,
    signed: &SignedIn,
    headers: &HeaderMap,
    form: Pairs,
    error: Option<(StatusCode, String)>,
) -> Response {
    let services = &state.services;
    let actor = &signed.actor;
    let result = async {
        let chosen = selected(&form)?;
        let mut items = Vec::new();
        let mut agencies: Vec<Uuid> = Vec::new();
        for (id, _) in &chosen {
            let item = services.item(actor, *id).await?;
            if !agencies.contains(&item.agency_id) {
                agencies.push(item.agency_id);
            }
            items.push(item);
        }
        let q = form.get("q").trim().chars().take(50).collect::<String>();
        let (persons, _) = services
            .persons(
                actor,
                PersonFilter {
                    agency_ids: Some(agencies.clone()),
                    name_contains: Some(q.clone()).filter(|q| !q.is_empty()),
                },
                PageRequest::new(Some(200), None),
            )
            .await?;
        let posts = services.posts_of_agencies(actor, &agencies).await?;
        let (units, _) = services
            .agencies(
                actor,
                AgencyFilter::default(),
                PageRequest::new(Some(200), None),
            )
            .await?;
        let name_of = |id: Uuid| {
            units
                .nodes
                .iter()
                .find(|a| a.id == id)
                .map(|a| a.name.clone())
                .unwrap_or_default()
        };
        let many_agencies = agencies.len() > 1;
        let persons = persons
            .nodes
            .iter()
            .map(|p| Pick {
                value: p.id.to_string(),
                label: match (&p.title, many_agencies) {
                    (Some(t), true) if !t.is_empty() => {
                        format!("{}（{t}，{}）", p.name, name_of(p.agency_id))
                    }
                    (Some(t), false) if !t.is_empty() => format!("{}（{t}）", p.name),
                    (_, true) => format!("{}（{}）", p.name, name_of(p.agency_id)),
                    _ => p.name.clone(),
                },
            })
            .collect();
        let posts = posts
            .iter()
            .map(|p| Pick {
                value: p.id.to_string(),
                label: if many_agencies {
                    format!("{}（{}）", p.title, name_of(p.agency_id))
                } else {
                    p.title.clone()
                },
            })
            .collect();
        let mut units: Vec<Pick> = units
            .nodes
            .iter()
            .map(|a| Pick {
                value: a.id.to_string(),
                label: a.name.clone(),
            })
            .collect();
        units.sort_by(|a, b| a.label.cmp(&b.label));
        let items: Vec<Chosen> = items
            .iter()
            .zip(&chosen)
            .map(|(i, (_, version))| Chosen {
                // Version 0: as the item stands now (a refused form shows it again).
                value: format!(
                    "{}:{}",
                    i.id,
                    if *version == 0 { i.version } else { *version }
                ),
                title: i.title.clone(),
                code: i.code.clone().unwrap_or_default(),
                state: super::items::state_label(services, &i.state),
                agency: name_of(i.agency_id),
            })
            .collect();
        Ok::<_, ServiceError>((items, persons, posts, units, q))
    }
    .await;
    let (items, persons, posts, units, q) = match result {
        Ok(r) => r,
        Err(e) => return errors::service_page(Some(signed), headers, &e),
    };
    let (status, error) = match error {
        Some((status, error)) => (status, Some(error)),
        None => (StatusCode::OK, None),
    };
    let count = items.len();
    let page = AssignPage {
        shell: signed.shell(&format!("交办事项（{count} 项）"), "items"),
        items,
        persons,
        posts,
        units,
        categories: ItemCategory::ALL
            .iter()
            .map(|c| Pick {
                value: c.as_str().to_owned(),
                label: c.label().to_owned(),
            })
            .collect(),
        error,
        form,
        q,
    };
    render(headers, status, &page)
}

/// GET /items/assign?item=<id>:<version>…: the assignment form for the selected items.
pub async fn form(
    State(state): State<AppState>,
    signed: SignedIn,
    headers: HeaderMap,
    Query(form): Query<Pairs>,
) -> Response {
    assign_page(&state, &signed, &headers, form, None).await
}

/// The assignment the form describes.
fn assignment_of(form: &Pairs) -> Result<Assignment, ServiceError> {
    let id = |field: &'static str, v: &str| -> Result<Option<Uuid>, ServiceError> {
        match v.trim() {
            "" => Ok(None),
            v => Uuid::parse_str(v)
                .map(Some)
                .map_err(|_| ServiceError::invalid(field, "编号有误")),
        }
    };
    let (lead_person_id, lead_post_id) = match form.get("lead_kind") {
        "post" => (None, id("lead", form.get("lead_post"))?),
        _ => (id("lead", form.get("lead_person"))?, None),
    };
    if lead_person_id.is_none() && lead_post_id.is_none() {
        return Err(ServiceError::invalid(
            "lead",
            "请选择责任领导（人员或岗位）",
        ));
    }
    let due_on = form
        .get("due_on")
        .trim()
        .parse()
        .map_err(|_| ServiceError::invalid("dueOn", "请填写完成时限"))?;
    let category = ItemCategory::parse(form.get("category"))
        .map_err(|_| ServiceError::invalid("category", "请选择整改类别"))?;
    let supporting_unit_ids = form
        .all("supporting")
        .filter(|v| !v.trim().is_empty())
        .take(50)
        .map(|v| id("supportingUnitIds", v).map(|u| u.expect("not empty")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Assignment {
        lead_person_id,
        lead_post_id,
        responsible_person_id: id("responsiblePersonId", form.get("responsible"))?,
        keep_responsible: false,
        lead_unit_id: id("leadUnitId", form.get("lead_unit"))?,
        supporting_unit_ids,
        due_on,
        category,
    })
}

/// The sentence for a refused assignment: the service's words where they are for people.
fn refusal(e: &ServiceError) -> String {
    match e {
        ServiceError::Validation { message, .. }
        | ServiceError::Rule { message, .. }
        | ServiceError::Conflict(message)
        | ServiceError::Forbidden(message) => message.clone(),
        other => errors::message(other),
    }
}

/// POST /items/assign: assigns every selected item, or none.
pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    posted: Posted<Pairs>,
) -> Response {
    let Posted { signed, form } = posted;
    let result = async {
        let items = selected(&form)?;
        let assignment = assignment_of(&form)?;
        let comment = Some(form.get("comment").trim().to_owned()).filter(|c| !c.is_empty());
        state
            .services
            .assign_items(&signed.actor, items, assignment, comment)
            .await
    }
    .await;
    match result {
        Ok(done) => Redirect::to(&format!("/items?assigned={}", done.len())).into_response(),
        Err(e) if matches!(e.code(), "UNAUTHENTICATED" | "UNAVAILABLE" | "INTERNAL") => {
            errors::service_page(Some(&signed), &headers, &e)
        }
        Err(e) => {
            let error = (errors::status(e.code()), refusal(&e));
            // The versions are read again: a stale one is the refusal's subject, not the form's.
            let form = Pairs(
                form.0
                    .into_iter()
                    .filter(|(n, _)| n != "csrf")
                    .map(|(n, v)| match n.as_str() {
                        "item" => {
                            let id = v.split(':').next().unwrap_or_default().to_owned();
                            (n, format!("{id}:0"))
                        }
                        _ => (n, v),
                    })
                    .collect(),
            );
            assign_page(&state, &signed, &headers, form, Some(error)).await
        }
    }
}

/// The split form.
#[derive(Deserialize)]
pub struct SplitForm {
    csrf: String,
    version: String,
    #[serde(default)]
    measures: String,
}

impl CsrfForm for SplitForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// POST /items/<id>/split: splits the item into one item per line (措施), 2 to 20.
pub async fn split(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    posted: Posted<SplitForm>,
) -> Response {
    let Posted { signed, form } = posted;
    let Ok(id) = Uuid::parse_str(&id) else {
        return errors::page_for(Some(&signed), &headers, "NOT_FOUND");
    };
    let titles: Vec<String> = form
        .measures
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(21)
        .map(ToOwned::to_owned)
        .collect();
    let version = form.version.trim().parse().unwrap_or(0);
    match state
        .services
        .split_item(&signed.actor, id, titles, version)
        .await
    {
        Ok(_) => Redirect::to(&format!("/items/{id}?done=split")).into_response(),
        Err(e) if matches!(e.code(), "NOT_FOUND" | "FORBIDDEN" | "UNAUTHENTICATED") => {
            errors::service_page(Some(&signed), &headers, &e)
        }
        Err(e) => {
            let outcome = Outcome {
                status: errors::status(e.code()),
                error: Some(refusal(&e)),
                draft: super::items::Draft {
                    measures: form.measures,
                    ..Default::default()
                },
                open: "split".to_owned(),
                ..Outcome::default()
            };
            item_page(&state, &signed, &headers, id, outcome).await
        }
    }
}
