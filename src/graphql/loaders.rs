//! Data loaders: nested fields (an item's agency, leader, shortcoming) are fetched in one
//! query per level and type, never one per row.
//!
//! The batching delay is 500 µs, chosen on purpose: async-graphql resolves the siblings
//! of a list in one poll, so they have all queued their keys within microseconds; the
//! default 1 ms would add a whole millisecond to every nested level of every request,
//! while zero lets the batch start on another worker before the siblings have queued.

use std::{collections::HashMap, sync::Arc, time::Duration};

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use uuid::Uuid;

use crate::{
    service::ServiceError,
    store::{
        Store,
        agencies::AgencyRow,
        items::ItemWith,
        persons::PersonRow,
        posts::PostRow,
        reports::{CommitmentRow, LinkRow, ShortcomingRow},
    },
};

/// The delay before a batch is fetched (see the module comment).
pub const BATCH_DELAY: Duration = Duration::from_micros(500);

/// Loads agencies by id.
pub struct AgencyLoader(pub Store);
/// Loads persons by id.
pub struct PersonLoader(pub Store);
/// Loads shortcomings by id.
pub struct ShortcomingLoader(pub Store);

/// A loader's error: shared, because one failed batch answers many fields.
pub type LoadError = Arc<ServiceError>;

impl Loader<Uuid> for AgencyLoader {
    type Value = AgencyRow;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, AgencyRow>, LoadError> {
        let rows = self
            .0
            .agencies_by_ids(keys)
            .await
            .map_err(|e| Arc::new(e.into()))?;
        Ok(rows.into_iter().map(|r| (r.id, r)).collect())
    }
}

impl Loader<Uuid> for PersonLoader {
    type Value = PersonRow;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, PersonRow>, LoadError> {
        let rows = self
            .0
            .persons_by_ids(keys)
            .await
            .map_err(|e| Arc::new(e.into()))?;
        Ok(rows.into_iter().map(|r| (r.id, r)).collect())
    }
}

impl Loader<Uuid> for ShortcomingLoader {
    type Value = ShortcomingRow;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, ShortcomingRow>, LoadError> {
        let rows = self
            .0
            .shortcomings_by_ids(keys)
            .await
            .map_err(|e| Arc::new(e.into()))?;
        Ok(rows.into_iter().map(|r| (r.id, r)).collect())
    }
}

/// Loads commitments by id.
pub struct CommitmentLoader(pub Store);
/// Loads the links of shortcomings, by shortcoming id.
pub struct LinksOfShortcomingLoader(pub Store);

impl Loader<Uuid> for CommitmentLoader {
    type Value = CommitmentRow;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, CommitmentRow>, LoadError> {
        let rows = self
            .0
            .commitments_by_ids(keys)
            .await
            .map_err(|e| Arc::new(e.into()))?;
        Ok(rows.into_iter().map(|r| (r.id, r)).collect())
    }
}

impl Loader<Uuid> for LinksOfShortcomingLoader {
    type Value = Vec<LinkRow>;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Vec<LinkRow>>, LoadError> {
        let rows = self
            .0
            .links_of_shortcomings(keys)
            .await
            .map_err(|e| Arc::new(e.into()))?;
        let mut map: HashMap<Uuid, Vec<LinkRow>> = HashMap::new();
        for row in rows {
            map.entry(row.shortcoming_id).or_default().push(row);
        }
        Ok(map)
    }
}

/// Loads posts by id.
pub struct PostLoader(pub Store);

impl Loader<Uuid> for PostLoader {
    type Value = PostRow;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, PostRow>, LoadError> {
        let rows = self
            .0
            .posts_by_ids(keys)
            .await
            .map_err(|e| Arc::new(e.into()))?;
        Ok(rows.into_iter().map(|r| (r.id, r)).collect())
    }
}

/// The loaders of one request (a fresh cache per request: no stale data across requests).
/// Agencies, persons and shortcomings keep what they loaded for the request, and a list
/// that read them with its rows (one joined statement) feeds them in
/// ([`Loaders::feed_joined`]), so the fields below find them without a query.
pub struct Loaders {
    pub agencies: DataLoader<AgencyLoader, HashMapCache>,
    pub persons: DataLoader<PersonLoader, HashMapCache>,
    pub shortcomings: DataLoader<ShortcomingLoader, HashMapCache>,
    pub commitments: DataLoader<CommitmentLoader>,
    pub links: DataLoader<LinksOfShortcomingLoader>,
    pub posts: DataLoader<PostLoader>,
    /// False for a long-lived connection (a WebSocket), which must not keep rows.
    cached: bool,
}

impl Loaders {
    /// New loaders over `store`.
    pub fn new(store: &Store) -> Self {
        Self {
            agencies: DataLoader::with_cache(
                AgencyLoader(store.clone()),
                tokio::spawn,
                HashMapCache::default(),
            )
            .delay(BATCH_DELAY),
            persons: DataLoader::with_cache(
                PersonLoader(store.clone()),
                tokio::spawn,
                HashMapCache::default(),
            )
            .delay(BATCH_DELAY),
            shortcomings: DataLoader::with_cache(
                ShortcomingLoader(store.clone()),
                tokio::spawn,
                HashMapCache::default(),
            )
            .delay(BATCH_DELAY),
            commitments: DataLoader::new(CommitmentLoader(store.clone()), tokio::spawn)
                .delay(BATCH_DELAY),
            links: DataLoader::new(LinksOfShortcomingLoader(store.clone()), tokio::spawn)
                .delay(BATCH_DELAY),
            posts: DataLoader::new(PostLoader(store.clone()), tokio::spawn).delay(BATCH_DELAY),
            cached: true,
        }
    }

    /// Loaders for a long-lived connection (a WebSocket): they batch but keep nothing, so
    /// an agency renamed an hour into a subscription shows its new name.
    pub fn uncached(store: &Store) -> Self {
        let loaders = Self {
            cached: false,
            ..Self::new(store)
        };
        loaders.agencies.enable_all_cache(false);
        loaders.persons.enable_all_cache(false);
        loaders.shortcomings.enable_all_cache(false);
        loaders
    }
}

impl Loaders {
    /// Keeps the agencies, lead persons and shortcomings read with items, for the fields
    /// that would otherwise load them.
    pub async fn feed_joined<'a>(&self, rows: impl IntoIterator<Item = &'a ItemWith>) {
        if !self.cached {
            return;
        }
        let (mut agencies, mut persons, mut shortcomings) = (Vec::new(), Vec::new(), Vec::new());
        for row in rows {
            if let Some(a) = &row.agency {
                agencies.push((a.id, a.clone()));
            }
            if let Some(p) = &row.lead_person {
                persons.push((p.id, p.clone()));
            }
            if let Some(s) = &row.shortcoming {
                shortcomings.push((s.id, s.clone()));
            }
        }
        if !agencies.is_empty() {
            self.agencies.feed_many(agencies).await;
        }
        if !persons.is_empty() {
            self.persons.feed_many(persons).await;
        }
        if !shortcomings.is_empty() {
            self.shortcomings.feed_many(shortcomings).await;
        }
    }
}

/// Turns a loader error into a GraphQL error.
pub fn load_error(err: LoadError) -> async_graphql::Error {
    match Arc::try_unwrap(err) {
        Ok(e) => e.into(),
        Err(shared) => crate::graphql::error::error("INTERNAL", shared.to_string()),
    }
}
