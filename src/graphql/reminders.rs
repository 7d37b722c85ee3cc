//! The reminder outbox and pressing an item by hand (督办).

use async_graphql::{Context, Enum, ID, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};

use super::{
    ContextExt,
    connection::{ListConnection, connection},
    error::{parse_cursor, parse_id},
    types::Item,
};
use crate::{
    jobs::Reminders,
    service::webhooks::{SecretChange, mask_url},
    store::{page::PageRequest, reminders::ReminderRow, webhooks::WebhookRow},
};

/// An agency's reminder webhook (企业微信/钉钉 robot or a gateway).
#[derive(SimpleObject)]
pub struct AgencyWebhook {
    pub agency_id: ID,
    /// The URL with its secret key hidden.
    pub url: String,
    /// Whether calls are signed (钉钉 加签): the secret itself is never shown back.
    pub signed: bool,
    pub updated_at: DateTime<Utc>,
}

impl From<WebhookRow> for AgencyWebhook {
    fn from(w: WebhookRow) -> Self {
        Self {
            agency_id: ID(w.agency_id.to_string()),
            url: mask_url(&w.url),
            signed: w.secret.is_some(),
            updated_at: w.updated_at,
        }
    }
}

/// Where a reminder is in its delivery.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum ReminderStatus {
    Pending,
    Sending,
    Sent,
    /// Given up: a permanent refusal, or too many attempts.
    Failed,
}

impl ReminderStatus {
    fn as_str(self) -> &'static str {
        match self {
            ReminderStatus::Pending => "pending",
            ReminderStatus::Sending => "sending",
            ReminderStatus::Sent => "sent",
            ReminderStatus::Failed => "failed",
        }
    }
}

/// An outbox row: one message to one recipient.
#[derive(SimpleObject)]
pub struct Reminder {
    pub id: ID,
    pub item_id: Option<ID>,
    /// An email address, or a webhook's URL with its secret key hidden.
    pub recipient: String,
    /// email or webhook.
    pub channel: String,
    /// countdown, overdue, escalation, not_accepted, not_accepted_escalation, progress_report,
    /// urge, digest (a person's weekly list), report_calendar (January: earlier reports'
    /// shortcomings still open).
    pub kind: String,
    /// The day the reminder belongs to.
    pub refers_to: Option<NaiveDate>,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub scheduled_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub message_id: Option<String>,
    /// 0 normal, 1 蓝, 2 黄, 3 红.
    pub escalation_level: i32,
    pub subject: Option<String>,
}

impl From<ReminderRow> for Reminder {
    fn from(r: ReminderRow) -> Self {
        Self {
            id: ID(r.id.to_string()),
            item_id: r.item_id.map(|i| ID(i.to_string())),
            recipient: if r.channel == "webhook" {
                mask_url(&r.recipient_address)
            } else {
                r.recipient_address
            },
            channel: r.channel,
            kind: r.kind,
            refers_to: r.refers_to,
            status: r.status,
            attempts: r.attempts,
            last_error: r.last_error,
            scheduled_at: r.scheduled_at,
            sent_at: r.sent_at,
            message_id: r.message_id,
            escalation_level: r.escalation_level,
            subject: r.subject,
        }
    }
}

#[derive(Default)]
pub struct ReminderQuery;

#[Object]
impl ReminderQuery {
    /// The reminder outbox within your jurisdiction (admins and supervisors), e.g.
    /// `reminders(status: FAILED)` for what could not be delivered.
    #[graphql(complexity = "first.unwrap_or(50).clamp(1, 200) as usize * child_complexity")]
    async fn reminders(
        &self,
        ctx: &Context<'_>,
        status: Option<ReminderStatus>,
        item_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<ListConnection<Reminder>> {
        let item_id = item_id
            .as_ref()
            .map(|i| parse_id("itemId", i))
            .transpose()?;
        let page = PageRequest::new(first, parse_cursor(after.as_deref())?);
        let (rows, total) = ctx
            .services()
            .reminders(
                ctx.actor(),
                status.map(ReminderStatus::as_str),
                item_id,
                page,
            )
            .await?;
        Ok(connection(
            rows,
            total,
            page.after.is_some(),
            |r| r.id,
            Reminder::from,
        ))
    }

    /// An agency's reminder webhook, for those who manage the agency.
    async fn agency_webhook(
        &self,
        ctx: &Context<'_>,
        agency_id: ID,
    ) -> Result<Option<AgencyWebhook>> {
        let agency_id = parse_id("agencyId", &agency_id)?;
        Ok(ctx
            .services()
            .agency_webhook(ctx.actor(), agency_id)
            .await?
            .map(AgencyWebhook::from))
    }
}

#[derive(Default)]
pub struct ReminderMutation;

#[Object]
impl ReminderMutation {
    /// Presses an item (催办/督办) with a note: recorded in its audit trail, and a reminder
    /// goes to its lead and responsible person at once. Supervisors only.
    async fn urge_item(
        &self,
        ctx: &Context<'_>,
        id: ID,
        note: String,
        expected_version: i32,
    ) -> Result<Item> {
        let id = parse_id("id", &id)?;
        let reminders = ctx.data_unchecked::<Reminders>();
        let settings_url = reminders.public_url().to_owned();
        let item = ctx
            .services()
            .urge_item(
                ctx.actor(),
                id,
                note,
                expected_version,
                reminders.templates(),
                &settings_url,
            )
            .await?;
        Ok(Item(item))
    }

    /// Sets the webhook (企业微信/钉钉 group robot or an internal gateway) that gets the
    /// agency's reminders beside email, as a JSON POST; `url: null` removes it.
    /// `secret` is a 钉钉 robot's 加签 secret (SEC…): every call then carries `timestamp`
    /// and `sign`. Omitted keeps the stored secret while the URL is unchanged; `null`
    /// removes it. It is never shown back.
    /// Coordinators of the agency, supervisors above it and admins.
    async fn set_agency_webhook(
        &self,
        ctx: &Context<'_>,
        agency_id: ID,
        url: Option<String>,
        secret: MaybeUndefined<String>,
    ) -> Result<Option<AgencyWebhook>> {
        let agency_id = parse_id("agencyId", &agency_id)?;
        let secret = match secret {
            MaybeUndefined::Undefined => SecretChange::Keep,
            MaybeUndefined::Null => SecretChange::Clear,
            MaybeUndefined::Value(s) => SecretChange::Set(s),
        };
        Ok(ctx
            .services()
            .set_agency_webhook(ctx.actor(), agency_id, url, secret)
            .await?
            .map(AgencyWebhook::from))
    }
}
