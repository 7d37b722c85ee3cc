//! The web application for people, second part.
//!
//! `notifications.key` makes a message written by a job idempotent: the reminder sweep
//! puts a due reminder in a person's inbox under a key derived from the reminder (item,
//! kind, day, person), so sweeping twice leaves one message. Messages written by a
//! person's action (a return, an urge, a comment) have none. The inbox is read newest
//! first per person, from `notifications_person_id_id`.
//!
//! `first_sign_in_links` holds the one-time links (`/welcome/<token>`) an account created
//! without a password signs in with the first time: known only by the SHA-256 digest of
//! their token, valid until `expires_at`, used once.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Notifications {
    Table,
    Key,
    PersonId,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum FirstSignInLinks {
    Table,
    Id,
    AccountId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Notifications::Table)
                .add_column(string_null(Notifications::Key))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("notifications_key")
                .table(Notifications::Table)
                .col(Notifications::Key)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("notifications_person_id_id")
                .table(Notifications::Table)
                .col(Notifications::PersonId)
                .col(Notifications::Id)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(FirstSignInLinks::Table)
                .col(pk_uuid(FirstSignInLinks::Id))
                .col(uuid(FirstSignInLinks::AccountId))
                .col(string(FirstSignInLinks::TokenHash))
                .col(timestamp_with_time_zone(FirstSignInLinks::CreatedAt))
                .col(timestamp_with_time_zone(FirstSignInLinks::ExpiresAt))
                .col(timestamp_with_time_zone_null(FirstSignInLinks::UsedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(FirstSignInLinks::Table, FirstSignInLinks::AccountId)
                        .to(Accounts::Table, Accounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("first_sign_in_links_token_hash")
                .table(FirstSignInLinks::Table)
                .col(FirstSignInLinks::TokenHash)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("first_sign_in_links_account_id")
                .table(FirstSignInLinks::Table)
                .col(FirstSignInLinks::AccountId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(FirstSignInLinks::Table).to_owned())
            .await?;
        m.drop_index(
            Index::drop()
                .name("notifications_person_id_id")
                .table(Notifications::Table)
                .to_owned(),
        )
        .await?;
        m.drop_index(
            Index::drop()
                .name("notifications_key")
                .table(Notifications::Table)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Notifications::Table)
                .drop_column(Notifications::Key)
                .to_owned(),
        )
        .await
    }
}
