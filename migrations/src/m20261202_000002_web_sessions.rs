//! The web application's sign-in sessions and per-account display preferences.
//!
//! A session is known to the server only by the SHA-256 digest of its random cookie value;
//! it ends when revoked (sign-out, password change), after an idle time without requests,
//! or at its absolute expiry. `csrf_token` is the per-session value every form sends back.
//! `account_preferences` remembers, per account, the large-text mode (长辈模式).
//! `notifications` is each person's inbox in the application (站内消息): returns, urges and
//! comments addressed to them, read or not.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum WebSessions {
    Table,
    Id,
    AccountId,
    TokenHash,
    CsrfToken,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
    RevokedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum AccountPreferences {
    Table,
    AccountId,
    LargeText,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Persons {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Notifications {
    Table,
    Id,
    PersonId,
    ItemId,
    Kind,
    Text,
    CreatedAt,
    ReadAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(WebSessions::Table)
                .col(pk_uuid(WebSessions::Id))
                .col(uuid(WebSessions::AccountId))
                .col(string(WebSessions::TokenHash))
                .col(string(WebSessions::CsrfToken))
                .col(timestamp_with_time_zone(WebSessions::CreatedAt))
                .col(timestamp_with_time_zone(WebSessions::LastSeenAt))
                .col(timestamp_with_time_zone(WebSessions::ExpiresAt))
                .col(timestamp_with_time_zone_null(WebSessions::RevokedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(WebSessions::Table, WebSessions::AccountId)
                        .to(Accounts::Table, Accounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("web_sessions_token_hash")
                .table(WebSessions::Table)
                .col(WebSessions::TokenHash)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("web_sessions_account_id")
                .table(WebSessions::Table)
                .col(WebSessions::AccountId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AccountPreferences::Table)
                .col(pk_uuid(AccountPreferences::AccountId))
                .col(boolean(AccountPreferences::LargeText).default(false))
                .col(timestamp_with_time_zone(AccountPreferences::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(AccountPreferences::Table, AccountPreferences::AccountId)
                        .to(Accounts::Table, Accounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Notifications::Table)
                .col(pk_uuid(Notifications::Id))
                .col(uuid(Notifications::PersonId))
                .col(uuid_null(Notifications::ItemId))
                .col(string(Notifications::Kind))
                .col(text(Notifications::Text))
                .col(timestamp_with_time_zone(Notifications::CreatedAt))
                .col(timestamp_with_time_zone_null(Notifications::ReadAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Notifications::Table, Notifications::PersonId)
                        .to(Persons::Table, Persons::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("notifications_person_read")
                .table(Notifications::Table)
                .col(Notifications::PersonId)
                .col(Notifications::ReadAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Notifications::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(AccountPreferences::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(WebSessions::Table).to_owned())
            .await
    }
}
