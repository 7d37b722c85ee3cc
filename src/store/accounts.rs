//! Accounts, their API tokens (stored only as SHA-256 digests) and the lookups that turn a
//! token into a signed-in caller: the account, its jurisdiction and the posts its person holds.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, Statement, sea_query::Expr,
};
use uuid::Uuid;

use super::{
    Store, StoreError,
    entity::{account, api_token},
    page::{Page, PageRequest},
};

/// An account as the rest of the service sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct AccountRow {
    pub id: Uuid,
    pub email: String,
    pub password_hash: Option<String>,
    pub role: String,
    pub agency_id: Option<Uuid>,
    pub person_id: Option<Uuid>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<account::Model> for AccountRow {
    fn from(m: account::Model) -> Self {
        Self {
            id: m.id,
            email: m.email,
            password_hash: m.password_hash,
            role: m.role,
            agency_id: m.agency_id,
            person_id: m.person_id,
            disabled_at: m.disabled_at,
            created_at: m.created_at,
        }
    }
}

/// What a new account is made of.
#[derive(Clone, Debug)]
pub struct NewAccount {
    pub email: String,
    pub password_hash: Option<String>,
    pub role: String,
    pub agency_id: Option<Uuid>,
    pub person_id: Option<Uuid>,
}

/// A token's row, without its digest.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenRow {
    pub id: Uuid,
    pub account_id: Uuid,
    pub name: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<api_token::Model> for TokenRow {
    fn from(m: api_token::Model) -> Self {
        Self {
            id: m.id,
            account_id: m.account_id,
            name: m.name,
            expires_at: m.expires_at,
            revoked_at: m.revoked_at,
            created_at: m.created_at,
        }
    }
}

