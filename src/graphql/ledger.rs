//! The `importLedger` mutation: an edited 整改台账 (XLSX) uploaded to bulk-assign and update
//! items. The export is plain HTTP (`GET /ledger.xlsx`), not GraphQL.

use async_graphql::{Context, ID, Object, Result, SimpleObject, Upload};

use super::ContextExt;
use crate::service::{
    ServiceError,
    ledger::{FieldChange, LedgerImportOptions, LedgerImportReport, RowChange, RowRejection},
};

/// What a ledger import did, or in a dry run would do.
#[derive(SimpleObject)]
pub struct LedgerImport {
    /// True when nothing was written (asked for a dry run).
    pub dry_run: bool,
    /// True when the changes were written. A real run with a rejected row writes nothing
    /// unless `applyValidRows` was set.
    pub applied: bool,
    /// Data rows read from the sheet.
    pub rows_read: i32,
    /// Rows matching their item as it is (skipped).
    pub unchanged: i32,
    /// Rows that change their item.
    pub changed: Vec<LedgerRowChange>,
    /// Rows not applied, with the reason.
    pub rejected: Vec<LedgerRowRejection>,
}

/// A row that changes its item.
#[derive(SimpleObject)]
pub struct LedgerRowChange {
    /// The row number as Excel shows it.
    pub row: i32,
    pub item_id: ID,
    /// 台账编号
    pub code: Option<String>,
    /// The cells that changed.
    pub changes: Vec<LedgerFieldChange>,
    /// The workflow actions taken for them, in order (assign, accept, report_progress).
    pub actions: Vec<String>,
    /// The item's version after the row (what it would be, in a dry run).
    pub version: i32,
}

/// One changed cell.
#[derive(SimpleObject)]
pub struct LedgerFieldChange {
    /// The column's header, e.g. 完成时限.
    pub column: String,
    pub from: String,
    pub to: String,
}

/// A row not applied.
#[derive(SimpleObject)]
pub struct LedgerRowRejection {
    /// The row number as Excel shows it.
    pub row: i32,
    /// The row's item, when its 事项ID could be read.
    pub item_id: Option<ID>,
    /// A stable code: NOT_FOUND, FORBIDDEN, STALE_VERSION, VALIDATION, INVALID_TRANSITION,
    /// EVIDENCE_REQUIRED, CONFLICT.
    pub code: String,
    /// The column at fault, when one is.
    pub column: Option<String>,
    /// Why, for a person.
    pub reason: String,
}

impl From<LedgerImportReport> for LedgerImport {
    fn from(r: LedgerImportReport) -> Self {
        Self {
            dry_run: r.dry_run,
            applied: r.applied,
            rows_read: r.rows_read as i32,
            unchanged: r.unchanged as i32,
            changed: r.changed.into_iter().map(Into::into).collect(),
            rejected: r.rejected.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<RowChange> for LedgerRowChange {
    fn from(c: RowChange) -> Self {
        Self {
            row: c.row as i32,
            item_id: ID(c.item_id.to_string()),
            code: c.code,
            changes: c.changes.into_iter().map(Into::into).collect(),
            actions: c.actions.into_iter().map(str::to_owned).collect(),
            version: c.version,
        }
    }
}

impl From<FieldChange> for LedgerFieldChange {
    fn from(f: FieldChange) -> Self {
        Self {
            column: f.column.header().to_owned(),
            from: f.from,
            to: f.to,
        }
    }
}

impl From<RowRejection> for LedgerRowRejection {
    fn from(r: RowRejection) -> Self {
        Self {
            row: r.row as i32,
            item_id: r.item_id.map(|id| ID(id.to_string())),
            code: r.code.to_owned(),
            column: r.column.map(|c| c.header().to_owned()),
            reason: r.reason,
        }
    }
}

#[derive(Default)]
pub struct LedgerMutation;

#[Object]
impl LedgerMutation {
    /// Imports an edited 整改台账 (an XLSX exported from `GET /ledger.xlsx`): each row is
    /// matched by 事项ID; changed editable columns are taken as workflow actions (责任领导,
    /// 责任人, units, 完成时限, 整改类别 → assign; 整改措施 → accept; 进展情况 →
    /// report_progress) by you, each with its audit event, all in one transaction. Rows
    /// exported at an older 版本 are rejected. With `dryRun` nothing is written. A real run
    /// with any rejected row writes nothing unless `applyValidRows` is true.
    async fn import_ledger(
        &self,
        ctx: &Context<'_>,
        file: Upload,
        dry_run: bool,
        #[graphql(default)] apply_valid_rows: bool,
    ) -> Result<LedgerImport> {
        let value = file
            .value(ctx)
            .map_err(|e| ServiceError::invalid("file", format!("无法读取上传的文件：{e}")))?;
        let bytes = value.content.to_vec();
        let report = ctx
            .services()
            .import_ledger(
                ctx.actor(),
                &bytes,
                LedgerImportOptions {
                    dry_run,
                    apply_valid_rows,
                },
            )
            .await?;
        Ok(report.into())
    }
}
