//! Sign-in, tokens and accounts.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::{ContextExt, error::parse_id};
use crate::{
    domain,
    service::auth::{AccountInput, IssuedToken},
    store::accounts::AccountRow,
};

/// What an account may do, and over what.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum AccountRole {
    /// 系统管理员: everything.
    Admin,
    /// 督办部门 (纪委监委, 依法治市办): its agency and everything under it; verifies and closes items.
    Supervisor,
    /// 联络员: one agency; imports, splits, assigns.
    Coordinator,
    /// 责任领导: the items it leads (in person or through a post it holds).
    Leader,
    /// 责任人: the items it is responsible for.
    Person,
}

impl From<AccountRole> for domain::AccountRole {
    fn from(r: AccountRole) -> Self {
        match r {
            AccountRole::Admin => Self::Admin,
            AccountRole::Supervisor => Self::Supervisor,
            AccountRole::Coordinator => Self::Coordinator,
            AccountRole::Leader => Self::Leader,
            AccountRole::Person => Self::Person,
        }
    }
}

/// A sign-in account.
#[derive(SimpleObject)]
pub struct Account {
    pub id: ID,
    pub email: String,
    /// admin, supervisor, coordinator, leader or person.
    pub role: String,
    pub agency_id: Option<ID>,
    pub person_id: Option<ID>,
    pub created_at: DateTime<Utc>,
}

impl From<AccountRow> for Account {
    fn from(a: AccountRow) -> Self {
        Self {
            id: ID(a.id.to_string()),
            email: a.email,
            role: a.role,
            agency_id: a.agency_id.map(|id| ID(id.to_string())),
            person_id: a.person_id.map(|id| ID(id.to_string())),
            created_at: a.created_at,
        }
    }
}

/// A token issued at sign-in. The secret is shown this once: send it as
/// `Authorization: Bearer <token>`.
#[derive(SimpleObject)]
pub struct Session {
    pub token: String,
    pub token_id: ID,
    pub expires_at: Option<DateTime<Utc>>,
}

impl From<IssuedToken> for Session {
    fn from(t: IssuedToken) -> Self {
        Self {
            token: t.secret,
            token_id: ID(t.token.id.to_string()),
            expires_at: t.token.expires_at,
        }
    }
}

/// A new account.
#[derive(InputObject)]
pub struct CreateAccountInput {
    pub email: String,
    /// At least 10 characters; without one, the account signs in only with tokens issued
    /// from the command line.
    pub password: Option<String>,
    pub role: AccountRole,
    /// The agency (a supervisor's jurisdiction root; required but for admins).
    pub agency_id: Option<ID>,
    /// The person the account acts for (required for leaders and persons).
    pub person_id: Option<ID>,
}

/// A message in the caller's inbox in the application (站内消息): a return, an urge or a
/// comment on one of their items.
#[derive(SimpleObject)]
pub struct Notification {
    pub id: ID,
    pub item_id: Option<ID>,
    /// reject, urge, instruction (批示) or reply (留言).
    pub kind: String,
    pub text: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

impl From<crate::store::notifications::NotificationRow> for Notification {
    fn from(n: crate::store::notifications::NotificationRow) -> Self {
        Self {
            id: ID(n.id.to_string()),
            item_id: n.item_id.map(|id| ID(id.to_string())),
            kind: n.kind,
            text: n.text,
            created_at: n.created_at,
            read_at: n.read_at,
        }
    }
}

#[derive(Default)]
pub struct AuthQuery;

#[Object]
impl AuthQuery {
    /// The signed-in account.
    async fn me(&self, ctx: &Context<'_>) -> Result<Account> {
        Ok(ctx.services().me(ctx.actor()).await?.into())
    }

    /// The caller's inbox in the application, newest first (the latest 100).
    async fn notifications(&self, ctx: &Context<'_>) -> Result<Vec<Notification>> {
        Ok(ctx
            .services()
            .notifications(ctx.actor())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// How many of the caller's messages are unread.
    async fn unread_notification_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let n = ctx.services().unread_notifications(ctx.actor()).await?;
        Ok(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

#[derive(Default)]
pub struct AuthMutation;

#[Object]
impl AuthMutation {
    /// Signs in: a token for `Authorization: Bearer …`. UNAUTHENTICATED when the email or
    /// password is wrong (which one is not said).
    async fn login(&self, ctx: &Context<'_>, email: String, password: String) -> Result<Session> {
        Ok(ctx.services().login(&email, &password).await?.into())
    }

    /// Marks the caller's messages read: those given, or all without `ids`. How many changed.
    async fn mark_notifications_read(
        &self,
        ctx: &Context<'_>,
        ids: Option<Vec<ID>>,
    ) -> Result<i64> {
        let ids = ids
            .map(|ids| {
                ids.iter()
                    .map(|id| parse_id("ids", id))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?;
        let n = ctx
            .services()
            .mark_notifications_read(ctx.actor(), ids.as_deref())
            .await?;
        Ok(i64::try_from(n).unwrap_or(i64::MAX))
    }

    /// Revokes the token this request was sent with.
    async fn logout(&self, ctx: &Context<'_>) -> Result<bool> {
        let principal = ctx.actor().principal()?;
        if let Some(token) = principal.token_id {
            ctx.services().revoke_token(ctx.actor(), token).await?;
        }
        Ok(true)
    }

    /// Revokes a token (one's own; an admin, any).
    async fn revoke_token(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let id = parse_id("id", &id)?;
        ctx.services().revoke_token(ctx.actor(), id).await?;
        Ok(true)
    }

    /// Creates an account: admins any; supervisors non-admin accounts within their jurisdiction.
    async fn create_account(
        &self,
        ctx: &Context<'_>,
        input: CreateAccountInput,
    ) -> Result<Account> {
        let input = AccountInput {
            email: input.email,
            password: input.password,
            role: input.role.into(),
            agency_id: input
                .agency_id
                .as_ref()
                .map(|id| parse_id("agencyId", id))
                .transpose()?,
            person_id: input
                .person_id
                .as_ref()
                .map(|id| parse_id("personId", id))
                .transpose()?,
        };
        Ok(ctx
            .services()
            .create_account(ctx.actor(), input)
            .await?
            .into())
    }
}
