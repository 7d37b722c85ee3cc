//! The item workflow over GraphQL: creating and assigning items, transitions, progress,
//! extensions, evidence, posts, history, the audit check and the workflow itself.

use async_graphql::{
    Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject, Upload,
};
use chrono::{DateTime, NaiveDate, Utc};

use super::{
    ContextExt,
    error::parse_id,
    types::{Item, ItemCategory},
};
use crate::{
    domain::{self, workflow::Workflow},
    service::{
        audit::AuditReport as AuditReportRow,
        evidence::EvidenceInput,
        history::{self, EventFacts},
        workflow::{Assignment, NewItemInput, TransitionInput},
    },
    store::{
        posts::{PostRow, TenureRow},
        workflow::{EventRow, EvidenceRow, ExtensionRow},
    },
};

fn id(u: uuid::Uuid) -> ID {
    ID(u.to_string())
}

fn opt_id(field: &'static str, v: &Option<ID>) -> Result<Option<uuid::Uuid>> {
    v.as_ref().map(|v| parse_id(field, v)).transpose()
}

/// A piece of evidence (佐证材料): a file (download at `/evidence/{id}`), a note or a link.
#[derive(SimpleObject)]
pub struct Evidence {
    pub id: ID,
    /// file, note or link.
    pub kind: String,
    pub name: String,
    pub content_type: Option<String>,
    pub size_bytes: Option<i64>,
    /// SHA-256 of the file (or of the note's text).
    pub sha256: Option<String>,
    pub url: Option<String>,
    pub note: Option<String>,
    /// Where a file can be downloaded (with the same token).
    pub download_path: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<EvidenceRow> for Evidence {
    fn from(e: EvidenceRow) -> Self {
        Self {
            id: id(e.id),
            download_path: e
                .storage_key
                .as_ref()
                .map(|_| format!("/evidence/{}", e.id)),
            kind: e.kind,
            name: e.name,
            content_type: e.content_type,
            size_bytes: e.size_bytes,
            sha256: e.sha256,
            url: e.url,
            note: e.note,
            created_at: e.created_at,
        }
    }
}

/// A comment on an item (批示 by its leader or a supervising office, 留言 by others).
#[derive(SimpleObject)]
pub struct Comment {
    /// Its place in the item's audit trail (`history`).
    pub seq: i32,
    /// instruction (批示) or reply (留言).
    pub kind: String,
    pub text: String,
    pub author_person_id: Option<ID>,
    pub author_account_id: Option<ID>,
    pub at: DateTime<Utc>,
}

impl From<crate::service::comments::Comment> for Comment {
    fn from(c: crate::service::comments::Comment) -> Self {
        Self {
            seq: c.seq,
            kind: c.kind.as_str().to_owned(),
            text: c.text,
            author_person_id: c.author_person_id.map(id),
            author_account_id: c.author_account_id.map(id),
            at: c.at,
        }
    }
}

/// One entry of an item's audit trail, hash-chained to the one before.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct ItemEvent {
    pub seq: i32,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub actor_account_id: Option<ID>,
    pub actor_person_id: Option<ID>,
    pub comment: Option<String>,
    /// Details as JSON text, exactly as hashed into the chain (the typed fields below
    /// read it for you).
    pub payload: String,
    pub occurred_at: DateTime<Utc>,
    pub prev_hash: String,
    pub hash: String,
    #[graphql(skip)]
    pub row: EventRow,
}

impl From<EventRow> for ItemEvent {
    fn from(e: EventRow) -> Self {
        Self {
            seq: e.seq,
            action: e.action.clone(),
            from_state: e.from_state.clone(),
            to_state: e.to_state.clone(),
            actor_account_id: e.actor_account_id.map(id),
            actor_person_id: e.actor_person_id.map(id),
            comment: e.comment.clone(),
            payload: e.payload_json.clone(),
            occurred_at: e.occurred_at,
            prev_hash: e.prev_hash.clone(),
            hash: e.hash.clone(),
            row: e,
        }
    }
}

