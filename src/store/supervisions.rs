//! Supervision mandates (督办授权): which offices supervise which agency subtrees, when. An
//! office's reach, and the offices an escalation goes to, are read from here.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, Statement, sea_query::Expr,
};
use uuid::Uuid;

use super::{Engine, Store, StoreError, entity::supervision};

/// The most mandates one listing returns (an installation has a handful per office).
pub const MAX_SUPERVISIONS_LISTED: u64 = 1_000;

/// A mandate as the rest of the service sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct SupervisionRow {
    pub id: Uuid,
    /// The supervising office.
    pub office_id: Uuid,
    /// The root of the supervised subtree.
    pub agency_id: Uuid,
    /// The first day in force.
    pub valid_from: NaiveDate,
    /// The first day no longer in force; `None`: open.
    pub valid_to: Option<NaiveDate>,
    pub note: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    /// When it was ended, if it was.
    pub ended_at: Option<DateTime<Utc>>,
}

impl SupervisionRow {
    /// Whether the mandate is in force on `day`.
    pub fn in_force_on(&self, day: NaiveDate) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|end| end > day)
    }
}

impl From<supervision::Model> for SupervisionRow {
    fn from(m: supervision::Model) -> Self {
        Self {
            id: m.id,
            office_id: m.office_id,
            agency_id: m.agency_id,
            valid_from: m.valid_from,
            valid_to: m.valid_to,
            note: m.note,
            created_by: m.created_by,
            created_at: m.created_at,
            ended_at: m.ended_at,
        }
    }
}

/// What a new mandate is made of.
#[derive(Clone, Debug)]
pub struct NewSupervision {
    pub office_id: Uuid,
    pub agency_id: Uuid,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub note: Option<String>,
    pub created_by: Option<Uuid>,
}

/// Which mandates a listing returns.
#[derive(Clone, Debug, Default)]
pub struct SupervisionFilter {
    /// Only this office's.
    pub office_id: Option<Uuid>,
    /// Only those over this agency (as the subtree's root).
    pub agency_id: Option<Uuid>,
    /// Only those in force on this day.
    pub in_force_on: Option<NaiveDate>,
}

fn in_force(day: NaiveDate) -> Condition {
    Condition::all()
        .add(supervision::Column::ValidFrom.lte(day))
        .add(
            Condition::any()
                .add(supervision::Column::ValidTo.is_null())
                .add(supervision::Column::ValidTo.gt(day)),
        )
}

impl Store {
    /// Inserts a mandate.
    pub async fn insert_supervision(
        &self,
        new: NewSupervision,
    ) -> Result<SupervisionRow, StoreError> {
        let model = supervision::ActiveModel {
            id: Set(Uuid::now_v7()),
            office_id: Set(new.office_id),
            agency_id: Set(new.agency_id),
            valid_from: Set(new.valid_from),
            valid_to: Set(new.valid_to),
            note: Set(new.note),
            created_by: Set(new.created_by),
            created_at: Set(Utc::now()),
            ended_at: Set(None),
        }
        .insert(self.conn())
        .await?;
        Ok(model.into())
    }

    /// Gives `office` a mandate over its own subtree from `day`, unless it has ever had a
    /// mandate (an office whose mandates were ended on purpose gets none back). This is what
    /// a supervisor account meant before mandates: its agency and everything under it.
    /// True when a mandate was created.
    pub async fn ensure_supervision(
        &self,
        office: Uuid,
        day: NaiveDate,
        created_by: Option<Uuid>,
    ) -> Result<bool, StoreError> {
        let has_any = supervision::Entity::find()
            .filter(supervision::Column::OfficeId.eq(office))
            .limit(1)
            .one(self.conn())
            .await?
            .is_some();
        if has_any {
            return Ok(false);
        }
        self.insert_supervision(NewSupervision {
            office_id: office,
            agency_id: office,
            valid_from: day,
            valid_to: None,
            note: Some("督办账户所在单位及其下属单位".into()),
            created_by,
        })
        .await?;
        Ok(true)
    }

