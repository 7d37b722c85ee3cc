//! Accounts and sign-in: argon2 password hashes, API tokens stored only as SHA-256 digests,
//! expiry and revocation, and turning a bearer token into an [`Actor`].

use std::{collections::HashSet, net::IpAddr, sync::Arc, time::Instant};

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier, password_hash::SaltString};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{
    Actor, ServiceError, Services,
    actor::{Principal, out_of_reach},
    throttle::ThrottleKey,
};
use crate::{
    domain::{
        AccountRole, Email,
        access::{self, Operation},
    },
    store::{
        StoreError,
        accounts::{AccountRow, NewAccount, TokenRow},
    },
};

/// Tokens start with this, so a leaked one is recognisable (secret scanners, logs).
const TOKEN_PREFIX: &str = "rfy_";

/// A token as issued: the secret is shown once and never stored.
#[derive(Clone, Debug)]
pub struct IssuedToken {
    pub secret: String,
    pub token: TokenRow,
}

/// A new account's details.
#[derive(Clone, Debug)]
pub struct AccountInput {
    pub email: String,
    pub password: Option<String>,
    pub role: AccountRole,
    pub agency_id: Option<Uuid>,
    pub person_id: Option<Uuid>,
}

/// The SHA-256 digest (hex) under which a token is stored. Tokens carry 256 random bits,
/// so a fast digest is the right tool here (argon2 is for low-entropy passwords).
pub fn token_digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A fresh secret: `prefix` and 256 random bits in hex. Calendar feed tokens are made the
/// same way, under their own prefix.
pub(super) fn new_secret(prefix: &str) -> Result<String, ServiceError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| {
        ServiceError::Internal(StoreError::Setup(format!("no randomness available: {e}")))
    })?;
    Ok(format!("{prefix}{}", hex::encode(bytes)))
}

pub(super) fn hash_password(password: &str) -> Result<String, ServiceError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| {
        ServiceError::Internal(StoreError::Setup(format!("no randomness available: {e}")))
    })?;
    let salt = SaltString::encode_b64(&bytes)
        .map_err(|e| ServiceError::Internal(StoreError::Setup(format!("argon2 salt: {e}"))))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Internal(StoreError::Setup(format!("argon2: {e}"))))
}

pub(super) fn password_matches(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// A stored hash of a password nobody has, verified when the email is unknown so that
/// sign-in takes as long whether or not the account exists.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password, never valid").unwrap_or_default())
}

/// Whether credentials still admit their holder at `now`: the token (when there is one)
/// neither revoked nor expired, the account not disabled.
pub(super) fn credentials_live(
    token: Option<&TokenRow>,
    account: &AccountRow,
    now: DateTime<Utc>,
) -> bool {
    account.disabled_at.is_none()
        && token.is_none_or(|t| t.revoked_at.is_none() && t.expires_at.is_none_or(|e| e > now))
}

fn wrong_credentials() -> ServiceError {
    ServiceError::WrongCredentials
}

