//! Who is calling, and the one place that decides what they may do. Every use case takes an
//! [`Actor`] and asks it (`require`, `require_in`, `item_roles`) before reading or writing:
//! resolvers never decide access themselves.

use std::{collections::HashSet, sync::Arc};

use uuid::Uuid;

use super::ServiceError;
use crate::{
    domain::{
        AccountRole,
        access::{self, Operation},
        workflow::ItemRole,
    },
    store::items::ItemRow,
};

/// The caller of a use case.
#[derive(Clone, Debug)]
pub enum Actor {
    /// The command line or a background job on the server itself: may do anything.
    System,
    /// An HTTP caller that sent no credentials: may only sign in.
    Anonymous,
    /// A signed-in account.
    Account(Arc<Principal>),
}

/// A signed-in account, with its reach resolved when the request was authenticated.
#[derive(Clone, Debug)]
pub struct Principal {
    pub account_id: Uuid,
    /// When the account was created.
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub token_id: Option<Uuid>,
    pub email: String,
    pub role: AccountRole,
    /// The account's agency: its office (supervisor, whose reach is the office's mandates)
    /// or its one agency (others).
    pub agency_id: Option<Uuid>,
    /// The person the account acts for.
    pub person_id: Option<Uuid>,
    /// The agencies within reach; `None` for an admin (everything).
    pub agencies: Option<Arc<HashSet<Uuid>>>,
    /// The posts the person holds today (responsibility follows posts).
    pub posts_held: Vec<Uuid>,
}

impl Actor {
    /// The signed-in account's id.
    pub fn account_id(&self) -> Option<Uuid> {
        match self {
            Actor::Account(p) => Some(p.account_id),
            _ => None,
        }
    }

    /// The agency the caller's account belongs to (none for admins and the system).
    pub fn agency_id(&self) -> Option<Uuid> {
        match self {
            Actor::Account(p) => p.agency_id,
            _ => None,
        }
    }

    /// The person the caller acts for.
    pub fn person_id(&self) -> Option<Uuid> {
        match self {
            Actor::Account(p) => p.person_id,
            _ => None,
        }
    }

    /// The signed-in principal, or `UNAUTHENTICATED`.
    pub fn principal(&self) -> Result<&Principal, ServiceError> {
        match self {
            Actor::Account(p) => Ok(p),
            _ => Err(ServiceError::Unauthenticated),
        }
    }

    /// Checks that the caller's role allows `op` at all.
    pub fn require(&self, op: Operation) -> Result<(), ServiceError> {
        self.require_doing(op, describe(op))
    }

    /// Checks that the caller's role allows `op`, saying in the refusal what was asked
    /// (`doing`, in Chinese, e.g. 查看提醒发送记录) where the operation's own name would
    /// mislead.
    pub fn require_doing(&self, op: Operation, doing: &str) -> Result<(), ServiceError> {
        match self {
            Actor::System => Ok(()),
            Actor::Anonymous => Err(ServiceError::Unauthenticated),
            Actor::Account(p) if access::role_may(p.role, op) => Ok(()),
            Actor::Account(p) => Err(ServiceError::Forbidden(format!(
                "{}账号无权{doing}",
                p.role.label()
            ))),
        }
    }

    /// Checks `op` on data of `agency_id`: the role allows it and the agency is within reach.
    pub fn require_in(&self, op: Operation, agency_id: Uuid) -> Result<(), ServiceError> {
        self.require(op)?;
        if self.reaches(agency_id) {
            Ok(())
        } else {
            Err(out_of_reach())
        }
    }

    /// Whether `agency_id` is within the caller's reach.
    pub fn reaches(&self, agency_id: Uuid) -> bool {
        match self {
            Actor::System => true,
            Actor::Anonymous => false,
            Actor::Account(p) => p.agencies.as_ref().is_none_or(|a| a.contains(&agency_id)),
        }
    }