/// Who took an action: a person, or an account that acts for no person, or the system.
#[derive(SimpleObject)]
pub struct EventActor {
    /// The person's name; for an account without a person its role (管理员账号 …); 系统
    /// for the service itself.
    pub name: String,
    pub person: Option<super::types::Person>,
    /// The account's role (admin, supervisor, coordinator, leader, person), when known.
    pub role: Option<String>,
}

impl ItemEvent {
    async fn actor_of(&self, ctx: &Context<'_>) -> Result<EventActor> {
        let loaders = ctx.loaders();
        let mut role = None;
        let mut person_id = self.row.actor_person_id;
        if let Some(account) = self.row.actor_account_id {
            let row = ctx
                .services()
                .store
                .account(account)
                .await
                .map_err(crate::service::ServiceError::from)?;
            if let Some(a) = row {
                person_id = person_id.or(a.person_id);
                role = Some(a.role);
            }
        }
        if let Some(pid) = person_id
            && let Some(p) = loaders
                .persons
                .load_one(pid)
                .await
                .map_err(super::loaders::load_error)?
        {
            return Ok(EventActor {
                name: p.name.clone(),
                person: Some(super::types::Person(p)),
                role,
            });
        }
        let name = match (&role, self.row.actor_account_id) {
            (Some(r), _) => domain::AccountRole::parse(r)
                .map_or_else(|_| "账号".to_owned(), |r| format!("{}账号", r.label())),
            (None, Some(_)) => "已删除的账号".to_owned(),
            (None, None) => "系统".to_owned(),
        };
        Ok(EventActor {
            name,
            person: None,
            role,
        })
    }

    async fn person(
        &self,
        ctx: &Context<'_>,
        person: Option<uuid::Uuid>,
    ) -> Result<Option<super::types::Person>> {
        let Some(pid) = person else {
            return Ok(None);
        };
        Ok(ctx
            .loaders()
            .persons
            .load_one(pid)
            .await
            .map_err(super::loaders::load_error)?
            .map(super::types::Person))
    }
}

#[async_graphql::ComplexObject]
impl ItemEvent {
    /// Who did it, as a person (or the kind of account, or 系统).
    async fn actor(&self, ctx: &Context<'_>) -> Result<EventActor> {
        self.actor_of(ctx).await
    }

    /// What happened, in a sentence in Chinese with people's names, e.g.
    /// 张局长 签收（已交办 → 整改中）：整改措施：….
    async fn summary(&self, ctx: &Context<'_>) -> Result<String> {
        let who = self.actor_of(ctx).await?.name;
        let facts = EventFacts::of(&self.row);
        let mut names = std::collections::HashMap::new();
        for pid in [facts.lead_person_id, facts.responsible_person_id]
            .into_iter()
            .flatten()
        {
            if let Some(p) = self.person(ctx, Some(pid)).await? {
                names.insert(pid, p.0.name.clone());
            }
        }
        if let Some(post) = facts.lead_post_id
            && let Some(p) = ctx
                .loaders()
                .posts
                .load_one(post)
                .await
                .map_err(super::loaders::load_error)?
        {
            names.insert(post, p.title.clone());
        }
        Ok(history::summary(
            ctx.services().workflow.as_ref(),
            &self.row,
            &who,
            &names,
        ))
    }

    /// The workflow's label of the state before (已交办 …).
    async fn from_state_label(&self, ctx: &Context<'_>) -> Option<String> {
        let w = &ctx.services().workflow;
        self.row
            .from_state
            .as_deref()
            .map(|s| w.state(s).map_or(s.to_owned(), |s| s.label.clone()))
    }

    /// The workflow's label of the state after.
    async fn to_state_label(&self, ctx: &Context<'_>) -> Option<String> {
        let w = &ctx.services().workflow;
        self.row
            .to_state
            .as_deref()
            .map(|s| w.state(s).map_or(s.to_owned(), |s| s.label.clone()))
    }

    /// The due date set (assign, an extension decided).
    async fn due_on(&self) -> Option<NaiveDate> {
        EventFacts::of(&self.row).due_on
    }

    /// The due date before the change.
    async fn previous_due_on(&self) -> Option<NaiveDate> {
        EventFacts::of(&self.row).previous_due_on
    }

