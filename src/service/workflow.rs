//! Moving items through the workflow: create, assign, every transition, progress reports and
//! extensions. Each call loads the item, asks [`Actor::item_roles`] who the caller is to it,
//! lets the pure workflow decide, then writes the change under the version the caller read
//! and appends the audit event, all in one transaction.

use chrono::{NaiveDate, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Actor, ItemChange, ServiceError, Services, actor::out_of_reach, text};
use crate::{
    domain::{
        ItemCategory, ItemOutcome, ItemSource,
        access::Operation,
        workflow::{ActionRequest, Decision, ItemFacts},
    },
    store::{
        items::ItemRow,
        tx::{NewEvent, NewItem, Tx},
        workflow::{ExtensionRow, ItemUpdate},
    },
};

/// A new item by hand, from a source other than an imported report (or beside one).
#[derive(Clone, Debug)]
pub struct NewItemInput {
    pub agency_id: Uuid,
    pub title: String,
    pub source: ItemSource,
    pub source_document: Option<String>,
    pub shortcoming_id: Option<Uuid>,
    pub code: Option<String>,
}

/// Who leads an item, who does the work, by when.
#[derive(Clone, Debug)]
pub struct Assignment {
    pub lead_person_id: Option<Uuid>,
    pub lead_post_id: Option<Uuid>,
    pub responsible_person_id: Option<Uuid>,
    /// Keep the item's responsible person as it is (`responsible_person_id` is ignored):
    /// a reassignment that does not name one leaves it alone.
    pub keep_responsible: bool,
    pub lead_unit_id: Option<Uuid>,
    pub supporting_unit_ids: Vec<Uuid>,
    pub due_on: NaiveDate,
    pub category: ItemCategory,
}

/// The free parts of a transition.
#[derive(Clone, Debug, Default)]
pub struct TransitionInput {
    pub comment: Option<String>,
    pub outcome: Option<ItemOutcome>,
    pub measures: Option<String>,
}

/// At most this many items are assigned in one batch.
pub const MAX_ASSIGNED_AT_ONCE: usize = 100;

/// A refusal inside a batch, saying which item it was about (its position and title); the
/// code stays the item's own.
async fn in_batch(tx: &Tx, n: usize, id: Uuid, e: ServiceError) -> ServiceError {
    if matches!(
        e,
        ServiceError::Internal(_) | ServiceError::Fault(_) | ServiceError::Unavailable
    ) {
        return e;
    }
    if matches!(
        e,
        ServiceError::Forbidden(_) | ServiceError::NotFound { .. }
    ) {
        // Nothing about an item out of reach is told, not even its title.
        return ServiceError::Forbidden(format!(
            "第 {} 个事项不存在或不在您的职责范围内，全部未交办",
            n + 1
        ));
    }
    let title = match tx.item(id).await {
        Ok(Some(item)) => format!("“{}”", item.title),
        _ => String::new(),
    };
    let code = e.code();
    let message = format!("第 {} 个事项{title}未能交办，全部未交办：{e}", n + 1);
    match e {
        ServiceError::StaleVersion { .. } => ServiceError::Conflict(message),
        _ => ServiceError::Rule { code, message },
    }
}

/// Everything an action may carry; each action uses what it needs.
#[derive(Clone, Debug, Default)]
struct ActionInput {
    comment: Option<String>,
    outcome: Option<ItemOutcome>,
    measures: Option<String>,
    assignment: Option<Assignment>,
    due_on: Option<NaiveDate>,
    extension_id: Option<Uuid>,
    /// Where the change came from, when not the action's own mutation (recorded in the
    /// audit event's payload as `via`).
    via: Option<Value>,
}

/// A change the ledger import makes to one item, taken as the action the API would take.
#[derive(Clone, Debug)]
pub(crate) enum LedgerChange {
    /// 责任领导, 责任人, units, 完成时限 or 整改类别 changed: assign (or reassign).
    Assign(Assignment),
    /// 整改措施 written: the lead (or responsible person) accepts with these measures.
    Accept { measures: String },
    /// 进展情况 changed: report progress.
    Progress(String),
}

impl LedgerChange {
    /// The workflow action this change is taken as.
    pub(crate) fn action(&self) -> &'static str {
        match self {
            LedgerChange::Assign(_) => "assign",
            LedgerChange::Accept { .. } => "accept",
            LedgerChange::Progress(_) => "report_progress",
        }
    }
}

