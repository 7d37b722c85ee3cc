//! Use cases that read reports.

use uuid::Uuid;

use super::{Actor, ServiceError, Services};
use crate::store::{
    page::{Page, PageRequest},
    reports::{ReportFilter, ReportRow},
};

impl Services {
    /// One report.
    pub async fn report(&self, _actor: &Actor, id: Uuid) -> Result<ReportRow, ServiceError> {
        self.store
            .report(id)
            .await?
            .ok_or_else(|| ServiceError::not_found("report", id))
    }

    /// A page of reports and the total count.
    pub async fn reports(
        &self,
        _actor: &Actor,
        filter: ReportFilter,
        page: PageRequest,
    ) -> Result<(Page<ReportRow>, u64), ServiceError> {
        let rows = self.store.list_reports(&filter, page).await?;
        let total = self.store.count_reports(&filter).await?;
        Ok((rows, total))
    }
}
