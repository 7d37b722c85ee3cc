//! Indexes for supervisors' dashboards: the per-unit tallies read items by agency, state and
//! due date (and the submission time, for 按期完成率) from one index; rework and extension
//! counts read only the few rejection events and approved extensions.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Items {
    Table,
    AgencyId,
    State,
    DueOn,
    SubmittedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ItemEvents {
    Table,
    Action,
    ItemId,
}

#[derive(DeriveIden, Clone, Copy)]
enum ExtensionRequests {
    Table,
    Status,
    ItemId,
}

/// (name, table, columns) of each index this migration adds.
fn indexes() -> Vec<(&'static str, DynIden, Vec<DynIden>)> {
    vec![
        (
            "idx_items_agency_state_due_submitted",
            Items::Table.into_iden(),
            vec![
                Items::AgencyId.into_iden(),
                Items::State.into_iden(),
                Items::DueOn.into_iden(),
                Items::SubmittedAt.into_iden(),
            ],
        ),
        (
            "idx_item_events_action_item_id",
            ItemEvents::Table.into_iden(),
            vec![
                ItemEvents::Action.into_iden(),
                ItemEvents::ItemId.into_iden(),
            ],
        ),
        (
            "idx_extension_requests_status_item_id",
            ExtensionRequests::Table.into_iden(),
            vec![
                ExtensionRequests::Status.into_iden(),
                ExtensionRequests::ItemId.into_iden(),
            ],
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, cols) in indexes() {
            let mut idx = Index::create();
            idx.name(name).table(table);
            for c in cols {
                idx.col(c);
            }
            m.create_index(idx.to_owned()).await?;
        }
        // The new items index starts with (agency_id, state): the old one is redundant.
        m.drop_index(
            Index::drop()
                .name("idx_items_agency_id_state")
                .table(Items::Table)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("idx_items_agency_id_state")
                .table(Items::Table)
                .col(Items::AgencyId)
                .col(Items::State)
                .to_owned(),
        )
        .await?;
        for (name, table, _) in indexes() {
            m.drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
