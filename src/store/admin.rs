//! The writes and reads the administration pages add: renaming and moving agencies (a
//! move checks for a cycle inside the transaction that makes it), an agency's posts, an
//! account's role and scope, and one web session by id.

use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Statement,
    sea_query::Expr,
};
use uuid::Uuid;

use super::{
    Engine, Store, StoreError,
    accounts::AccountRow,
    agencies::AgencyRow,
    entity::{account, agency, post, web_session},
    posts::PostRow,
    sessions::SessionRow,
};

/// What became of a move.
#[derive(Clone, Debug, PartialEq)]
pub enum Moved {
    Done(AgencyRow),
    /// The new parent is the agency itself or lies under it.
    Cycle,
    NotFound,
}

impl Store {
    /// Every agency, by name, at most `limit` (the administration tree).
    pub async fn all_agencies(&self, limit: u64) -> Result<Vec<AgencyRow>, StoreError> {
        Ok(agency::Entity::find()
            .order_by_asc(agency::Column::Name)
            .limit(limit)
            .all(self.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Renames an agency.
    pub async fn rename_agency(
        &self,
        id: Uuid,
        name: &str,
        short_name: Option<&str>,
    ) -> Result<Option<AgencyRow>, StoreError> {
        agency::Entity::update_many()
            .col_expr(agency::Column::Name, Expr::value(name))
            .col_expr(
                agency::Column::ShortName,
                Expr::value(short_name.map(str::to_owned)),
            )
            .col_expr(agency::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(agency::Column::Id.eq(id))
            .exec(self.conn())
            .await?;
        self.agency(id).await
    }

    /// Puts an agency under `parent` (or at the top), unless that would make a cycle. The
    /// subtree is read and the parent written in one transaction that excludes other
    /// moves (SQLite's immediate transaction; a table lock on PostgreSQL), so two moves at
    /// once cannot close a loop between them.
    pub async fn move_agency(&self, id: Uuid, parent: Option<Uuid>) -> Result<Moved, StoreError> {
        let txn = self.begin_write().await?;
        if self.engine() == Engine::Postgres {
            txn.execute_unprepared("LOCK TABLE agencies IN SHARE ROW EXCLUSIVE MODE")
                .await?;
        }
        if agency::Entity::find_by_id(id).one(&txn).await?.is_none() {
            return Ok(Moved::NotFound);
        }
        if let Some(parent) = parent {
            let param = self.engine().first_placeholder();
            let sql = format!(
                "WITH RECURSIVE subtree(id) AS (\
                   SELECT id FROM agencies WHERE id = {param} \
                   UNION ALL \
                   SELECT a.id FROM agencies a JOIN subtree s ON a.parent_id = s.id) \
                 SELECT id FROM subtree"
            );
            let rows = txn
                .query_all_raw(Statement::from_sql_and_values(
                    txn.get_database_backend(),
                    sql,
                    [id.into()],
                ))
                .await?;
            for row in &rows {
                if row.try_get_by_index::<Uuid>(0)? == parent {
                    return Ok(Moved::Cycle);
                }
            }
        }
        agency::Entity::update_many()
            .col_expr(agency::Column::ParentId, Expr::value(parent))
            .col_expr(agency::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(agency::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        let row = agency::Entity::find_by_id(id).one(&txn).await?;
        txn.commit().await?;
        Ok(row.map_or(Moved::NotFound, |m| Moved::Done(m.into())))
    }

    /// An agency's posts, by title.
    pub async fn posts_of_agency(&self, agency_id: Uuid) -> Result<Vec<PostRow>, StoreError> {
        Ok(post::Entity::find()
            .filter(post::Column::AgencyId.eq(agency_id))
            .order_by_asc(post::Column::Title)
            .limit(500)
            .all(self.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Sets an account's role, agency and person.
    pub async fn set_account_role(
        &self,
        id: Uuid,
        role: &str,
        agency_id: Option<Uuid>,
        person_id: Option<Uuid>,
    ) -> Result<Option<AccountRow>, StoreError> {
        account::Entity::update_many()
            .col_expr(account::Column::Role, Expr::value(role))
            .col_expr(account::Column::AgencyId, Expr::value(agency_id))
            .col_expr(account::Column::PersonId, Expr::value(person_id))
            .col_expr(account::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(account::Column::Id.eq(id))
            .exec(self.conn())
            .await?;
        self.account(id).await
    }

    /// One web session by id.
    pub async fn session(&self, id: Uuid) -> Result<Option<SessionRow>, StoreError> {
        Ok(web_session::Entity::find_by_id(id)
            .one(self.conn())
            .await?
            .map(Into::into))
    }
}