    /// The date an extension asked for.
    async fn requested_due_on(&self) -> Option<NaiveDate> {
        EventFacts::of(&self.row).requested_due_on
    }

    /// The measures given on accepting (整改措施).
    async fn measures(&self) -> Option<String> {
        EventFacts::of(&self.row).measures
    }

    /// The verdict on closing (整改结果).
    async fn outcome(&self) -> Option<ItemOutcome> {
        EventFacts::of(&self.row).outcome.map(ItemOutcome::from)
    }

    /// The category set on assigning (整改类别).
    async fn category(&self) -> Option<ItemCategory> {
        EventFacts::of(&self.row).category.map(ItemCategory::from)
    }

    /// An extension's decision: approved or rejected.
    async fn extension_decision(&self) -> Option<String> {
        EventFacts::of(&self.row).decision
    }

    /// The lead leader assigned (in person).
    async fn lead_person(&self, ctx: &Context<'_>) -> Result<Option<super::types::Person>> {
        self.person(ctx, EventFacts::of(&self.row).lead_person_id)
            .await
    }

    /// The responsible person assigned.
    async fn responsible_person(&self, ctx: &Context<'_>) -> Result<Option<super::types::Person>> {
        self.person(ctx, EventFacts::of(&self.row).responsible_person_id)
            .await
    }

    /// The name of the evidence added.
    async fn evidence_name(&self) -> Option<String> {
        EventFacts::of(&self.row).evidence_name
    }

    /// The item this one was split from.
    async fn split_from(&self) -> Option<ID> {
        EventFacts::of(&self.row).split_from.map(id)
    }

    /// The items this one was split into.
    async fn split_into(&self) -> Vec<ID> {
        EventFacts::of(&self.row)
            .split_into
            .into_iter()
            .map(id)
            .collect()
    }
}

