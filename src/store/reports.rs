//! Reports and what was extracted from them: shortcomings, commitments and their links.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::{
    Store, StoreError,
    entity::{commitment, report, shortcoming, shortcoming_commitment_link},
    page::{Page, PageRequest},
};

/// A report's metadata (the raw text is fetched on its own: it can be large).
#[derive(Clone, Debug, PartialEq)]
pub struct ReportRow {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub year: i32,
    pub period: String,
    pub kind: String,
    pub title: Option<String>,
    pub published_on: Option<NaiveDate>,
    pub source_url: Option<String>,
    pub sha256: String,
    /// SHA-256 of the file the text was read from, and its name (none for pasted text).
    pub source_file_sha256: Option<String>,
    pub source_file_name: Option<String>,
    /// Who corrected the extraction by hand, and when; `None` when imported as extracted.
    pub review: Option<ReportReview>,
    pub created_at: DateTime<Utc>,
}

/// A person's hand correction of a report's extraction, recorded when it was imported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportReview {
    pub at: DateTime<Utc>,
    /// The account that sent the reviewed extraction (none from the command line).
    pub account_id: Option<Uuid>,
    /// The person that account acts for.
    pub person_id: Option<Uuid>,
}

impl From<report::Model> for ReportRow {
    fn from(m: report::Model) -> Self {
        Self {
            id: m.id,
            agency_id: m.agency_id,
            year: m.year,
            period: m.period,
            kind: m.kind,
            title: m.title,
            published_on: m.published_on,
            source_url: m.source_url,
            sha256: m.sha256,
            source_file_sha256: m.source_file_sha256,
            source_file_name: m.source_file_name,
            review: m.reviewed_at.map(|at| ReportReview {
                at,
                account_id: m.reviewed_by_account_id,
                person_id: m.reviewed_by_person_id,
            }),
            created_at: m.created_at,
        }
    }
}

/// A shortcoming (问题) of a report.
#[derive(Clone, Debug, PartialEq)]
pub struct ShortcomingRow {
    pub id: Uuid,
    pub report_id: Uuid,
    pub ordinal: i32,
    pub text: String,
    /// Byte offsets `[start, end)` in the report's text, when known.
    pub span: Option<(i32, i32)>,
    pub recurrence_of_id: Option<Uuid>,
    pub recurrence_score: Option<f64>,
}

impl From<shortcoming::Model> for ShortcomingRow {
    fn from(m: shortcoming::Model) -> Self {
        Self {
            id: m.id,
            report_id: m.report_id,
            ordinal: m.ordinal,
            text: m.text,
            span: m.span_start.zip(m.span_end),
            recurrence_of_id: m.recurrence_of_id,
            recurrence_score: m.recurrence_score,
        }
    }
}

/// A next-year commitment (举措) of a report.
#[derive(Clone, Debug, PartialEq)]
pub struct CommitmentRow {
    pub id: Uuid,
    pub report_id: Uuid,
    pub ordinal: i32,
    pub text: String,
    /// Byte offsets `[start, end)` in the report's text, when known.
    pub span: Option<(i32, i32)>,
}

impl From<commitment::Model> for CommitmentRow {
    fn from(m: commitment::Model) -> Self {
        Self {
            id: m.id,
            report_id: m.report_id,
            ordinal: m.ordinal,
            text: m.text,
            span: m.span_start.zip(m.span_end),
        }
    }
}

/// A proposed or confirmed link between a shortcoming and a commitment.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkRow {
    pub id: Uuid,
    pub shortcoming_id: Uuid,
    pub commitment_id: Uuid,
    pub score: Option<f64>,
    pub origin: String,
    pub confirmed_at: Option<DateTime<Utc>>,
}

impl From<shortcoming_commitment_link::Model> for LinkRow {
    fn from(m: shortcoming_commitment_link::Model) -> Self {
        Self {
            id: m.id,
            shortcoming_id: m.shortcoming_id,
            commitment_id: m.commitment_id,
            score: m.score,
            origin: m.origin,
            confirmed_at: m.confirmed_at,
        }
    }
}

