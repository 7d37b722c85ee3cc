//! A link between a shortcoming and a commitment. `origin`: auto | manual.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "shortcoming_commitment_links")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub shortcoming_id: Uuid,
    pub commitment_id: Uuid,
    pub score: Option<f64>,
    pub origin: String,
    pub confirmed_at: Option<DateTimeUtc>,
    pub confirmed_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