/// Account life cycle: listing, disabling, passwords, and a person's tokens.
impl Store {
    /// A page of accounts in creation order, of these agencies only when given (admins,
    /// which belong to none, are listed only without a filter).
    pub async fn list_accounts(
        &self,
        agencies: Option<&[Uuid]>,
        page: PageRequest,
    ) -> Result<Page<AccountRow>, StoreError> {
        let mut query = account::Entity::find();
        if let Some(ids) = agencies {
            query = query.filter(account::Column::AgencyId.is_in(ids.iter().copied()));
        }
        if let Some(after) = page.after {
            query = query.filter(account::Column::Id.gt(after));
        }
        let rows = query
            .order_by_asc(account::Column::Id)
            .limit(page.limit())
            .all(self.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect();
        Ok(Page::from_rows(rows, &page))
    }

    /// Disables (or enables again) an account; a disabled account's tokens stop working.
    pub async fn set_account_disabled(
        &self,
        id: Uuid,
        disabled: bool,
    ) -> Result<Option<AccountRow>, StoreError> {
        let at = disabled.then(Utc::now);
        account::Entity::update_many()
            .col_expr(account::Column::DisabledAt, Expr::value(at))
            .filter(account::Column::Id.eq(id))
            .exec(self.conn())
            .await?;
        self.account(id).await
    }

    /// Sets an account's password hash and revokes every token it has, in one transaction.
    pub async fn set_password_and_revoke_tokens(
        &self,
        id: Uuid,
        password_hash: &str,
        keep_token: Option<Uuid>,
    ) -> Result<(), StoreError> {
        use sea_orm::TransactionTrait;
        let txn = self.conn().begin().await?;
        account::Entity::update_many()
            .col_expr(account::Column::PasswordHash, Expr::value(password_hash))
            .filter(account::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        let mut tokens = api_token::Entity::update_many()
            .col_expr(api_token::Column::RevokedAt, Expr::value(Some(Utc::now())))
            .filter(api_token::Column::AccountId.eq(id))
            .filter(api_token::Column::RevokedAt.is_null());
        if let Some(keep) = keep_token {
            tokens = tokens.filter(api_token::Column::Id.ne(keep));
        }
        tokens.exec(&txn).await?;
        txn.commit().await?;
        Ok(())
    }

    /// An account's tokens, newest first (at most 200).
    pub async fn tokens_of(&self, account_id: Uuid) -> Result<Vec<TokenRow>, StoreError> {
        Ok(api_token::Entity::find()
            .filter(api_token::Column::AccountId.eq(account_id))
            .order_by_desc(api_token::Column::Id)
            .limit(200)
            .all(self.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}

impl Store {
    /// Inserts an account.
    pub async fn insert_account(&self, new: NewAccount) -> Result<AccountRow, StoreError> {
        let now = Utc::now();
        Ok(account::ActiveModel {
            id: Set(Uuid::now_v7()),
            email: Set(new.email),
            password_hash: Set(new.password_hash),
            role: Set(new.role),
            agency_id: Set(new.agency_id),
            person_id: Set(new.person_id),
            disabled_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(self.conn())
        .await?
        .into())
    }

    /// One account by id.
    pub async fn account(&self, id: Uuid) -> Result<Option<AccountRow>, StoreError> {
        Ok(account::Entity::find_by_id(id)
            .one(self.conn())
            .await?
            .map(Into::into))
    }

    /// The accounts acting for a person.
    pub async fn accounts_of_person(&self, person_id: Uuid) -> Result<Vec<AccountRow>, StoreError> {
        Ok(account::Entity::find()
            .filter(account::Column::PersonId.eq(person_id))
            .all(self.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// One account by its (lower-cased) email.
    pub async fn account_by_email(&self, email: &str) -> Result<Option<AccountRow>, StoreError> {
        Ok(account::Entity::find()
            .filter(account::Column::Email.eq(email))
            .one(self.conn())
            .await?
            .map(Into::into))
    }

    /// Stores a token's digest for `account_id`.
    pub async fn insert_token(
        &self,
        account_id: Uuid,
        token_hash: &str,
        name: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<TokenRow, StoreError> {
        Ok(api_token::ActiveModel {
            id: Set(Uuid::now_v7()),
            account_id: Set(account_id),
            token_hash: Set(token_hash.to_owned()),
            name: Set(name.to_owned()),
            expires_at: Set(expires_at),
            revoked_at: Set(None),
            last_used_at: Set(None),
            created_at: Set(Utc::now()),
        }
        .insert(self.conn())
        .await?
        .into())
    }

    /// The token with this digest and its account, if both exist (validity is the caller's
    /// to judge: expiry, revocation, a disabled account).
    pub async fn token_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<(TokenRow, AccountRow)>, StoreError> {
        // One round trip for both: this runs for every request that is not cached.
        let param = self.engine().first_placeholder();
        let statement = Statement::from_sql_and_values(
            self.conn().get_database_backend(),
            format!(
                "SELECT t.id, t.name, t.expires_at, t.revoked_at, t.created_at, \
                        a.id, a.email, a.password_hash, a.role, a.agency_id, a.person_id, \
                        a.disabled_at, a.created_at \
                 FROM api_tokens t JOIN accounts a ON a.id = t.account_id \
                 WHERE t.token_hash = {param}"
            ),
            [token_hash.into()],
        );
        let Some(row) = self.conn().query_one_raw(statement).await? else {
            return Ok(None);
        };
        let account = AccountRow {
            id: row.try_get_by_index(5)?,
            email: row.try_get_by_index(6)?,
            password_hash: row.try_get_by_index(7)?,
            role: row.try_get_by_index(8)?,
            agency_id: row.try_get_by_index(9)?,
            person_id: row.try_get_by_index(10)?,
            disabled_at: row.try_get_by_index(11)?,
            created_at: row.try_get_by_index(12)?,
        };
        let token = TokenRow {
            id: row.try_get_by_index(0)?,
            account_id: account.id,
            name: row.try_get_by_index(1)?,
            expires_at: row.try_get_by_index(2)?,
            revoked_at: row.try_get_by_index(3)?,
            created_at: row.try_get_by_index(4)?,
        };
        Ok(Some((token, account)))
    }

    /// One token by id.
    pub async fn token(&self, id: Uuid) -> Result<Option<TokenRow>, StoreError> {
        Ok(api_token::Entity::find_by_id(id)
            .one(self.conn())
            .await?
            .map(Into::into))
    }

    /// Revokes a token; true when it was live.
    pub async fn revoke_token(&self, id: Uuid) -> Result<bool, StoreError> {
        let result = api_token::Entity::update_many()
            .col_expr(api_token::Column::RevokedAt, Expr::value(Utc::now()))
            .filter(api_token::Column::Id.eq(id))
            .filter(api_token::Column::RevokedAt.is_null())
            .exec(self.conn())
            .await?;
        Ok(result.rows_affected == 1)
    }

    /// An agency and every agency under it, each with its time zone (one recursive query).
    pub async fn agency_subtree_zones(
        &self,
        agency_id: Uuid,
    ) -> Result<Vec<(Uuid, Option<chrono_tz::Tz>)>, StoreError> {
        let param = self.engine().first_placeholder();
        let sql = format!(
            "WITH RECURSIVE subtree(id, time_zone) AS (\
               SELECT id, time_zone FROM agencies WHERE id = {param} \
               UNION ALL \
               SELECT a.id, a.time_zone FROM agencies a JOIN subtree s ON a.parent_id = s.id) \
             SELECT id, time_zone FROM subtree"
        );
        let statement = Statement::from_sql_and_values(
            self.conn().get_database_backend(),
            sql,
            [agency_id.into()],
        );
        let rows = self.conn().query_all_raw(statement).await?;
        rows.iter()
            .map(|row| {
                let id = row.try_get_by_index::<Uuid>(0)?;
                let zone = row.try_get_by_index::<String>(1)?;
                let tz = zone.parse().ok().or_else(|| {
                    tracing::warn!(agency = %id, %zone, "an agency's stored time zone is not one");
                    None
                });
                Ok((id, tz))
            })
            .collect()
    }

    /// `agency_id` and every agency under it, at any depth (one recursive query over
    /// `idx_agencies_parent_id`).
    pub async fn agency_subtree(&self, agency_id: Uuid) -> Result<Vec<Uuid>, StoreError> {
        Ok(self
            .agency_subtree_zones(agency_id)
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .collect())
    }

    /// Live accounts of `role` in these agencies: (agency, email, person).
    pub async fn contacts(
        &self,
        role: &str,
        agency_ids: &[Uuid],
    ) -> Result<Vec<(Uuid, String, Option<Uuid>)>, StoreError> {
        Ok(account::Entity::find()
            .filter(account::Column::Role.eq(role))
            .filter(account::Column::AgencyId.is_in(agency_ids.iter().copied()))
            .filter(account::Column::DisabledAt.is_null())
            .all(self.conn())
            .await?
            .into_iter()
            .filter_map(|a| a.agency_id.map(|agency| (agency, a.email, a.person_id)))
            .collect())
    }

    /// Every live account of `role` with an agency: (agency, email, person).
    pub async fn contacts_with_role(
        &self,
        role: &str,
    ) -> Result<Vec<(Uuid, String, Option<Uuid>)>, StoreError> {
        Ok(account::Entity::find()
            .filter(account::Column::Role.eq(role))
            .filter(account::Column::AgencyId.is_not_null())
            .filter(account::Column::DisabledAt.is_null())
            .order_by_asc(account::Column::AgencyId)
            .all(self.conn())
            .await?
            .into_iter()
            .filter_map(|a| a.agency_id.map(|agency| (agency, a.email, a.person_id)))
            .collect())
    }
}
