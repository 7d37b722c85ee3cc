//! A write transaction and the writes the use cases make inside one. Services begin a
//! [`Tx`], call these, and commit (or roll back: a dry run is a rolled-back real run).

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
    sea_query::{Expr, ExprTrait, LockType},
};
use uuid::Uuid;

use super::{
    Store, StoreError,
    agencies::{AgencyRow, NewAgency},
    entity::{
        agency, chain_head, commitment, item, item_event, person, post, previous_rectification,
        report, shortcoming, shortcoming_commitment_link,
    },
    items::ItemRow,
    persons::PersonRow,
    posts::PostRow,
    reports::{CommitmentRow, LinkRow, ReportReview, ReportRow, ShortcomingRow},
};
use crate::domain::audit::{self, ChainedEvent};

/// An open write transaction.
pub struct Tx {
    pub(super) txn: DatabaseTransaction,
    pub(super) backend: DbBackend,
}

/// A new report row.
#[derive(Clone, Debug)]
pub struct NewReport {
    pub agency_id: Uuid,
    pub year: i32,
    pub period: String,
    pub kind: String,
    pub title: Option<String>,
    pub published_on: Option<NaiveDate>,
    pub source_url: Option<String>,
    pub raw_text: String,
    pub sha256: String,
    /// SHA-256 and name of the file the text was read from.
    pub source_file_sha256: Option<String>,
    pub source_file_name: Option<String>,
    /// Set for a reviewed import (the extraction corrected by hand).
    pub review: Option<ReportReview>,
}

/// A shortcoming to write.
#[derive(Clone, Debug)]
pub struct ShortcomingWrite {
    pub ordinal: i32,
    pub text: String,
    pub span: Option<(i32, i32)>,
    pub recurrence_of_id: Option<Uuid>,
    pub recurrence_score: Option<f64>,
}

/// A commitment to write: ordinal, text, and byte span in the report.
pub type CommitmentWrite = (i32, String, Option<(i32, i32)>);

/// A new item.
#[derive(Clone, Debug)]
pub struct NewItem {
    pub agency_id: Uuid,
    pub code: Option<String>,
    pub shortcoming_id: Option<Uuid>,
    pub parent_item_id: Option<Uuid>,
    pub source: String,
    pub source_document: Option<String>,
    pub title: String,
    pub state: String,
}

/// An audit event to append to an item's chain.
#[derive(Clone, Debug)]
pub struct NewEvent<'a> {
    pub item_id: Uuid,
    pub action: &'a str,
    pub from_state: Option<&'a str>,
    pub to_state: Option<&'a str>,
    pub actor_account_id: Option<Uuid>,
    pub actor_person_id: Option<Uuid>,
    pub comment: Option<&'a str>,
    pub payload_json: String,
    pub at: DateTime<Utc>,
}

/// An earlier shortcoming of an agency, with its report's period and its items' states.
#[derive(Clone, Debug)]
pub struct EarlierShortcoming {
    pub shortcoming: ShortcomingRow,
    pub report_id: Uuid,
    pub year: i32,
    pub period: String,
    pub item_id: Option<Uuid>,
    pub item_state: Option<String>,
}

impl Store {
    /// Begins a write transaction (`BEGIN IMMEDIATE` on SQLite).
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(Tx {
            txn: self.begin_write().await?,
            backend: self.conn().get_database_backend(),
        })
    }
}

impl Tx {
    /// Makes the writes permanent.
    pub async fn commit(self) -> Result<(), StoreError> {
        Ok(self.txn.commit().await?)
    }

    /// Undoes every write.
    pub async fn rollback(self) -> Result<(), StoreError> {
        Ok(self.txn.rollback().await?)
    }

    /// An agency by exact name.
    pub async fn agency_by_name(&self, name: &str) -> Result<Option<AgencyRow>, StoreError> {
        Ok(agency::Entity::find()
            .filter(agency::Column::Name.eq(name))
            .one(&self.txn)
            .await?
            .map(Into::into))
    }

    /// An agency by id.
    pub async fn agency(&self, id: Uuid) -> Result<Option<AgencyRow>, StoreError> {
        Ok(agency::Entity::find_by_id(id)
            .one(&self.txn)
            .await?
            .map(Into::into))
    }

