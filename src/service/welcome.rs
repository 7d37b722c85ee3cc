//! First sign-in (首次登录): an account created without a password gets a one-time link,
//! `/welcome/<token>`, that lets its holder choose a password and signs them in. The token
//! is shown once and stored only as its SHA-256 digest; a link works once, for
//! [`LINK_VALID_FOR`], and issuing a new one retires the account's earlier ones. Opening
//! and using links is throttled per client address like sign-in, so a guesser is slowed
//! as a password guesser is.

use std::{net::IpAddr, time::Instant};

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::{
    Actor, ServiceError, Services,
    accounts::check_new_password,
    auth::{AccountInput, hash_password, new_secret, token_digest},
    sessions::StartedSession,
    throttle::ThrottleKey,
};
use crate::store::accounts::AccountRow;

/// Link tokens start with this (recognisable in a leak, never taken for another secret).
const WELCOME_PREFIX: &str = "rfw_";
/// How long a first-sign-in link works.
pub const LINK_VALID_FOR: Duration = Duration::days(7);
/// The longest token looked up (longer ones are refused before any query).
const MAX_TOKEN_LEN: usize = 100;

/// A link as issued: its path (`/welcome/<token>`, to put after the public URL) is shown
/// once and never stored.
#[derive(Clone, Debug)]
pub struct WelcomeLink {
    pub path: String,
    pub expires_at: DateTime<Utc>,
}

/// The error for a link that is unknown, used, or past its time.
fn link_invalid() -> ServiceError {
    ServiceError::Rule {
        code: "LINK_INVALID",
        message: "该链接无效、已使用或已过期，请联系管理员重新获取首次登录链接（the link is invalid, used or expired)".into(),
    }
}

impl Services {
    /// Creates an account and, when it has no password, its first-sign-in link.
    pub async fn create_account_with_link(
        &self,
        actor: &Actor,
        input: AccountInput,
    ) -> Result<(AccountRow, Option<WelcomeLink>), ServiceError> {
        let without_password = input.password.is_none();
        let account = self.create_account(actor, input).await?;
        let link = if without_password {
            Some(self.new_welcome_link(account.id).await?)
        } else {
            None
        };
        Ok((account, link))
    }

    /// Issues a new first-sign-in link for an account the caller manages that has no
    /// password yet (its earlier links stop working).
    pub async fn issue_welcome_link(
        &self,
        actor: &Actor,
        account_id: Uuid,
    ) -> Result<WelcomeLink, ServiceError> {
        let account = self.managed_account(actor, account_id).await?;
        if account.password_hash.is_some() {
            return Err(ServiceError::Conflict(
                "该账户已设置密码，请改用重置密码（the account has a password already)".into(),
            ));
        }
        if account.disabled_at.is_some() {
            return Err(ServiceError::Conflict(
                "该账户已停用（the account is disabled)".into(),
            ));
        }
        self.new_welcome_link(account.id).await
    }

    async fn new_welcome_link(&self, account_id: Uuid) -> Result<WelcomeLink, ServiceError> {
        let token = new_secret(WELCOME_PREFIX)?;
        let row = self
            .store
            .insert_welcome_link(
                account_id,
                &token_digest(&token),
                Utc::now() + LINK_VALID_FOR,
            )
            .await?;
        tracing::info!(account = %account_id, "first sign-in link issued");
        Ok(WelcomeLink {
            path: format!("/welcome/{token}"),
            expires_at: row.expires_at,
        })
    }

    /// The account a first-sign-in link is for, while the link works (throttled per client
    /// address: an unknown link counts as a failed sign-in).
    pub async fn welcome_account(
        &self,
        token: &str,
        client: Option<IpAddr>,
    ) -> Result<AccountRow, ServiceError> {
        let keys: Vec<ThrottleKey> = client.map(ThrottleKey::Address).into_iter().collect();
        self.throttle
            .check(&keys, Instant::now())
            .map_err(|wait| ServiceError::Throttled { wait })?;
        let found = if token.len() <= MAX_TOKEN_LEN {
            self.store
                .welcome_link_by_hash(&token_digest(token))
                .await?
        } else {
            None
        };
        let now = Utc::now();
        let account = match found {
            Some(link) if link.used_at.is_none() && link.expires_at > now => {
                self.store.account(link.account_id).await?
            }
            _ => None,
        };
        match account {
            Some(a) if a.disabled_at.is_none() => Ok(a),
            _ => {
                self.throttle.failed(&keys, Instant::now());
                Err(link_invalid())
            }
        }
    }

    /// Uses a first-sign-in link: sets the account's password (once; the link is spent in
    /// the same transaction) and starts a web session for it.
    pub async fn redeem_welcome_link(
        &self,
        token: &str,
        password: &str,
        client: Option<IpAddr>,
    ) -> Result<StartedSession, ServiceError> {
        self.welcome_account(token, client).await?;
        check_new_password(password)?;
        let password = password.to_owned();
        let hash = self.cpu.run(move || hash_password(&password)).await??;
        let Some(account_id) = self
            .store
            .redeem_welcome_link(&token_digest(token), &hash, Utc::now())
            .await?
        else {
            // Used by a second tab a moment ago.
            return Err(link_invalid());
        };
        self.credentials_changed();
        tracing::info!(account = %account_id, "first sign-in: password set");
        self.open_session(account_id).await
    }
}
