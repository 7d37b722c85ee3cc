//! Accounts' life cycle: who has an account, disabling one, passwords changed by their
//! owner or reset by an office, and the tokens an account holds.

use uuid::Uuid;

use super::{
    Actor, ServiceError, Services,
    actor::out_of_reach,
    auth::{credentials_live, hash_password, password_matches},
};
use crate::{
    domain::{
        AccountRole,
        access::{self, Operation},
    },
    store::{
        accounts::{AccountRow, TokenRow},
        page::{Page, PageRequest},
    },
};

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The longest password accepted (argon2 hashes any length; this bounds the work).
pub const MAX_PASSWORD_CHARS: usize = 256;

pub(super) fn check_new_password(password: &str) -> Result<(), ServiceError> {
    let n = password.chars().count();
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&n) {
        return Err(ServiceError::invalid(
            "newPassword",
            format!("密码至少需要 {MIN_PASSWORD_CHARS} 个字符，最多 {MAX_PASSWORD_CHARS} 个字符"),
        ));
    }
    Ok(())
}

impl Services {
    /// Accounts within the caller's reach (admins and supervisors), in creation order.
    pub async fn accounts(
        &self,
        actor: &Actor,
        page: PageRequest,
    ) -> Result<Page<AccountRow>, ServiceError> {
        actor.require(Operation::ManageAccounts)?;
        let agencies = actor.reachable_agencies();
        Ok(self.store.list_accounts(agencies.as_deref(), page).await?)
    }

    /// An account the caller may manage: within reach, and of a role the caller could have
    /// created (a supervisor never manages an admin).
    pub(super) async fn managed_account(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<AccountRow, ServiceError> {
        actor.require(Operation::ManageAccounts)?;
        let account = self
            .store
            .account(id)
            .await?
            .ok_or_else(|| ServiceError::not_found("account", id))?;
        let Actor::Account(p) = actor else {
            return Ok(account);
        };
        let role = AccountRole::parse(&account.role)
            .map_err(|e| ServiceError::Fault(format!("stored role: {e}")))?;
        let within = match account.agency_id {
            Some(agency) => actor.reaches(agency),
            None => p.role == AccountRole::Admin,
        };
        if !within {
            return Err(out_of_reach());
        }
        if !access::may_create_role(p.role, role) {
            return Err(ServiceError::Forbidden(format!(
                "{}账户不能管理{}账户",
                p.role.label(),
                role.label()
            )));
        }
        Ok(account)
    }

    /// Disables an account (its tokens stop working at once, its open subscriptions within
    /// seconds) or enables it again. Nobody disables their own account.
    pub async fn set_account_disabled(
        &self,
        actor: &Actor,
        id: Uuid,
        disabled: bool,
    ) -> Result<AccountRow, ServiceError> {
        let account = self.managed_account(actor, id).await?;
        if actor.account_id() == Some(account.id) {
            return Err(ServiceError::invalid("id", "不能停用自己的账户"));
        }
        let row = self
            .store
            .set_account_disabled(id, disabled)
            .await?
            .ok_or_else(|| ServiceError::not_found("account", id))?;
        if disabled {
            // Its web sessions would not resume anyway; ended, they also stop being listed.
            self.store.revoke_sessions_of(id, None).await?;
        }
        self.credentials_changed();
        tracing::info!(account = %id, disabled, "account status changed");
        Ok(row)
    }

    /// Changes the caller's own password after checking the current one; every other
    /// token of the account is revoked.
    pub async fn change_own_password(
        &self,
        actor: &Actor,
        current: &str,
        new: &str,
    ) -> Result<(), ServiceError> {
        let principal = actor.principal()?;
        check_new_password(new)?;
        let account = self
            .store
            .account(principal.account_id)
            .await?
            .ok_or(ServiceError::Unauthenticated)?;
        let stored = account.password_hash.clone().unwrap_or_default();
        let current = current.to_owned();
        let new = new.to_owned();
        let hashed = self
            .cpu
            .run(move || password_matches(&current, &stored).then(|| hash_password(&new)))
            .await?;
        let Some(hash) = hashed else {
            return Err(ServiceError::invalid("currentPassword", "当前密码不正确"));
        };
        self.store
            .set_password_and_revoke_tokens(account.id, &hash?, principal.token_id)
            .await?;
        self.credentials_changed();
        Ok(())
    }

    /// Sets a new password for an account the caller manages; all its tokens are revoked,
    /// so whoever held them must sign in again.
    pub async fn reset_password(
        &self,
        actor: &Actor,
        id: Uuid,
        new: &str,
    ) -> Result<(), ServiceError> {
        let account = self.managed_account(actor, id).await?;
        check_new_password(new)?;
        let new = new.to_owned();
        let hash = self.cpu.run(move || hash_password(&new)).await??;
        self.store
            .set_password_and_revoke_tokens(account.id, &hash, None)
            .await?;
        self.credentials_changed();
        tracing::info!(account = %id, "password reset");
        Ok(())
    }

    /// The tokens of an account: one's own, or of an account the caller manages.
    pub async fn account_tokens(
        &self,
        actor: &Actor,
        account_id: Uuid,
    ) -> Result<Vec<TokenRow>, ServiceError> {
        let principal = actor.principal()?;
        if principal.account_id != account_id {
            self.managed_account(actor, account_id).await?;
        }
        Ok(self.store.tokens_of(account_id).await?)
    }

    /// Whether the caller's credentials still hold: their token neither revoked nor expired
    /// and their account not disabled (long-lived subscriptions ask this now and then).
    pub async fn still_signed_in(&self, actor: &Actor) -> bool {
        let Actor::Account(p) = actor else {
            return true;
        };
        let account = match self.store.account(p.account_id).await {
            Ok(Some(a)) => a,
            Ok(None) => return false,
            // The database being away is no reason to cut a subscription.
            Err(_) => return true,
        };
        let token = match p.token_id {
            None => None,
            Some(id) => match self.store.token(id).await {
                Ok(Some(t)) => Some(t),
                Ok(None) => return false,
                Err(_) => return true,
            },
        };
        credentials_live(token.as_ref(), &account, chrono::Utc::now())
    }
}
