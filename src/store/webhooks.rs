//! Agencies' reminder webhooks.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, sea_query::OnConflict};
use uuid::Uuid;

use super::{Store, StoreError, entity::agency_webhook};

/// An agency's webhook.
pub type WebhookRow = agency_webhook::Model;

impl Store {
    /// Sets (or with `None` removes) an agency's webhook, with its 加签 secret.
    pub async fn set_agency_webhook(
        &self,
        agency_id: Uuid,
        url: Option<&str>,
        secret: Option<&str>,
        by: Option<Uuid>,
    ) -> Result<Option<WebhookRow>, StoreError> {
        let Some(url) = url else {
            agency_webhook::Entity::delete_by_id(agency_id)
                .exec(self.conn())
                .await?;
            return Ok(None);
        };
        let row = agency_webhook::ActiveModel {
            agency_id: Set(agency_id),
            url: Set(url.to_owned()),
            secret: Set(secret.map(str::to_owned)),
            updated_by: Set(by),
            updated_at: Set(Utc::now()),
        };
        agency_webhook::Entity::insert(row)
            .on_conflict(
                OnConflict::column(agency_webhook::Column::AgencyId)
                    .update_columns([
                        agency_webhook::Column::Url,
                        agency_webhook::Column::Secret,
                        agency_webhook::Column::UpdatedBy,
                        agency_webhook::Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(self.conn())
            .await?;
        Ok(agency_webhook::Entity::find_by_id(agency_id)
            .one(self.conn())
            .await?)
    }

    /// The webhooks of these agencies, by agency.
    pub async fn agency_webhooks(
        &self,
        agency_ids: &[Uuid],
    ) -> Result<HashMap<Uuid, String>, StoreError> {
        if agency_ids.is_empty() {
            return Ok(HashMap::new());
        }
        Ok(agency_webhook::Entity::find()
            .filter(agency_webhook::Column::AgencyId.is_in(agency_ids.iter().copied()))
            .all(self.conn())
            .await?
            .into_iter()
            .map(|w| (w.agency_id, w.url))
            .collect())
    }

    /// The 加签 secret of the webhook at `url` (the newest one set, if several agencies share
    /// the URL), for signing a call at send time.
    pub async fn webhook_secret(&self, url: &str) -> Result<Option<String>, StoreError> {
        Ok(agency_webhook::Entity::find()
            .filter(agency_webhook::Column::Url.eq(url))
            .filter(agency_webhook::Column::Secret.is_not_null())
            .order_by_desc(agency_webhook::Column::UpdatedAt)
            .one(self.conn())
            .await?
            .and_then(|w| w.secret))
    }

    /// An agency's webhook row.
    pub async fn agency_webhook(&self, agency_id: Uuid) -> Result<Option<WebhookRow>, StoreError> {
        Ok(agency_webhook::Entity::find_by_id(agency_id)
            .one(self.conn())
            .await?)
    }
}
