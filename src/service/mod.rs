//! Use cases. Each public function is one use case: it checks its input, decides with
//! `domain/`, and writes through `store/` in one transaction. GraphQL and the command
//! line are thin callers of these.

pub mod accounts;
pub mod actor;
pub mod administration;
pub mod agencies;
pub mod appraisal;
pub mod audit;
pub mod auth;
pub mod board;
pub mod calendar;
pub mod comments;
pub mod cpu;
pub mod dashboard;
pub mod digests;
pub mod error;
pub mod evidence;
pub mod history;
pub mod import;
pub mod item_records;
pub mod item_view;
pub mod items;
pub mod ledger;
pub mod links;
pub mod notifications;
pub mod persons;
pub mod posts;
pub mod principals;
pub mod profile;
pub mod queues;
pub mod reminders;
pub mod report_section;
pub mod reports;
pub mod reviewed;
pub mod sessions;
pub mod supervisions;
pub mod text;
pub mod throttle;
pub mod webhooks;
pub mod welcome;
pub mod workbench;
pub mod workflow;
pub mod zones;

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
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ItemChange {
    pub item_id: Uuid,
    pub agency_id: Uuid,
    pub action: String,
    pub state: String,
    pub version: i32,
}

/// What instances tell each other through PostgreSQL.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Relayed {
    /// An item changed (for subscriptions).
    Item(ItemChange),
    /// Someone's credentials or reach changed: forget verified callers.
    Credentials,
    /// An agency was added or changed: forget verified callers (reach) and time zones.
    Agencies,
}

/// What every use case needs: the store and the service-wide settings.
#[derive(Clone, Debug)]
pub struct Services {
    pub store: Store,
    /// The default time zone; "today" for overdue checks is taken here.
    pub time_zone: Tz,
    /// The workflow every item follows.
    pub workflow: Arc<Workflow>,
    /// The words by which the extractor recognises a report's parts (`RECTIFY_EXTRACT_CUES`).
    pub cues: Arc<rectify_extract::Cues>,
    /// How long a token issued by `login` is valid.
    pub token_ttl: Duration,
    /// Where evidence files are stored (content-addressed).
    pub evidence_dir: PathBuf,
    /// The largest evidence file accepted.
    pub max_upload_bytes: usize,
    /// When reminders fall due; also what the escalation level is derived from.
    pub policy: Arc<Policy>,
    /// Where CPU-heavy work runs, bounded to the cores.
    pub cpu: cpu::CpuPool,
    /// The internal destinations webhooks may reach.
    pub webhook_allow: Arc<crate::domain::destination::DestinationPolicy>,
    /// On PostgreSQL, the channel changes travel on between instances (set by
    /// [`Services::relay_changes`]); without one, changes stay in this process.
    change_channel: Arc<std::sync::OnceLock<String>>,
    /// Callers verified in the last few seconds, by token digest.
    pub principals: Arc<principals::PrincipalCache>,
    /// The time zones agencies use, remembered for a minute.
    pub zones: Arc<zones::ZoneCache>,
    /// Failed sign-ins, per account and client address.
    pub throttle: Arc<throttle::LoginThrottle>,
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
    #[error("cannot read the extraction cues file {path} (RECTIFY_EXTRACT_CUES): {source}")]
    ReadCues {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the extraction cues file {path} (RECTIFY_EXTRACT_CUES) is not valid: {source}")]
    Cues {
        path: PathBuf,
        source: rectify_extract::CuesError,
    },
}

/// Reads the extraction cues named by the settings (the compiled-in ones when none is named),
/// refusing a file that is too large, not TOML, or has tables or keys the cues do not have.
pub fn load_cues(settings: &Settings) -> Result<rectify_extract::Cues, SetupError> {
    let Some(path) = &settings.extract_cues_file else {
        return Ok(rectify_extract::Cues::default());
    };
    let read = |source| SetupError::ReadCues {
        path: path.clone(),
        source,
    };
    let size = std::fs::metadata(path).map_err(read)?.len();
    if size > rectify_extract::MAX_CUES_BYTES as u64 {
        return Err(SetupError::Cues {
            path: path.clone(),
            source: rectify_extract::CuesError::Invalid(format!(
                "{size} bytes, more than {}",
                rectify_extract::MAX_CUES_BYTES
            )),
        });
    }
    let text = std::fs::read_to_string(path).map_err(read)?;
    rectify_extract::Cues::from_toml(&text).map_err(|source| SetupError::Cues {
        path: path.clone(),
        source,
    })
}

impl Services {
    /// Builds the services over `store` with the built-in workflow and default limits.
    pub fn new(store: Store, time_zone: Tz) -> Self {
        let defaults = Settings::default();
        Self {
            store,
            time_zone,
            workflow: Arc::new(Workflow::builtin()),
            cues: Arc::new(rectify_extract::Cues::default()),
            token_ttl: defaults.token_ttl,
            evidence_dir: defaults.data_dir.join("evidence"),
            max_upload_bytes: defaults.limits.max_upload_bytes,
            policy: Arc::new(defaults.remind.policy),
            cpu: cpu::CpuPool::per_core(),
            throttle: Arc::default(),
            webhook_allow: Arc::default(),
            change_channel: Arc::default(),
            principals: Arc::default(),
            zones: Arc::default(),
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
        let cues = load_cues(settings)?;
        if settings.extract_cues_file.is_some() {
            tracing::info!(file = ?settings.extract_cues_file, "extraction cues replaced");
        }
        Ok(Self {
            workflow: Arc::new(workflow),
            cues: Arc::new(cues),
            token_ttl: settings.token_ttl,
            evidence_dir: settings.data_dir.join("evidence"),
            max_upload_bytes: settings.limits.max_upload_bytes,
            policy: Arc::new(settings.remind.policy.clone()),
            webhook_allow: Arc::new(settings.remind.webhook_allow.clone()),
            ..Self::new(store, settings.time_zone)
        })
    }

    /// Today's calendar date in the service's time zone.
    pub fn today(&self) -> NaiveDate {
        Utc::now().with_timezone(&self.time_zone).date_naive()
    }

    /// Today's date in `zone` (an agency's time zone).
    pub fn today_in(&self, zone: Tz) -> NaiveDate {
        Utc::now().with_timezone(&zone).date_naive()
    }

    /// Subscribes to item changes committed from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<ItemChange> {
        self.changes.subscribe()
    }

