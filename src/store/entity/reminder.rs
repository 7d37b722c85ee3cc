//! An outbox row. `channel`: email | webhook; `status`: pending | sending | sent | failed.
//! Item reminders from the sweep are enqueued unrendered (no subject or bodies) and rendered
//! by the sender; the rendered message is kept when it is marked sent.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "reminders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub item_id: Option<Uuid>,
    pub recipient_person_id: Option<Uuid>,
    pub recipient_address: String,
    pub channel: String,
    pub kind: String,
    pub refers_to: Option<Date>,
    pub scheduled_at: DateTimeUtc,
    pub status: String,
    pub attempts: i32,
    pub lease_until: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text")]
    pub last_error: Option<String>,
    pub sent_at: Option<DateTimeUtc>,
    pub message_id: Option<String>,
    pub escalation_level: i32,
    #[sea_orm(column_type = "Text")]
    pub subject: Option<String>,
    pub idempotency_key: String,
    pub agency_id: Option<Uuid>,
    #[sea_orm(column_type = "Text")]
    pub body_text: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub body_html: Option<String>,
    /// Rendering inputs of a reminder rendered when sent (`subject` still empty): the
    /// recipient's name as greeted and the day the message speaks as of.
    pub recipient_name: Option<String>,
    pub as_of: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
