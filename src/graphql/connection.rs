//! Cursor connections: a page of rows becomes edges whose cursors are the rows' ids.

use async_graphql::{
    OutputType,
    connection::{Connection, Edge},
};
use uuid::Uuid;

use super::types::ListInfo;
use crate::store::page::Page;

/// A list page with its total count.
pub type ListConnection<T> = Connection<String, T, ListInfo>;

/// Builds a connection from a page, the id of each row, and the total count.
pub fn connection<R, T: OutputType>(
    page: Page<R>,
    total_count: u64,
    had_cursor: bool,
    id: impl Fn(&R) -> Uuid,
    node: impl Fn(R) -> T,
) -> ListConnection<T> {
    let mut c = Connection::with_additional_fields(
        had_cursor,
        page.has_next_page,
        ListInfo { total_count },
    );
    c.edges.extend(
        page.nodes
            .into_iter()
            .map(|r| Edge::new(id(&r).to_string(), node(r))),
    );
    c
}
