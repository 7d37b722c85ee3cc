//! Supervision mandates (督办授权): which agencies an office supervises, for how long.
//!
//! An office's reach used to be its place in the agency tree — a supervisor account saw its
//! agency and everything under it. In real government a 依法治市办 sits inside 司法局 yet
//! supervises every department, and a 纪委监委 stands outside the government tree, so reach
//! is now a mandate: `office_id` supervises `agency_id` and every agency under it, from
//! `valid_from` (the first day in force) until `valid_to` (the first day no longer in force;
//! open when null).
//!
//! So that nothing changes for an existing installation, every agency that has a supervisor
//! account gets a mandate over its own subtree, in force since the day before its first
//! supervisor account was created (a day early, so no time zone sees the mandate start
//! after the account).

use sea_orm::{ConnectionTrait, Statement, prelude::Uuid};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Agencies {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Supervisions {
    Table,
    Id,
    OfficeId,
    AgencyId,
    ValidFrom,
    ValidTo,
    Note,
    CreatedBy,
    CreatedAt,
    EndedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Supervisions::Table)
                .col(pk_uuid(Supervisions::Id))
                .col(uuid(Supervisions::OfficeId))
                .col(uuid(Supervisions::AgencyId))
                .col(date(Supervisions::ValidFrom))
                .col(date_null(Supervisions::ValidTo))
                .col(string_null(Supervisions::Note))
                .col(uuid_null(Supervisions::CreatedBy))
                .col(timestamp_with_time_zone(Supervisions::CreatedAt))
                .col(timestamp_with_time_zone_null(Supervisions::EndedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Supervisions::Table, Supervisions::OfficeId)
                        .to(Agencies::Table, Agencies::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Supervisions::Table, Supervisions::AgencyId)
                        .to(Agencies::Table, Agencies::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Supervisions::Table, Supervisions::CreatedBy)
                        .to(Accounts::Table, Accounts::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        // A caller's reach starts from its office's mandates; escalation finds the offices
        // whose mandates cover an agency's chain.
        m.create_index(
            Index::create()
                .name("idx_supervisions_office")
                .table(Supervisions::Table)
                .col(Supervisions::OfficeId)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_supervisions_agency")
                .table(Supervisions::Table)
                .col(Supervisions::AgencyId)
                .to_owned(),
        )
        .await?;

        // The backfill: each office with a supervisor account supervises its own subtree.
        let db = m.get_connection();
        let backend = m.get_database_backend();
        let offices = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT agency_id, MIN(created_at) FROM accounts \
                 WHERE role = 'supervisor' AND agency_id IS NOT NULL GROUP BY agency_id",
            ))
            .await?;
        let now = chrono::Utc::now();
        for row in offices {
            let office: Uuid = row.try_get_by_index(0)?;
            let first: chrono::DateTime<chrono::Utc> = row.try_get_by_index(1)?;
            let since = first.date_naive() - chrono::Duration::days(1);
            db.execute(
                &Query::insert()
                    .into_table(Supervisions::Table)
                    .columns([
                        Supervisions::Id,
                        Supervisions::OfficeId,
                        Supervisions::AgencyId,
                        Supervisions::ValidFrom,
                        Supervisions::Note,
                        Supervisions::CreatedAt,
                    ])
                    .values_panic([
                        Uuid::now_v7().into(),
                        office.into(),
                        office.into(),
                        since.into(),
                        "迁移：原按机构树确定的督办范围".into(),
                        now.into(),
                    ])
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Supervisions::Table).to_owned())
            .await
    }
}
