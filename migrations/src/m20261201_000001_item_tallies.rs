//! Dashboards read tallies, not items. `item_tallies` holds, per agency and state (one row,
//! a few thousand rows for a city of a thousand units), how many items there are and the
//! sums the figures need; the database keeps it in step with `items` by triggers, in the
//! transaction of every item write, whichever code path makes it (the workflow, imports,
//! the ledger, `rectify seed`).
//!
//! Figures that depend on today (overdue, due within seven days, days overdue) stay exact
//! because they are counted against a window of days, `item_tally_window` = [lo, hi] (days
//! since 1970-01-01): `past` counts the items due before `lo` (and `past_day_sum` sums
//! their due days, so days overdue is `past × today − past_day_sum`), `soon` those due
//! within the window. The service moves the window to [today, today + 7] once a day by
//! recounting the tallies from `items` (see `store::tallies`); until it does, and for zones
//! whose today differs from `lo`, dashboards count items directly. This migration leaves
//! the window empty (lo = 0, hi = -1), so the first dashboard recounts.
//!
//! Items also get `submitted_on`: the calendar day an item was submitted for acceptance
//! where its agency is (按期完成率 compares it with the due date). It is backfilled here; on
//! SQLite, which has no time-zone database, with each zone's present offset from UTC.
//!
//! PostgreSQL uses statement-level triggers over transition tables, so a bulk insert costs
//! one grouped upsert, and a shared advisory lock that the recount takes exclusively (a
//! write never applies its change against a window the recount is moving). SQLite has
//! row-level triggers and one writer at a time.

use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Items {
    Table,
    AgencyId,
    State,
    DueOn,
    SubmittedAt,
    SubmittedOn,
}

/// The dashboards' index on items, which counts from items where tallies cannot serve
/// (by leader; a zone whose day has not turned), now on the day of submission.
const OLD_INDEX: &str = "idx_items_agency_state_due_submitted";
const NEW_INDEX: &str = "idx_items_agency_state_due_submitted_on";

#[derive(DeriveIden)]
enum ItemTallies {
    Table,
    AgencyId,
    State,
    Items,
    Past,
    PastDaySum,
    Soon,
    OnTime,
    Finished,
}

#[derive(DeriveIden)]
enum ItemTallyWindow {
    Table,
    Id,
    Lo,
    Hi,
}

/// The key of the advisory lock item writers share and the recount takes alone (PostgreSQL;
/// the bytes spell "recttaly").
pub const TALLY_LOCK: i64 = 0x7265_6374_7461_6c79;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let backend = m.get_database_backend();
        m.alter_table(
            Table::alter()
                .table(Items::Table)
                .add_column(date_null(Items::SubmittedOn))
                .to_owned(),
        )
        .await?;
        backfill_submitted_on(db, backend).await?;
        m.drop_index(Index::drop().name(OLD_INDEX).table(Items::Table).to_owned())
            .await?;
        m.create_index(
            Index::create()
                .name(NEW_INDEX)
                .table(Items::Table)
                .col(Items::AgencyId)
                .col(Items::State)
                .col(Items::DueOn)
                .col(Items::SubmittedOn)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ItemTallies::Table)
                .col(uuid(ItemTallies::AgencyId))
                .col(string(ItemTallies::State))
                .col(big_integer(ItemTallies::Items).default(0))
                .col(big_integer(ItemTallies::Past).default(0))
                .col(big_integer(ItemTallies::PastDaySum).default(0))
                .col(big_integer(ItemTallies::Soon).default(0))
                .col(big_integer(ItemTallies::OnTime).default(0))
                .col(big_integer(ItemTallies::Finished).default(0))
                .primary_key(
                    Index::create()
                        .col(ItemTallies::AgencyId)
                        .col(ItemTallies::State),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ItemTallyWindow::Table)
                .col(small_integer(ItemTallyWindow::Id).primary_key())
                .col(integer(ItemTallyWindow::Lo))
                .col(integer(ItemTallyWindow::Hi))
                .to_owned(),
        )
        .await?;
        db.execute_unprepared("INSERT INTO item_tally_window (id, lo, hi) VALUES (1, 0, -1)")
            .await?;
        match backend {
            DbBackend::Postgres => db.execute_unprepared(&postgres_triggers()).await?,
            _ => db.execute_unprepared(&sqlite_triggers()).await?,
        };
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        match m.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "DROP TRIGGER IF EXISTS items_tally_insert ON items; \
                     DROP TRIGGER IF EXISTS items_tally_update ON items; \
                     DROP TRIGGER IF EXISTS items_tally_delete ON items; \
                     DROP FUNCTION IF EXISTS items_tally_insert(); \
                     DROP FUNCTION IF EXISTS items_tally_update(); \
                     DROP FUNCTION IF EXISTS items_tally_delete();",
                )
                .await?;
            }
            _ => {
                db.execute_unprepared(
                    "DROP TRIGGER IF EXISTS items_tally_insert; \
                     DROP TRIGGER IF EXISTS items_tally_update; \
                     DROP TRIGGER IF EXISTS items_tally_delete;",
                )
                .await?;
            }
        }
        m.drop_table(Table::drop().table(ItemTallyWindow::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(ItemTallies::Table).to_owned())
            .await?;
        m.drop_index(Index::drop().name(NEW_INDEX).table(Items::Table).to_owned())
            .await?;
        m.create_index(
            Index::create()
                .name(OLD_INDEX)
                .table(Items::Table)
                .col(Items::AgencyId)
                .col(Items::State)
                .col(Items::DueOn)
                .col(Items::SubmittedAt)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Items::Table)
                .drop_column(Items::SubmittedOn)
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}

