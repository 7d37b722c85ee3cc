//! Keyset pagination over UUID v7 keys: ids are time-ordered, so `id > after ORDER BY id`
//! walks a list in creation order through the primary-key index, however deep the page.

use uuid::Uuid;

/// The largest page a client may ask for.
pub const MAX_PAGE: u64 = 200;

/// Which slice of a list to read.
#[derive(Clone, Copy, Debug)]
pub struct PageRequest {
    /// How many rows (1..=[`MAX_PAGE`]).
    pub first: u64,
    /// Start after this id (exclusive).
    pub after: Option<Uuid>,
}

impl PageRequest {
    /// A request for `first` rows (clamped to 1..=[`MAX_PAGE`]) after `after`.
    pub fn new(first: Option<i32>, after: Option<Uuid>) -> Self {
        let first = first.map_or(50, |n| n.clamp(1, MAX_PAGE as i32) as u64);
        Self { first, after }
    }

    /// Rows to fetch: one more than asked, to learn whether a next page exists.
    pub(crate) fn limit(&self) -> u64 {
        self.first + 1
    }
}

/// One page of a list.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub nodes: Vec<T>,
    pub has_next_page: bool,
}

impl<T> Page<T> {
    /// Builds a page from `limit()` rows fetched for `request`.
    pub(crate) fn from_rows(mut rows: Vec<T>, request: &PageRequest) -> Self {
        let has_next_page = rows.len() as u64 > request.first;
        rows.truncate(request.first as usize);
        Self {
            nodes: rows,
            has_next_page,
        }
    }

    /// Maps every node.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            nodes: self.nodes.into_iter().map(f).collect(),
            has_next_page: self.has_next_page,
        }
    }
}
