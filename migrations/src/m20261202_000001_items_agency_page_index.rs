//! An agency's items in id order — the `items` list's page for one agency — read from one
//! index instead of walking the primary key and discarding other agencies' rows.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Items {
    Table,
    AgencyId,
    Id,
}

const INDEX: &str = "idx_items_agency_id_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name(INDEX)
                .table(Items::Table)
                .col(Items::AgencyId)
                .col(Items::Id)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name(INDEX).table(Items::Table).to_owned())
            .await
    }
}