async fn backfill_submitted_on(
    db: &SchemaManagerConnection<'_>,
    backend: DbBackend,
) -> Result<(), DbErr> {
    if backend == DbBackend::Postgres {
        db.execute_unprepared(
            "UPDATE items SET submitted_on = CAST((items.submitted_at AT TIME ZONE a.time_zone) AS date) \
             FROM agencies a WHERE a.id = items.agency_id AND items.submitted_at IS NOT NULL",
        )
        .await?;
        return Ok(());
    }
    let zones = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT DISTINCT time_zone FROM agencies",
        ))
        .await?;
    let now = chrono::Utc::now();
    for row in zones {
        let zone: String = row.try_get("", "time_zone")?;
        let offset = zone
            .parse::<chrono_tz::Tz>()
            .map(|tz| {
                use chrono::Offset;
                now.with_timezone(&tz).offset().fix().local_minus_utc()
            })
            .unwrap_or(0);
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            "UPDATE items SET submitted_on = date(submitted_at, ?) WHERE submitted_at IS NOT NULL \
             AND agency_id IN (SELECT id FROM agencies WHERE time_zone = ?)",
            [format!("{offset:+} seconds").into(), zone.into()],
        ))
        .await?;
    }
    Ok(())
}

/// The grouped change of a set of rows (`source` yields agency_id, state, due_on,
/// submitted_on and delta), upserted into the tallies against window bounds `w_lo`/`w_hi`.
fn postgres_apply(source: &str) -> String {
    format!(
        "INSERT INTO item_tallies AS t (agency_id, state, items, past, past_day_sum, soon, on_time, finished)
         SELECT agency_id, state, SUM(delta), SUM(delta * past), SUM(delta * past * COALESCE(day, 0)),
                SUM(delta * soon), SUM(delta * on_time), SUM(delta * finished)
         FROM (
           SELECT agency_id, state, delta, day,
                  CASE WHEN day < w_lo THEN 1 ELSE 0 END AS past,
                  CASE WHEN day >= w_lo AND day <= w_hi THEN 1 ELSE 0 END AS soon,
                  CASE WHEN due_on IS NOT NULL AND submitted_on IS NOT NULL AND submitted_on <= due_on THEN 1 ELSE 0 END AS on_time,
                  CASE WHEN due_on IS NOT NULL AND submitted_on IS NOT NULL THEN 1 ELSE 0 END AS finished
           FROM (SELECT *, due_on - DATE '1970-01-01' AS day FROM ({source}) AS changed) AS dated
         ) AS c
         GROUP BY agency_id, state
         HAVING SUM(delta) <> 0 OR SUM(delta * past) <> 0 OR SUM(delta * past * COALESCE(day, 0)) <> 0
             OR SUM(delta * soon) <> 0 OR SUM(delta * on_time) <> 0 OR SUM(delta * finished) <> 0
         ON CONFLICT (agency_id, state) DO UPDATE SET
           items = t.items + EXCLUDED.items,
           past = t.past + EXCLUDED.past,
           past_day_sum = t.past_day_sum + EXCLUDED.past_day_sum,
           soon = t.soon + EXCLUDED.soon,
           on_time = t.on_time + EXCLUDED.on_time,
           finished = t.finished + EXCLUDED.finished;"
    )
}

