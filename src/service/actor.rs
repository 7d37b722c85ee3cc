//! Who is calling: the one value every use case receives, so authorization has one place to look.

use uuid::Uuid;

/// The caller of a use case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// The command line or a background job on the server itself.
    System,
    /// An HTTP caller that sent no credentials.
    Anonymous,
    /// A signed-in account.
    Account {
        account_id: Uuid,
        person_id: Option<Uuid>,
    },
}