    /// The agencies within reach, for list filters; `None` means every agency.
    pub fn reachable_agencies(&self) -> Option<Vec<Uuid>> {
        match self {
            Actor::System => None,
            Actor::Anonymous => Some(Vec::new()),
            Actor::Account(p) => p.agencies.as_ref().map(|a| a.iter().copied().collect()),
        }
    }

    /// Narrows a list's agency filter to the caller's reach: asking for an agency outside it
    /// is `FORBIDDEN`; asking for none means every agency within reach.
    pub fn scope_agencies(
        &self,
        requested: Option<Vec<Uuid>>,
    ) -> Result<Option<Vec<Uuid>>, ServiceError> {
        self.require(Operation::Read)?;
        match (requested, self.reachable_agencies()) {
            (Some(ids), _) if ids.iter().all(|id| self.reaches(*id)) => Ok(Some(ids)),
            (Some(_), _) => Err(out_of_reach()),
            (None, reach) => Ok(reach),
        }
    }

    /// When the caller sees only the items they lead or are responsible for: their person
    /// and the posts they hold.
    pub fn own_items_only(&self) -> Option<(Uuid, Vec<Uuid>)> {
        match self {
            Actor::Account(p) if access::limited_to_own_items(p.role) => {
                // An account without a person has no items of its own: a nil id matches none.
                Some((p.person_id.unwrap_or_default(), p.posts_held.clone()))
            }
            _ => None,
        }
    }

    /// The roles the caller plays toward `item`, given who holds its lead post today.
    /// Empty means the caller may not even see it.
    pub fn item_roles(&self, item: &ItemRow) -> Vec<ItemRole> {
        let p = match self {
            Actor::System => return vec![ItemRole::Admin],
            Actor::Anonymous => return Vec::new(),
            Actor::Account(p) => p,
        };
        let mut roles = Vec::new();
        match p.role {
            AccountRole::Admin => roles.push(ItemRole::Admin),
            AccountRole::Supervisor if self.reaches(item.agency_id) => {
                roles.push(ItemRole::Supervisor)
            }
            AccountRole::Coordinator if self.reaches(item.agency_id) => {
                roles.push(ItemRole::Coordinator)
            }
            _ => {}
        }
        if let Some(person) = p.person_id {
            let leads_by_post = item
                .lead_post_id
                .is_some_and(|post| p.posts_held.contains(&post));
            if item.lead_person_id == Some(person) || leads_by_post {
                roles.push(ItemRole::Lead);
            }
            if item.responsible_person_id == Some(person) {
                roles.push(ItemRole::Responsible);
            }
        }
        roles
    }

    /// Checks that the caller may see `item`, and returns the roles they play toward it.
    pub fn require_item(&self, item: &ItemRow) -> Result<Vec<ItemRole>, ServiceError> {
        if matches!(self, Actor::Anonymous) {
            return Err(ServiceError::Unauthenticated);
        }
        let roles = self.item_roles(item);
        if roles.is_empty() {
            Err(ServiceError::Forbidden(
                "该事项不在您的管辖范围内，也不由您牵头或负责".into(),
            ))
        } else {
            Ok(roles)
        }
    }
}

/// The error for data outside the caller's jurisdiction.
pub fn out_of_reach() -> ServiceError {
    ServiceError::Forbidden("该内容属于您管辖范围以外的单位".into())
}

fn describe(op: Operation) -> &'static str {
    match op {
        Operation::Read => "查看该内容",
        Operation::ManageAgencies => "创建或修改单位",
        Operation::ManagePeople => "管理人员、岗位和提醒设置",
        Operation::ImportReports => "导入年度报告",
        Operation::EditItems => "登记、拆分或关联整改事项",
        Operation::Audit => "校验审计记录",
        Operation::ManageAccounts => "创建或管理账号",
        Operation::ManageSupervision => "授予或终止督办授权",
        Operation::Administer => "进入系统管理",
    }
}
