//! Use cases. Each public function is one use case: it checks its input, decides with
//! `domain/`, and writes through `store/` in one transaction. GraphQL and the command
//! line are thin callers of these.

mod actor;
pub mod agencies;
mod error;
pub mod import;
pub mod items;
pub mod links;
pub mod persons;
pub mod reports;
mod text;

pub use actor::Actor;
pub use error::ServiceError;

use chrono::{NaiveDate, Utc};
use chrono_tz::Tz;

use crate::store::Store;

/// What every use case needs: the store and the service-wide settings.
#[derive(Clone, Debug)]
pub struct Services {
    pub store: Store,
    /// The default time zone; "today" for overdue checks is taken here.
    pub time_zone: Tz,
}

impl Services {
    /// Builds the services over `store`.
    pub fn new(store: Store, time_zone: Tz) -> Self {
        Self { store, time_zone }
    }

    /// Today's calendar date in the service's time zone.
    pub fn today(&self) -> NaiveDate {
        Utc::now().with_timezone(&self.time_zone).date_naive()
    }
}