/// Actions with inputs of their own, taken through their own mutations.
const STRUCTURED_ACTIONS: &[(&str, &str)] = &[
    ("assign", "assignItem"),
    ("report_progress", "reportProgress"),
    ("request_extension", "requestExtension"),
    ("decide_extension", "decideExtension"),
];

/// Commits `tx` when `result` is Ok, rolls it back otherwise.
pub(crate) async fn finish<T>(tx: Tx, result: Result<T, ServiceError>) -> Result<T, ServiceError> {
    match result {
        Ok(v) => {
            tx.commit().await?;
            Ok(v)
        }
        Err(e) => {
            tx.rollback().await.ok();
            Err(e)
        }
    }
}

/// The top of the agency tree `agency` belongs to, read through `tx`.
pub(crate) async fn root_in(tx: &Tx, agency: Uuid) -> Result<Uuid, ServiceError> {
    let mut at = agency;
    // Trees are a few levels deep; the bound only guards against a cycle.
    for _ in 0..64 {
        match tx.agency(at).await? {
            Some(row) => match row.parent_id {
                Some(parent) => at = parent,
                None => return Ok(at),
            },
            None => return Err(ServiceError::not_found("agency", at)),
        }
    }
    Ok(at)
}

impl Services {
    /// Separation of duties by person, not account: an action closed to the item's owners
    /// (verify) is refused to whoever submitted it, through whichever account they did.
    async fn refuse_own_submission(
        &self,
        tx: &Tx,
        actor: &Actor,
        item: &ItemRow,
        decision: &Decision,
    ) -> Result<(), ServiceError> {
        let Some(action) = self.workflow.action(&decision.action) else {
            return Ok(());
        };
        let Some(person) = actor.person_id() else {
            return Ok(());
        };
        if action.forbid_owner && tx.last_person_to(item.id, "submit").await? == Some(person) {
            return Err(ServiceError::Forbidden(format!(
                "提交验收的人不能验收自己提交的事项（{}，职责分离，无论使用哪个账号）",
                action.label
            )));
        }
        Ok(())
    }

    /// Whoever and whatever an assignment names must be within the assigning office's reach:
    /// an item is never handed to, nor reveals, people of another jurisdiction. Supporting
    /// units (配合单位) may also be any agency of the item's own tree (a peer department).
    /// Read inside the action's transaction: a second connection per writer could exhaust
    /// the pool under concurrent writes.
    async fn check_assignment_reach(
        &self,
        tx: &Tx,
        actor: &Actor,
        item: &ItemRow,
        a: &Assignment,
    ) -> Result<(), ServiceError> {
        for p in a.lead_person_id.iter().chain(&a.responsible_person_id) {
            let person = tx
                .person(*p)
                .await?
                .ok_or_else(|| ServiceError::not_found("person", p))?;
            if !actor.reaches(person.agency_id) {
                return Err(out_of_reach());
            }
        }
        if let Some(p) = a.lead_post_id {
            let post = tx
                .post(p)
                .await?
                .ok_or_else(|| ServiceError::not_found("post", p))?;
            if !actor.reaches(post.agency_id) {
                return Err(out_of_reach());
            }
        }
        if let Some(unit) = a.lead_unit_id
            && !actor.reaches(unit)
        {
            return Err(out_of_reach());
        }
        if a.supporting_unit_ids.iter().all(|u| actor.reaches(*u)) {
            return Ok(());
        }
        let home = root_in(tx, item.agency_id).await?;
        for unit in &a.supporting_unit_ids {
            if !actor.reaches(*unit) && root_in(tx, *unit).await? != home {
                return Err(out_of_reach());
            }
        }
        Ok(())
    }

