//! The writes and reads of the item workflow: versioned item updates, evidence, extension
//! requests, supporting units, and the audit events of an item.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
    sea_query::Expr,
};
use uuid::Uuid;

use super::{
    Store, StoreError,
    entity::{evidence, extension_request, item, item_event, item_supporting_unit, report},
    tx::Tx,
};

/// Columns an action changes; `None` leaves a column as it is, `Some(None)` clears it.
#[derive(Clone, Debug, Default)]
pub struct ItemUpdate {
    pub state: Option<String>,
    pub measures: Option<Option<String>>,
    pub progress: Option<Option<String>>,
    pub category: Option<Option<String>>,
    pub outcome: Option<Option<String>>,
    pub due_on: Option<Option<NaiveDate>>,
    pub lead_post_id: Option<Option<Uuid>>,
    pub lead_person_id: Option<Option<Uuid>>,
    pub lead_unit_id: Option<Option<Uuid>>,
    pub responsible_person_id: Option<Option<Uuid>>,
    pub accepted_at: Option<Option<DateTime<Utc>>>,
    pub assigned_at: Option<Option<DateTime<Utc>>>,
    pub submitted_at: Option<Option<DateTime<Utc>>>,
    pub submitted_on: Option<Option<NaiveDate>>,
    pub closed_at: Option<Option<DateTime<Utc>>>,
    pub verified_by: Option<Option<Uuid>>,
}

/// A piece of evidence (佐证材料): a stored file, a note or a link.
#[derive(Clone, Debug, PartialEq)]
pub struct EvidenceRow {
    pub id: Uuid,
    pub item_id: Uuid,
    pub kind: String,
    pub name: String,
    pub content_type: Option<String>,
    pub size_bytes: Option<i64>,
    pub sha256: Option<String>,
    pub storage_key: Option<String>,
    pub url: Option<String>,
    pub note: Option<String>,
    pub uploaded_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl From<evidence::Model> for EvidenceRow {
    fn from(m: evidence::Model) -> Self {
        Self {
            id: m.id,
            item_id: m.item_id,
            kind: m.kind,
            name: m.name,
            content_type: m.content_type,
            size_bytes: m.size_bytes,
            sha256: m.sha256,
            storage_key: m.storage_key,
            url: m.url,
            note: m.note,
            uploaded_by: m.uploaded_by,
            created_at: m.created_at,
        }
    }
}

/// A new piece of evidence.
#[derive(Clone, Debug)]
pub struct NewEvidence {
    pub item_id: Uuid,
    pub kind: String,
    pub name: String,
    pub content_type: Option<String>,
    pub size_bytes: Option<i64>,
    pub sha256: Option<String>,
    pub storage_key: Option<String>,
    pub url: Option<String>,
    pub note: Option<String>,
    pub uploaded_by: Option<Uuid>,
}

/// A request to move an item's due date.
#[derive(Clone, Debug, PartialEq)]
pub struct ExtensionRow {
    pub id: Uuid,
    pub item_id: Uuid,
    pub requested_by: Option<Uuid>,
    pub requested_due_on: NaiveDate,
    pub previous_due_on: Option<NaiveDate>,
    pub reason: String,
    pub status: String,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_comment: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<extension_request::Model> for ExtensionRow {
    fn from(m: extension_request::Model) -> Self {
        Self {
            id: m.id,
            item_id: m.item_id,
            requested_by: m.requested_by,
            requested_due_on: m.requested_due_on,
            previous_due_on: m.previous_due_on,
            reason: m.reason,
            status: m.status,
            decided_by: m.decided_by,
            decided_at: m.decided_at,
            decision_comment: m.decision_comment,
            created_at: m.created_at,
        }
    }
}

/// An audit event as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct EventRow {
    pub id: Uuid,
    pub item_id: Uuid,
    pub seq: i32,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub actor_account_id: Option<Uuid>,
    pub actor_person_id: Option<Uuid>,
    pub comment: Option<String>,
    pub payload_json: String,
    pub occurred_at: DateTime<Utc>,
    pub prev_hash: String,
    pub hash: String,
}

impl From<item_event::Model> for EventRow {
    fn from(m: item_event::Model) -> Self {
        Self {
            id: m.id,
            item_id: m.item_id,
            seq: m.seq,
            action: m.action,
            from_state: m.from_state,
            to_state: m.to_state,
            actor_account_id: m.actor_account_id,
            actor_person_id: m.actor_person_id,
            comment: m.comment,
            payload_json: m.payload_json,
            occurred_at: m.occurred_at,
            prev_hash: m.prev_hash,
            hash: m.hash,
        }
    }
}

impl Tx {
    /// The agency a report belongs to.
    pub async fn report_agency(&self, report_id: Uuid) -> Result<Option<Uuid>, StoreError> {
        Ok(report::Entity::find_by_id(report_id)
            .one(&self.txn)
            .await?
            .map(|r| r.agency_id))
    }

