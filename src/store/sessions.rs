//! Web sessions (stored only as the SHA-256 digest of the cookie value), account
//! preferences and password changes.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, sea_query::Expr,
    sea_query::OnConflict,
};
use uuid::Uuid;

use super::{
    Store, StoreError,
    entity::{account, account_preference, web_session},
};

/// A session's row, without its digest.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionRow {
    pub id: Uuid,
    pub account_id: Uuid,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<web_session::Model> for SessionRow {
    fn from(m: web_session::Model) -> Self {
        Self {
            id: m.id,
            account_id: m.account_id,
            csrf_token: m.csrf_token,
            created_at: m.created_at,
            last_seen_at: m.last_seen_at,
            expires_at: m.expires_at,
            revoked_at: m.revoked_at,
        }
    }
}

impl Store {
    /// Stores a new session under the digest of its cookie value.
    pub async fn insert_session(
        &self,
        account_id: Uuid,
        token_hash: &str,
        csrf_token: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<SessionRow, StoreError> {
        let now = Utc::now();
        Ok(web_session::ActiveModel {
            id: Set(Uuid::now_v7()),
            account_id: Set(account_id),
            token_hash: Set(token_hash.to_owned()),
            csrf_token: Set(csrf_token.to_owned()),
            created_at: Set(now),
            last_seen_at: Set(now),
            expires_at: Set(expires_at),
            revoked_at: Set(None),
        }
        .insert(self.conn())
        .await?
        .into())
    }

    /// The session with this digest, if any (validity is the caller's to judge).
    pub async fn session_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<SessionRow>, StoreError> {
        Ok(web_session::Entity::find()
            .filter(web_session::Column::TokenHash.eq(token_hash))
            .one(self.conn())
            .await?
            .map(Into::into))
    }

    /// Records that the session was used at `at`.
    pub async fn touch_session(&self, id: Uuid, at: DateTime<Utc>) -> Result<(), StoreError> {
        web_session::Entity::update_many()
            .col_expr(web_session::Column::LastSeenAt, Expr::value(at))
            .filter(web_session::Column::Id.eq(id))
            .exec(self.conn())
            .await?;
        Ok(())
    }

    /// Revokes one session; true when it was live.
    pub async fn revoke_session(&self, id: Uuid) -> Result<bool, StoreError> {
        let result = web_session::Entity::update_many()
            .col_expr(web_session::Column::RevokedAt, Expr::value(Utc::now()))
            .filter(web_session::Column::Id.eq(id))
            .filter(web_session::Column::RevokedAt.is_null())
            .exec(self.conn())
            .await?;
        Ok(result.rows_affected == 1)
    }

    /// Revokes every live session of an account but `keep`; how many were revoked.
    pub async fn revoke_sessions_of(
        &self,
        account_id: Uuid,
        keep: Option<Uuid>,
    ) -> Result<u64, StoreError> {
        let mut update = web_session::Entity::update_many()
            .col_expr(web_session::Column::RevokedAt, Expr::value(Utc::now()))
            .filter(web_session::Column::AccountId.eq(account_id))
            .filter(web_session::Column::RevokedAt.is_null());
        if let Some(keep) = keep {
            update = update.filter(web_session::Column::Id.ne(keep));
        }
        Ok(update.exec(self.conn()).await?.rows_affected)
    }

    /// An account's sessions not revoked and not past their absolute expiry at `now`,
    /// newest first (at most `limit`; idleness is the caller's to judge).
    pub async fn open_sessions_of(
        &self,
        account_id: Uuid,
        now: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<SessionRow>, StoreError> {
        use sea_orm::{QueryOrder, QuerySelect};
        Ok(web_session::Entity::find()
            .filter(web_session::Column::AccountId.eq(account_id))
            .filter(web_session::Column::RevokedAt.is_null())
            .filter(web_session::Column::ExpiresAt.gt(now))
            .order_by_desc(web_session::Column::Id)
            .limit(limit)
            .all(self.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Replaces an account's password hash.
    pub async fn set_password_hash(&self, account_id: Uuid, hash: &str) -> Result<(), StoreError> {
        account::Entity::update_many()
            .col_expr(account::Column::PasswordHash, Expr::value(hash))
            .col_expr(account::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(account::Column::Id.eq(account_id))
            .exec(self.conn())
            .await?;
        Ok(())
    }

    /// Whether the account reads in large text (长辈模式); false until it chose.
    pub async fn large_text(&self, account_id: Uuid) -> Result<bool, StoreError> {
        Ok(account_preference::Entity::find_by_id(account_id)
            .one(self.conn())
            .await?
            .is_some_and(|p| p.large_text))
    }

    /// Remembers the account's large-text choice.
    pub async fn set_large_text(&self, account_id: Uuid, on: bool) -> Result<(), StoreError> {
        account_preference::Entity::insert(account_preference::ActiveModel {
            account_id: Set(account_id),
            large_text: Set(on),
            updated_at: Set(Utc::now()),
        })
        .on_conflict(
            OnConflict::column(account_preference::Column::AccountId)
                .update_columns([
                    account_preference::Column::LargeText,
                    account_preference::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec(self.conn())
        .await?;
        Ok(())
    }
}
