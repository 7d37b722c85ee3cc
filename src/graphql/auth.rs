//! Sign-in, tokens and accounts.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::{
    ClientAddress, ContextExt,
    error::{parse_cursor, parse_id},
};
use crate::{
    domain,
    jobs::Reminders,
    service::auth::{AccountInput, IssuedToken},
    store::{
        accounts::{AccountRow, TokenRow},
        page::PageRequest,
    },
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
    /// When the account was disabled; its tokens do not work while it is.
    pub disabled_at: Option<DateTime<Utc>>,
    /// Only in `createAccount`'s answer for an account created without a password: the
    /// one-time link (`…/welcome/<token>`, valid 7 days) where its holder chooses a
    /// password and signs in. Shown once; null everywhere else.
    pub first_sign_in_link: Option<String>,
}

/// A one-time first-sign-in link, shown once.
#[derive(SimpleObject)]
pub struct FirstSignInLink {
    /// `…/welcome/<token>`: its holder chooses a password there and is signed in.
    pub url: String,
    pub expires_at: DateTime<Utc>,
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
            disabled_at: a.disabled_at,
            first_sign_in_link: None,
        }
    }
}

/// A page of accounts.
#[derive(SimpleObject)]
pub struct AccountPage {
    pub nodes: Vec<Account>,
    pub has_next_page: bool,
    /// Pass as `after` for the next page.
    pub end_cursor: Option<String>,
}

/// A token an account holds (never its secret).
#[derive(SimpleObject)]
pub struct ApiToken {
    pub id: ID,
    /// Where it came from: "login", "cli" ….
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<TokenRow> for ApiToken {
    fn from(t: TokenRow) -> Self {
        Self {
            id: ID(t.id.to_string()),
            name: t.name,
            created_at: t.created_at,
            expires_at: t.expires_at,
            revoked_at: t.revoked_at,
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
    /// At least 10 characters; without one, the answer's `firstSignInLink` is where the
    /// account's holder chooses a password.
    pub password: Option<String>,
    pub role: AccountRole,
    /// The agency (a supervisor's jurisdiction root; required but for admins).
    pub agency_id: Option<ID>,
    /// The person the account acts for (required for leaders and persons).
    pub person_id: Option<ID>,
}

/// A message in the caller's inbox in the application (站内消息): a reminder, a return, an
/// urge or a comment on one of their items, or the weekly digest.
#[derive(SimpleObject)]
pub struct Notification {
    pub id: ID,
    pub item_id: Option<ID>,
    /// reject, urge, instruction (批示), reply (留言), reminder (a due or overdue
    /// reminder), escalation (an overdue item, to its supervising office) or digest (the
    /// weekly list).
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

    /// Accounts within reach, in creation order (admins and supervisors).
    #[graphql(complexity = "first.unwrap_or(50).clamp(1, 200) as usize * child_complexity")]
    async fn accounts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1–200 (default 50).")] first: Option<i32>,
        #[graphql(desc = "The endCursor of the previous page.")] after: Option<String>,
    ) -> Result<AccountPage> {
        let page = PageRequest::new(first, parse_cursor(after.as_deref())?);
        let rows = ctx.services().accounts(ctx.actor(), page).await?;
        Ok(AccountPage {
            end_cursor: rows.nodes.last().map(|a| a.id.to_string()),
            has_next_page: rows.has_next_page,
            nodes: rows.nodes.into_iter().map(Into::into).collect(),
        })
    }

    /// The tokens of an account (newest first, at most 200): one's own, or of an account
    /// the caller manages.
    async fn account_tokens(&self, ctx: &Context<'_>, account_id: ID) -> Result<Vec<ApiToken>> {
        let id = parse_id("accountId", &account_id)?;
        Ok(ctx
            .services()
            .account_tokens(ctx.actor(), id)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
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
    /// password is wrong (which one is not said); TOO_MANY_ATTEMPTS after several wrong
    /// passwords for the account or from the client, for a delay that doubles.
    async fn login(&self, ctx: &Context<'_>, email: String, password: String) -> Result<Session> {
        let client = ctx.data_opt::<ClientAddress>().and_then(|c| c.0);
        Ok(ctx
            .services()
            .login(&email, &password, client)
            .await?
            .into())
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

    /// Disables an account (admins and supervisors, within reach): its tokens stop working
    /// at once and its subscriptions close within seconds.
    async fn disable_account(&self, ctx: &Context<'_>, id: ID) -> Result<Account> {
        let id = parse_id("id", &id)?;
        Ok(ctx
            .services()
            .set_account_disabled(ctx.actor(), id, true)
            .await?
            .into())
    }

    /// Enables a disabled account again.
    async fn enable_account(&self, ctx: &Context<'_>, id: ID) -> Result<Account> {
        let id = parse_id("id", &id)?;
        Ok(ctx
            .services()
            .set_account_disabled(ctx.actor(), id, false)
            .await?
            .into())
    }

    /// Changes one's own password (10–256 characters); every other token of the account is
    /// revoked.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        current_password: String,
        new_password: String,
    ) -> Result<bool> {
        ctx.services()
            .change_own_password(ctx.actor(), &current_password, &new_password)
            .await?;
        Ok(true)
    }

    /// Sets a new password for an account the caller manages (admins; supervisors within
    /// reach); all its tokens are revoked.
    async fn reset_password(
        &self,
        ctx: &Context<'_>,
        account_id: ID,
        new_password: String,
    ) -> Result<bool> {
        let id = parse_id("accountId", &account_id)?;
        ctx.services()
            .reset_password(ctx.actor(), id, &new_password)
            .await?;
        Ok(true)
    }

    /// Revokes a token: one's own, or one of an account the caller manages.
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
        let (account, link) = ctx
            .services()
            .create_account_with_link(ctx.actor(), input)
            .await?;
        let public_url = ctx.data_unchecked::<Reminders>().public_url();
        Ok(Account {
            first_sign_in_link: link.map(|l| format!("{public_url}{}", l.path)),
            ..account.into()
        })
    }

    /// A new first-sign-in link for an account without a password that the caller manages
    /// (its earlier links stop working): `CONFLICT` when it has a password already.
    async fn issue_first_sign_in_link(
        &self,
        ctx: &Context<'_>,
        account_id: ID,
    ) -> Result<FirstSignInLink> {
        let id = parse_id("accountId", &account_id)?;
        let link = ctx.services().issue_welcome_link(ctx.actor(), id).await?;
        let public_url = ctx.data_unchecked::<Reminders>().public_url();
        Ok(FirstSignInLink {
            url: format!("{public_url}{}", link.path),
            expires_at: link.expires_at,
        })
    }
}
