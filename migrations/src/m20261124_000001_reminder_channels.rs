//! Each agency may name one webhook (企业微信/钉钉 group robot or an internal gateway) that
//! receives its reminders beside email. Kept apart from `agencies`: the URL carries a secret
//! key and is shown only to those who manage the agency.
//!
//! `job_runs` remembers how far the reminder sweep got (the last day covered, when the last
//! run started), so a repeated sweep looks only at items changed since; `items.updated_at`
//! is indexed for that.

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
enum JobRuns {
    Table,
    Name,
    LastDay,
    LastStartedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Items {
    Table,
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
        .await?;
        m.create_table(
            Table::create()
                .table(JobRuns::Table)
                .col(string(JobRuns::Name).primary_key())
                .col(date_null(JobRuns::LastDay))
                .col(timestamp_with_time_zone_null(JobRuns::LastStartedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_items_updated_at")
                .table(Items::Table)
                .col(Items::UpdatedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("idx_items_updated_at")
                .table(Items::Table)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(JobRuns::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(AgencyWebhooks::Table).to_owned())
            .await
    }
}
