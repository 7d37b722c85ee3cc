//! What the "上年度存在问题整改情况" section is composed from, in a fixed number of
//! queries whatever the report's size: the annual report, its shortcomings, their items,
//! those items' evidence (each one statement over a subquery, on the indexes
//! `shortcomings_report_id_ordinal`, `items_shortcoming_id`, `evidence_item_id`), and the
//! next year's report with its previous-rectification section.

use sea_orm::{
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Query, SelectStatement},
};
use uuid::Uuid;

use super::{
    Store, StoreError,
    entity::{evidence, item, previous_rectification, report, shortcoming},
    items::ItemRow,
    reports::{ReportRow, ShortcomingRow},
    workflow::EvidenceRow,
};

/// The rows of one report's section.
#[derive(Clone, Debug)]
pub struct SectionRows {
    pub shortcomings: Vec<ShortcomingRow>,
    /// Every item of those shortcomings, oldest first.
    pub items: Vec<ItemRow>,
    /// Every piece of evidence of those items, oldest first.
    pub evidence: Vec<EvidenceRow>,
}

/// An item of a report's previous-rectification section (上年度存在问题整改情况).
#[derive(Clone, Debug, PartialEq)]
pub struct PreviousRectificationRow {
    pub id: Uuid,
    pub report_id: Uuid,
    pub ordinal: i32,
    pub text: String,
    /// The earlier shortcoming it was matched to on import.
    pub matched_shortcoming_id: Option<Uuid>,
    pub match_score: Option<f64>,
}

impl From<previous_rectification::Model> for PreviousRectificationRow {
    fn from(m: previous_rectification::Model) -> Self {
        Self {
            id: m.id,
            report_id: m.report_id,
            ordinal: m.ordinal,
            text: m.text,
            matched_shortcoming_id: m.matched_shortcoming_id,
            match_score: m.match_score,
        }
    }
}

/// The ids of a report's shortcomings, as a subquery.
fn shortcomings_of(report_id: Uuid) -> SelectStatement {
    Query::select()
        .column(shortcoming::Column::Id)
        .from(shortcoming::Entity)
        .and_where(shortcoming::Column::ReportId.eq(report_id))
        .to_owned()
}

impl Store {
    /// An agency's annual reports on `year` (one per kind; the caller chooses).
    pub async fn annual_reports(
        &self,
        agency_id: Uuid,
        year: i32,
    ) -> Result<Vec<ReportRow>, StoreError> {
        Ok(report::Entity::find()
            .filter(report::Column::AgencyId.eq(agency_id))
            .filter(report::Column::Year.eq(year))
            .filter(report::Column::Period.eq("annual"))
            .order_by_asc(report::Column::CreatedAt)
            .order_by_asc(report::Column::Id)
            .all(self.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// A report's shortcomings, their items and the items' evidence: three queries.
    pub async fn section_rows(&self, report_id: Uuid) -> Result<SectionRows, StoreError> {
        let shortcomings = self.shortcomings_of(report_id).await?;
        let items = item::Entity::find()
            .filter(item::Column::ShortcomingId.in_subquery(shortcomings_of(report_id)))
            .order_by_asc(item::Column::CreatedAt)
            .order_by_asc(item::Column::Id)
            .all(self.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect();
        let evidence = evidence::Entity::find()
            .filter(
                evidence::Column::ItemId.in_subquery(
                    Query::select()
                        .column(item::Column::Id)
                        .from(item::Entity)
                        .and_where(
                            item::Column::ShortcomingId.in_subquery(shortcomings_of(report_id)),
                        )
                        .to_owned(),
                ),
            )
            .order_by_asc(evidence::Column::CreatedAt)
            .order_by_asc(evidence::Column::Id)
            .all(self.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect();
        Ok(SectionRows {
            shortcomings,
            items,
            evidence,
        })
    }

    /// A report's previous-rectification section, in order.
    pub async fn previous_rectifications_of(
        &self,
        report_id: Uuid,
    ) -> Result<Vec<PreviousRectificationRow>, StoreError> {
        Ok(previous_rectification::Entity::find()
            .filter(previous_rectification::Column::ReportId.eq(report_id))
            .order_by_asc(previous_rectification::Column::Ordinal)
            .all(self.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}