    /// Creates an item by hand (法治督察 feedback, 考评, 巡察, 审计 …), in the workflow's
    /// initial state.
    pub async fn create_item(
        &self,
        actor: &Actor,
        input: NewItemInput,
    ) -> Result<ItemRow, ServiceError> {
        actor.require_in(Operation::EditItems, input.agency_id)?;
        let title = text::required("title", &input.title, 500)?;
        let source_document =
            text::optional("sourceDocument", input.source_document.as_deref(), 500)?;
        let code = text::optional("code", input.code.as_deref(), 64)?;
        self.store
            .agency(input.agency_id)
            .await?
            .ok_or_else(|| ServiceError::not_found("agency", input.agency_id))?;
        let tx = self.store.begin().await?;
        let result = async {
            if let Some(s) = input.shortcoming_id {
                let shortcoming = tx
                    .shortcoming(s)
                    .await?
                    .ok_or_else(|| ServiceError::not_found("shortcoming", s))?;
                // A shortcoming is answered for by the agency whose report lists it: an
                // item of another agency would change that agency's report section.
                let report = tx
                    .report(shortcoming.report_id)
                    .await?
                    .ok_or_else(|| ServiceError::not_found("report", shortcoming.report_id))?;
                if report.agency_id != input.agency_id {
                    return Err(ServiceError::invalid(
                        "shortcomingId",
                        "该问题出自另一单位的报告，只能在该单位名下立项",
                    ));
                }
            }
            let initial = self.workflow.initial();
            // A hand-made item is numbered like a report's: year, source, unit, sequence.
            let code = match code {
                Some(code) => code,
                None => {
                    let simple = input.agency_id.simple().to_string();
                    let prefix = format!(
                        "{}{}-{}-",
                        self.today().format("%Y"),
                        input.source.code_letters(),
                        &simple[simple.len() - 6..]
                    );
                    let n = tx.count_codes_like(&prefix).await?;
                    format!("{prefix}{:03}", n + 1)
                }
            };
            let item = tx
                .insert_item(NewItem {
                    agency_id: input.agency_id,
                    code: Some(code),
                    shortcoming_id: input.shortcoming_id,
                    parent_item_id: None,
                    source: input.source.as_str().to_owned(),
                    source_document,
                    title,
                    state: initial.to_owned(),
                })
                .await
                .map_err(|e| match e {
                    crate::store::StoreError::Unique(_) => {
                        ServiceError::Conflict("已有其他事项使用该台账编号".into())
                    }
                    other => other.into(),
                })?;
            tx.append_event(NewEvent {
                item_id: item.id,
                action: "create",
                from_state: None,
                to_state: Some(initial),
                actor_account_id: actor.account_id(),
                actor_person_id: actor.person_id(),
                comment: None,
                payload_json: json!({ "source": input.source.as_str() }).to_string(),
                at: Utc::now(),
            })
            .await?;
            Ok(item)
        }
        .await;
        let item = finish(tx, result).await?;
        self.publish_item(&item, "create");
        Ok(item)
    }

    /// Assigns an item: its lead (a person, or a post whose holder leads), responsible person,
    /// lead and supporting units, due date and category. Reassigning keeps the state.
    pub async fn assign_item(
        &self,
        actor: &Actor,
        item_id: Uuid,
        assignment: Assignment,
        comment: Option<String>,
        expected_version: i32,
    ) -> Result<ItemRow, ServiceError> {
        self.check_assignment(&assignment).await?;
        let input = ActionInput {
            comment,
            assignment: Some(assignment),
            ..Default::default()
        };
        self.act(actor, item_id, "assign", input, expected_version)
            .await
            .map(|(item, _)| item)
    }

    /// Checks an assignment's parts exist: exactly one lead, the persons, post and units.
    async fn check_assignment(&self, assignment: &Assignment) -> Result<(), ServiceError> {
        match (assignment.lead_person_id, assignment.lead_post_id) {
            (Some(_), Some(_)) => {
                return Err(ServiceError::invalid(
                    "lead",
                    "责任领导只能填一种：人员（leadPersonId）或岗位（leadPostId），不能同时填写",
                ));
            }
            (None, None) => {
                return Err(ServiceError::invalid(
                    "lead",
                    "交办须指定责任领导：请提供 leadPersonId 或 leadPostId",
                ));
            }
            _ => {}
        }
        for p in assignment
            .lead_person_id
            .iter()
            .chain(&assignment.responsible_person_id)
        {
            self.store
                .person(*p)
                .await?
                .ok_or_else(|| ServiceError::not_found("person", p))?;
        }
        if let Some(p) = assignment.lead_post_id {
            self.store
                .post(p)
                .await?
                .ok_or_else(|| ServiceError::not_found("post", p))?;
        }
        for unit in assignment
            .lead_unit_id
            .iter()
            .chain(&assignment.supporting_unit_ids)
        {
            self.store
                .agency(*unit)
                .await?
                .ok_or_else(|| ServiceError::not_found("agency", unit))?;
        }
        Ok(())
    }

