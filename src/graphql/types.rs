//! GraphQL object types. Each wraps a store row and resolves nested fields through the
//! request's data loaders.

use async_graphql::{ComplexObject, Context, Enum, ID, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};

use super::{
    ContextExt,
    loaders::{EvidenceOf, ExtensionsOf, HistoryOf, load_error},
};
use crate::{
    domain,
    store::{
        agencies::AgencyRow,
        items::ItemRow,
        persons::PersonRow,
        reports::{CommitmentRow, LinkRow, ReportRow, ShortcomingRow},
    },
};

/// What kind of body an agency is.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::AgencyKind")]
pub enum AgencyKind {
    /// 人民政府
    Government,
    /// 政府部门
    Department,
    /// 办公室 (依法治X办, 纪委监委, 督查室)
    Office,
    /// 其他
    Other,
}

/// The time horizon of a rectification (整改类别).
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::ItemCategory")]
pub enum ItemCategory {
    /// 立行立改: fix at once.
    Immediate,
    /// 限期整改: fix by a set date.
    TimeBound,
    /// 长期坚持: build lasting mechanisms, report progress periodically.
    LongTerm,
}

/// Total count of a list, beside its page.
#[derive(SimpleObject)]
pub struct ListInfo {
    /// How many records match the filter, over all pages.
    pub total_count: u64,
}

/// An agency (机关/单位), possibly under a supervising agency (its jurisdiction).
pub struct Agency(pub AgencyRow);

