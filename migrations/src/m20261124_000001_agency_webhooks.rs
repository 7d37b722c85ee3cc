//! Each agency may name one webhook (企业微信/钉钉 group robot or an internal gateway) that
//! receives its reminders beside email. Kept apart from `agencies`: the URL carries a secret
//! key and is shown only to those who manage the agency.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum AgencyWebhooks {
    Table,
    AgencyId,
    Url,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Agencies {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AgencyWebhooks::Table)
                .col(uuid(AgencyWebhooks::AgencyId).primary_key())
                .col(text(AgencyWebhooks::Url))
                .col(uuid_null(AgencyWebhooks::UpdatedBy))
                .col(timestamp_with_time_zone(AgencyWebhooks::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(AgencyWebhooks::Table, AgencyWebhooks::AgencyId)
                        .to(Agencies::Table, Agencies::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(AgencyWebhooks::Table).to_owned())
            .await
    }
}
