//! A 钉钉 robot with 加签 (signing) needs its secret beside the URL: every call carries a
//! `timestamp` and a `sign` made with it. Stored like the URL's own key; never shown back.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum AgencyWebhooks {
    Table,
    Secret,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(AgencyWebhooks::Table)
                .add_column(string_len_null(AgencyWebhooks::Secret, 200))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(AgencyWebhooks::Table)
                .drop_column(AgencyWebhooks::Secret)
                .to_owned(),
        )
        .await
    }
}
