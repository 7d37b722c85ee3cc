//! Calendar feeds: a secret ICS URL per person with their deadlines (整改时限).

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::{ContextExt, error::parse_id};
use crate::{jobs::Reminders, store::calendar::CalendarFeedRow};

/// A calendar feed of the signed-in person. Its URL is shown only when it is created.
#[derive(SimpleObject)]
pub struct CalendarFeed {
    pub id: ID,
    pub created_at: DateTime<Utc>,
    /// When it was revoked; its URL answers 404 from then on.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<CalendarFeedRow> for CalendarFeed {
    fn from(f: CalendarFeedRow) -> Self {
        Self {
            id: ID(f.id.to_string()),
            created_at: f.created_at,
            revoked_at: f.revoked_at,
        }
    }
}

/// A feed just created. The URL (and the token inside it) is shown this once: give it to a
/// calendar program as a subscription (订阅日历).
#[derive(SimpleObject)]
pub struct IssuedCalendarFeed {
    pub feed: CalendarFeed,
    /// `<public URL>/calendar/<token>.ics`: anyone holding it sees the deadlines.
    pub url: String,
    /// The secret token in the URL.
    pub token: String,
}

#[derive(Default)]
pub struct CalendarQuery;

#[Object]
impl CalendarQuery {
    /// The signed-in person's calendar feeds, revoked ones included, newest first.
    async fn calendar_feeds(&self, ctx: &Context<'_>) -> Result<Vec<CalendarFeed>> {
        Ok(ctx
            .services()
            .calendar_feeds(ctx.actor())
            .await?
            .into_iter()
            .map(CalendarFeed::from)
            .collect())
    }
}

#[derive(Default)]
pub struct CalendarMutation;

#[Object]
impl CalendarMutation {
    /// Creates an ICS feed of the signed-in person's open items with a due date (one all-day
    /// event each, with an alarm three days before). FORBIDDEN for an account that acts for
    /// no person.
    async fn create_calendar_feed(&self, ctx: &Context<'_>) -> Result<IssuedCalendarFeed> {
        let issued = ctx.services().create_calendar_feed(ctx.actor()).await?;
        let public_url = ctx.data_unchecked::<Reminders>().public_url();
        Ok(IssuedCalendarFeed {
            url: format!("{public_url}/calendar/{}.ics", issued.token),
            token: issued.token,
            feed: issued.feed.into(),
        })
    }

    /// Revokes a calendar feed (one's own; an admin, any): its URL answers 404 from then on.
    async fn revoke_calendar_feed(&self, ctx: &Context<'_>, id: ID) -> Result<CalendarFeed> {
        let id = parse_id("id", &id)?;
        Ok(ctx
            .services()
            .revoke_calendar_feed(ctx.actor(), id)
            .await?
            .into())
    }
}
