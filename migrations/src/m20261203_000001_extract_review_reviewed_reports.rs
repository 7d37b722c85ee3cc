//! A report whose extraction a person corrected by hand before importing it (a reviewed
//! import) says so: when, by which account and for which person. All three are empty for a
//! report imported as the extractor read it. SQLite adds one column per statement; the
//! columns carry no foreign keys (SQLite cannot add one to an existing table), the ids are
//! a record of who acted, kept even if the account goes.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Reports {
    Table,
    ReviewedAt,
    ReviewedByAccountId,
    ReviewedByPersonId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for mut column in [
            timestamp_with_time_zone_null(Reports::ReviewedAt),
            uuid_null(Reports::ReviewedByAccountId),
            uuid_null(Reports::ReviewedByPersonId),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Reports::Table)
                    .add_column(&mut column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Reports::ReviewedByPersonId,
            Reports::ReviewedByAccountId,
            Reports::ReviewedAt,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Reports::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
