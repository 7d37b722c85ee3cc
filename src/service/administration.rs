//! Administration (管理): renaming and moving agencies, changing an account's role and
//! scope, another account's web sessions, and what the administration pages read — the
//! whole agency tree, one agency's persons, posts and tenures, one account's sessions and
//! tokens. Reading those pages is for admins (`Operation::Administer`); each change keeps
//! the rule of the operation it belongs to (an office renames agencies within its reach,
//! as it creates them), so the API and the pages allow the same.

use chrono::Utc;
use uuid::Uuid;

use super::{Actor, ServiceError, Services, actor::out_of_reach, sessions::is_live, text};
use crate::{
    domain::{
        AccountRole,
        access::{self, Operation},
    },
    store::{
        accounts::{AccountRow, TokenRow},
        admin::Moved,
        agencies::AgencyRow,
        page::PageRequest,
        persons::{PersonFilter, PersonRow},
        posts::{PostRow, TenureRow},
        sessions::SessionRow,
        webhooks::WebhookRow,
    },
};

/// The most agencies the administration tree shows.
pub const MAX_TREE: u64 = 2000;

/// A post with its holders, earliest first.
#[derive(Clone, Debug)]
pub struct PostWithTenures {
    pub post: PostRow,
    pub tenures: Vec<TenureRow>,
}

/// What the administration page of one agency shows.
#[derive(Clone, Debug)]
pub struct AgencyAdmin {
    pub agency: AgencyRow,
    pub persons: Vec<PersonRow>,
    pub posts: Vec<PostWithTenures>,
    /// Its reminder webhook (the page shows the URL masked and never the secret).
    pub webhook: Option<WebhookRow>,
    /// Holders of its posts who belong to other agencies.
    pub other_holders: Vec<PersonRow>,
    /// Every agency (where it may move to).
    pub all: Vec<AgencyRow>,
}

/// What the administration page of one account shows.
#[derive(Clone, Debug)]
pub struct AccountAdmin {
    pub account: AccountRow,
    pub person: Option<PersonRow>,
    /// Its web sessions still live.
    pub sessions: Vec<SessionRow>,
    pub tokens: Vec<TokenRow>,
    /// The persons of its agency (whom it may act for).
    pub persons: Vec<PersonRow>,
    /// Every agency (where its scope may move).
    pub all: Vec<AgencyRow>,
}

/// An account's new role and scope.
#[derive(Clone, Debug)]
pub struct RoleChange {
    pub role: AccountRole,
    pub agency_id: Option<Uuid>,
    pub person_id: Option<Uuid>,
}

impl Services {
    /// Every agency (at most [`MAX_TREE`]), by name: the administration tree (admins).
    pub async fn agency_tree(&self, actor: &Actor) -> Result<Vec<AgencyRow>, ServiceError> {
        actor.require(Operation::Administer)?;
        Ok(self.store.all_agencies(MAX_TREE).await?)
    }

    /// One agency's persons, posts with their tenures, and webhook (admins).
    pub async fn agency_admin(
        &self,
        actor: &Actor,
        agency_id: Uuid,
    ) -> Result<AgencyAdmin, ServiceError> {
        actor.require(Operation::Administer)?;
        let agency = self.agency(actor, agency_id).await?;
        let filter = PersonFilter {
            agency_ids: Some(vec![agency_id]),
            name_contains: None,
        };
        let persons = self
            .store
            .list_persons(&filter, PageRequest::new(Some(200), None))
            .await?
            .nodes;
        let mut posts = Vec::new();
        for post in self.store.posts_of_agency(agency_id).await? {
            let tenures = self.store.tenures_of(post.id).await?;
            posts.push(PostWithTenures { post, tenures });
        }
        let webhook = self.store.agency_webhook(agency_id).await?;
        let mut others: Vec<Uuid> = posts
            .iter()
            .flat_map(|p| p.tenures.iter().map(|t| t.person_id))
            .filter(|id| !persons.iter().any(|p| p.id == *id))
            .collect();
        others.sort();
        others.dedup();
        let other_holders = self.store.persons_by_ids(&others).await?;
        let all = self.store.all_agencies(MAX_TREE).await?;
        Ok(AgencyAdmin {
            agency,
            persons,
            posts,
            webhook,
            other_holders,
            all,
        })
    }