fn postgres_triggers() -> String {
    const COLUMNS: &str = "agency_id, state, due_on, submitted_on";
    let function = |name: &str, source: String| {
        format!(
            "CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
             DECLARE w_lo integer; w_hi integer;
             BEGIN
               PERFORM pg_advisory_xact_lock_shared({TALLY_LOCK});
               SELECT lo, hi INTO w_lo, w_hi FROM item_tally_window WHERE id = 1;
               {}
               RETURN NULL;
             END $fn$;",
            postgres_apply(&source)
        )
    };
    [
        function(
            "items_tally_insert",
            format!("SELECT {COLUMNS}, 1 AS delta FROM new_rows"),
        ),
        function(
            "items_tally_update",
            format!(
                "SELECT {COLUMNS}, -1 AS delta FROM old_rows \
                 UNION ALL SELECT {COLUMNS}, 1 AS delta FROM new_rows"
            ),
        ),
        function(
            "items_tally_delete",
            format!("SELECT {COLUMNS}, -1 AS delta FROM old_rows"),
        ),
        "CREATE TRIGGER items_tally_insert AFTER INSERT ON items \
         REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION items_tally_insert();"
            .to_owned(),
        "CREATE TRIGGER items_tally_update AFTER UPDATE ON items \
         REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows \
         FOR EACH STATEMENT EXECUTE FUNCTION items_tally_update();"
            .to_owned(),
        "CREATE TRIGGER items_tally_delete AFTER DELETE ON items \
         REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION items_tally_delete();"
            .to_owned(),
    ]
    .join("\n")
}

/// Adds `delta` for row `r` (`NEW` or `OLD`) to its tally (SQLite, inside a trigger: no
/// upsert there, so an insert of an empty tally, then an update).
fn sqlite_apply(r: &str, delta: i32) -> String {
    let day = format!("CAST(julianday({r}.due_on) - 2440587.5 AS INTEGER)");
    let past = format!(
        "(CASE WHEN {day} < (SELECT lo FROM item_tally_window WHERE id = 1) THEN 1 ELSE 0 END)"
    );
    let soon = format!(
        "(CASE WHEN {day} >= (SELECT lo FROM item_tally_window WHERE id = 1) \
               AND {day} <= (SELECT hi FROM item_tally_window WHERE id = 1) THEN 1 ELSE 0 END)"
    );
    let finished = format!(
        "(CASE WHEN {r}.due_on IS NOT NULL AND {r}.submitted_on IS NOT NULL THEN 1 ELSE 0 END)"
    );
    let on_time = format!(
        "(CASE WHEN {r}.due_on IS NOT NULL AND {r}.submitted_on IS NOT NULL \
               AND {r}.submitted_on <= {r}.due_on THEN 1 ELSE 0 END)"
    );
    format!(
        "INSERT OR IGNORE INTO item_tallies (agency_id, state, items, past, past_day_sum, soon, on_time, finished) \
         VALUES ({r}.agency_id, {r}.state, 0, 0, 0, 0, 0, 0); \
         UPDATE item_tallies SET items = items + ({delta}), \
           past = past + ({delta}) * {past}, \
           past_day_sum = past_day_sum + ({delta}) * {past} * COALESCE({day}, 0), \
           soon = soon + ({delta}) * {soon}, \
           on_time = on_time + ({delta}) * {on_time}, \
           finished = finished + ({delta}) * {finished} \
         WHERE agency_id = {r}.agency_id AND state = {r}.state;"
    )
}

fn sqlite_triggers() -> String {
    format!(
        "CREATE TRIGGER items_tally_insert AFTER INSERT ON items BEGIN {} END;
         CREATE TRIGGER items_tally_update AFTER UPDATE OF agency_id, state, due_on, submitted_on ON items
           BEGIN {} {} END;
         CREATE TRIGGER items_tally_delete AFTER DELETE ON items BEGIN {} END;",
        sqlite_apply("NEW", 1),
        sqlite_apply("OLD", -1),
        sqlite_apply("NEW", 1),
        sqlite_apply("OLD", -1),
    )
}