#[Object]
impl Agency {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Full name, e.g. 厦门市机关事务管理局.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Short name, if any.
    async fn short_name(&self) -> Option<&str> {
        self.0.short_name.as_deref()
    }
    /// What kind of body it is.
    async fn kind(&self) -> Option<AgencyKind> {
        domain::AgencyKind::parse(&self.0.kind).ok().map(Into::into)
    }
    /// IANA time zone in which its dates are calendar dates (default Asia/Shanghai).
    async fn time_zone(&self, ctx: &Context<'_>) -> &'static str {
        ctx.services().agency_zone(&self.0).name()
    }
    /// The supervising agency (上级/主管), if any and within your reach (null otherwise).
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Agency>> {
        let Some(id) = self.0.parent_id.filter(|id| ctx.actor().reaches(*id)) else {
            return Ok(None);
        };
        let row = ctx
            .loaders()
            .agencies
            .load_one(id)
            .await
            .map_err(load_error)?;
        Ok(row.map(Agency))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A person: a leader, a responsible person, a coordinator or a verifier.
pub struct Person(pub PersonRow);

#[Object]
impl Person {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 姓名
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// 职务, e.g. 分管副局长.
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }
    /// Where reminders are sent.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    /// The agency the person works in.
    async fn agency(&self, ctx: &Context<'_>) -> Result<Option<Agency>> {
        let row = ctx
            .loaders()
            .agencies
            .load_one(self.0.agency_id)
            .await
            .map_err(load_error)?;
        Ok(row.map(Agency))
    }
}

/// A published report (法治政府建设年度报告 or 工作总结) imported into rectify.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Report {
    pub id: ID,
    /// The year reported on.
    pub year: i32,
    /// `annual`, `first_half` or `second_half`.
    pub period: String,
    /// `rule_of_law_annual_report`, `work_summary` or `other`.
    pub kind: String,
    pub title: Option<String>,
    /// The date the document bears.
    pub published_on: Option<NaiveDate>,
    pub source_url: Option<String>,
    /// SHA-256 of the imported text: proves which text the items came from.
    pub sha256: String,
    /// SHA-256 of the file the text was read from (Word, PDF, text file); null for pasted text.
    pub source_file_sha256: Option<String>,
    /// The name of that file, as uploaded.
    pub source_file_name: Option<String>,
    /// True when a person corrected the extraction by hand before it was imported (a
    /// reviewed import); `reviewedAt` and `reviewedBy…` say when and who.
    pub corrected_by_hand: bool,
    /// When the reviewed extraction was imported.
    pub reviewed_at: Option<DateTime<Utc>>,
    /// The account that imported the reviewed extraction (null from the command line).
    pub reviewed_by_account_id: Option<ID>,
    pub created_at: DateTime<Utc>,
    #[graphql(skip)]
    pub row: ReportRow,
}

impl From<ReportRow> for Report {
    fn from(row: ReportRow) -> Self {
        Self {
            id: ID(row.id.to_string()),
            year: row.year,
            period: row.period.clone(),
            kind: row.kind.clone(),
            title: row.title.clone(),
            published_on: row.published_on,
            source_url: row.source_url.clone(),
            sha256: row.sha256.clone(),
            source_file_sha256: row.source_file_sha256.clone(),
            source_file_name: row.source_file_name.clone(),
            corrected_by_hand: row.review.is_some(),
            reviewed_at: row.review.map(|r| r.at),
            reviewed_by_account_id: row
                .review
                .and_then(|r| r.account_id)
                .map(|id| ID(id.to_string())),
            created_at: row.created_at,
            row,
        }
    }
}

#[ComplexObject]
impl Report {
    /// The agency that published it.
    async fn agency(&self, ctx: &Context<'_>) -> Result<Option<Agency>> {
        let row = ctx
            .loaders()
            .agencies
            .load_one(self.row.agency_id)
            .await
            .map_err(load_error)?;
        Ok(row.map(Agency))
    }
    /// The person who corrected the extraction by hand (the account's person), if any.
    async fn reviewed_by(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        let Some(id) = self.row.review.and_then(|r| r.person_id) else {
            return Ok(None);
        };
        Ok(ctx
            .loaders()
            .persons
            .load_one(id)
            .await
            .map_err(load_error)?
            .map(Person))
    }
    /// Its shortcomings (存在的问题), in the report's order.
    async fn shortcomings(&self, ctx: &Context<'_>) -> Result<Vec<Shortcoming>> {
        let rows = ctx
            .services()
            .store
            .shortcomings_of(self.row.id)
            .await
            .map_err(crate::service::ServiceError::from)?;
        Ok(rows.into_iter().map(Shortcoming).collect())
    }
    /// Its next-period commitments (下一年度工作安排), in the report's order.
    async fn commitments(&self, ctx: &Context<'_>) -> Result<Vec<Commitment>> {
        let rows = ctx
            .services()
            .store
            .commitments_of(self.row.id)
            .await
            .map_err(crate::service::ServiceError::from)?;
        Ok(rows.into_iter().map(Commitment).collect())
    }
}

/// A shortcoming (问题) as the report states it.
pub struct Shortcoming(pub ShortcomingRow);

#[Object]
impl Shortcoming {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Its position in the report (1-based).
    async fn ordinal(&self) -> i32 {
        self.0.ordinal
    }
    /// The exact text, without its enumerator.
    async fn text(&self) -> &str {
        &self.0.text
    }
    /// Where it stands in the report's text: byte offsets `[spanStart, spanEnd)` (null when
    /// a person added or rewrote it without a place in the text).
    async fn span_start(&self) -> Option<i32> {
        self.0.span.map(|s| s.0)
    }
    async fn span_end(&self) -> Option<i32> {
        self.0.span.map(|s| s.1)
    }
    /// An earlier, similar shortcoming of the same agency (屡查屡犯), if one was found.
    async fn recurrence_of(&self, ctx: &Context<'_>) -> Result<Option<Shortcoming>> {
        let Some(id) = self.0.recurrence_of_id else {
            return Ok(None);
        };
        let row = ctx
            .loaders()
            .shortcomings
            .load_one(id)
            .await
            .map_err(load_error)?;
        Ok(row.map(Shortcoming))
    }
    /// How similar the earlier shortcoming is (0–1).
    async fn recurrence_score(&self) -> Option<f64> {
        self.0.recurrence_score
    }
    /// The commitments linked to it, most relevant first.
    async fn links(&self, ctx: &Context<'_>) -> Result<Vec<Link>> {
        let rows = ctx
            .loaders()
            .links
            .load_one(self.0.id)
            .await
            .map_err(load_error)?;
        Ok(rows.unwrap_or_default().into_iter().map(Link).collect())
    }
}

/// A link between a shortcoming and a commitment that addresses it.
pub struct Link(pub LinkRow);

#[Object]
impl Link {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Relevance proposed by the import (0–1); empty for links added by hand.
    async fn score(&self) -> Option<f64> {
        self.0.score
    }
    /// `auto` (proposed by the import) or `manual` (added by a person).
    async fn origin(&self) -> &str {
        &self.0.origin
    }
    /// True once a person confirmed it.
    async fn confirmed(&self) -> bool {
        self.0.confirmed_at.is_some()
    }
    async fn shortcoming(&self, ctx: &Context<'_>) -> Result<Option<Shortcoming>> {
        let row = ctx
            .loaders()
            .shortcomings
            .load_one(self.0.shortcoming_id)
            .await
            .map_err(load_error)?;
        Ok(row.map(Shortcoming))
    }
    async fn commitment(&self, ctx: &Context<'_>) -> Result<Option<Commitment>> {
        let row = ctx
            .loaders()
            .commitments
            .load_one(self.0.commitment_id)
            .await
            .map_err(load_error)?;
        Ok(row.map(Commitment))
    }
}

/// A commitment (举措) for the next period.
pub struct Commitment(pub CommitmentRow);

#[Object]
impl Commitment {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Its position in the report (1-based).
    async fn ordinal(&self) -> i32 {
        self.0.ordinal
    }
    /// The exact text, without its enumerator.
    async fn text(&self) -> &str {
        &self.0.text
    }
    /// Where it stands in the report's text: byte offsets `[spanStart, spanEnd)`.
    async fn span_start(&self) -> Option<i32> {
        self.0.span.map(|s| s.0)
    }
    async fn span_end(&self) -> Option<i32> {
        self.0.span.map(|s| s.1)
    }
}

/// A tracked rectification item (整改事项).
pub struct Item(pub ItemRow);

impl Item {
    /// The item's standing where its agency is (one service function for every adapter).
    async fn status(&self, ctx: &Context<'_>) -> Result<crate::service::item_view::ItemStatus> {
        let agency = ctx
            .loaders()
            .agencies
            .load_one(self.0.agency_id)
            .await
            .map_err(load_error)?;
        let services = ctx.services();
        let zone = agency
            .as_ref()
            .map_or(services.time_zone, |a| services.agency_zone(a));
        Ok(services.item_status_in(&self.0, zone))
    }
}

#[Object]
impl Item {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 台账编号, the ledger number.
    async fn code(&self) -> Option<&str> {
        self.0.code.as_deref()
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// 整改措施
    async fn measures(&self) -> Option<&str> {
        self.0.measures.as_deref()
    }
    /// The workflow state: identified, assigned, in_progress, submitted, closed, ongoing, cancelled.
    async fn state(&self) -> &str {
        &self.0.state
    }
    /// The state as people read it (待交办, 整改中, 已拆分 …).
    async fn state_label(&self, ctx: &Context<'_>) -> String {
        ctx.services()
            .workflow
            .state(&self.0.state)
            .map_or_else(|| self.0.state.clone(), |s| s.label.clone())
    }
    /// 整改类别
    async fn category(&self) -> Option<ItemCategory> {
        self.0.category.map(Into::into)
    }
    /// 整改结果, set on closing: rectified 已整改, continuing 持续整改, not_rectified 未整改.
    async fn outcome(&self) -> Option<&str> {
        self.0.outcome.map(domain::ItemOutcome::as_str)
    }
    /// Where the problem was found: annual_report, rule_of_law_inspection, appraisal, patrol, audit, other.
    async fn source(&self) -> &str {
        &self.0.source
    }
    /// 完成时限
    async fn due_on(&self) -> Option<NaiveDate> {
        self.0.due_on
    }
    /// True when the due date has passed (in the agency's time zone) and the item is not in a final state (closed, cancelled).
    async fn overdue(&self, ctx: &Context<'_>) -> Result<bool> {
        if self.0.due_on.is_none() {
            return Ok(false);
        }
        Ok(self.status(ctx).await?.overdue)
    }
    /// 督办等级: 0 normal, 1 蓝 (due within 7 days), 2 黄 (within 3 days, or not accepted in
    /// time), 3 红 (overdue) — derived from the dates in the agency's time zone.
    async fn escalation_level(&self, ctx: &Context<'_>) -> Result<i32> {
        Ok(i32::from(self.status(ctx).await?.escalation_level))
    }
    /// 责任领导 by post: the post whose holder leads the item.
    async fn lead_post(&self, ctx: &Context<'_>) -> Result<Option<crate::graphql::workflow::Post>> {
        let Some(id) = self.0.lead_post_id else {
            return Ok(None);
        };
        let row = ctx.loaders().posts.load_one(id).await.map_err(load_error)?;
        Ok(row.map(Into::into))
    }
    /// 配合单位
    async fn supporting_units(&self, ctx: &Context<'_>) -> Result<Vec<Agency>> {
        let ids = ctx
            .services()
            .store
            .supporting_units(self.0.id)
            .await
            .map_err(crate::service::ServiceError::from)?;
        let rows = ctx
            .loaders()
            .agencies
            .load_many(ids)
            .await
            .map_err(load_error)?;
        Ok(rows.into_values().map(Agency).collect())
    }
    /// 佐证材料
    async fn evidence(&self, ctx: &Context<'_>) -> Result<Vec<crate::graphql::workflow::Evidence>> {
        let rows = ctx
            .loaders()
            .records
            .load_one(EvidenceOf(self.0.id))
            .await
            .map_err(load_error)?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect())
    }
    /// The audit trail, oldest first.
    async fn history(&self, ctx: &Context<'_>) -> Result<Vec<crate::graphql::workflow::ItemEvent>> {
        let rows = ctx
            .loaders()
            .records
            .load_one(HistoryOf(self.0.id))
            .await
            .map_err(load_error)?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect())
    }
    /// Comments (批示/留言), oldest first.
    async fn comments(&self, ctx: &Context<'_>) -> Result<Vec<crate::graphql::workflow::Comment>> {
        Ok(ctx
            .services()
            .comments(ctx.actor(), self.0.id)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
    /// Extension requests, oldest first.
    async fn extension_requests(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::graphql::workflow::ExtensionRequest>> {
        let rows = ctx
            .loaders()
            .records
            .load_one(ExtensionsOf(self.0.id))
            .await
            .map_err(load_error)?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect())
    }
    /// The workflow actions the caller may take on this item now (requirements such as
    /// evidence are checked when the action is taken).
    async fn available_actions(&self, ctx: &Context<'_>) -> Vec<String> {
        ctx.services()
            .available_actions(ctx.actor(), &self.0)
            .into_iter()
            .map(str::to_owned)
            .collect()
    }
    /// 进展情况
    async fn progress(&self) -> Option<&str> {
        self.0.progress.as_deref()
    }
    /// When the lead accepted it (签收).
    async fn accepted_at(&self) -> Option<DateTime<Utc>> {
        self.0.accepted_at
    }
    /// When completion was last claimed.
    async fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.0.submitted_at
    }
    /// When a supervisor verified and closed it (销号).
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
    /// The person who verified and closed it (验收销号); null while it is not closed, or
    /// when the verifying account acts for no person (see `verifiedByAccountId`).
    async fn verified_by(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        let Some(account) = self.0.verified_by else {
            return Ok(None);
        };
        let Some(person) = ctx
            .services()
            .store
            .account(account)
            .await
            .map_err(crate::service::ServiceError::from)?
            .and_then(|a| a.person_id)
        else {
            return Ok(None);
        };
        Ok(ctx
            .loaders()
            .persons
            .load_one(person)
            .await
            .map_err(load_error)?
            .map(Person))
    }
    /// The account that verified it.
    async fn verified_by_account_id(&self) -> Option<ID> {
        self.0.verified_by.map(|id| ID(id.to_string()))
    }
    /// The version to send back with a change (optimistic concurrency).
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The agency that owns the item.
    async fn agency(&self, ctx: &Context<'_>) -> Result<Option<Agency>> {
        let row = ctx
            .loaders()
            .agencies
            .load_one(self.0.agency_id)
            .await
            .map_err(load_error)?;
        Ok(row.map(Agency))
    }
    /// 牵头单位
    async fn lead_unit(&self, ctx: &Context<'_>) -> Result<Option<Agency>> {
        let Some(id) = self.0.lead_unit_id else {
            return Ok(None);
        };
        let row = ctx
            .loaders()
            .agencies
            .load_one(id)
            .await
            .map_err(load_error)?;
        Ok(row.map(Agency))
    }
    /// 责任领导
    async fn lead_person(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        let Some(id) = self.0.lead_person_id else {
            return Ok(None);
        };
        let row = ctx
            .loaders()
            .persons
            .load_one(id)
            .await
            .map_err(load_error)?;
        Ok(row.map(Person))
    }
    /// 具体责任人
    async fn responsible_person(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        let Some(id) = self.0.responsible_person_id else {
            return Ok(None);
        };
        let row = ctx
            .loaders()
            .persons
            .load_one(id)
            .await
            .map_err(load_error)?;
        Ok(row.map(Person))
    }
    /// The shortcoming the item rectifies, when it came from a report.
    async fn shortcoming(&self, ctx: &Context<'_>) -> Result<Option<Shortcoming>> {
        let Some(id) = self.0.shortcoming_id else {
            return Ok(None);
        };
        let row = ctx
            .loaders()
            .shortcomings
            .load_one(id)
            .await
            .map_err(load_error)?;
        Ok(row.map(Shortcoming))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}
