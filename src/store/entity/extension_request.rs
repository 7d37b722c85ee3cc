//! A request to move a due date. `status`: pending | approved | rejected.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "extension_requests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub item_id: Uuid,
    pub requested_by: Option<Uuid>,
    pub requested_due_on: Date,
    pub previous_due_on: Option<Date>,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    pub status: String,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text")]
    pub decision_comment: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