/// A request to move an item's due date.
#[derive(SimpleObject)]
pub struct ExtensionRequest {
    pub id: ID,
    pub requested_due_on: NaiveDate,
    pub previous_due_on: Option<NaiveDate>,
    pub reason: String,
    /// pending, approved or rejected.
    pub status: String,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_comment: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<ExtensionRow> for ExtensionRequest {
    fn from(e: ExtensionRow) -> Self {
        Self {
            id: id(e.id),
            requested_due_on: e.requested_due_on,
            previous_due_on: e.previous_due_on,
            reason: e.reason,
            status: e.status,
            decided_at: e.decided_at,
            decision_comment: e.decision_comment,
            created_at: e.created_at,
        }
    }
}

/// A post (职务) in an agency; items led by a post go to whoever holds it.
#[derive(SimpleObject)]
pub struct Post {
    pub id: ID,
    pub agency_id: ID,
    pub title: String,
}

impl From<PostRow> for Post {
    fn from(p: PostRow) -> Self {
        Self {
            id: id(p.id),
            agency_id: id(p.agency_id),
            title: p.title,
        }
    }
}

/// One holder's time in a post.
#[derive(SimpleObject)]
pub struct Tenure {
    pub post_id: ID,
    pub person_id: ID,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
}

impl From<TenureRow> for Tenure {
    fn from(t: TenureRow) -> Self {
        Self {
            post_id: id(t.post_id),
            person_id: id(t.person_id),
            started_on: t.started_on,
            ended_on: t.ended_on,
        }
    }
}

/// A broken chain: the item and its first bad event.
#[derive(SimpleObject)]
pub struct AuditBreak {
    pub item_id: ID,
    pub seq: i32,
    pub reason: String,
    /// The break in Chinese (第 3 条记录写入后被改动…), as the audit page says it.
    pub description: String,
}

/// One item's chain head as exported (a line of `rectify audit digest`): keep a copy
/// elsewhere, and pass it back to `auditVerify(digests:)` to catch a tail truncated together
/// with its head, or a rewritten chain.
#[derive(SimpleObject)]
pub struct HeadDigest {
    pub item_id: ID,
    pub seq: i32,
    pub hash: String,
}

/// The outcome of verifying audit chains.
#[derive(SimpleObject)]
pub struct AuditReport {
    pub ok: bool,
    pub items_checked: u64,
    pub events_checked: u64,
    pub breaks: Vec<AuditBreak>,
}

impl From<AuditReportRow> for AuditReport {
    fn from(r: AuditReportRow) -> Self {
        Self {
            ok: r.ok(),
            items_checked: r.items_checked,
            events_checked: r.events_checked,
            breaks: r
                .breaks
                .into_iter()
                .map(|b| AuditBreak {
                    item_id: id(b.item_id),
                    seq: b.seq,
                    description: b.describe(),
                    reason: b.reason,
                })
                .collect(),
        }
    }
}

/// A state of the workflow.
#[derive(SimpleObject)]
pub struct WorkflowState {
    pub name: String,
    pub label: String,
    pub is_final: bool,
}

/// An action of the workflow: who may take it, from where to where, needing what.
#[derive(SimpleObject)]
pub struct WorkflowAction {
    pub name: String,
    pub label: String,
    pub roles: Vec<String>,
    /// `from -> to` pairs ("*" is any state that is not final).
    pub transitions: Vec<String>,
    pub requires: Vec<String>,
    /// The item's lead and responsible person may never take it (separation of duties).
    pub forbid_owner: bool,
}

/// The workflow every item follows.
#[derive(SimpleObject)]
pub struct WorkflowDescription {
    pub name: String,
    pub initial: String,
    pub states: Vec<WorkflowState>,
    pub actions: Vec<WorkflowAction>,
}

impl From<&Workflow> for WorkflowDescription {
    fn from(w: &Workflow) -> Self {
        Self {
            name: w.name().to_owned(),
            initial: w.initial().to_owned(),
            states: w
                .states()
                .iter()
                .map(|s| WorkflowState {
                    name: s.name.clone(),
                    label: s.label.clone(),
                    is_final: s.is_final,
                })
                .collect(),
            actions: w
                .actions()
                .iter()
                .map(|a| WorkflowAction {
                    name: a.name.clone(),
                    label: a.label.clone(),
                    roles: a.roles.iter().map(|r| r.as_str().to_owned()).collect(),
                    transitions: a
                        .transitions
                        .iter()
                        .map(|t| match t.when_long_term {
                            None => format!("{} -> {}", t.from, t.to),
                            Some(true) => format!("{} -> {} (long-term)", t.from, t.to),
                            Some(false) => format!("{} -> {} (not long-term)", t.from, t.to),
                        })
                        .collect(),
                    requires: a.requires.iter().map(|r| r.as_str().to_owned()).collect(),
                    forbid_owner: a.forbid_owner,
                })
                .collect(),
        }
    }
}

/// Where an item comes from.
#[derive(async_graphql::Enum, Copy, Clone, Eq, PartialEq)]
pub enum ItemSource {
    /// 年度报告
    AnnualReport,
    /// 法治督察
    RuleOfLawInspection,
    /// 考评
    Appraisal,
    /// 巡察
    Patrol,
    /// 审计
    Audit,
    /// 其他
    Other,
}

impl From<ItemSource> for domain::ItemSource {
    fn from(s: ItemSource) -> Self {
        match s {
            ItemSource::AnnualReport => Self::AnnualReport,
            ItemSource::RuleOfLawInspection => Self::RuleOfLawInspection,
            ItemSource::Appraisal => Self::Appraisal,
            ItemSource::Patrol => Self::Patrol,
            ItemSource::Audit => Self::Audit,
            ItemSource::Other => Self::Other,
        }
    }
}

/// The verdict when closing an item (整改结果).
#[derive(async_graphql::Enum, Copy, Clone, Eq, PartialEq)]
pub enum ItemOutcome {
    /// 已整改
    Rectified,
    /// 持续整改
    Continuing,
    /// 未整改
    NotRectified,
}

impl From<domain::ItemOutcome> for ItemOutcome {
    fn from(o: domain::ItemOutcome) -> Self {
        match o {
            domain::ItemOutcome::Rectified => Self::Rectified,
            domain::ItemOutcome::Continuing => Self::Continuing,
            domain::ItemOutcome::NotRectified => Self::NotRectified,
        }
    }
}

impl From<ItemOutcome> for domain::ItemOutcome {
    fn from(o: ItemOutcome) -> Self {
        match o {
            ItemOutcome::Rectified => Self::Rectified,
            ItemOutcome::Continuing => Self::Continuing,
            ItemOutcome::NotRectified => Self::NotRectified,
        }
    }
}

/// An item created by hand.
#[derive(InputObject)]
pub struct CreateItemInput {
    pub agency_id: ID,
    pub title: String,
    pub source: ItemSource,
    /// The document it comes from (e.g. 督察反馈意见 文号).
    pub source_document: Option<String>,
    pub shortcoming_id: Option<ID>,
    /// 台账编号
    pub code: Option<String>,
}

/// Who leads an item and by when. Give exactly one of leadPersonId and leadPostId.
#[derive(InputObject)]
pub struct AssignItemInput {
    /// 责任领导, in person.
    pub lead_person_id: Option<ID>,
    /// 责任领导 by post: whoever holds it leads, now and after a rotation.
    pub lead_post_id: Option<ID>,
    /// 责任人. Omitted: unchanged on a reassignment; `null`: none.
    pub responsible_person_id: MaybeUndefined<ID>,
    /// 牵头单位
    pub lead_unit_id: Option<ID>,
    /// 配合单位
    #[graphql(default)]
    pub supporting_unit_ids: Vec<ID>,
    /// 完成时限
    pub due_on: NaiveDate,
    /// 立行立改 / 限期整改 / 长期坚持
    pub category: ItemCategory,
    pub comment: Option<String>,
}

/// An item and the version the caller read, for `assignItems`.
#[derive(InputObject)]
pub struct ItemVersionInput {
    pub id: ID,
    pub expected_version: i32,
}

fn assignment_of(input: &AssignItemInput) -> Result<Assignment> {
    Ok(Assignment {
        lead_person_id: opt_id("leadPersonId", &input.lead_person_id)?,
        lead_post_id: opt_id("leadPostId", &input.lead_post_id)?,
        responsible_person_id: opt_id(
            "responsiblePersonId",
            &input.responsible_person_id.clone().take(),
        )?,
        keep_responsible: input.responsible_person_id.is_undefined(),
        lead_unit_id: opt_id("leadUnitId", &input.lead_unit_id)?,
        supporting_unit_ids: input
            .supporting_unit_ids
            .iter()
            .map(|u| parse_id("supportingUnitIds", u))
            .collect::<Result<_>>()?,
        due_on: input.due_on,
        category: input.category.into(),
    })
}

#[derive(Default)]
pub struct WorkflowQuery;

#[Object]
impl WorkflowQuery {
    /// The workflow items follow: states, actions, roles, requirements.
    async fn workflow(&self, ctx: &Context<'_>) -> Result<WorkflowDescription> {
        ctx.actor().require(domain::access::Operation::Read)?;
        Ok(ctx.services().workflow.as_ref().into())
    }