impl Services {
    /// Creates an account. Admins create any; supervisors create non-admin accounts within
    /// their jurisdiction. The command line (`Actor::System`) bootstraps the first admin.
    pub async fn create_account(
        &self,
        actor: &Actor,
        input: AccountInput,
    ) -> Result<AccountRow, ServiceError> {
        actor.require(Operation::ManageAccounts)?;
        if let Actor::Account(p) = actor
            && !access::may_create_role(p.role, input.role)
        {
            return Err(ServiceError::Forbidden(format!(
                "{}账号不能创建{}账号",
                p.role.label(),
                input.role.label()
            )));
        }
        let email = Email::parse(&input.email)
            .map_err(|e| ServiceError::invalid("email", e.to_string()))?
            .as_str()
            .to_lowercase();
        let password_hash = match input.password.as_deref() {
            Some(pw) if pw.chars().count() < 10 => {
                return Err(ServiceError::invalid("password", "密码至少需要 10 个字符"));
            }
            Some(pw) => {
                let pw = pw.to_owned();
                Some(self.cpu.run(move || hash_password(&pw)).await??)
            }
            None => None,
        };
        if input.role != AccountRole::Admin && input.agency_id.is_none() {
            return Err(ServiceError::invalid(
                "agencyId",
                format!("{}账号须属于一个单位：请提供 agencyId", input.role.label()),
            ));
        }
        if let Some(agency_id) = input.agency_id {
            self.store
                .agency(agency_id)
                .await?
                .ok_or_else(|| ServiceError::not_found("agency", agency_id))?;
            if !actor.reaches(agency_id) {
                return Err(out_of_reach());
            }
        }
        if let Some(person_id) = input.person_id {
            let person = self
                .store
                .person(person_id)
                .await?
                .ok_or_else(|| ServiceError::not_found("person", person_id))?;
            if !actor.reaches(person.agency_id) {
                return Err(out_of_reach());
            }
            // One person, one live account per role: a second one would let whoever holds
            // it act as that person beside them (and submit what they then verify).
            let existing = self.store.accounts_of_person(person_id).await?;
            if existing
                .iter()
                .any(|a| a.role == input.role.as_str() && a.disabled_at.is_none())
            {
                return Err(ServiceError::Conflict(format!(
                    "该人员已有一个{}账户，同一人同一角色只能有一个账户",
                    input.role.label()
                )));
            }
        }
        if matches!(input.role, AccountRole::Leader | AccountRole::Person)
            && input.person_id.is_none()
        {
            return Err(ServiceError::invalid(
                "personId",
                "领导或责任人账号须对应一名人员：请提供 personId",
            ));
        }
        self.store
            .insert_account(NewAccount {
                email,
                password_hash,
                role: input.role.as_str().to_owned(),
                agency_id: input.agency_id,
                person_id: input.person_id,
            })
            .await
            .map_err(|e| match e {
                StoreError::Unique(_) => ServiceError::Conflict("该邮箱已有账号".into()),
                other => other.into(),
            })
    }

    /// Issues a new token for `account_id` (the command line, and `login`).
    pub async fn issue_token(
        &self,
        account_id: Uuid,
        name: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<IssuedToken, ServiceError> {
        let secret = new_secret(TOKEN_PREFIX)?;
        let token = self
            .store
            .insert_token(account_id, &token_digest(&secret), name, expires_at)
            .await?;
        Ok(IssuedToken { secret, token })
    }

    /// Signs in with email and password: a new token valid for the configured lifetime.
    /// `client` is the caller's address, for throttling.
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        client: Option<IpAddr>,
    ) -> Result<IssuedToken, ServiceError> {
        let account = self.check_password(email, password, client).await?;
        let ttl = chrono::Duration::from_std(self.token_ttl).unwrap_or(chrono::Duration::days(30));
        self.issue_token(account.id, "login", Some(Utc::now() + ttl))
            .await
    }

    /// The account whose email and password these are, throttled per account and per
    /// client address: after a few failures, attempts are refused for a doubling delay
    /// (`TOO_MANY_ATTEMPTS`) without looking at the password. Unknown emails take the same
    /// time and are throttled the same way as known ones. Every sign-in goes through here:
    /// `login` and the web application's sign-in.
    pub async fn check_password(
        &self,
        email: &str,
        password: &str,
        client: Option<IpAddr>,
    ) -> Result<AccountRow, ServiceError> {
        let email = email.trim().to_lowercase();
        if email.len() > 320 || password.len() > 1024 {
            return Err(wrong_credentials());
        }
        let mut keys = vec![ThrottleKey::Account(email.clone())];
        keys.extend(client.map(ThrottleKey::Address));
        self.throttle
            .check(&keys, Instant::now())
            .map_err(|wait| ServiceError::Throttled { wait })?;
        let account = self.store.account_by_email(&email).await?;
        let stored = account
            .as_ref()
            .and_then(|a| a.password_hash.clone())
            .unwrap_or_else(|| decoy_hash().to_owned());
        let password = password.to_owned();
        let matches = self
            .cpu
            .run(move || password_matches(&password, &stored))
            .await?;
        match account {
            Some(a) if matches && a.password_hash.is_some() && a.disabled_at.is_none() => {
                self.throttle.succeeded(&keys[0]);
                Ok(a)
            }
            _ => {
                self.throttle.failed(&keys, Instant::now());
                Err(wrong_credentials())
            }
        }
    }

