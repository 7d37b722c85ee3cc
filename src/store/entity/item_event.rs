//! An entry of an item's hash-chained audit trail.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "item_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub item_id: Uuid,
    pub seq: i32,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub actor_account_id: Option<Uuid>,
    pub actor_person_id: Option<Uuid>,
    #[sea_orm(column_type = "Text")]
    pub comment: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub payload_json: String,
    pub occurred_at: DateTimeUtc,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
