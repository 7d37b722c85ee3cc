//! Importing an edited ledger: each row is matched to its item by 事项ID, compared with what
//! an export would write for the item now, and every changed editable column is taken as the
//! workflow action the API would take (交办 assign, 签收 accept with measures, 报告进展
//! report progress), by the importing actor, with its audit event.
//!
//! All rows are applied in **one transaction**; each row runs inside a savepoint of it, so a
//! row the workflow refuses is undone alone and reported. A dry run is the same run rolled
//! back, so it reports exactly what a real run would do. A real run with any rejected row
//! applies nothing unless `apply_valid_rows` is set (then the valid rows are applied and the
//! rejected ones reported).

use std::collections::HashMap;

use serde_json::json;
use uuid::Uuid;

use super::sheet::{SheetRow, read_ledger};
use crate::{
    domain::{
        access::Operation,
        ledger::{self, Cell, Column, LedgerRow},
    },
    service::{Actor, ServiceError, Services},
    store::{items::ItemRow, tx::Tx},
};

/// The most rows one import takes (a ledger of a large jurisdiction; split bigger files).
pub const MAX_IMPORT_ROWS: usize = 5000;

/// How to run an import.
#[derive(Clone, Copy, Debug, Default)]
pub struct LedgerImportOptions {
    /// Report what would change and what would be rejected; write nothing.
    pub dry_run: bool,
    /// In a real run, apply the valid rows even when others are rejected.
    pub apply_valid_rows: bool,
}

/// One cell that changed: its column, the value before and the value in the sheet.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldChange {
    pub column: Column,
    pub from: String,
    pub to: String,
}

/// A row that changes its item.
#[derive(Clone, Debug, PartialEq)]
pub struct RowChange {
    /// The row number as Excel shows it.
    pub row: u32,
    pub item_id: Uuid,
    pub code: Option<String>,
    pub changes: Vec<FieldChange>,
    /// The workflow actions taken, in order.
    pub actions: Vec<&'static str>,
    /// The item's version after the row (what it would be, in a dry run).
    pub version: i32,
}

/// A row that is not applied, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct RowRejection {
    pub row: u32,
    pub item_id: Option<Uuid>,
    /// A stable code: NOT_FOUND, FORBIDDEN, STALE_VERSION, VALIDATION, INVALID_TRANSITION,
    /// CONFLICT …
    pub code: &'static str,
    /// The column at fault, when one is.
    pub column: Option<Column>,
    pub reason: String,
}

/// What an import did (or, in a dry run, would do).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LedgerImportReport {
    pub dry_run: bool,
    /// Whether the changes were written.
    pub applied: bool,
    /// Data rows read from the sheet.
    pub rows_read: usize,
    /// Rows that match their item as it is.
    pub unchanged: usize,
    pub changed: Vec<RowChange>,
    pub rejected: Vec<RowRejection>,
}

/// A rejection under construction.
pub(super) struct Reject {
    pub(super) code: &'static str,
    pub(super) column: Option<Column>,
    pub(super) reason: String,
}

impl Reject {
    pub(super) fn new(
        code: &'static str,
        column: Option<Column>,
        reason: impl Into<String>,
    ) -> Self {
        Self {
            code,
            column,
            reason: reason.into(),
        }
    }

    pub(super) fn invalid(column: Column, reason: impl Into<String>) -> Self {
        Self::new("VALIDATION", Some(column), reason)
    }

    pub(super) fn from_error(column: Option<Column>, e: &ServiceError) -> Self {
        Self::new(e.code(), column, e.to_string())
    }
}

