//! Calendar feeds: a person subscribes their calendar program to a secret URL
//! (`/calendar/<token>.ics`) and sees one event per open item's due date. The token is
//! shown once, stored only as a digest, and revocable; the feed is the person's, so every
//! account acting for them sees and manages it.

use std::collections::HashMap;

use chrono::Utc;
use uuid::Uuid;

use super::{
    Actor, ServiceError, Services,
    auth::{new_secret, token_digest},
};
use crate::{
    domain::{
        AccountRole,
        calendar::{Deadline, render_calendar},
    },
    store::calendar::CalendarFeedRow,
};

/// Feed tokens start with this, so a leaked one is recognisable (and never taken for an
/// API token, which starts `rfy_`).
const FEED_PREFIX: &str = "cal_";
/// The most events one feed holds (the earliest due first).
const FEED_ITEMS: u64 = 1000;
/// The most feeds listed for a person.
const FEEDS_LISTED: u64 = 100;

/// A feed as issued: the token is shown once and never stored.
#[derive(Clone, Debug)]
pub struct IssuedFeed {
    pub token: String,
    pub feed: CalendarFeedRow,
}

/// The error for an account that acts for no person: feeds show a person's deadlines.
fn no_person() -> ServiceError {
    ServiceError::Forbidden("日历订阅显示个人的整改时限，而该账号未对应任何人员，无法订阅".into())
}

impl Services {
    /// Issues a new feed for the caller's person. Earlier feeds stay valid (a phone and a
    /// desktop may each have their own) until revoked.
    #[tracing::instrument(skip_all)]
    pub async fn create_calendar_feed(&self, actor: &Actor) -> Result<IssuedFeed, ServiceError> {
        let principal = actor.principal()?;
        let person_id = principal.person_id.ok_or_else(no_person)?;
        let token = new_secret(FEED_PREFIX)?;
        let feed = self
            .store
            .insert_calendar_feed(person_id, &token_digest(&token))
            .await?;
        tracing::info!(
            feed = %feed.id,
            person = %person_id,
            account = %principal.account_id,
            "calendar feed created"
        );
        Ok(IssuedFeed { token, feed })
    }

    /// Revokes a feed: one of the caller's person, or any as an admin. Its URL answers 404
    /// from then on; revoking twice is harmless.
    #[tracing::instrument(skip(self, actor))]
    pub async fn revoke_calendar_feed(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<CalendarFeedRow, ServiceError> {
        let principal = actor.principal()?;
        let feed = self
            .store
            .calendar_feed(id)
            .await?
            .ok_or_else(|| ServiceError::not_found("calendar feed", id))?;
        if principal.person_id != Some(feed.person_id) && principal.role != AccountRole::Admin {
            return Err(ServiceError::Forbidden("只能撤销自己的日历订阅".into()));
        }
        let revoked = self
            .store
            .revoke_calendar_feed(id)
            .await?
            .ok_or_else(|| ServiceError::not_found("calendar feed", id))?;
        tracing::info!(
            feed = %id,
            person = %feed.person_id,
            account = %principal.account_id,
            "calendar feed revoked"
        );
        Ok(revoked)
    }

    /// The feeds of the caller's person, revoked ones included, newest first (none for an
    /// account that acts for no person).
    pub async fn calendar_feeds(
        &self,
        actor: &Actor,
    ) -> Result<Vec<CalendarFeedRow>, ServiceError> {
        let principal = actor.principal()?;
        match principal.person_id {
            Some(person) => Ok(self.store.calendar_feeds_of(person, FEEDS_LISTED).await?),
            None => Ok(Vec::new()),
        }
    }

    /// The ICS text of the feed with this token: the person's open items with a due date,
    /// led in person or through a post held today, or in their charge. `NOT_FOUND` for a
    /// token that is unknown or revoked, and for a person no enabled account acts for.
    pub async fn calendar_ics(
        &self,
        token: &str,
        public_url: &str,
    ) -> Result<String, ServiceError> {
        let not_found = || ServiceError::not_found("calendar feed", "with this token");
        if !token.starts_with(FEED_PREFIX) {
            return Err(not_found());
        }
        let feed = self
            .store
            .active_calendar_feed(&token_digest(token))
            .await?
            .ok_or_else(not_found)?;
        let person = self
            .store
            .person(feed.person_id)
            .await?
            .ok_or_else(not_found)?;
        if !self.store.person_has_live_account(person.id).await? {
            return Err(not_found());
        }
        let (open_states, _) = self.owner_states();
        let items = self
            .store
            .calendar_items(person.id, self.today(), &open_states, FEED_ITEMS)
            .await?;
        let shortcoming_ids: Vec<Uuid> = items.iter().filter_map(|i| i.shortcoming_id).collect();
        let shortcomings: HashMap<Uuid, String> = self
            .store
            .shortcomings_by_ids(&shortcoming_ids)
            .await?
            .into_iter()
            .map(|s| (s.id, s.text))
            .collect();
        let deadlines: Vec<Deadline> = items
            .into_iter()
            .filter_map(|item| {
                Some(Deadline {
                    item_id: item.id,
                    due_on: item.due_on?,
                    shortcoming: item
                        .shortcoming_id
                        .and_then(|s| shortcomings.get(&s).cloned()),
                    state_label: self
                        .workflow
                        .state(&item.state)
                        .map_or(item.state.clone(), |s| s.label.clone()),
                    url: format!("{public_url}/items/{}", item.id),
                    title: item.title,
                })
            })
            .collect();
        let zone = self
            .store
            .agency(person.agency_id)
            .await?
            .and_then(|a| a.time_zone.parse::<chrono_tz::Tz>().ok())
            .unwrap_or(self.time_zone);
        Ok(render_calendar(&person.name, zone, Utc::now(), &deadlines))
    }
}
