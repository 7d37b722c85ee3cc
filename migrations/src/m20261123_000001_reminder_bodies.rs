//! Reminders carry the message they will send (rendered when enqueued, so a sender needs no
//! lookups) and the agency they concern (for scoped listing); items record when they were
//! assigned (for "not accepted in time"). SQLite adds one column per statement.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Items {
    Table,
    AssignedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Reminders {
    Table,
    AgencyId,
    Status,
    BodyText,
    BodyHtml,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Items::Table)
                .add_column(timestamp_with_time_zone_null(Items::AssignedAt))
                .to_owned(),
        )
        .await?;
        for column in [
            uuid_null(Reminders::AgencyId),
            text_null(Reminders::BodyText),
            text_null(Reminders::BodyHtml),
        ] {
            let mut column = column;
            m.alter_table(
                Table::alter()
                    .table(Reminders::Table)
                    .add_column(&mut column)
                    .to_owned(),
            )
            .await?;
        }
        m.create_index(
            Index::create()
                .name("idx_reminders_agency_id_status")
                .table(Reminders::Table)
                .col(Reminders::AgencyId)
                .col(Reminders::Status)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("idx_reminders_agency_id_status")
                .table(Reminders::Table)
                .to_owned(),
        )
        .await?;
        for column in [
            Reminders::AgencyId,
            Reminders::BodyText,
            Reminders::BodyHtml,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Reminders::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Items::Table)
                .drop_column(Items::AssignedAt)
                .to_owned(),
        )
        .await
    }
}
