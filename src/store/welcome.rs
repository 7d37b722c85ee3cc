//! First-sign-in links: stored only as the SHA-256 digest of their token, used once, and
//! redeemed in one transaction with the password they set.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, sea_query::Expr};
use uuid::Uuid;

use super::{
    Store, StoreError,
    entity::{account, first_sign_in_link},
};

/// A first-sign-in link's row, without its digest.
#[derive(Clone, Debug, PartialEq)]
pub struct WelcomeLinkRow {
    pub id: Uuid,
    pub account_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

impl From<first_sign_in_link::Model> for WelcomeLinkRow {
    fn from(m: first_sign_in_link::Model) -> Self {
        Self {
            id: m.id,
            account_id: m.account_id,
            created_at: m.created_at,
            expires_at: m.expires_at,
            used_at: m.used_at,
        }
    }
}

impl Store {
    /// Stores a new link for `account_id` under its token's digest; the account's earlier
    /// links that were not used stop working (only the newest link counts).
    pub async fn insert_welcome_link(
        &self,
        account_id: Uuid,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<WelcomeLinkRow, StoreError> {
        let txn = self.begin_write().await?;
        let now = Utc::now();
        first_sign_in_link::Entity::update_many()
            .col_expr(first_sign_in_link::Column::UsedAt, Expr::value(now))
            .filter(first_sign_in_link::Column::AccountId.eq(account_id))
            .filter(first_sign_in_link::Column::UsedAt.is_null())
            .exec(&txn)
            .await?;
        let row = first_sign_in_link::ActiveModel {
            id: Set(Uuid::now_v7()),
            account_id: Set(account_id),
            token_hash: Set(token_hash.to_owned()),
            created_at: Set(now),
            expires_at: Set(expires_at),
            used_at: Set(None),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(row.into())
    }

    /// The link with this digest, if any (validity is the caller's to judge).
    pub async fn welcome_link_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<WelcomeLinkRow>, StoreError> {
        Ok(first_sign_in_link::Entity::find()
            .filter(first_sign_in_link::Column::TokenHash.eq(token_hash))
            .one(self.conn())
            .await?
            .map(Into::into))
    }

    /// Uses the link with this digest, if it is unused and unexpired at `now`, and sets its
    /// account's password, in one transaction. (Tokens an office issued to the account
    /// stay: there was no password whose change should end them.)
    /// The account whose password was set, or `None` when the link did not hold.
    pub async fn redeem_welcome_link(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Uuid>, StoreError> {
        let txn = self.begin_write().await?;
        let used = first_sign_in_link::Entity::update_many()
            .col_expr(first_sign_in_link::Column::UsedAt, Expr::value(now))
            .filter(first_sign_in_link::Column::TokenHash.eq(token_hash))
            .filter(first_sign_in_link::Column::UsedAt.is_null())
            .filter(first_sign_in_link::Column::ExpiresAt.gt(now))
            .exec(&txn)
            .await?;
        if used.rows_affected != 1 {
            txn.rollback().await?;
            return Ok(None);
        }
        let Some(link) = first_sign_in_link::Entity::find()
            .filter(first_sign_in_link::Column::TokenHash.eq(token_hash))
            .one(&txn)
            .await?
        else {
            txn.rollback().await?;
            return Ok(None);
        };
        account::Entity::update_many()
            .col_expr(account::Column::PasswordHash, Expr::value(password_hash))
            .col_expr(account::Column::UpdatedAt, Expr::value(now))
            .filter(account::Column::Id.eq(link.account_id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(Some(link.account_id))
    }
}