    /// A person by id, read inside the transaction.
    pub async fn person(&self, id: Uuid) -> Result<Option<PersonRow>, StoreError> {
        Ok(person::Entity::find_by_id(id)
            .one(&self.txn)
            .await?
            .map(Into::into))
    }

    /// A post by id, read inside the transaction.
    pub async fn post(&self, id: Uuid) -> Result<Option<PostRow>, StoreError> {
        Ok(post::Entity::find_by_id(id)
            .one(&self.txn)
            .await?
            .map(Into::into))
    }

    /// Inserts an agency.
    pub async fn insert_agency(&self, new: NewAgency) -> Result<AgencyRow, StoreError> {
        let now = Utc::now();
        Ok(agency::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set(new.name),
            short_name: Set(new.short_name),
            parent_id: Set(new.parent_id),
            kind: Set(new.kind),
            time_zone: Set(new.time_zone),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.txn)
        .await?
        .into())
    }

    /// The report of an agency for a year, period and kind, if imported.
    pub async fn report_by_key(
        &self,
        agency_id: Uuid,
        year: i32,
        period: &str,
        kind: &str,
    ) -> Result<Option<ReportRow>, StoreError> {
        Ok(report::Entity::find()
            .filter(report::Column::AgencyId.eq(agency_id))
            .filter(report::Column::Year.eq(year))
            .filter(report::Column::Period.eq(period))
            .filter(report::Column::Kind.eq(kind))
            .one(&self.txn)
            .await?
            .map(Into::into))
    }

    /// Inserts a report.
    pub async fn insert_report(&self, new: NewReport) -> Result<ReportRow, StoreError> {
        let now = Utc::now();
        Ok(report::ActiveModel {
            id: Set(Uuid::now_v7()),
            agency_id: Set(new.agency_id),
            year: Set(new.year),
            period: Set(new.period),
            kind: Set(new.kind),
            title: Set(new.title),
            published_on: Set(new.published_on),
            source_url: Set(new.source_url),
            raw_text: Set(new.raw_text),
            sha256: Set(new.sha256),
            source_file_sha256: Set(new.source_file_sha256),
            source_file_name: Set(new.source_file_name),
            reviewed_at: Set(new.review.map(|r| r.at)),
            reviewed_by_account_id: Set(new.review.and_then(|r| r.account_id)),
            reviewed_by_person_id: Set(new.review.and_then(|r| r.person_id)),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.txn)
        .await?
        .into())
    }

    /// Replaces a report's text and metadata (its id and key stay).
    pub async fn replace_report_text(&self, id: Uuid, new: &NewReport) -> Result<(), StoreError> {
        report::Entity::update_many()
            .col_expr(report::Column::RawText, Expr::value(new.raw_text.clone()))
            .col_expr(report::Column::Sha256, Expr::value(new.sha256.clone()))
            .col_expr(
                report::Column::SourceFileSha256,
                Expr::value(new.source_file_sha256.clone()),
            )
            .col_expr(
                report::Column::SourceFileName,
                Expr::value(new.source_file_name.clone()),
            )
            .col_expr(
                report::Column::ReviewedAt,
                Expr::value(new.review.map(|r| r.at)),
            )
            .col_expr(
                report::Column::ReviewedByAccountId,
                Expr::value(new.review.and_then(|r| r.account_id)),
            )
            .col_expr(
                report::Column::ReviewedByPersonId,
                Expr::value(new.review.and_then(|r| r.person_id)),
            )
            .col_expr(report::Column::Title, Expr::value(new.title.clone()))
            .col_expr(report::Column::PublishedOn, Expr::value(new.published_on))
            .col_expr(report::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(report::Column::Id.eq(id))
            .exec(&self.txn)
            .await?;
        Ok(())
    }

    /// The shortcomings of a report, in order.
    pub async fn shortcomings_of(
        &self,
        report_id: Uuid,
    ) -> Result<Vec<ShortcomingRow>, StoreError> {
        Ok(shortcoming::Entity::find()
            .filter(shortcoming::Column::ReportId.eq(report_id))
            .order_by_asc(shortcoming::Column::Ordinal)
            .all(&self.txn)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Inserts a shortcoming.
    pub async fn insert_shortcoming(
        &self,
        report_id: Uuid,
        s: ShortcomingWrite,
    ) -> Result<ShortcomingRow, StoreError> {
        Ok(shortcoming::ActiveModel {
            id: Set(Uuid::now_v7()),
            report_id: Set(report_id),
            ordinal: Set(s.ordinal),
            text: Set(s.text),
            span_start: Set(s.span.map(|s| s.0)),
            span_end: Set(s.span.map(|s| s.1)),
            recurrence_of_id: Set(s.recurrence_of_id),
            recurrence_score: Set(s.recurrence_score),
            created_at: Set(Utc::now()),
        }
        .insert(&self.txn)
        .await?
        .into())
    }

    /// Rewrites a shortcoming in place (keeps its id, so its items stay attached).
    pub async fn update_shortcoming(
        &self,
        id: Uuid,
        s: ShortcomingWrite,
    ) -> Result<(), StoreError> {
        shortcoming::Entity::update_many()
            .col_expr(shortcoming::Column::Ordinal, Expr::value(s.ordinal))
            .col_expr(shortcoming::Column::Text, Expr::value(s.text))
            .col_expr(
                shortcoming::Column::SpanStart,
                Expr::value(s.span.map(|s| s.0)),
            )
            .col_expr(
                shortcoming::Column::SpanEnd,
                Expr::value(s.span.map(|s| s.1)),
            )
            .col_expr(
                shortcoming::Column::RecurrenceOfId,
                Expr::value(s.recurrence_of_id),
            )
            .col_expr(
                shortcoming::Column::RecurrenceScore,
                Expr::value(s.recurrence_score),
            )
            .filter(shortcoming::Column::Id.eq(id))
            .exec(&self.txn)
            .await?;
        Ok(())
    }

    /// Moves every shortcoming ordinal of a report out of the way (before renumbering).
    pub async fn park_shortcoming_ordinals(&self, report_id: Uuid) -> Result<(), StoreError> {
        shortcoming::Entity::update_many()
            .col_expr(
                shortcoming::Column::Ordinal,
                Expr::col(shortcoming::Column::Ordinal).add(100_000),
            )
            .filter(shortcoming::Column::ReportId.eq(report_id))
            .exec(&self.txn)
            .await?;
        Ok(())
    }

    /// Removes a report's commitments (their links go with them) and previous-rectification items.
    pub async fn clear_commitments(&self, report_id: Uuid) -> Result<(), StoreError> {
        commitment::Entity::delete_many()
            .filter(commitment::Column::ReportId.eq(report_id))
            .exec(&self.txn)
            .await?;
        previous_rectification::Entity::delete_many()
            .filter(previous_rectification::Column::ReportId.eq(report_id))
            .exec(&self.txn)
            .await?;
        Ok(())
    }

    /// Inserts a commitment.
    pub async fn insert_commitment(
        &self,
        report_id: Uuid,
        ordinal: i32,
        text: String,
        span: Option<(i32, i32)>,
    ) -> Result<CommitmentRow, StoreError> {
        Ok(commitment::ActiveModel {
            id: Set(Uuid::now_v7()),
            report_id: Set(report_id),
            ordinal: Set(ordinal),
            text: Set(text),
            span_start: Set(span.map(|s| s.0)),
            span_end: Set(span.map(|s| s.1)),
            created_at: Set(Utc::now()),
        }
        .insert(&self.txn)
        .await?
        .into())
    }

    /// Inserts a shortcoming–commitment link.
    pub async fn insert_link(
        &self,
        shortcoming_id: Uuid,
        commitment_id: Uuid,
        score: Option<f64>,
        origin: &str,
    ) -> Result<Uuid, StoreError> {
        let id = Uuid::now_v7();
        shortcoming_commitment_link::ActiveModel {
            id: Set(id),
            shortcoming_id: Set(shortcoming_id),
            commitment_id: Set(commitment_id),
            score: Set(score),
            origin: Set(origin.to_owned()),
            confirmed_at: Set(None),
            confirmed_by: Set(None),
            created_at: Set(Utc::now()),
        }
        .insert(&self.txn)
        .await?;
        Ok(id)
    }

    /// Inserts an item of the previous-rectification section.
    pub async fn insert_previous_rectification(
        &self,
        report_id: Uuid,
        ordinal: i32,
        text: String,
        matched: Option<(Uuid, f64)>,
    ) -> Result<(), StoreError> {
        previous_rectification::ActiveModel {
            id: Set(Uuid::now_v7()),
            report_id: Set(report_id),
            ordinal: Set(ordinal),
            text: Set(text),
            matched_shortcoming_id: Set(matched.map(|m| m.0)),
            match_score: Set(matched.map(|m| m.1)),
            created_at: Set(Utc::now()),
        }
        .insert(&self.txn)
        .await?;
        Ok(())
    }

    /// Every shortcoming of an agency outside one report, with its first item.
    pub async fn shortcomings_of_agency(
        &self,
        agency_id: Uuid,
        except_report: Option<Uuid>,
    ) -> Result<Vec<EarlierShortcoming>, StoreError> {
        let mut reports = report::Entity::find()
            .select_only()
            .column(report::Column::Id)
            .column(report::Column::Year)
            .column(report::Column::Period)
            .filter(report::Column::AgencyId.eq(agency_id));
        if let Some(r) = except_report {
            reports = reports.filter(report::Column::Id.ne(r));
        }
        let reports: Vec<(Uuid, i32, String)> = reports.into_tuple().all(&self.txn).await?;
        if reports.is_empty() {
            return Ok(Vec::new());
        }
        let shortcomings = shortcoming::Entity::find()
            .filter(shortcoming::Column::ReportId.is_in(reports.iter().map(|r| r.0)))
            .order_by_asc(shortcoming::Column::Id)
            .all(&self.txn)
            .await?;
        let items = item::Entity::find()
            .filter(item::Column::ShortcomingId.is_in(shortcomings.iter().map(|s| s.id)))
            .filter(item::Column::ParentItemId.is_null())
            .order_by_asc(item::Column::Id)
            .all(&self.txn)
            .await?;
        Ok(shortcomings
            .into_iter()
            .map(|s| {
                let (_, year, period) = reports
                    .iter()
                    .find(|r| r.0 == s.report_id)
                    .cloned()
                    .unwrap_or_default();
                let item = items.iter().find(|i| i.shortcoming_id == Some(s.id));
                EarlierShortcoming {
                    report_id: s.report_id,
                    year,
                    period,
                    item_id: item.map(|i| i.id),
                    item_state: item.map(|i| i.state.clone()),
                    shortcoming: s.into(),
                }
            })
            .collect())
    }

    /// Items of a shortcoming.
    pub async fn items_of_shortcoming(
        &self,
        shortcoming_id: Uuid,
    ) -> Result<Vec<ItemRow>, StoreError> {
        Ok(item::Entity::find()
            .filter(item::Column::ShortcomingId.eq(shortcoming_id))
            .order_by_asc(item::Column::Id)
            .all(&self.txn)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Inserts an item.
    pub async fn insert_item(&self, new: NewItem) -> Result<ItemRow, StoreError> {
        let now = Utc::now();
        Ok(item::ActiveModel {
            id: Set(Uuid::now_v7()),
            agency_id: Set(new.agency_id),
            code: Set(new.code),
            shortcoming_id: Set(new.shortcoming_id),
            parent_item_id: Set(new.parent_item_id),
            source: Set(new.source),
            source_document: Set(new.source_document),
            title: Set(new.title),
            measures: Set(None),
            category: Set(None),
            state: Set(new.state),
            outcome: Set(None),
            due_on: Set(None),
            lead_post_id: Set(None),
            lead_person_id: Set(None),
            lead_unit_id: Set(None),
            responsible_person_id: Set(None),
            progress: Set(None),
            accepted_at: Set(None),
            assigned_at: Set(None),
            submitted_at: Set(None),
            submitted_on: Set(None),
            closed_at: Set(None),
            verified_by: Set(None),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.txn)
        .await?
        .into())
    }

    /// Appends an event to an item's hash chain. The chain head is read under a row lock
    /// on PostgreSQL (SQLite's IMMEDIATE transaction already serialises writers).
    pub async fn append_event(&self, e: NewEvent<'_>) -> Result<(i32, String), StoreError> {
        let mut head = chain_head::Entity::find_by_id(e.item_id);
        if self.backend == DbBackend::Postgres {
            head = head.lock(LockType::Update);
        }
        let head = head.one(&self.txn).await?;
        let (seq, prev) = head.as_ref().map_or((1, audit::GENESIS.to_owned()), |h| {
            (h.seq + 1, h.hash.clone())
        });
        let at = audit::event_time(e.at);
        let hash = audit::digest(
            &prev,
            &ChainedEvent {
                item_id: e.item_id,
                seq,
                action: e.action,
                from_state: e.from_state,
                to_state: e.to_state,
                actor_account_id: e.actor_account_id,
                actor_person_id: e.actor_person_id,
                comment: e.comment,
                payload_json: &e.payload_json,
                occurred_at: at,
            },
        );
        item_event::ActiveModel {
            id: Set(Uuid::now_v7()),
            item_id: Set(e.item_id),
            seq: Set(seq),
            action: Set(e.action.to_owned()),
            from_state: Set(e.from_state.map(ToOwned::to_owned)),
            to_state: Set(e.to_state.map(ToOwned::to_owned)),
            actor_account_id: Set(e.actor_account_id),
            actor_person_id: Set(e.actor_person_id),
            comment: Set(e.comment.map(ToOwned::to_owned)),
            payload_json: Set(e.payload_json.clone()),
            occurred_at: Set(at),
            prev_hash: Set(prev),
            hash: Set(hash.clone()),
        }
        .insert(&self.txn)
        .await?;
        let now = Utc::now();
        match head {
            Some(_) => {
                chain_head::Entity::update_many()
                    .col_expr(chain_head::Column::Seq, Expr::value(seq))
                    .col_expr(chain_head::Column::Hash, Expr::value(hash.clone()))
                    .col_expr(chain_head::Column::UpdatedAt, Expr::value(now))
                    .filter(chain_head::Column::ItemId.eq(e.item_id))
                    .exec(&self.txn)
                    .await?;
            }
            None => {
                chain_head::ActiveModel {
                    item_id: Set(e.item_id),
                    seq: Set(seq),
                    hash: Set(hash.clone()),
                    updated_at: Set(now),
                }
                .insert(&self.txn)
                .await?;
            }
        }
        Ok((seq, hash))
    }
}

/// Link and item edits made by hand.
impl Tx {
    /// A shortcoming by id.
    pub async fn shortcoming(&self, id: Uuid) -> Result<Option<ShortcomingRow>, StoreError> {
        Ok(shortcoming::Entity::find_by_id(id)
            .one(&self.txn)
            .await?
            .map(Into::into))
    }

    /// The person who last took `action` on an item, if a person did.
    pub async fn last_person_to(
        &self,
        item_id: Uuid,
        action: &str,
    ) -> Result<Option<Uuid>, StoreError> {
        Ok(item_event::Entity::find()
            .filter(item_event::Column::ItemId.eq(item_id))
            .filter(item_event::Column::Action.eq(action))
            .order_by_desc(item_event::Column::Seq)
            .one(&self.txn)
            .await?
            .and_then(|e| e.actor_person_id))
    }

    /// How many items have a code starting with `prefix`.
    pub async fn count_codes_like(&self, prefix: &str) -> Result<u64, StoreError> {
        use sea_orm::PaginatorTrait;
        Ok(item::Entity::find()
            .filter(item::Column::Code.starts_with(prefix))
            .count(&self.txn)
            .await?)
    }

    /// A report by id, read inside the transaction.
    pub async fn report(&self, id: Uuid) -> Result<Option<ReportRow>, StoreError> {
        Ok(report::Entity::find_by_id(id)
            .one(&self.txn)
            .await?
            .map(Into::into))
    }

    /// A commitment by id.
    pub async fn commitment(&self, id: Uuid) -> Result<Option<CommitmentRow>, StoreError> {
        Ok(commitment::Entity::find_by_id(id)
            .one(&self.txn)
            .await?
            .map(Into::into))
    }

    /// A link by id.
    pub async fn link(&self, id: Uuid) -> Result<Option<LinkRow>, StoreError> {
        Ok(shortcoming_commitment_link::Entity::find_by_id(id)
            .one(&self.txn)
            .await?
            .map(Into::into))
    }

    /// Marks a link as confirmed by a person.
    pub async fn confirm_link(&self, id: Uuid, by: Option<Uuid>) -> Result<(), StoreError> {
        shortcoming_commitment_link::Entity::update_many()
            .col_expr(
                shortcoming_commitment_link::Column::ConfirmedAt,
                Expr::value(Utc::now()),
            )
            .col_expr(
                shortcoming_commitment_link::Column::ConfirmedBy,
                Expr::value(by),
            )
            .filter(shortcoming_commitment_link::Column::Id.eq(id))
            .exec(&self.txn)
            .await?;
        Ok(())
    }

    /// Deletes a link.
    pub async fn delete_link(&self, id: Uuid) -> Result<(), StoreError> {
        shortcoming_commitment_link::Entity::delete_by_id(id)
            .exec(&self.txn)
            .await?;
        Ok(())
    }

    /// An item by id.
    pub async fn item(&self, id: Uuid) -> Result<Option<ItemRow>, StoreError> {
        Ok(item::Entity::find_by_id(id)
            .one(&self.txn)
            .await?
            .map(Into::into))
    }

    /// Items split from an item.
    pub async fn children_of(&self, id: Uuid) -> Result<u64, StoreError> {
        use sea_orm::PaginatorTrait;
        Ok(item::Entity::find()
            .filter(item::Column::ParentItemId.eq(id))
            .count(&self.txn)
            .await?)
    }

    /// Raises an item's version if it is still `expected`; false when it is not (or gone).
    pub async fn bump_version(&self, id: Uuid, expected: i32) -> Result<bool, StoreError> {
        let result = item::Entity::update_many()
            .col_expr(item::Column::Version, Expr::value(expected + 1))
            .col_expr(item::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(item::Column::Id.eq(id))
            .filter(item::Column::Version.eq(expected))
            .exec(&self.txn)
            .await?;
        Ok(result.rows_affected == 1)
    }
}

/// Rows per multi-row INSERT of a table with `columns` columns, so that no statement binds
/// more than 30,000 values (SQLite allows 32,766, PostgreSQL 65,535).
fn rows_per_statement(columns: usize) -> usize {
    (30_000 / columns.max(1)).max(1)
}

/// Batched writes for imports: a few statements per table instead of one per row, each
/// under the databases' bound on values per statement.
impl Tx {
    /// Inserts shortcomings of a report, returning them in order.
    pub async fn insert_shortcomings(
        &self,
        report_id: Uuid,
        writes: Vec<ShortcomingWrite>,
    ) -> Result<Vec<ShortcomingRow>, StoreError> {
        let now = Utc::now();
        let models: Vec<shortcoming::Model> = writes
            .into_iter()
            .map(|s| shortcoming::Model {
                id: Uuid::now_v7(),
                report_id,
                ordinal: s.ordinal,
                text: s.text,
                span_start: s.span.map(|s| s.0),
                span_end: s.span.map(|s| s.1),
                recurrence_of_id: s.recurrence_of_id,
                recurrence_score: s.recurrence_score,
                created_at: now,
            })
            .collect();
        for chunk in models.chunks(rows_per_statement(9)) {
            shortcoming::Entity::insert_many(
                chunk.iter().cloned().map(shortcoming::ActiveModel::from),
            )
            .exec_without_returning(&self.txn)
            .await?;
        }
        Ok(models.into_iter().map(Into::into).collect())
    }

    /// Inserts items, returning them in order.
    pub async fn insert_items(&self, news: Vec<NewItem>) -> Result<Vec<ItemRow>, StoreError> {
        let now = Utc::now();
        let models: Vec<item::Model> = news
            .into_iter()
            .map(|new| item::Model {
                id: Uuid::now_v7(),
                agency_id: new.agency_id,
                code: new.code,
                shortcoming_id: new.shortcoming_id,
                parent_item_id: new.parent_item_id,
                source: new.source,
                source_document: new.source_document,
                title: new.title,
                measures: None,
                category: None,
                state: new.state,
                outcome: None,
                due_on: None,
                lead_post_id: None,
                lead_person_id: None,
                lead_unit_id: None,
                responsible_person_id: None,
                progress: None,
                accepted_at: None,
                assigned_at: None,
                submitted_at: None,
                submitted_on: None,
                closed_at: None,
                verified_by: None,
                version: 1,
                created_at: now,
                updated_at: now,
            })
            .collect();
        for chunk in models.chunks(rows_per_statement(28)) {
            item::Entity::insert_many(chunk.iter().cloned().map(item::ActiveModel::from))
                .exec_without_returning(&self.txn)
                .await?;
        }
        Ok(models.into_iter().map(Into::into).collect())
    }

    /// Writes the first event of new items' chains (and their chain heads).
    pub async fn start_chains(&self, events: Vec<NewEvent<'_>>) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        let mut rows = Vec::with_capacity(events.len());
        let mut heads = Vec::with_capacity(events.len());
        for e in events {
            let at = audit::event_time(e.at);
            let hash = audit::digest(
                audit::GENESIS,
                &ChainedEvent {
                    item_id: e.item_id,
                    seq: 1,
                    action: e.action,
                    from_state: e.from_state,
                    to_state: e.to_state,
                    actor_account_id: e.actor_account_id,
                    actor_person_id: e.actor_person_id,
                    comment: e.comment,
                    payload_json: &e.payload_json,
                    occurred_at: at,
                },
            );
            heads.push(chain_head::ActiveModel {
                item_id: Set(e.item_id),
                seq: Set(1),
                hash: Set(hash.clone()),
                updated_at: Set(at),
            });
            rows.push(item_event::ActiveModel {
                id: Set(Uuid::now_v7()),
                item_id: Set(e.item_id),
                seq: Set(1),
                action: Set(e.action.to_owned()),
                from_state: Set(e.from_state.map(ToOwned::to_owned)),
                to_state: Set(e.to_state.map(ToOwned::to_owned)),
                actor_account_id: Set(e.actor_account_id),
                actor_person_id: Set(e.actor_person_id),
                comment: Set(e.comment.map(ToOwned::to_owned)),
                payload_json: Set(e.payload_json),
                occurred_at: Set(at),
                prev_hash: Set(audit::GENESIS.to_owned()),
                hash: Set(hash),
            });
        }
        for chunk in rows.chunks(rows_per_statement(13)) {
            item_event::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(&self.txn)
                .await?;
        }
        for chunk in heads.chunks(rows_per_statement(4)) {
            chain_head::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(&self.txn)
                .await?;
        }
        Ok(())
    }

    /// Inserts commitments of a report: (ordinal, text, span), returning them in order.
    pub async fn insert_commitments(
        &self,
        report_id: Uuid,
        writes: Vec<CommitmentWrite>,
    ) -> Result<Vec<CommitmentRow>, StoreError> {
        let now = Utc::now();
        let models: Vec<commitment::Model> = writes
            .into_iter()
            .map(|(ordinal, text, span)| commitment::Model {
                id: Uuid::now_v7(),
                report_id,
                ordinal,
                text,
                span_start: span.map(|s| s.0),
                span_end: span.map(|s| s.1),
                created_at: now,
            })
            .collect();
        for chunk in models.chunks(rows_per_statement(7)) {
            commitment::Entity::insert_many(
                chunk.iter().cloned().map(commitment::ActiveModel::from),
            )
            .exec_without_returning(&self.txn)
            .await?;
        }
        Ok(models.into_iter().map(Into::into).collect())
    }

    /// Inserts links a person kept or made while reviewing an extraction: (shortcoming,
    /// commitment, score), `manual`, confirmed at `at` by the account `by`.
    pub async fn insert_confirmed_links(
        &self,
        links: Vec<(Uuid, Uuid, f64)>,
        by: Option<Uuid>,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if links.is_empty() {
            return Ok(());
        }
        for chunk in links.chunks(rows_per_statement(8)) {
            shortcoming_commitment_link::Entity::insert_many(chunk.iter().map(|&(s, c, score)| {
                shortcoming_commitment_link::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    shortcoming_id: Set(s),
                    commitment_id: Set(c),
                    score: Set(Some(score)),
                    origin: Set("manual".into()),
                    confirmed_at: Set(Some(at)),
                    confirmed_by: Set(by),
                    created_at: Set(at),
                }
            }))
            .exec_without_returning(&self.txn)
            .await?;
        }
        Ok(())
    }

    /// Inserts proposed links: (shortcoming, commitment, score).
    pub async fn insert_auto_links(&self, links: Vec<(Uuid, Uuid, f64)>) -> Result<(), StoreError> {
        if links.is_empty() {
            return Ok(());
        }
        let now = Utc::now();
        for chunk in links.chunks(rows_per_statement(8)) {
            shortcoming_commitment_link::Entity::insert_many(chunk.iter().map(|&(s, c, score)| {
                shortcoming_commitment_link::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    shortcoming_id: Set(s),
                    commitment_id: Set(c),
                    score: Set(Some(score)),
                    origin: Set("auto".into()),
                    confirmed_at: Set(None),
                    confirmed_by: Set(None),
                    created_at: Set(now),
                }
            }))
            .exec_without_returning(&self.txn)
            .await?;
        }
        Ok(())
    }
}