/// Filters for listing reports.
#[derive(Clone, Debug, Default)]
pub struct ReportFilter {
    /// Only reports of these agencies (`None`: any).
    pub agency_ids: Option<Vec<Uuid>>,
    /// Only reports on this year.
    pub year: Option<i32>,
}

impl ReportFilter {
    fn condition(&self) -> Condition {
        let mut c = Condition::all();
        if let Some(ids) = &self.agency_ids {
            c = c.add(report::Column::AgencyId.is_in(ids.iter().copied()));
        }
        if let Some(year) = self.year {
            c = c.add(report::Column::Year.eq(year));
        }
        c
    }
}

impl Store {
    /// One report by id.
    pub async fn report(&self, id: Uuid) -> Result<Option<ReportRow>, StoreError> {
        Ok(report::Entity::find_by_id(id)
            .one(self.conn())
            .await?
            .map(Into::into))
    }

    /// A report's raw text.
    pub async fn report_text(&self, id: Uuid) -> Result<Option<String>, StoreError> {
        Ok(report::Entity::find_by_id(id)
            .one(self.conn())
            .await?
            .map(|m| m.raw_text))
    }

    /// A page of reports in creation order.
    pub async fn list_reports(
        &self,
        filter: &ReportFilter,
        page: PageRequest,
    ) -> Result<Page<ReportRow>, StoreError> {
        let mut query = report::Entity::find().filter(filter.condition());
        if let Some(after) = page.after {
            query = query.filter(report::Column::Id.gt(after));
        }
        let rows = query
            .order_by_asc(report::Column::Id)
            .limit(page.limit())
            .all(self.conn())
            .await?;
        Ok(Page::from_rows(rows, &page).map(Into::into))
    }

    /// How many reports match.
    pub async fn count_reports(&self, filter: &ReportFilter) -> Result<u64, StoreError> {
        Ok(report::Entity::find()
            .filter(filter.condition())
            .count(self.conn())
            .await?)
    }

    /// The shortcomings of a report, in order.
    pub async fn shortcomings_of(
        &self,
        report_id: Uuid,
    ) -> Result<Vec<ShortcomingRow>, StoreError> {
        Ok(shortcoming::Entity::find()
            .filter(shortcoming::Column::ReportId.eq(report_id))
            .order_by_asc(shortcoming::Column::Ordinal)
            .all(self.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// The commitments of a report, in order.
    pub async fn commitments_of(&self, report_id: Uuid) -> Result<Vec<CommitmentRow>, StoreError> {
        Ok(commitment::Entity::find()
            .filter(commitment::Column::ReportId.eq(report_id))
            .order_by_asc(commitment::Column::Ordinal)
            .all(self.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Shortcomings by id, in no particular order (for data loaders).
    pub async fn shortcomings_by_ids(
        &self,
        ids: &[Uuid],
    ) -> Result<Vec<ShortcomingRow>, StoreError> {
        Ok(shortcoming::Entity::find()
            .filter(shortcoming::Column::Id.is_in(ids.iter().copied()))
            .all(self.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Commitments by id, in no particular order (for data loaders).
    pub async fn commitments_by_ids(&self, ids: &[Uuid]) -> Result<Vec<CommitmentRow>, StoreError> {
        Ok(commitment::Entity::find()
            .filter(commitment::Column::Id.is_in(ids.iter().copied()))
            .all(self.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// The links of the given shortcomings (for data loaders).
    pub async fn links_of_shortcomings(&self, ids: &[Uuid]) -> Result<Vec<LinkRow>, StoreError> {
        Ok(shortcoming_commitment_link::Entity::find()
            .filter(shortcoming_commitment_link::Column::ShortcomingId.is_in(ids.iter().copied()))
            .order_by_desc(shortcoming_commitment_link::Column::Score)
            .all(self.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}
