//! Exporting the ledger of an agency, or of a jurisdiction (the agency and every agency
//! beneath it that the caller reaches), walking the items in keyset pages.

use uuid::Uuid;

use super::sheet::LedgerWriter;
use crate::{
    service::{Actor, ServiceError, Services},
    store::{items::ItemFilter, page::PageRequest},
};

/// Items per page read from the store (and rendered with one batch of related reads).
const PAGE: i32 = 200;

/// Which agencies a ledger covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LedgerScope {
    /// The agency alone (本级).
    Agency,
    /// The agency and every agency beneath it within the caller's reach (本级及下属单位).
    Jurisdiction,
}

impl LedgerScope {
    /// `agency` or `jurisdiction`.
    pub fn parse(s: &str) -> Result<Self, ServiceError> {
        match s {
            "agency" => Ok(LedgerScope::Agency),
            "jurisdiction" => Ok(LedgerScope::Jurisdiction),
            other => Err(ServiceError::invalid(
                "scope",
                format!("范围 {other:?} 无效：应为 agency（本单位）或 jurisdiction（含下属单位）"),
            )),
        }
    }
}

/// An exported ledger.
#[derive(Clone, Debug)]
pub struct LedgerFile {
    /// A file name people recognise, e.g. 某市司法局整改台账2026-11-23.xlsx.
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// How many items it lists.
    pub rows: usize,
}

impl Services {
    /// The ledger of `agency_id` (or its jurisdiction) as an XLSX workbook. Leaders and
    /// responsible persons get the items they lead or are in charge of there, like `items`.
    #[tracing::instrument(skip(self, actor))]
    pub async fn export_ledger(
        &self,
        actor: &Actor,
        agency_id: Uuid,
        scope: LedgerScope,
    ) -> Result<LedgerFile, ServiceError> {
        let (agency, agencies) = self
            .agency_with_scope(actor, agency_id, scope == LedgerScope::Jurisdiction)
            .await?;
        let filter = ItemFilter {
            agency_ids: Some(agencies),
            involving: actor.own_items_only(),
            ..Default::default()
        };
        let mut writer = LedgerWriter::new()?;
        let mut after = None;
        loop {
            let page = self
                .store
                .list_items(&filter, PageRequest::new(Some(PAGE), after))
                .await?;
            // A split item is a container: its parts have the rows.
            let items: Vec<_> = page
                .nodes
                .iter()
                .filter(|i| i.state != crate::domain::SPLIT_STATE)
                .cloned()
                .collect();
            for row in self.ledger_rows(&items).await? {
                writer.push(&row)?;
            }
            after = page.nodes.last().map(|i| i.id);
            if !page.has_next_page || after.is_none() {
                break;
            }
        }
        let rows = writer.rows();
        let bytes = writer.finish()?;
        let scope_label = match scope {
            LedgerScope::Agency => "",
            LedgerScope::Jurisdiction => "（含下属单位）",
        };
        tracing::info!(rows, "ledger exported");
        Ok(LedgerFile {
            file_name: format!("{}整改台账{scope_label}{}.xlsx", agency.name, self.today()),
            bytes,
            rows,
        })
    }
}