    /// An item's audit trail, oldest first.
    async fn item_history(&self, ctx: &Context<'_>, id: ID) -> Result<Vec<ItemEvent>> {
        let id = parse_id("id", &id)?;
        let events = ctx.services().item_history(ctx.actor(), id).await?;
        Ok(events.into_iter().map(Into::into).collect())
    }

    /// Verifies audit hash chains: one item's, or every chain within reach. Reports each
    /// broken chain at its first bad event.
    async fn audit_verify(
        &self,
        ctx: &Context<'_>,
        item_id: Option<ID>,
        #[graphql(
            desc = "Head digests exported earlier (`auditDigest`, `GET /audit/digests.jsonl` or `rectify audit digest`), as that file's text: one JSON object per line. Each chain is also checked against its exported head."
        )]
        digests: Option<String>,
    ) -> Result<AuditReport> {
        let item_id = opt_id("itemId", &item_id)?;
        let exported = match digests.as_deref() {
            Some(text) => crate::service::audit::parse_digests(text)?,
            None => Vec::new(),
        };
        Ok(ctx
            .services()
            .verify_audit(ctx.actor(), item_id, &exported)
            .await?
            .into())
    }

    /// Every chain head within reach (admins and supervisors), by item: keep the list
    /// elsewhere to detect later rewrites (also `GET /audit/digests.jsonl`).
    async fn audit_digest(&self, ctx: &Context<'_>) -> Result<Vec<HeadDigest>> {
        let heads = ctx.services().audit_digest(ctx.actor()).await?;
        Ok(heads
            .into_iter()
            .map(|h| HeadDigest {
                item_id: id(h.item_id),
                seq: h.seq,
                hash: h.hash,
            })
            .collect())
    }

    /// A post and who held it.
    async fn post(&self, ctx: &Context<'_>, id: ID) -> Result<Post> {
        let id = parse_id("id", &id)?;
        Ok(ctx.services().post(ctx.actor(), id).await?.into())
    }

    /// Who held a post, earliest first.
    async fn post_tenures(&self, ctx: &Context<'_>, id: ID) -> Result<Vec<Tenure>> {
        let id = parse_id("id", &id)?;
        let rows = ctx.services().tenures(ctx.actor(), id).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}

