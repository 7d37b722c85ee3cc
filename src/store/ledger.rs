//! The reads the 整改台账 ledger batches per page of items (evidence, supporting units,
//! reports, verifiers' accounts), the name lookups of an import, and the savepoint that lets
//! an import drop one rejected row inside its single transaction.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};
use uuid::Uuid;

use super::{
    Store, StoreError,
    accounts::AccountRow,
    agencies::AgencyRow,
    entity::{account, agency, evidence, item, item_supporting_unit, person, post, report},
    items::ItemRow,
    persons::PersonRow,
    posts::PostRow,
    reports::ReportRow,
    tx::Tx,
    workflow::EvidenceRow,
};

/// Ids per `IN (…)` list: well under both stores' limits on bound parameters.
const CHUNK: usize = 500;

impl Store {
    /// The evidence of these items, oldest first.
    pub async fn evidence_of_items(&self, ids: &[Uuid]) -> Result<Vec<EvidenceRow>, StoreError> {
        let mut out = Vec::new();
        for chunk in ids.chunks(CHUNK) {
            out.extend(
                evidence::Entity::find()
                    .filter(evidence::Column::ItemId.is_in(chunk.iter().copied()))
                    .order_by_asc(evidence::Column::Id)
                    .all(self.conn())
                    .await?
                    .into_iter()
                    .map(EvidenceRow::from),
            );
        }
        Ok(out)
    }

    /// The supporting units (配合单位) of these items: (item, agency) pairs.
    pub async fn supporting_units_of_items(
        &self,
        ids: &[Uuid],
    ) -> Result<Vec<(Uuid, Uuid)>, StoreError> {
        let mut out = Vec::new();
        for chunk in ids.chunks(CHUNK) {
            out.extend(
                item_supporting_unit::Entity::find()
                    .filter(item_supporting_unit::Column::ItemId.is_in(chunk.iter().copied()))
                    .all(self.conn())
                    .await?
                    .into_iter()
                    .map(|r| (r.item_id, r.agency_id)),
            );
        }
        Ok(out)
    }

    /// Reports by id (metadata only).
    pub async fn reports_by_ids(&self, ids: &[Uuid]) -> Result<Vec<ReportRow>, StoreError> {
        let mut out = Vec::new();
        for chunk in ids.chunks(CHUNK) {
            out.extend(
                report::Entity::find()
                    .filter(report::Column::Id.is_in(chunk.iter().copied()))
                    .all(self.conn())
                    .await?
                    .into_iter()
                    .map(ReportRow::from),
            );
        }
        Ok(out)
    }

    /// Accounts by id (the verifiers of a page of items).
    pub async fn accounts_by_ids(&self, ids: &[Uuid]) -> Result<Vec<AccountRow>, StoreError> {
        let mut out = Vec::new();
        for chunk in ids.chunks(CHUNK) {
            out.extend(
                account::Entity::find()
                    .filter(account::Column::Id.is_in(chunk.iter().copied()))
                    .all(self.conn())
                    .await?
                    .into_iter()
                    .map(AccountRow::from),
            );
        }
        Ok(out)
    }

    /// Persons with exactly one of these names (an import's 责任领导 and 责任人).
    pub async fn persons_named(&self, names: &[String]) -> Result<Vec<PersonRow>, StoreError> {
        let mut out = Vec::new();
        for chunk in names.chunks(CHUNK) {
            out.extend(
                person::Entity::find()
                    .filter(person::Column::Name.is_in(chunk.iter().cloned()))
                    .order_by_asc(person::Column::Id)
                    .all(self.conn())
                    .await?
                    .into_iter()
                    .map(PersonRow::from),
            );
        }
        Ok(out)
    }

    /// Posts with exactly one of these titles (a 责任领导 given as a post, e.g. 分管副局长).
    pub async fn posts_titled(&self, titles: &[String]) -> Result<Vec<PostRow>, StoreError> {
        let mut out = Vec::new();
        for chunk in titles.chunks(CHUNK) {
            out.extend(
                post::Entity::find()
                    .filter(post::Column::Title.is_in(chunk.iter().cloned()))
                    .order_by_asc(post::Column::Id)
                    .all(self.conn())
                    .await?
                    .into_iter()
                    .map(PostRow::from),
            );
        }
        Ok(out)
    }

    /// Agencies with exactly one of these names (责任单位, 配合单位).
    pub async fn agencies_named(&self, names: &[String]) -> Result<Vec<AgencyRow>, StoreError> {
        let mut out = Vec::new();
        for chunk in names.chunks(CHUNK) {
            out.extend(
                agency::Entity::find()
                    .filter(agency::Column::Name.is_in(chunk.iter().cloned()))
                    .all(self.conn())
                    .await?
                    .into_iter()
                    .map(AgencyRow::from),
            );
        }
        Ok(out)
    }
}

impl Tx {
    /// Items by id, read inside the transaction.
    pub async fn items_by_ids(&self, ids: &[Uuid]) -> Result<Vec<ItemRow>, StoreError> {
        let mut out = Vec::new();
        for chunk in ids.chunks(CHUNK) {
            out.extend(
                item::Entity::find()
                    .filter(item::Column::Id.is_in(chunk.iter().copied()))
                    .all(&self.txn)
                    .await?
                    .into_iter()
                    .map(ItemRow::from),
            );
        }
        Ok(out)
    }

    /// A savepoint inside this transaction: committing it keeps its writes for the outer
    /// transaction to commit, rolling it back undoes them alone.
    pub async fn savepoint(&self) -> Result<Tx, StoreError> {
        Ok(Tx {
            txn: self.txn.begin().await?,
            backend: self.backend,
        })
    }
}
