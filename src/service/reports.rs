//! Use cases that read reports.

use uuid::Uuid;

use super::{Actor, ServiceError, Services};
use crate::domain::access::Operation;
use crate::store::{
    page::{Page, PageRequest},
    reports::{ReportFilter, ReportRow},
};

impl Services {
    /// One report.
    pub async fn report(&self, actor: &Actor, id: Uuid) -> Result<ReportRow, ServiceError> {
        actor.require(Operation::Read)?;
        let report = self
            .store
            .report(id)
            .await?
            .ok_or_else(|| ServiceError::not_found("report", id))?;
        actor.require_in(Operation::Read, report.agency_id)?;
        Ok(report)
    }

    /// A page of reports and the total count.
    pub async fn reports(
        &self,
        actor: &Actor,
        mut filter: ReportFilter,
        page: PageRequest,
    ) -> Result<(Page<ReportRow>, u64), ServiceError> {
        filter.agency_ids = actor.scope_agencies(filter.agency_ids)?;
        let rows = self.store.list_reports(&filter, page).await?;
        let total = self.store.count_reports(&filter).await?;
        Ok((rows, total))
    }
}
