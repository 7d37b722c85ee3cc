//! An imported report. `period`: annual | first_half | second_half; `kind`: rule_of_law_annual_report | work_summary | other.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "reports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub agency_id: Uuid,
    pub year: i32,
    pub period: String,
    pub kind: String,
    #[sea_orm(column_type = "Text")]
    pub title: Option<String>,
    pub published_on: Option<Date>,
    pub source_url: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub raw_text: String,
    pub sha256: String,
    /// SHA-256 of the file the text was read from (none for pasted text).
    pub source_file_sha256: Option<String>,
    pub source_file_name: Option<String>,
    /// Set when a person corrected the extraction by hand before it was imported.
    pub reviewed_at: Option<DateTimeUtc>,
    pub reviewed_by_account_id: Option<Uuid>,
    pub reviewed_by_person_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
