//! Item reminders are rendered when they are sent, not when the sweep enqueues them: the
//! outbox keeps what rendering needs that the item does not hold — the recipient's name
//! and the day the reminder speaks as of. (A sweep over a million items enqueues tens of
//! thousands of reminders; rendering and storing their bodies made it several times slower.)
//! Two indexes let the sweep find its candidates by bitmaps instead of scanning every open
//! item: assignments waiting to be accepted by when they were assigned, and long-term items
//! by when they were accepted. SQLite adds one column per statement.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Items {
    Table,
    State,
    AssignedAt,
    Category,
    AcceptedAt,
}

const INDEXES: [(&str, [Items; 2]); 2] = [
    (
        "idx_items_state_assigned_at",
        [Items::State, Items::AssignedAt],
    ),
    (
        "idx_items_category_accepted_at",
        [Items::Category, Items::AcceptedAt],
    ),
];

#[derive(DeriveIden, Clone, Copy)]
enum Reminders {
    Table,
    RecipientName,
    AsOf,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for mut column in [
            string_null(Reminders::RecipientName),
            date_null(Reminders::AsOf),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Reminders::Table)
                    .add_column(&mut column)
                    .to_owned(),
            )
            .await?;
        }
        for (name, columns) in INDEXES {
            m.create_index(
                Index::create()
                    .if_not_exists()
                    .name(name)
                    .table(Items::Table)
                    .col(columns[0])
                    .col(columns[1])
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in INDEXES {
            m.drop_index(Index::drop().name(name).table(Items::Table).to_owned())
                .await?;
        }
        for column in [Reminders::RecipientName, Reminders::AsOf] {
            m.alter_table(
                Table::alter()
                    .table(Reminders::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