    /// Assigns several items at once with the same assignment (交办 in a batch): each item
    /// as [`Self::assign_item`] would, under the version the caller read, authorized per
    /// item — all in one transaction: if one is refused, none is assigned, and the error
    /// says which one (its position and title).
    pub async fn assign_items(
        &self,
        actor: &Actor,
        items: Vec<(Uuid, i32)>,
        assignment: Assignment,
        comment: Option<String>,
    ) -> Result<Vec<ItemRow>, ServiceError> {
        if matches!(actor, Actor::Anonymous) {
            return Err(ServiceError::Unauthenticated);
        }
        if items.is_empty() || items.len() > MAX_ASSIGNED_AT_ONCE {
            return Err(ServiceError::invalid(
                "items",
                format!("一次交办 1 至 {MAX_ASSIGNED_AT_ONCE} 个事项"),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        if !items.iter().all(|(id, _)| seen.insert(*id)) {
            return Err(ServiceError::invalid("items", "同一事项只能选一次"));
        }
        self.check_assignment(&assignment).await?;
        let comment = text::optional("comment", comment.as_deref(), 4000)?;
        let tx = self.store.begin().await?;
        let result = async {
            let mut done = Vec::with_capacity(items.len());
            for (n, (id, version)) in items.iter().enumerate() {
                let input = ActionInput {
                    comment: comment.clone(),
                    assignment: Some(assignment.clone()),
                    via: Some(json!({ "source": "assign_items", "count": items.len() })),
                    ..Default::default()
                };
                match self
                    .act_in(&tx, actor, *id, "assign", input, *version)
                    .await
                {
                    Ok((item, _)) => done.push(item),
                    Err(e) => return Err(in_batch(&tx, n, *id, e).await),
                }
            }
            Ok(done)
        }
        .await;
        let done = finish(tx, result).await?;
        for item in &done {
            self.publish_item(item, "assign");
        }
        Ok(done)
    }

    /// Takes a workflow action that needs no structured input (accept, submit, verify,
    /// reject, reopen, cancel, urge, or a stage an office added).
    pub async fn transition_item(
        &self,
        actor: &Actor,
        item_id: Uuid,
        action: &str,
        input: TransitionInput,
        expected_version: i32,
    ) -> Result<ItemRow, ServiceError> {
        if let Some((_, mutation)) = STRUCTURED_ACTIONS.iter().find(|(a, _)| *a == action) {
            return Err(ServiceError::invalid(
                "action",
                format!("操作 {action} 有专门的输入，请使用 {mutation}"),
            ));
        }
        let input = ActionInput {
            comment: input.comment,
            outcome: input.outcome,
            measures: text::optional("measures", input.measures.as_deref(), 4000)?,
            ..Default::default()
        };
        self.act(actor, item_id, action, input, expected_version)
            .await
            .map(|(item, _)| item)
    }

    /// Reports progress (进展情况) on an item in progress or long-term.
    pub async fn report_progress(
        &self,
        actor: &Actor,
        item_id: Uuid,
        progress: String,
        expected_version: i32,
    ) -> Result<ItemRow, ServiceError> {
        let progress = text::required("progress", &progress, 4000)?;
        let input = ActionInput {
            comment: Some(progress),
            ..Default::default()
        };
        self.act(actor, item_id, "report_progress", input, expected_version)
            .await
            .map(|(item, _)| item)
    }

    /// Asks for a later due date; a supervisor decides.
    pub async fn request_extension(
        &self,
        actor: &Actor,
        item_id: Uuid,
        due_on: NaiveDate,
        reason: String,
        expected_version: i32,
    ) -> Result<(ItemRow, ExtensionRow), ServiceError> {
        let input = ActionInput {
            comment: Some(reason),
            due_on: Some(due_on),
            ..Default::default()
        };
        let (item, extension) = self
            .act(actor, item_id, "request_extension", input, expected_version)
            .await?;
        Ok((
            item,
            extension.expect("request_extension records a request"),
        ))
    }

    /// Approves or rejects a pending extension request; an approved one moves the due date.
    pub async fn decide_extension(
        &self,
        actor: &Actor,
        request_id: Uuid,
        approve: bool,
        comment: Option<String>,
        expected_version: i32,
    ) -> Result<(ItemRow, ExtensionRow), ServiceError> {
        let request = {
            let tx = self.store.begin().await?;
            let found = tx.extension(request_id).await;
            tx.rollback().await.ok();
            found?.ok_or_else(|| ServiceError::not_found("extension request", request_id))?
        };
        let input = ActionInput {
            comment,
            due_on: approve.then_some(request.requested_due_on),
            extension_id: Some(request_id),
            ..Default::default()
        };
        let (item, extension) = self
            .act(
                actor,
                request.item_id,
                "decide_extension",
                input,
                expected_version,
            )
            .await?;
        Ok((item, extension.expect("decide_extension decides a request")))
    }

    /// Takes one ledger change inside the import's transaction `tx`, exactly as its own
    /// mutation would (same rules, same audit event, `via` added to the event's payload).
    pub(crate) async fn apply_ledger_change(
        &self,
        tx: &Tx,
        actor: &Actor,
        item_id: Uuid,
        change: LedgerChange,
        expected_version: i32,
        via: Value,
    ) -> Result<ItemRow, ServiceError> {
        let action = change.action();
        let input = match change {
            LedgerChange::Assign(assignment) => ActionInput {
                assignment: Some(assignment),
                ..Default::default()
            },
            LedgerChange::Accept { measures } => ActionInput {
                measures: text::optional("measures", Some(&measures), 4000)?,
                ..Default::default()
            },
            LedgerChange::Progress(progress) => ActionInput {
                comment: Some(text::required("progress", &progress, 4000)?),
                ..Default::default()
            },
        };
        let input = ActionInput {
            via: Some(via),
            ..input
        };
        self.act_in(tx, actor, item_id, action, input, expected_version)
            .await
            .map(|(item, _)| item)
    }

    /// The heart of the workflow: decide, then write the decision under the caller's version,
    /// in a transaction of its own.
    async fn act(
        &self,
        actor: &Actor,
        item_id: Uuid,
        action: &str,
        input: ActionInput,
        expected_version: i32,
    ) -> Result<(ItemRow, Option<ExtensionRow>), ServiceError> {
        if matches!(actor, Actor::Anonymous) {
            return Err(ServiceError::Unauthenticated);
        }
        let tx = self.store.begin().await?;
        let result = self
            .act_in(&tx, actor, item_id, action, input, expected_version)
            .await;
        let (item, extension) = finish(tx, result).await?;
        self.publish_item(&item, action);
        Ok((item, extension))
    }

    /// [`Self::act`] inside a transaction the caller owns (and commits, or rolls back): the
    /// ledger import applies many rows in one. Nothing is published; the caller publishes
    /// once it committed.
    async fn act_in(
        &self,
        tx: &Tx,
        actor: &Actor,
        item_id: Uuid,
        action: &str,
        input: ActionInput,
        expected_version: i32,
    ) -> Result<(ItemRow, Option<ExtensionRow>), ServiceError> {
        if matches!(actor, Actor::Anonymous) {
            return Err(ServiceError::Unauthenticated);
        }
        let comment = text::optional("comment", input.comment.as_deref(), 4000)?;
        {
            let item = tx
                .item(item_id)
                .await?
                .ok_or_else(|| ServiceError::not_found("item", item_id))?;
            let roles = actor.require_item(&item)?;
            if item.version != expected_version {
                return Err(ServiceError::StaleVersion {
                    expected: expected_version,
                    actual: item.version,
                });
            }
            let evidence = tx.evidence_count(item.id).await?;
            let long_term = match &input.assignment {
                Some(a) => a.category == ItemCategory::LongTerm,
                None => item.category == Some(ItemCategory::LongTerm),
            };
            let facts = ItemFacts {
                state: &item.state,
                long_term,
                evidence_count: u32::try_from(evidence).unwrap_or(u32::MAX),
                has_measures: item
                    .measures
                    .as_deref()
                    .is_some_and(|m| !m.trim().is_empty()),
            };
            let request = ActionRequest {
                action,
                comment: comment.as_deref(),
                due_date_given: input.due_on.is_some() || input.assignment.is_some(),
                assignee_given: input.assignment.is_some(),
                outcome_given: input.outcome.is_some(),
                measures_given: input.measures.is_some(),
            };
            let decision = self.workflow.decide(&facts, &roles, &request)?;
            self.refuse_own_submission(tx, actor, &item, &decision)
                .await?;
            let (update, mut payload, extension) =
                self.effects(tx, actor, &item, &decision, &input).await?;
            if let Some(lead) = self.lead_of(&item, &update).await? {
                payload["lead"] = lead;
            }
            if let Some(via) = &input.via {
                payload["via"] = via.clone();
            }
            if !tx.update_item(item.id, expected_version, update).await? {
                // Another writer got there between our read and our write.
                let now = tx.item(item.id).await?;
                return Err(match now {
                    Some(now) => ServiceError::StaleVersion {
                        expected: expected_version,
                        actual: now.version,
                    },
                    None => ServiceError::not_found("item", item.id),
                });
            }
            tx.append_event(NewEvent {
                item_id: item.id,
                action,
                from_state: Some(&decision.from),
                to_state: Some(&decision.to),
                actor_account_id: actor.account_id(),
                actor_person_id: actor.person_id(),
                comment: comment.as_deref(),
                payload_json: payload.to_string(),
                at: Utc::now(),
            })
            .await?;
            if matches!(action, "reject" | "urge") {
                let text = comment.as_deref().unwrap_or_default();
                self.notify_item_people(tx, &item, actor, action, text)
                    .await?;
            }
            let item = tx
                .item(item.id)
                .await?
                .ok_or_else(|| ServiceError::not_found("item", item_id))?;
            Ok((item, extension))
        }
    }

    /// What a decided action changes, besides the state: the columns, the event's payload,
    /// and the extension request it records or decides.
    async fn effects(
        &self,
        tx: &Tx,
        actor: &Actor,
        item: &ItemRow,
        decision: &Decision,
        input: &ActionInput,
    ) -> Result<(ItemUpdate, Value, Option<ExtensionRow>), ServiceError> {
        let now = Utc::now();
        let mut update = ItemUpdate {
            state: Some(decision.to.clone()),
            ..Default::default()
        };
        let mut payload = json!({});
        let mut extension = None;
        match decision.action.as_str() {
            "assign" => {
                let a = input
                    .assignment
                    .as_ref()
                    .expect("assign carries an assignment");
                self.check_assignment_reach(tx, actor, item, a).await?;
                // A new due date is never in the past: an overdue item is moved by an
                // extension (延期申请), which leaves a record of why.
                if item.due_on != Some(a.due_on) {
                    let zone = tx
                        .agency(item.agency_id)
                        .await?
                        .map_or(self.time_zone, |agency| self.agency_zone(&agency));
                    let today = Utc::now().with_timezone(&zone).date_naive();
                    if a.due_on < today {
                        return Err(ServiceError::invalid(
                            "dueOn",
                            format!(
                                "完成时限 {} 早于今天（{today}），不能交办；已到期的事项请通过延期申请调整",
                                a.due_on
                            ),
                        ));
                    }
                }
                update.lead_person_id = Some(a.lead_person_id);
                update.lead_post_id = Some(a.lead_post_id);
                update.responsible_person_id = Some(if a.keep_responsible {
                    item.responsible_person_id
                } else {
                    a.responsible_person_id
                });
                update.lead_unit_id = Some(a.lead_unit_id);
                update.due_on = Some(Some(a.due_on));
                update.category = Some(Some(a.category.as_str().to_owned()));
                if decision.changes_state() {
                    update.assigned_at = Some(Some(now));
                }
                tx.set_supporting_units(item.id, &a.supporting_unit_ids)
                    .await?;
                payload = json!({
                    "lead_person_id": a.lead_person_id,
                    "lead_post_id": a.lead_post_id,
                    "responsible_person_id": if a.keep_responsible {
                        item.responsible_person_id
                    } else {
                        a.responsible_person_id
                    },
                    "lead_unit_id": a.lead_unit_id,
                    "supporting_unit_ids": a.supporting_unit_ids,
                    "due_on": a.due_on,
                    "previous_due_on": item.due_on,
                    "category": a.category.as_str(),
                });
            }
            "accept" => {
                if let Some(m) = &input.measures {
                    update.measures = Some(Some(m.clone()));
                    payload = json!({ "measures": m });
                }
                update.accepted_at = Some(Some(now));
            }
            "report_progress" => {
                update.progress = Some(input.comment.clone());
            }
            "submit" => {
                // 按期 is judged by the calendar day where the agency is.
                let zone = match tx.agency(item.agency_id).await? {
                    Some(a) => self.agency_zone(&a),
                    None => self.time_zone,
                };
                update.submitted_at = Some(Some(now));
                update.submitted_on = Some(Some(now.with_timezone(&zone).date_naive()));
            }
            "verify" => {
                let outcome = input.outcome.expect("verify requires an outcome");
                update.outcome = Some(Some(outcome.as_str().to_owned()));
                update.verified_by = Some(actor.account_id());
                update.closed_at = Some(Some(now));
                payload = json!({ "outcome": outcome.as_str(), "outcome_label": outcome.label() });
            }
            "reopen" => {
                update.outcome = Some(None);
                update.verified_by = Some(None);
                update.closed_at = Some(None);
                update.submitted_at = Some(None);
                update.submitted_on = Some(None);
            }
            "request_extension" => {
                let due_on = input.due_on.expect("request_extension requires a date");
                if item.due_on.is_some_and(|d| due_on <= d) {
                    return Err(ServiceError::invalid(
                        "dueOn",
                        format!(
                            "延期申请的日期须晚于当前完成时限（{}）",
                            item.due_on.map(|d| d.to_string()).unwrap_or_default()
                        ),
                    ));
                }
                if tx.pending_extension(item.id).await?.is_some() {
                    return Err(ServiceError::Conflict("该事项已有待审批的延期申请".into()));
                }
                let reason = input.comment.as_deref().unwrap_or_default();
                let row = tx
                    .insert_extension(item.id, actor.account_id(), due_on, item.due_on, reason)
                    .await?;
                payload = json!({ "extension_id": row.id, "requested_due_on": due_on });
                extension = Some(row);
            }
            "decide_extension" => {
                let request_id = input
                    .extension_id
                    .expect("decide_extension carries its request id");
                let request = tx
                    .extension(request_id)
                    .await?
                    .ok_or_else(|| ServiceError::not_found("extension request", request_id))?;
                let status = if input.due_on.is_some() {
                    "approved"
                } else {
                    "rejected"
                };
                if !tx
                    .decide_extension(
                        request.id,
                        status,
                        actor.account_id(),
                        input.comment.as_deref(),
                    )
                    .await?
                {
                    return Err(ServiceError::Conflict("该延期申请已审批过".into()));
                }
                if let Some(due_on) = input.due_on {
                    update.due_on = Some(Some(due_on));
                }
                payload = json!({
                    "extension_id": request.id,
                    "decision": status,
                    "previous_due_on": item.due_on,
                    "due_on": input.due_on.or(item.due_on),
                });
                extension = tx.extension(request.id).await?;
            }
            _ => {}
        }
        Ok((update, payload, extension))
    }

    /// Who leads the item after `update`: the person, or the post and whoever holds it today.
    /// Recorded in every event so history keeps who held the post at the time.
    async fn lead_of(
        &self,
        item: &ItemRow,
        update: &ItemUpdate,
    ) -> Result<Option<Value>, ServiceError> {
        let person = update.lead_person_id.unwrap_or(item.lead_person_id);
        let post = update.lead_post_id.unwrap_or(item.lead_post_id);
        Ok(match (person, post) {
            (Some(person), _) => Some(json!({ "person_id": person })),
            (None, Some(post)) => {
                let holder = self
                    .store
                    .post_holders(&[post], self.today())
                    .await?
                    .first()
                    .map(|(_, person)| *person);
                Some(json!({ "post_id": post, "holder_person_id": holder }))
            }
            (None, None) => None,
        })
    }

    pub(crate) fn publish_item(&self, item: &ItemRow, action: &str) {
        self.publish(ItemChange {
            item_id: item.id,
            agency_id: item.agency_id,
            action: action.to_owned(),
            state: item.state.clone(),
            version: item.version,
        });
    }
}
