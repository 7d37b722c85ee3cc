//! My account (我的账户): who I am here (name, role, agency), my calendar feeds, and the
//! places I am signed in, with signing out everywhere else.

use chrono::Utc;
use uuid::Uuid;

use super::{Actor, ServiceError, Services, sessions::is_live};
use crate::store::{
    accounts::AccountRow, agencies::AgencyRow, calendar::CalendarFeedRow, persons::PersonRow,
    sessions::SessionRow,
};

/// The most sessions listed (a person signs in from a handful of places).
const SESSIONS_LISTED: u64 = 20;

/// What the profile page shows.
#[derive(Clone, Debug)]
pub struct Profile {
    pub account: AccountRow,
    /// The person the account acts for, if any.
    pub person: Option<PersonRow>,
    pub agency: Option<AgencyRow>,
    /// The feeds of the account's person, revoked ones included, newest first.
    pub feeds: Vec<CalendarFeedRow>,
    /// The account's live web sessions, newest first.
    pub sessions: Vec<SessionRow>,
}

impl Services {
    /// The caller's own profile.
    pub async fn profile(&self, actor: &Actor) -> Result<Profile, ServiceError> {
        let account = self.me(actor).await?;
        let person = match account.person_id {
            Some(id) => self.store.person(id).await?,
            None => None,
        };
        let agency = match account.agency_id {
            Some(id) => self.store.agency(id).await?,
            None => None,
        };
        let feeds = self.calendar_feeds(actor).await?;
        let now = Utc::now();
        let sessions = self
            .store
            .open_sessions_of(account.id, now, SESSIONS_LISTED)
            .await?
            .into_iter()
            .filter(|s| is_live(s, now))
            .collect();
        Ok(Profile {
            account,
            person,
            agency,
            feeds,
            sessions,
        })
    }

    /// Ends the caller's web sessions but `keep` (the one in use); how many ended.
    pub async fn end_other_sessions(&self, actor: &Actor, keep: Uuid) -> Result<u64, ServiceError> {
        let principal = actor.principal()?;
        Ok(self
            .store
            .revoke_sessions_of(principal.account_id, Some(keep))
            .await?)
    }
}