#[derive(Default)]
pub struct WorkflowMutation;

#[Object]
impl WorkflowMutation {
    /// Creates an item by hand (from 法治督察, 考评, 巡察, 审计 …) in the initial state.
    async fn create_item(&self, ctx: &Context<'_>, input: CreateItemInput) -> Result<Item> {
        let input = NewItemInput {
            agency_id: parse_id("agencyId", &input.agency_id)?,
            title: input.title,
            source: input.source.into(),
            source_document: input.source_document,
            shortcoming_id: opt_id("shortcomingId", &input.shortcoming_id)?,
            code: input.code,
        };
        Ok(Item(ctx.services().create_item(ctx.actor(), input).await?))
    }

    /// Assigns (交办) an item, or reassigns it keeping its state.
    async fn assign_item(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: AssignItemInput,
        expected_version: i32,
    ) -> Result<Item> {
        let item_id = parse_id("id", &id)?;
        let assignment = assignment_of(&input)?;
        Ok(Item(
            ctx.services()
                .assign_item(
                    ctx.actor(),
                    item_id,
                    assignment,
                    input.comment,
                    expected_version,
                )
                .await?,
        ))
    }

    /// Assigns (交办) several items at once with the same assignment, each under the version
    /// the caller read (at most 100). All or nothing: when one is refused (FORBIDDEN,
    /// STALE_VERSION as CONFLICT, INVALID_TRANSITION …), none is assigned and the message
    /// says which one.
    async fn assign_items(
        &self,
        ctx: &Context<'_>,
        items: Vec<ItemVersionInput>,
        input: AssignItemInput,
    ) -> Result<Vec<Item>> {
        if items.len() > crate::service::workflow::MAX_ASSIGNED_AT_ONCE {
            return Err(
                crate::service::ServiceError::invalid("items", "一次最多交办 100 个事项").into(),
            );
        }
        let items = items
            .iter()
            .map(|i| Ok((parse_id("items", &i.id)?, i.expected_version)))
            .collect::<Result<Vec<_>>>()?;
        let assignment = assignment_of(&input)?;
        Ok(ctx
            .services()
            .assign_items(ctx.actor(), items, assignment, input.comment)
            .await?
            .into_iter()
            .map(Item)
            .collect())
    }

    /// Takes a workflow action: accept (with measures), submit, verify (with outcome),
    /// reject, reopen, cancel, urge — or a stage the office's workflow adds. Refusals carry
    /// INVALID_TRANSITION, FORBIDDEN, EVIDENCE_REQUIRED, VALIDATION or STALE_VERSION.
    #[allow(clippy::too_many_arguments)] // one Rust argument per GraphQL argument
    async fn transition_item(
        &self,
        ctx: &Context<'_>,
        id: ID,
        action: String,
        comment: Option<String>,
        outcome: Option<ItemOutcome>,
        measures: Option<String>,
        expected_version: i32,
    ) -> Result<Item> {
        let item_id = parse_id("id", &id)?;
        let input = TransitionInput {
            comment,
            outcome: outcome.map(Into::into),
            measures,
        };
        Ok(Item(
            ctx.services()
                .transition_item(ctx.actor(), item_id, &action, input, expected_version)
                .await?,
        ))
    }

