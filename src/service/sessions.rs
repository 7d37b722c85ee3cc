//! The web application's sign-in sessions: a random cookie value known to the server only
//! by its SHA-256 digest, a CSRF token per session, an idle and an absolute timeout, and
//! revocation (sign-out, password change). The password is checked by
//! [`Services::check_password`], the one check every sign-in shares.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::{
    Actor, ServiceError, Services,
    auth::{new_secret, token_digest},
};
use crate::store::sessions::SessionRow;

/// Cookie values start with this (recognisable in a leak, like API tokens).
const SESSION_PREFIX: &str = "rfs_";

/// A session ends after this long without a request.
pub const IDLE_TIMEOUT: Duration = Duration::hours(2);

/// A session ends this long after sign-in, however busy.
pub const ABSOLUTE_TIMEOUT: Duration = Duration::hours(12);

/// `last_seen_at` is written at most this often (a page view is not a write each time).
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// A session as started: the cookie value is shown once and never stored.
#[derive(Clone, Debug)]
pub struct StartedSession {
    pub secret: String,
    pub session: SessionRow,
}

/// A live session and the caller it stands for.
#[derive(Clone, Debug)]
pub struct LiveSession {
    pub actor: Actor,
    pub session: SessionRow,
    /// The account reads in large text (长辈模式).
    pub large_text: bool,
}

/// Whether a session is still live at `now`.
pub fn is_live(session: &SessionRow, now: DateTime<Utc>) -> bool {
    session.revoked_at.is_none()
        && session.expires_at > now
        && session.last_seen_at + IDLE_TIMEOUT > now
}

impl Services {
    /// Signs in with email and password and starts a session.
    pub async fn start_session(
        &self,
        email: &str,
        password: &str,
        client: Option<std::net::IpAddr>,
    ) -> Result<StartedSession, ServiceError> {
        let account = self.check_password(email, password, client).await?;
        self.open_session(account.id).await
    }

    /// Starts a session for an account whose holder has just proved who they are.
    pub(super) async fn open_session(
        &self,
        account_id: Uuid,
    ) -> Result<StartedSession, ServiceError> {
        let secret = new_secret(SESSION_PREFIX)?;
        let csrf = new_secret("")?;
        let session = self
            .store
            .insert_session(
                account_id,
                &token_digest(&secret),
                &csrf,
                Utc::now() + ABSOLUTE_TIMEOUT,
            )
            .await?;
        Ok(StartedSession { secret, session })
    }

    /// The live session a cookie value stands for; `None` when it is unknown, revoked,
    /// idle too long, past its expiry, or its account is disabled.
    pub async fn resume_session(&self, secret: &str) -> Result<Option<LiveSession>, ServiceError> {
        let Some(session) = self.store.session_by_hash(&token_digest(secret)).await? else {
            return Ok(None);
        };
        let now = Utc::now();
        if !is_live(&session, now) {
            return Ok(None);
        }
        let Some(account) = self.store.account(session.account_id).await? else {
            return Ok(None);
        };
        if account.disabled_at.is_some() {
            return Ok(None);
        }
        if now - session.last_seen_at > TOUCH_EVERY {
            self.store.touch_session(session.id, now).await?;
        }
        let large_text = self.store.large_text(account.id).await?;
        let actor = self.principal_for(account, None).await?;
        Ok(Some(LiveSession {
            actor,
            session,
            large_text,
        }))
    }

    /// Ends a session (sign-out). Ending it twice is harmless.
    pub async fn end_session(&self, session_id: Uuid) -> Result<(), ServiceError> {
        self.store.revoke_session(session_id).await?;
        Ok(())
    }

    /// Changes the caller's password after checking the current one, and ends the
    /// account's other sessions (the one in use, `keep`, goes on).
    pub async fn change_password(
        &self,
        actor: &Actor,
        current: &str,
        new: &str,
        keep: Option<Uuid>,
    ) -> Result<(), ServiceError> {
        let principal = actor.principal()?;
        // The account's password and its API tokens change in one place; then its other
        // web sessions end too.
        self.change_own_password(actor, current, new).await?;
        self.store
            .revoke_sessions_of(principal.account_id, keep)
            .await?;
        Ok(())
    }

    /// Remembers whether the caller reads in large text (长辈模式).
    pub async fn set_large_text(&self, actor: &Actor, on: bool) -> Result<(), ServiceError> {
        let principal = actor.principal()?;
        self.store.set_large_text(principal.account_id, on).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(created: DateTime<Utc>, seen: DateTime<Utc>) -> SessionRow {
        SessionRow {
            id: Uuid::nil(),
            account_id: Uuid::nil(),
            csrf_token: String::new(),
            created_at: created,
            last_seen_at: seen,
            expires_at: created + ABSOLUTE_TIMEOUT,
            revoked_at: None,
        }
    }

    #[test]
    fn a_session_ends_when_idle_expired_or_revoked() {
        let t0 = Utc::now();
        assert!(is_live(&session(t0, t0), t0 + Duration::minutes(5)));
        assert!(!is_live(&session(t0, t0), t0 + IDLE_TIMEOUT));
        let busy = session(t0, t0 + ABSOLUTE_TIMEOUT - Duration::minutes(1));
        assert!(is_live(&busy, t0 + ABSOLUTE_TIMEOUT - Duration::seconds(1)));
        assert!(!is_live(&busy, t0 + ABSOLUTE_TIMEOUT));
        let revoked = SessionRow {
            revoked_at: Some(t0),
            ..session(t0, t0)
        };
        assert!(!is_live(&revoked, t0));
    }
}