    /// Renames an agency within the caller's reach (admins, and offices over it).
    #[tracing::instrument(skip(self, actor))]
    pub async fn rename_agency(
        &self,
        actor: &Actor,
        id: Uuid,
        name: &str,
        short_name: Option<&str>,
    ) -> Result<AgencyRow, ServiceError> {
        actor.require_in(Operation::ManageAgencies, id)?;
        let name = text::required("name", name, 200)?;
        let short_name = text::optional("shortName", short_name, 50)?;
        let row = self
            .store
            .rename_agency(id, &name, short_name.as_deref())
            .await
            .map_err(|e| {
                if e.is_unique_on("name") {
                    ServiceError::Conflict(format!("已有名为“{name}”的单位"))
                } else {
                    ServiceError::from(e)
                }
            })?
            .ok_or_else(|| ServiceError::not_found("agency", id))?;
        self.agencies_changed();
        Ok(row)
    }

    /// Puts an agency under another (or, for admins, at the top). Both must be within the
    /// caller's reach, so nobody moves an agency out of or into a jurisdiction not theirs;
    /// a parent that is the agency itself or under it is refused (the tree stays a tree).
    /// Offices' reach over the moved subtree follows the tree from now on.
    #[tracing::instrument(skip(self, actor))]
    pub async fn move_agency(
        &self,
        actor: &Actor,
        id: Uuid,
        parent: Option<Uuid>,
    ) -> Result<AgencyRow, ServiceError> {
        actor.require_in(Operation::ManageAgencies, id)?;
        match parent {
            Some(p) if !actor.reaches(p) => return Err(out_of_reach()),
            Some(p) if self.store.agency(p).await?.is_none() => {
                return Err(ServiceError::not_found("parent agency", p));
            }
            None if actor.reachable_agencies().is_some() => {
                return Err(ServiceError::Forbidden(
                    "只有管理员能把单位设为顶级单位".into(),
                ));
            }
            _ => {}
        }
        let row = match self.store.move_agency(id, parent).await? {
            Moved::Done(row) => row,
            Moved::NotFound => return Err(ServiceError::not_found("agency", id)),
            Moved::Cycle => {
                return Err(ServiceError::invalid(
                    "parentId",
                    "不能把单位移到它自己或它的下级单位之下",
                ));
            }
        };
        self.agencies_changed();
        self.credentials_changed();
        tracing::info!(agency = %id, parent = ?parent, "agency moved");
        Ok(row)
    }

    /// An agency's posts with whoever holds each today.
    pub async fn agency_posts(
        &self,
        actor: &Actor,
        agency_id: Uuid,
    ) -> Result<Vec<PostRow>, ServiceError> {
        actor.require_in(Operation::Read, agency_id)?;
        Ok(self.store.posts_of_agency(agency_id).await?)
    }