    /// Applies `update` and raises the version, if the item is still at `expected`.
    /// False when it is not (or is gone): nothing was written.
    pub async fn update_item(
        &self,
        id: Uuid,
        expected: i32,
        update: ItemUpdate,
    ) -> Result<bool, StoreError> {
        let mut q = item::Entity::update_many()
            .col_expr(item::Column::Version, Expr::value(expected + 1))
            .col_expr(item::Column::UpdatedAt, Expr::value(Utc::now()));
        macro_rules! set {
            ($field:ident, $col:ident) => {
                if let Some(v) = update.$field {
                    q = q.col_expr(item::Column::$col, Expr::value(v));
                }
            };
        }
        set!(state, State);
        set!(measures, Measures);
        set!(progress, Progress);
        set!(category, Category);
        set!(outcome, Outcome);
        set!(due_on, DueOn);
        set!(lead_post_id, LeadPostId);
        set!(lead_person_id, LeadPersonId);
        set!(lead_unit_id, LeadUnitId);
        set!(responsible_person_id, ResponsiblePersonId);
        set!(accepted_at, AcceptedAt);
        set!(assigned_at, AssignedAt);
        set!(submitted_at, SubmittedAt);
        set!(submitted_on, SubmittedOn);
        set!(closed_at, ClosedAt);
        set!(verified_by, VerifiedBy);
        let result = q
            .filter(item::Column::Id.eq(id))
            .filter(item::Column::Version.eq(expected))
            .exec(&self.txn)
            .await?;
        Ok(result.rows_affected == 1)
    }

    /// Replaces an item's supporting units (配合单位).
    pub async fn set_supporting_units(
        &self,
        item_id: Uuid,
        agency_ids: &[Uuid],
    ) -> Result<(), StoreError> {
        item_supporting_unit::Entity::delete_many()
            .filter(item_supporting_unit::Column::ItemId.eq(item_id))
            .exec(&self.txn)
            .await?;
        let rows = agency_ids
            .iter()
            .map(|a| item_supporting_unit::ActiveModel {
                item_id: Set(item_id),
                agency_id: Set(*a),
            });
        item_supporting_unit::Entity::insert_many(rows)
            .exec(&self.txn)
            .await?;
        Ok(())
    }

    /// How much evidence an item has.
    pub async fn evidence_count(&self, item_id: Uuid) -> Result<u64, StoreError> {
        Ok(evidence::Entity::find()
            .filter(evidence::Column::ItemId.eq(item_id))
            .count(&self.txn)
            .await?)
    }

    /// Whether the item already has a file with this digest.
    pub async fn has_file_evidence(&self, item_id: Uuid, sha256: &str) -> Result<bool, StoreError> {
        Ok(evidence::Entity::find()
            .filter(evidence::Column::ItemId.eq(item_id))
            .filter(evidence::Column::Sha256.eq(sha256))
            .filter(evidence::Column::Kind.eq("file"))
            .count(&self.txn)
            .await?
            > 0)
    }

    /// Stores a piece of evidence.
    pub async fn insert_evidence(&self, new: NewEvidence) -> Result<EvidenceRow, StoreError> {
        Ok(evidence::ActiveModel {
            id: Set(Uuid::now_v7()),
            item_id: Set(new.item_id),
            kind: Set(new.kind),
            name: Set(new.name),
            content_type: Set(new.content_type),
            size_bytes: Set(new.size_bytes),
            sha256: Set(new.sha256),
            storage_key: Set(new.storage_key),
            url: Set(new.url),
            note: Set(new.note),
            uploaded_by: Set(new.uploaded_by),
            created_at: Set(Utc::now()),
        }
        .insert(&self.txn)
        .await?
        .into())
    }

    /// The pending extension request of an item, if any.
    pub async fn pending_extension(
        &self,
        item_id: Uuid,
    ) -> Result<Option<ExtensionRow>, StoreError> {
        Ok(extension_request::Entity::find()
            .filter(extension_request::Column::ItemId.eq(item_id))
            .filter(extension_request::Column::Status.eq("pending"))
            .one(&self.txn)
            .await?
            .map(Into::into))
    }