    /// Revokes a token: one's own, or any token as an admin. Revoking twice is harmless.
    pub async fn revoke_token(&self, actor: &Actor, token_id: Uuid) -> Result<(), ServiceError> {
        let principal = actor.principal()?;
        let token = self
            .store
            .token(token_id)
            .await?
            .ok_or_else(|| ServiceError::not_found("token", token_id))?;
        if token.account_id != principal.account_id {
            // Another account's token: only an office that manages that account.
            self.managed_account(actor, token.account_id)
                .await
                .map_err(|_| ServiceError::Forbidden("只能撤销自己的令牌".into()))?;
        }
        self.store.revoke_token(token_id).await?;
        self.credentials_changed();
        Ok(())
    }

    /// The caller's own account, as verified with the request (no further query).
    pub async fn me(&self, actor: &Actor) -> Result<AccountRow, ServiceError> {
        let p = actor.principal()?;
        Ok(AccountRow {
            id: p.account_id,
            email: p.email.clone(),
            password_hash: None,
            role: p.role.as_str().to_owned(),
            agency_id: p.agency_id,
            person_id: p.person_id,
            disabled_at: None,
            created_at: p.created_at,
        })
    }

    /// Turns a bearer token into the caller: `Anonymous` without one, `UNAUTHENTICATED` for
    /// an unknown, expired or revoked token or a disabled account.
    pub async fn authenticate(&self, bearer: Option<&str>) -> Result<Actor, ServiceError> {
        let Some(secret) = bearer else {
            return Ok(Actor::Anonymous);
        };
        let digest = token_digest(secret);
        if let Some(actor) = self.principals.get(&digest, Instant::now()) {
            return Ok(actor);
        }
        let Some((token, account)) = self.store.token_by_hash(&digest).await? else {
            return Err(ServiceError::Unauthenticated);
        };
        if !credentials_live(Some(&token), &account, Utc::now()) {
            return Err(ServiceError::Unauthenticated);
        }
        let actor = self.principal_for(account, Some(token.id)).await?;
        self.principals
            .put(digest, actor.clone(), token.expires_at, Instant::now());
        Ok(actor)
    }

    /// The actor for an account, with its reach resolved now.
    pub async fn principal_for(
        &self,
        account: AccountRow,
        token_id: Option<Uuid>,
    ) -> Result<Actor, ServiceError> {
        let role = AccountRole::parse(&account.role)
            .map_err(|e| ServiceError::Internal(StoreError::Setup(e.to_string())))?;
        let agencies = match (role, account.agency_id) {
            (AccountRole::Admin, _) => None,
            (_, None) => Some(HashSet::new()),
            (role, Some(agency)) if access::reaches_subtree(role) => Some(
                self.store
                    .agency_subtree(agency)
                    .await?
                    .into_iter()
                    .collect(),
            ),
            (_, Some(agency)) => Some(HashSet::from([agency])),
        };
        let posts_held = match account.person_id {
            Some(person) => self.store.posts_held(person, self.today()).await?,
            None => Vec::new(),
        };
        Ok(Actor::Account(Arc::new(Principal {
            account_id: account.id,
            created_at: account.created_at,
            token_id,
            email: account.email,
            role,
            agency_id: account.agency_id,
            person_id: account.person_id,
            agencies: agencies.map(Arc::new),
            posts_held,
        })))
    }
}
