//! A report imported from a file (Word, PDF, a text in GBK…) keeps the SHA-256 of the
//! file as it arrived and its name, beside the extracted text and that text's SHA-256:
//! the office can prove which file its items came from. Both are empty for pasted text.
//! SQLite adds one column per statement.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Reports {
    Table,
    SourceFileSha256,
    SourceFileName,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for mut column in [
            string_len_null(Reports::SourceFileSha256, 64),
            string_null(Reports::SourceFileName),
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
        for column in [Reports::SourceFileName, Reports::SourceFileSha256] {
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