impl Services {
    /// Imports an edited ledger (XLSX bytes) as `actor`.
    #[tracing::instrument(skip(self, actor, bytes), fields(bytes = bytes.len()))]
    pub async fn import_ledger(
        &self,
        actor: &Actor,
        bytes: &[u8],
        options: LedgerImportOptions,
    ) -> Result<LedgerImportReport, ServiceError> {
        actor.require(Operation::Read)?;
        if bytes.len() > self.max_upload_bytes {
            return Err(ServiceError::TooLarge(format!(
                "文件大小为 {} 字节，台账文件最大 {} 字节",
                bytes.len(),
                self.max_upload_bytes
            )));
        }
        let owned = bytes.to_vec();
        let rows = self
            .cpu
            .run(move || read_ledger(&owned, MAX_IMPORT_ROWS))
            .await??;
        let mut report = LedgerImportReport {
            dry_run: options.dry_run,
            rows_read: rows.len(),
            ..Default::default()
        };

        // Every row names its item and the version it was exported at.
        let mut seen: HashMap<Uuid, u32> = HashMap::new();
        let mut keyed = Vec::new();
        for row in &rows {
            match key_of(row) {
                Ok((id, version)) => match seen.get(&id) {
                    Some(first) => report.rejected.push(rejection(
                        row.row,
                        Some(id),
                        Reject::new(
                            "CONFLICT",
                            Some(Column::ItemId),
                            format!("同一事项已在第 {first} 行出现，每个事项只能有一行"),
                        ),
                    )),
                    None => {
                        seen.insert(id, row.row);
                        keyed.push((row, id, version));
                    }
                },
                Err(r) => report.rejected.push(rejection(row.row, None, r)),
            }
        }

        let tx = self.store.begin().await?;
        let result = self.apply_rows(&tx, actor, &keyed, &mut report).await;
        let applied = match result {
            Ok(items) => {
                let apply = !options.dry_run
                    && !items.is_empty()
                    && (report.rejected.is_empty() || options.apply_valid_rows);
                if apply {
                    tx.commit().await?;
                    for item in &items {
                        self.publish_item(item, "ledger_import");
                    }
                } else {
                    tx.rollback().await.ok();
                }
                apply
            }
            Err(e) => {
                tx.rollback().await.ok();
                return Err(e);
            }
        };
        report.applied = applied;
        report.rejected.sort_by_key(|r| r.row);
        tracing::info!(
            changed = report.changed.len(),
            rejected = report.rejected.len(),
            unchanged = report.unchanged,
            applied,
            "ledger imported"
        );
        Ok(report)
    }

    /// Applies every keyed row inside `tx`, each in a savepoint; returns the items changed.
    async fn apply_rows(
        &self,
        tx: &Tx,
        actor: &Actor,
        keyed: &[(&SheetRow, Uuid, i32)],
        report: &mut LedgerImportReport,
    ) -> Result<Vec<ItemRow>, ServiceError> {
        let ids: Vec<Uuid> = keyed.iter().map(|(_, id, _)| *id).collect();
        let items: HashMap<Uuid, ItemRow> = tx
            .items_by_ids(&ids)
            .await?
            .into_iter()
            .map(|i| (i.id, i))
            .collect();
        let visible: Vec<ItemRow> = keyed
            .iter()
            .filter_map(|(_, id, _)| items.get(id))
            .filter(|item| actor.require_item(item).is_ok())
            .cloned()
            .collect();
        let current: HashMap<Uuid, LedgerRow> = self
            .ledger_rows(&visible)
            .await?
            .into_iter()
            .map(|r| (r.item_id, r))
            .collect();
        let names = self.names_in(tx, actor, keyed, &current).await?;

        let mut changed_items = Vec::new();
        for (row, id, version) in keyed {
            let Some(item) = items.get(id) else {
                report.rejected.push(rejection(
                    row.row,
                    Some(*id),
                    Reject::new(
                        "NOT_FOUND",
                        Some(Column::ItemId),
                        format!("未找到事项 {id}（可能已删除，或不是本系统导出的台账）"),
                    ),
                ));
                continue;
            };
            if let Err(e) = actor.require_item(item) {
                report
                    .rejected
                    .push(rejection(row.row, Some(*id), Reject::from_error(None, &e)));
                continue;
            }
            let Some(now) = current.get(id) else {
                continue;
            };
            if item.version != *version {
                report.rejected.push(rejection(
                    row.row,
                    Some(*id),
                    Reject::new(
                        "STALE_VERSION",
                        Some(Column::Version),
                        format!(
                            "导出后该事项已被修改（表中版本 {version}，系统中为 {}），请重新导出后再修改",
                            item.version
                        ),
                    ),
                ));
                continue;
            }
            let changes = match diff(row, now) {
                Ok(c) if c.is_empty() => {
                    report.unchanged += 1;
                    continue;
                }
                Ok(c) => c,
                Err(r) => {
                    report.rejected.push(rejection(row.row, Some(*id), r));
                    continue;
                }
            };
            let plan = match self.plan(actor, item, row, &changes, &names) {
                Ok(plan) => plan,
                Err(r) => {
                    report.rejected.push(rejection(row.row, Some(*id), r));
                    continue;
                }
            };
            let savepoint = tx.savepoint().await?;
            let mut version = item.version;
            let mut last = None;
            let mut failure = None;
            for (column, change) in plan.iter().cloned() {
                let via = json!({ "source": "ledger_import", "row": row.row });
                match self
                    .apply_ledger_change(&savepoint, actor, item.id, change, version, via)
                    .await
                {
                    Ok(updated) => {
                        version = updated.version;
                        last = Some(updated);
                    }
                    Err(
                        e @ (ServiceError::Internal(_)
                        | ServiceError::Fault(_)
                        | ServiceError::Unavailable),
                    ) => {
                        savepoint.rollback().await.ok();
                        return Err(e);
                    }
                    Err(e) => {
                        failure = Some(Reject::from_error(Some(column), &e));
                        break;
                    }
                }
            }
            match (failure, last) {
                (None, Some(updated)) => {
                    savepoint.commit().await?;
                    report.changed.push(RowChange {
                        row: row.row,
                        item_id: item.id,
                        code: item.code.clone(),
                        changes,
                        actions: plan.iter().map(|(_, c)| c.action()).collect(),
                        version: updated.version,
                    });
                    changed_items.push(updated);
                }
                (Some(mut r), _) => {
                    savepoint.rollback().await?;
                    if let Some(column) = r.column {
                        r.reason = format!("{}：{}", column.header(), r.reason);
                    }
                    report.rejected.push(rejection(row.row, Some(item.id), r));
                }
                (None, None) => savepoint.rollback().await?,
            }
        }
        Ok(changed_items)
    }
}