    /// Comments on an item the caller may see (批示 from its leader or a supervising office,
    /// 留言 from others). Recorded in the audit trail; the item's state and version stay.
    async fn add_comment(&self, ctx: &Context<'_>, item_id: ID, text: String) -> Result<Comment> {
        let item_id = parse_id("itemId", &item_id)?;
        Ok(ctx
            .services()
            .add_comment(ctx.actor(), item_id, &text)
            .await?
            .into())
    }

    /// Reports progress (进展情况).
    async fn report_progress(
        &self,
        ctx: &Context<'_>,
        id: ID,
        progress: String,
        expected_version: i32,
    ) -> Result<Item> {
        let item_id = parse_id("id", &id)?;
        Ok(Item(
            ctx.services()
                .report_progress(ctx.actor(), item_id, progress, expected_version)
                .await?,
        ))
    }

    /// Asks for a later due date, with a reason.
    async fn request_extension(
        &self,
        ctx: &Context<'_>,
        id: ID,
        due_on: NaiveDate,
        reason: String,
        expected_version: i32,
    ) -> Result<ExtensionRequest> {
        let item_id = parse_id("id", &id)?;
        let (_, request) = ctx
            .services()
            .request_extension(ctx.actor(), item_id, due_on, reason, expected_version)
            .await?;
        Ok(request.into())
    }

    /// Approves (moving the due date) or rejects an extension request.
    async fn decide_extension(
        &self,
        ctx: &Context<'_>,
        request_id: ID,
        approve: bool,
        comment: Option<String>,
        expected_version: i32,
    ) -> Result<ExtensionRequest> {
        let request_id = parse_id("requestId", &request_id)?;
        let (_, request) = ctx
            .services()
            .decide_extension(ctx.actor(), request_id, approve, comment, expected_version)
            .await?;
        Ok(request.into())
    }

    /// Adds evidence: a file (multipart upload; PDF, images, office documents, text), a
    /// note, or a link. Refused once the item is closed (ITEM_CLOSED).
    async fn add_evidence(
        &self,
        ctx: &Context<'_>,
        item_id: ID,
        name: Option<String>,
        file: Option<Upload>,
        note: Option<String>,
        url: Option<String>,
    ) -> Result<Evidence> {
        let item_id = parse_id("itemId", &item_id)?;
        let input = match (file, note, url) {
            (Some(file), None, None) => {
                let value = file.value(ctx).map_err(|e| {
                    crate::service::ServiceError::invalid(
                        "file",
                        format!("无法读取上传的文件：{e}"),
                    )
                })?;
                let name = name.unwrap_or_else(|| value.filename.clone());
                EvidenceInput::File {
                    name,
                    bytes: value.content.to_vec(),
                }
            }
            (None, Some(text), None) => EvidenceInput::Note {
                name: name.unwrap_or_else(|| "说明".into()),
                text,
            },
            (None, None, Some(url)) => EvidenceInput::Link {
                name: name.unwrap_or_else(|| url.clone()),
                url,
            },
            _ => {
                return Err(crate::service::ServiceError::invalid(
                    "file",
                    "请在文件（file）、文字说明（note）和链接（url）中恰好提供一项",
                )
                .into());
            }
        };
        Ok(ctx
            .services()
            .add_evidence(ctx.actor(), item_id, input)
            .await?
            .into())
    }

    /// Creates a post (职务) in an agency.
    async fn create_post(&self, ctx: &Context<'_>, agency_id: ID, title: String) -> Result<Post> {
        let agency_id = parse_id("agencyId", &agency_id)?;
        Ok(ctx
            .services()
            .create_post(ctx.actor(), agency_id, &title)
            .await?
            .into())
    }

    /// Appoints a person to a post from a date (today by default); the previous holder's
    /// tenure ends then, and items led by the post follow the new holder.
    async fn appoint_to_post(
        &self,
        ctx: &Context<'_>,
        post_id: ID,
        person_id: ID,
        from: Option<NaiveDate>,
    ) -> Result<Tenure> {
        let post_id = parse_id("postId", &post_id)?;
        let person_id = parse_id("personId", &person_id)?;
        Ok(ctx
            .services()
            .appoint(ctx.actor(), post_id, person_id, from)
            .await?
            .into())
    }
}
