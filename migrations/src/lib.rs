//! rectify's database migrations: one file per change, frozen once released. Run them with
//! `rectify migrate` (or on `rectify serve`); each uses its own name enums and never imports
//! the service's entities.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_initial_schema;
mod m20261123_000001_reminder_bodies;
mod m20261124_000001_reminder_channels;
mod m20261125_000001_dashboard_indexes;
mod m20261126_000001_reminder_render_at_send;
mod m20261201_000001_item_tallies;
mod m20261202_000001_items_agency_page_index;
mod m20261202_000002_web_sessions;
mod m20261202_000003_report_source_file;
mod m20261203_000001_extract_review_reviewed_reports;
mod m20261203_000001_fidelity_webhook_secret;
mod m20261203_000001_speed_lead_person_page_index;
mod m20261203_000001_supervisions_web_offices;
mod m20261203_000101_web_people;

pub use m20261201_000001_item_tallies::TALLY_LOCK;

/// Every migration, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_initial_schema::Migration),
            Box::new(m20261123_000001_reminder_bodies::Migration),
            Box::new(m20261124_000001_reminder_channels::Migration),
            Box::new(m20261125_000001_dashboard_indexes::Migration),
            Box::new(m20261126_000001_reminder_render_at_send::Migration),
            Box::new(m20261201_000001_item_tallies::Migration),
            Box::new(m20261202_000001_items_agency_page_index::Migration),
            Box::new(m20261202_000002_web_sessions::Migration),
            Box::new(m20261202_000003_report_source_file::Migration),
            Box::new(m20261203_000001_extract_review_reviewed_reports::Migration),
            Box::new(m20261203_000001_fidelity_webhook_secret::Migration),
            Box::new(m20261203_000101_web_people::Migration),
            Box::new(m20261203_000001_supervisions_web_offices::Migration),
            Box::new(m20261203_000001_speed_lead_person_page_index::Migration),
        ]
    }
}