    /// One account with its person, live sessions and tokens (admins).
    pub async fn account_admin(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<AccountAdmin, ServiceError> {
        actor.require(Operation::Administer)?;
        let account = self.managed_account(actor, id).await?;
        let person = match account.person_id {
            Some(p) => self.store.person(p).await?,
            None => None,
        };
        let sessions = self.live_sessions_of(account.id).await?;
        let tokens = self.store.tokens_of(account.id).await?;
        let persons = match account.agency_id {
            Some(agency) => {
                let filter = PersonFilter {
                    agency_ids: Some(vec![agency]),
                    name_contains: None,
                };
                self.store
                    .list_persons(&filter, PageRequest::new(Some(200), None))
                    .await?
                    .nodes
            }
            None => Vec::new(),
        };
        let all = self.store.all_agencies(MAX_TREE).await?;
        Ok(AccountAdmin {
            account,
            person,
            sessions,
            tokens,
            persons,
            all,
        })
    }

    async fn live_sessions_of(&self, account_id: Uuid) -> Result<Vec<SessionRow>, ServiceError> {
        let now = Utc::now();
        Ok(self
            .store
            .open_sessions_of(account_id, now, 50)
            .await?
            .into_iter()
            .filter(|s| is_live(s, now))
            .collect())
    }

    /// An account's live web sessions: one's own, or of an account the caller manages.
    pub async fn account_sessions(
        &self,
        actor: &Actor,
        account_id: Uuid,
    ) -> Result<Vec<SessionRow>, ServiceError> {
        let principal = actor.principal()?;
        if principal.account_id != account_id {
            self.managed_account(actor, account_id).await?;
        }
        self.live_sessions_of(account_id).await
    }

    /// Ends a web session: one's own, or one of an account the caller manages. Ending it
    /// twice is harmless.
    pub async fn revoke_session(
        &self,
        actor: &Actor,
        session_id: Uuid,
    ) -> Result<(), ServiceError> {
        let principal = actor.principal()?;
        let session = self
            .store
            .session(session_id)
            .await?
            .ok_or_else(|| ServiceError::not_found("session", session_id))?;
        if session.account_id != principal.account_id {
            self.managed_account(actor, session.account_id).await?;
        }
        self.store.revoke_session(session_id).await?;
        tracing::info!(session = %session_id, account = %session.account_id, "session ended");
        Ok(())
    }

    /// Changes an account's role, agency and person, under the rules of creating one: the
    /// caller manages the account and could create one of the new role, the new agency and
    /// person are within reach, leaders and persons act for a person, a person has one live
    /// account per role. Nobody changes their own role.
    #[tracing::instrument(skip(self, actor))]
    pub async fn change_account_role(
        &self,
        actor: &Actor,
        id: Uuid,
        change: RoleChange,
    ) -> Result<AccountRow, ServiceError> {
        let account = self.managed_account(actor, id).await?;
        if actor.account_id() == Some(account.id) {
            return Err(ServiceError::invalid("role", "不能修改自己账户的角色"));
        }
        if let Actor::Account(p) = actor
            && !access::may_create_role(p.role, change.role)
        {
            return Err(ServiceError::Forbidden(format!(
                "{}账号不能把账户设为{}",
                p.role.label(),
                change.role.label()
            )));
        }
        // An admin belongs to no agency and acts for nobody in particular.
        let (agency_id, person_id) = if change.role == AccountRole::Admin {
            (None, None)
        } else {
            (change.agency_id, change.person_id)
        };
        if change.role != AccountRole::Admin && agency_id.is_none() {
            return Err(ServiceError::invalid(
                "agencyId",
                format!("{}账号须属于一个单位", change.role.label()),
            ));
        }
        if let Some(agency_id) = agency_id {
            self.store
                .agency(agency_id)
                .await?
                .ok_or_else(|| ServiceError::not_found("agency", agency_id))?;
            if !actor.reaches(agency_id) {
                return Err(out_of_reach());
            }
        }
        if matches!(change.role, AccountRole::Leader | AccountRole::Person) && person_id.is_none() {
            return Err(ServiceError::invalid(
                "personId",
                "领导或责任人账号须对应一名人员",
            ));
        }
        if let Some(person_id) = person_id {
            let person = self
                .store
                .person(person_id)
                .await?
                .ok_or_else(|| ServiceError::not_found("person", person_id))?;
            if !actor.reaches(person.agency_id) {
                return Err(out_of_reach());
            }
            let existing = self.store.accounts_of_person(person_id).await?;
            if existing.iter().any(|a| {
                a.id != account.id && a.role == change.role.as_str() && a.disabled_at.is_none()
            }) {
                return Err(ServiceError::Conflict(format!(
                    "该人员已有一个{}账户，同一人同一角色只能有一个账户",
                    change.role.label()
                )));
            }
        }
        let row = self
            .store
            .set_account_role(id, change.role.as_str(), agency_id, person_id)
            .await?
            .ok_or_else(|| ServiceError::not_found("account", id))?;
        // A new supervisor office starts with the mandate a supervisor account always meant.
        if let (AccountRole::Supervisor, Some(office)) = (change.role, agency_id) {
            self.store
                .ensure_supervision(office, self.today(), actor.account_id())
                .await?;
        }
        self.credentials_changed();
        tracing::info!(account = %id, role = %change.role.as_str(), "account role changed");
        Ok(row)
    }
}

impl Services {
    /// The workflow in force, for its drawing on the administration pages (admins).
    pub fn workflow_in_force(
        &self,
        actor: &Actor,
    ) -> Result<std::sync::Arc<crate::domain::workflow::Workflow>, ServiceError> {
        actor.require(Operation::Administer)?;
        Ok(self.workflow.clone())
    }
}