/// The 事项ID and 版本 of a row.
fn key_of(row: &SheetRow) -> Result<(Uuid, i32), Reject> {
    let id = ledger::normalize(&row.cell(Column::ItemId).as_text());
    let id = Uuid::parse_str(&id).map_err(|_| {
        Reject::invalid(
            Column::ItemId,
            if id.is_empty() {
                "事项ID 为空：该行不是从系统导出的（新增事项请在系统中创建）".to_owned()
            } else {
                format!("事项ID “{id}” 不是有效的编号")
            },
        )
    })?;
    let version = match row.cell(Column::Version) {
        Cell::Number(n) if n.fract() == 0.0 && *n >= 1.0 && *n <= f64::from(i32::MAX) => *n as i32,
        Cell::Text(t) if t.trim().parse::<i32>().is_ok_and(|v| v >= 1) => {
            t.trim().parse().unwrap_or_default()
        }
        other => {
            return Err(Reject::invalid(
                Column::Version,
                format!("版本 “{}” 不是导出时的版本号", other.as_text()),
            ));
        }
    };
    Ok((id, version))
}

/// The editable cells of `row` that differ from the item as exported now. A column the
/// sheet lacks is left alone.
fn diff(row: &SheetRow, now: &LedgerRow) -> Result<Vec<FieldChange>, Reject> {
    let mut out = Vec::new();
    for column in Column::ALL
        .iter()
        .copied()
        .filter(|c| c.editable() && row.cells.contains_key(c))
    {
        let current = now.cell(column);
        let cell = row.cell(column);
        let differs = ledger::differs(column, &current, cell)
            .map_err(|e| Reject::invalid(column, e.to_string()))?;
        if differs {
            out.push(FieldChange {
                column,
                from: current.as_text(),
                to: match ledger::read_date(cell) {
                    Ok(Some(d)) if column == Column::DueOn => d.to_string(),
                    _ => ledger::normalize(&cell.as_text()),
                },
            });
        }
    }
    Ok(out)
}

fn rejection(row: u32, item_id: Option<Uuid>, r: Reject) -> RowRejection {
    RowRejection {
        row,
        item_id,
        code: r.code,
        column: r.column,
        reason: r.reason,
    }
}