    /// One extension request.
    pub async fn extension(&self, id: Uuid) -> Result<Option<ExtensionRow>, StoreError> {
        Ok(extension_request::Entity::find_by_id(id)
            .one(&self.txn)
            .await?
            .map(Into::into))
    }

    /// Records a new, pending extension request.
    pub async fn insert_extension(
        &self,
        item_id: Uuid,
        requested_by: Option<Uuid>,
        requested_due_on: NaiveDate,
        previous_due_on: Option<NaiveDate>,
        reason: &str,
    ) -> Result<ExtensionRow, StoreError> {
        let now = Utc::now();
        Ok(extension_request::ActiveModel {
            id: Set(Uuid::now_v7()),
            item_id: Set(item_id),
            requested_by: Set(requested_by),
            requested_due_on: Set(requested_due_on),
            previous_due_on: Set(previous_due_on),
            reason: Set(reason.to_owned()),
            status: Set("pending".into()),
            decided_by: Set(None),
            decided_at: Set(None),
            decision_comment: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.txn)
        .await?
        .into())
    }

    /// Decides a pending request; false when it was no longer pending.
    pub async fn decide_extension(
        &self,
        id: Uuid,
        status: &str,
        decided_by: Option<Uuid>,
        comment: Option<&str>,
    ) -> Result<bool, StoreError> {
        let now = Utc::now();
        let result = extension_request::Entity::update_many()
            .col_expr(extension_request::Column::Status, Expr::value(status))
            .col_expr(
                extension_request::Column::DecidedBy,
                Expr::value(decided_by),
            )
            .col_expr(extension_request::Column::DecidedAt, Expr::value(now))
            .col_expr(
                extension_request::Column::DecisionComment,
                Expr::value(comment.map(ToOwned::to_owned)),
            )
            .col_expr(extension_request::Column::UpdatedAt, Expr::value(now))
            .filter(extension_request::Column::Id.eq(id))
            .filter(extension_request::Column::Status.eq("pending"))
            .exec(&self.txn)
            .await?;
        Ok(result.rows_affected == 1)
    }
}

impl Store {
    /// An item's evidence, oldest first.
    pub async fn evidence_of(&self, item_id: Uuid) -> Result<Vec<EvidenceRow>, StoreError> {
        Ok(evidence::Entity::find()
            .filter(evidence::Column::ItemId.eq(item_id))
            .order_by_asc(evidence::Column::Id)
            .all(self.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// One piece of evidence.
    pub async fn evidence(&self, id: Uuid) -> Result<Option<EvidenceRow>, StoreError> {
        Ok(evidence::Entity::find_by_id(id)
            .one(self.conn())
            .await?
            .map(Into::into))
    }

    /// An item's extension requests, oldest first.
    pub async fn extensions_of(&self, item_id: Uuid) -> Result<Vec<ExtensionRow>, StoreError> {
        Ok(extension_request::Entity::find()
            .filter(extension_request::Column::ItemId.eq(item_id))
            .order_by_asc(extension_request::Column::Id)
            .all(self.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// The pending extension requests of these items (at most one each), for a queue page.
    pub async fn pending_extensions_of(
        &self,
        item_ids: &[Uuid],
    ) -> Result<Vec<ExtensionRow>, StoreError> {
        Ok(extension_request::Entity::find()
            .filter(extension_request::Column::ItemId.is_in(item_ids.iter().copied()))
            .filter(extension_request::Column::Status.eq("pending"))
            .order_by_asc(extension_request::Column::Id)
            .all(self.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// An item's audit events in chain order.
    pub async fn events_of(&self, item_id: Uuid) -> Result<Vec<EventRow>, StoreError> {
        Ok(item_event::Entity::find()
            .filter(item_event::Column::ItemId.eq(item_id))
            .order_by_asc(item_event::Column::Seq)
            .all(self.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// An item's supporting units.
    pub async fn supporting_units(&self, item_id: Uuid) -> Result<Vec<Uuid>, StoreError> {
        Ok(item_supporting_unit::Entity::find()
            .filter(item_supporting_unit::Column::ItemId.eq(item_id))
            .all(self.conn())
            .await?
            .into_iter()
            .map(|r| r.agency_id)
            .collect())
    }
}
