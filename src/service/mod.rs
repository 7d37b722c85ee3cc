//! Use cases. Each public function is one use case: it checks its input, decides with
//! `domain/`, and writes through `store/` in one transaction. GraphQL and the command
//! line are thin callers of these.

pub mod actor;
pub mod agencies;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod comments;
pub mod dashboard;
pub mod digests;
mod error;
pub mod evidence;
pub mod import;
pub mod item_view;
pub mod items;
pub mod ledger;
pub mod links;
pub mod notifications;
pub mod persons;
pub mod posts;
pub mod reminders;
pub mod report_section;
pub mod reports;
pub mod sessions;
mod text;
pub mod webhooks;
pub mod workbench;
pub mod workflow;

pub use actor::Actor;
pub use error::ServiceError;

use std::{path::PathBuf, sync::Arc, time::Duration};

use chrono::{NaiveDate, Utc};
use chrono_tz::Tz;
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::{
    config::Settings,
    domain::{reminders::Policy, workflow::Workflow},
    store::Store,
};

/// A change to an item, published after its transaction committed (for subscriptions).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemChange {
    pub item_id: Uuid,
    pub agency_id: Uuid,
    pub action: String,
    pub state: String,
    pub version: i32,
}

/// What every use case needs: the store and the service-wide settings.
#[derive(Clone, Debug)]
pub struct Services {
    pub store: Store,
    /// The default time zone; "today" for overdue checks is taken here.
    pub time_zone: Tz,
    /// The workflow every item follows.
    pub workflow: Arc<Workflow>,
    /// How long a token issued by `login` is valid.
    pub token_ttl: Duration,
    /// Where evidence files are stored (content-addressed).
    pub evidence_dir: PathBuf,
    /// The largest evidence file accepted.
    pub max_upload_bytes: usize,
    /// When reminders fall due; also what the escalation level is derived from.
    pub policy: Arc<Policy>,
    changes: broadcast::Sender<ItemChange>,
}

/// Why the services could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("cannot read the workflow file {path}: {source}")]
    ReadWorkflow {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the workflow file {path} is not valid: {source}")]
    Workflow {
        path: PathBuf,
        source: crate::domain::workflow::WorkflowError,
    },
}

impl Services {
    /// Builds the services over `store` with the built-in workflow and default limits.
    pub fn new(store: Store, time_zone: Tz) -> Self {
        let defaults = Settings::default();
        Self {
            store,
            time_zone,
            workflow: Arc::new(Workflow::builtin()),
            token_ttl: defaults.token_ttl,
            evidence_dir: defaults.data_dir.join("evidence"),
            max_upload_bytes: defaults.limits.max_upload_bytes,
            policy: Arc::new(defaults.remind.policy),
            changes: broadcast::channel(1024).0,
        }
    }

    /// Builds the services from the settings: the workflow file (validated), limits, paths.
    pub fn from_settings(store: Store, settings: &Settings) -> Result<Self, SetupError> {
        let workflow = match &settings.workflow_file {
            None => Workflow::builtin(),
            Some(path) => {
                let text =
                    std::fs::read_to_string(path).map_err(|source| SetupError::ReadWorkflow {
                        path: path.clone(),
                        source,
                    })?;
                Workflow::from_toml(&text).map_err(|source| SetupError::Workflow {
                    path: path.clone(),
                    source,
                })?
            }
        };
        Ok(Self {
            workflow: Arc::new(workflow),
            token_ttl: settings.token_ttl,
            evidence_dir: settings.data_dir.join("evidence"),
            max_upload_bytes: settings.limits.max_upload_bytes,
            policy: Arc::new(settings.remind.policy.clone()),
            ..Self::new(store, settings.time_zone)
        })
    }

    /// Today's calendar date in the service's time zone.
    pub fn today(&self) -> NaiveDate {
        Utc::now().with_timezone(&self.time_zone).date_naive()
    }

    /// Today's date in `zone` (an agency's time zone), or in the service's when unknown.
    pub fn today_in(&self, zone: &str) -> NaiveDate {
        let tz: Tz = zone.parse().unwrap_or(self.time_zone);
        Utc::now().with_timezone(&tz).date_naive()
    }

    /// Subscribes to item changes committed from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<ItemChange> {
        self.changes.subscribe()
    }

    /// Publishes a committed change (nobody listening is fine).
    pub(crate) fn publish(&self, change: ItemChange) {
        let _ = self.changes.send(change);
    }
}
