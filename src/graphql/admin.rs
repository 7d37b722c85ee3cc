//! Administration over GraphQL: renaming and moving agencies, an agency's posts, changing
//! an account's role and scope, and another account's web sessions (what the 管理 pages
//! do, for clients).

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::{
    ContextExt,
    auth::{Account, AccountRole},
    error::parse_id,
    types::Agency,
    workflow::Post,
};
use crate::{service::administration::RoleChange, store::sessions::SessionRow};

/// A web sign-in session (never its cookie).
#[derive(SimpleObject)]
pub struct WebSession {
    pub id: ID,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl From<SessionRow> for WebSession {
    fn from(s: SessionRow) -> Self {
        Self {
            id: ID(s.id.to_string()),
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            expires_at: s.expires_at,
        }
    }
}

#[derive(Default)]
pub struct AdminQuery;

#[Object]
impl AdminQuery {
    /// An agency's posts (职务), by title.
    async fn agency_posts(&self, ctx: &Context<'_>, agency_id: ID) -> Result<Vec<Post>> {
        let id = parse_id("agencyId", &agency_id)?;
        Ok(ctx
            .services()
            .agency_posts(ctx.actor(), id)
            .await?
            .into_iter()
            .map(Post::from)
            .collect())
    }

    /// The live web sessions of an account: one's own, or of an account the caller manages.
    async fn account_sessions(&self, ctx: &Context<'_>, account_id: ID) -> Result<Vec<WebSession>> {
        let id = parse_id("accountId", &account_id)?;
        Ok(ctx
            .services()
            .account_sessions(ctx.actor(), id)
            .await?
            .into_iter()
            .map(WebSession::from)
            .collect())
    }
}

#[derive(Default)]
pub struct AdminMutation;

#[Object]
impl AdminMutation {
    /// Renames an agency (admins; supervisors within reach). CONFLICT when the name is taken.
    async fn rename_agency(
        &self,
        ctx: &Context<'_>,
        id: ID,
        name: String,
        short_name: Option<String>,
    ) -> Result<Agency> {
        let id = parse_id("id", &id)?;
        Ok(Agency(
            ctx.services()
                .rename_agency(ctx.actor(), id, &name, short_name.as_deref())
                .await?,
        ))
    }

    /// Puts an agency under another (both within reach), or at the top (admins) when
    /// `parentId` is null. VALIDATION when the new parent is the agency or under it.
    async fn move_agency(
        &self,
        ctx: &Context<'_>,
        id: ID,
        parent_id: Option<ID>,
    ) -> Result<Agency> {
        let id = parse_id("id", &id)?;
        let parent = parent_id
            .as_ref()
            .map(|p| parse_id("parentId", p))
            .transpose()?;
        Ok(Agency(
            ctx.services().move_agency(ctx.actor(), id, parent).await?,
        ))
    }

    /// Changes an account's role, agency and person, under the rules of creating one.
    async fn change_account_role(
        &self,
        ctx: &Context<'_>,
        id: ID,
        role: AccountRole,
        agency_id: Option<ID>,
        person_id: Option<ID>,
    ) -> Result<Account> {
        let id = parse_id("id", &id)?;
        let change = RoleChange {
            role: role.into(),
            agency_id: agency_id
                .as_ref()
                .map(|a| parse_id("agencyId", a))
                .transpose()?,
            person_id: person_id
                .as_ref()
                .map(|p| parse_id("personId", p))
                .transpose()?,
        };
        Ok(ctx
            .services()
            .change_account_role(ctx.actor(), id, change)
            .await?
            .into())
    }

    /// Ends a web session: one's own, or one of an account the caller manages.
    async fn revoke_session(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let id = parse_id("id", &id)?;
        ctx.services().revoke_session(ctx.actor(), id).await?;
        Ok(true)
    }
}
