//! A tracked rectification item (整改事项). `source`: annual_report | rule_of_law_inspection | appraisal | patrol | audit | other; `category`: immediate | time_bound | long_term; `outcome`: rectified | continuing | not_rectified; `state`: a state of the workflow.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub agency_id: Uuid,
    pub code: Option<String>,
    pub shortcoming_id: Option<Uuid>,
    pub parent_item_id: Option<Uuid>,
    pub source: String,
    pub source_document: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub measures: Option<String>,
    pub category: Option<String>,
    pub state: String,
    pub outcome: Option<String>,
    pub due_on: Option<Date>,
    pub lead_post_id: Option<Uuid>,
    pub lead_person_id: Option<Uuid>,
    pub lead_unit_id: Option<Uuid>,
    pub responsible_person_id: Option<Uuid>,
    #[sea_orm(column_type = "Text")]
    pub progress: Option<String>,
    pub accepted_at: Option<DateTimeUtc>,
    pub assigned_at: Option<DateTimeUtc>,
    pub submitted_at: Option<DateTimeUtc>,
    /// The day of `submitted_at` where the item's agency is (按期完成率 compares it with `due_on`).
    pub submitted_on: Option<Date>,
    pub closed_at: Option<DateTimeUtc>,
    pub verified_by: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