    /// One mandate.
    pub async fn supervision(&self, id: Uuid) -> Result<Option<SupervisionRow>, StoreError> {
        Ok(supervision::Entity::find_by_id(id)
            .one(self.conn())
            .await?
            .map(Into::into))
    }

    /// Mandates matching `filter`, oldest first, at most [`MAX_SUPERVISIONS_LISTED`].
    pub async fn list_supervisions(
        &self,
        filter: &SupervisionFilter,
    ) -> Result<Vec<SupervisionRow>, StoreError> {
        let mut query = supervision::Entity::find();
        if let Some(office) = filter.office_id {
            query = query.filter(supervision::Column::OfficeId.eq(office));
        }
        if let Some(agency) = filter.agency_id {
            query = query.filter(supervision::Column::AgencyId.eq(agency));
        }
        if let Some(day) = filter.in_force_on {
            query = query.filter(in_force(day));
        }
        Ok(query
            .order_by_asc(supervision::Column::Id)
            .limit(MAX_SUPERVISIONS_LISTED)
            .all(self.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Ends a mandate: no longer in force from `on`. Ending one already ended on or before
    /// `on` changes nothing. Returns the mandate as it now is.
    pub async fn end_supervision(
        &self,
        id: Uuid,
        on: NaiveDate,
    ) -> Result<Option<SupervisionRow>, StoreError> {
        supervision::Entity::update_many()
            .col_expr(supervision::Column::ValidTo, Expr::value(on))
            .col_expr(supervision::Column::EndedAt, Expr::value(Utc::now()))
            .filter(supervision::Column::Id.eq(id))
            .filter(
                Condition::any()
                    .add(supervision::Column::ValidTo.is_null())
                    .add(supervision::Column::ValidTo.gt(on)),
            )
            .exec(self.conn())
            .await?;
        self.supervision(id).await
    }

    /// The agencies `office` supervises on `day`: the roots of its mandates in force and
    /// every agency under them, once each (one recursive query).
    pub async fn supervised_agencies(
        &self,
        office: Uuid,
        day: NaiveDate,
    ) -> Result<Vec<Uuid>, StoreError> {
        let sql = match self.engine() {
            Engine::Postgres => {
                "WITH RECURSIVE reach(id) AS (\
                   SELECT agency_id FROM supervisions WHERE office_id = $1 \
                     AND valid_from <= CAST($2 AS date) \
                     AND (valid_to IS NULL OR valid_to > CAST($2 AS date)) \
                   UNION \
                   SELECT a.id FROM agencies a JOIN reach r ON a.parent_id = r.id) \
                 SELECT id FROM reach"
            }
            Engine::Sqlite => {
                "WITH RECURSIVE reach(id) AS (\
                   SELECT agency_id FROM supervisions WHERE office_id = ?1 \
                     AND valid_from <= ?2 AND (valid_to IS NULL OR valid_to > ?2) \
                   UNION \
                   SELECT a.id FROM agencies a JOIN reach r ON a.parent_id = r.id) \
                 SELECT id FROM reach"
            }
        };
        let statement = Statement::from_sql_and_values(
            self.conn().get_database_backend(),
            sql,
            [office.into(), day.into()],
        );
        let rows = self.conn().query_all_raw(statement).await?;
        rows.iter()
            .map(|row| Ok(row.try_get_by_index::<Uuid>(0)?))
            .collect()
    }

    /// The mandates in force on `day` over any of `roots` (as their subtree's root), as
    /// (root, office): who supervises an agency is found by asking for its chain.
    pub async fn supervisions_over(
        &self,
        roots: &[Uuid],
        day: NaiveDate,
    ) -> Result<Vec<(Uuid, Uuid)>, StoreError> {
        if roots.is_empty() {
            return Ok(Vec::new());
        }
        Ok(supervision::Entity::find()
            .filter(supervision::Column::AgencyId.is_in(roots.iter().copied()))
            .filter(in_force(day))
            .all(self.conn())
            .await?
            .into_iter()
            .map(|m| (m.agency_id, m.office_id))
            .collect())
    }
}