    /// Publishes a committed change (nobody listening is fine): through PostgreSQL to every
    /// instance when changes are relayed, else to this process's subscribers.
    pub(crate) fn publish(&self, change: ItemChange) {
        let Some(channel) = self.change_channel.get() else {
            let _ = self.changes.send(change);
            return;
        };
        let (store, channel) = (self.store.clone(), channel.clone());
        let local = self.changes.clone();
        tokio::spawn(async move {
            let payload = serde_json::to_string(&Relayed::Item(change.clone())).unwrap_or_default();
            if let Err(e) = store.notify(&channel, &payload).await {
                // The change is committed; this instance's subscribers still hear it.
                tracing::warn!(error = %e, "change notification failed");
                let _ = local.send(change);
            }
        });
    }

    /// Forgets verified callers here and on every other instance: call after anything that
    /// changes what a caller may do.
    pub(crate) fn credentials_changed(&self) {
        self.principals.clear();
        self.relay(Relayed::Credentials);
    }

    /// Forgets verified callers and the time zones in use, here and on every other
    /// instance: call after an agency is added or changed.
    pub(crate) fn agencies_changed(&self) {
        self.principals.clear();
        self.zones.clear();
        self.relay(Relayed::Agencies);
    }

    /// Tells every other instance (when changes are relayed).
    fn relay(&self, message: Relayed) {
        if let Some(channel) = self.change_channel.get() {
            let (store, channel) = (self.store.clone(), channel.clone());
            tokio::spawn(async move {
                let payload = serde_json::to_string(&message).unwrap_or_default();
                if let Err(e) = store.notify(&channel, &payload).await {
                    tracing::warn!(error = %e, "change notification failed");
                }
            });
        }
    }

    /// On PostgreSQL, relays changes between instances until `stop` completes: this
    /// instance's changes go out as `NOTIFY`, and every notification (its own included)
    /// reaches its subscribers. Returns at once on SQLite.
    pub async fn relay_changes(&self, stop: impl std::future::Future<Output = ()>) {
        let channel = match self.store.change_channel().await {
            Ok(Some(channel)) => channel,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, "changes stay on this instance");
                return;
            }
        };
        let mut listener = match self.store.listen(&channel).await {
            Ok(listener) => listener,
            Err(e) => {
                tracing::warn!(error = %e, "changes stay on this instance");
                return;
            }
        };
        // Only once listening: a change published before would be lost.
        let _ = self.change_channel.set(channel);
        tokio::pin!(stop);
        loop {
            tokio::select! {
                () = &mut stop => break,
                next = listener.next() => match next {
                    Ok(payload) => match serde_json::from_str::<Relayed>(&payload) {
                        Ok(Relayed::Item(change)) => {
                            let _ = self.changes.send(change);
                        }
                        Ok(Relayed::Credentials) => self.principals.clear(),
                        Ok(Relayed::Agencies) => {
                            self.principals.clear();
                            self.zones.clear();
                        }
                        Err(e) => tracing::warn!(error = %e, "a change notification was not understood"),
                    },
                    Err(e) => {
                        tracing::warn!(error = %e, "change listener interrupted");
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                },
            }
        }
    }
}
