//! Who may do what: the role half of authorization, as one table. The scope half (which
//! agencies an account reaches) and the item half (lead, responsible) are applied by the
//! service layer with this table; workflow actions are governed by the workflow's own roles.

use crate::domain::AccountRole;

/// An operation outside the item workflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    /// Read agencies, persons, posts, reports and items within reach.
    Read,
    /// Create agencies (under one within reach).
    ManageAgencies,
    /// Create and edit persons and posts, appoint holders.
    ManagePeople,
    /// Import reports.
    ImportReports,
    /// Confirm, remove and add shortcoming–commitment links; split items; create items by hand.
    EditItems,
    /// Verify audit chains and export their digests.
    Audit,
    /// Create accounts (never above one's own role).
    ManageAccounts,
    /// List, grant and end supervision mandates (who supervises whom).
    ManageSupervision,
    /// Open the administration pages (管理): the whole agency tree, every account, the
    /// mandates and the workflow in force. What each page's forms do is governed by the
    /// operations above.
    Administer,
}

impl Operation {
    /// Every operation, for tests and documentation.
    pub const ALL: &'static [Operation] = &[
        Operation::Read,
        Operation::ManageAgencies,
        Operation::ManagePeople,
        Operation::ImportReports,
        Operation::EditItems,
        Operation::Audit,
        Operation::ManageAccounts,
        Operation::ManageSupervision,
        Operation::Administer,
    ];
}

/// Whether `role` may perform `op` at all (within its scope).
pub fn role_may(role: AccountRole, op: Operation) -> bool {
    use AccountRole::*;
    use Operation::*;
    match op {
        Read => true,
        ManageSupervision | Administer => role == Admin,
        ManageAgencies | Audit | ManageAccounts => matches!(role, Admin | Supervisor),
        ManagePeople | ImportReports | EditItems => {
            matches!(role, Admin | Supervisor | Coordinator)
        }
    }
}

/// Whether an account of role `creator` may create an account of role `created`.
pub fn may_create_role(creator: AccountRole, created: AccountRole) -> bool {
    match creator {
        AccountRole::Admin => true,
        AccountRole::Supervisor => created != AccountRole::Admin,
        _ => false,
    }
}

/// Whether a role's reach is its office's supervision mandates (the subtrees it supervises)
/// rather than its agency alone.
pub fn reaches_by_mandate(role: AccountRole) -> bool {
    role == AccountRole::Supervisor
}

/// Whether a role sees only the items it leads or is responsible for.
pub fn limited_to_own_items(role: AccountRole) -> bool {
    matches!(role, AccountRole::Leader | AccountRole::Person)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaders_and_persons_only_read() {
        for role in [AccountRole::Leader, AccountRole::Person] {
            for op in Operation::ALL {
                assert_eq!(role_may(role, *op), *op == Operation::Read, "{role} {op:?}");
            }
        }
    }

    #[test]
    fn nobody_but_an_admin_creates_an_admin() {
        for role in AccountRole::ALL {
            assert_eq!(
                may_create_role(*role, AccountRole::Admin),
                *role == AccountRole::Admin
            );
        }
        assert!(!may_create_role(
            AccountRole::Coordinator,
            AccountRole::Person
        ));
    }
}
