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

use std::collections::{HashMap, HashSet};

use serde_json::json;
use uuid::Uuid;

use super::sheet::{SheetRow, read_ledger};
use crate::{
    domain::{
        ItemCategory,
        access::Operation,
        ledger::{self, Cell, Column, LedgerRow},
    },
    service::{
        Actor, ServiceError, Services,
        workflow::{Assignment, LedgerChange},
    },
    store::{agencies::AgencyRow, items::ItemRow, persons::PersonRow, posts::PostRow, tx::Tx},
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
struct Reject {
    code: &'static str,
    column: Option<Column>,
    reason: String,
}

impl Reject {
    fn new(code: &'static str, column: Option<Column>, reason: impl Into<String>) -> Self {
        Self {
            code,
            column,
            reason: reason.into(),
        }
    }

    fn invalid(column: Column, reason: impl Into<String>) -> Self {
        Self::new("VALIDATION", Some(column), reason)
    }

    fn from_error(column: Option<Column>, e: &ServiceError) -> Self {
        Self::new(e.code(), column, e.to_string())
    }
}

/// The people, posts and agencies the sheet names, looked up once for the whole file.
struct Names {
    persons: Vec<PersonRow>,
    posts: Vec<PostRow>,
    agencies: HashMap<String, AgencyRow>,
    /// The supporting units items have now (kept when a row reassigns without 配合单位).
    supporting: HashMap<Uuid, Vec<Uuid>>,
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
                "the file is {} bytes; a ledger may be at most {} bytes",
                bytes.len(),
                self.max_upload_bytes
            )));
        }
        let rows = read_ledger(bytes, MAX_IMPORT_ROWS)?;
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
        let names = self.names_in(keyed, &current).await?;

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
                    Err(e @ (ServiceError::Internal(_) | ServiceError::Unavailable)) => {
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

    /// Looks up every person, post and agency the changed cells name, once.
    async fn names_in(
        &self,
        keyed: &[(&SheetRow, Uuid, i32)],
        current: &HashMap<Uuid, LedgerRow>,
    ) -> Result<Names, ServiceError> {
        let mut people = HashSet::new();
        let mut units = HashSet::new();
        for (row, id, _) in keyed {
            let Some(now) = current.get(id) else { continue };
            for column in [Column::Lead, Column::Responsible] {
                if changed(row, now, column)
                    && let Some(name) = ledger::read_name(row.cell(column))
                {
                    people.insert(name);
                }
            }
            if changed(row, now, Column::LeadUnit) {
                units.extend(ledger::read_list(row.cell(Column::LeadUnit)));
            }
            if changed(row, now, Column::SupportingUnits) {
                units.extend(ledger::read_list(row.cell(Column::SupportingUnits)));
            }
        }
        let people: Vec<String> = people.into_iter().collect();
        let units: Vec<String> = units.into_iter().collect();
        let (persons, posts) = if people.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            (
                self.store.persons_named(&people).await?,
                self.store.posts_titled(&people).await?,
            )
        };
        let agencies = if units.is_empty() {
            HashMap::new()
        } else {
            self.store
                .agencies_named(&units)
                .await?
                .into_iter()
                .map(|a| (a.name.clone(), a))
                .collect()
        };
        let ids: Vec<Uuid> = current.keys().copied().collect();
        let mut supporting: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        for (item, unit) in self.store.supporting_units_of_items(&ids).await? {
            supporting.entry(item).or_default().push(unit);
        }
        Ok(Names {
            persons,
            posts,
            agencies,
            supporting,
        })
    }

    /// The workflow changes a row asks for, in the order they are taken: assign, accept,
    /// report progress. Each comes with the column it answers for.
    fn plan(
        &self,
        actor: &Actor,
        item: &ItemRow,
        row: &SheetRow,
        changes: &[FieldChange],
        names: &Names,
    ) -> Result<Vec<(Column, LedgerChange)>, Reject> {
        let has = |c: Column| changes.iter().any(|f| f.column == c);
        let mut plan = Vec::new();
        if let Some(first) = changes.iter().find(|f| f.column.assigns()) {
            let (lead_person_id, lead_post_id) = if has(Column::Lead) {
                let name = ledger::read_name(row.cell(Column::Lead)).ok_or_else(|| {
                    Reject::invalid(Column::Lead, "交办需要责任领导：责任领导不能为空")
                })?;
                match person_named(actor, item, &name, &names.persons) {
                    Ok(p) => (Some(p), None),
                    Err(none) => match names
                        .posts
                        .iter()
                        .filter(|p| p.title == name && p.agency_id == item.agency_id)
                        .collect::<Vec<_>>()
                        .as_slice()
                    {
                        [post] => (None, Some(post.id)),
                        _ => return Err(Reject::invalid(Column::Lead, none)),
                    },
                }
            } else {
                (item.lead_person_id, item.lead_post_id)
            };
            if lead_person_id.is_none() && lead_post_id.is_none() {
                return Err(Reject::invalid(
                    Column::Lead,
                    "交办需要责任领导：请填写责任领导",
                ));
            }
            let responsible_person_id = if has(Column::Responsible) {
                match ledger::read_name(row.cell(Column::Responsible)) {
                    Some(name) => Some(
                        person_named(actor, item, &name, &names.persons)
                            .map_err(|e| Reject::invalid(Column::Responsible, e))?,
                    ),
                    None => None,
                }
            } else {
                item.responsible_person_id
            };
            let unit = |name: &str, column: Column| -> Result<Uuid, Reject> {
                names
                    .agencies
                    .get(name)
                    .map(|a| a.id)
                    .ok_or_else(|| Reject::invalid(column, format!("未找到名为“{name}”的单位")))
            };
            let lead_unit_id = if has(Column::LeadUnit) {
                match ledger::read_list(row.cell(Column::LeadUnit)).as_slice() {
                    [] => None,
                    [one] => Some(unit(one, Column::LeadUnit)?),
                    _ => {
                        return Err(Reject::invalid(
                            Column::LeadUnit,
                            "责任单位只能填一个（其他单位请填入配合单位）",
                        ));
                    }
                }
            } else {
                item.lead_unit_id
            };
            let supporting_unit_ids = if has(Column::SupportingUnits) {
                ledger::read_list(row.cell(Column::SupportingUnits))
                    .iter()
                    .map(|n| unit(n, Column::SupportingUnits))
                    .collect::<Result<Vec<_>, _>>()?
            } else {
                names.supporting.get(&item.id).cloned().unwrap_or_default()
            };
            let due_on = if has(Column::DueOn) {
                ledger::read_date(row.cell(Column::DueOn))
                    .map_err(|e| Reject::invalid(Column::DueOn, e.to_string()))?
                    .ok_or_else(|| {
                        Reject::invalid(Column::DueOn, "交办需要完成时限：完成时限不能为空")
                    })?
            } else {
                item.due_on.ok_or_else(|| {
                    Reject::invalid(Column::DueOn, "交办需要完成时限：请填写完成时限")
                })?
            };
            let category = if has(Column::Category) {
                ledger::read_category(row.cell(Column::Category))
                    .map_err(|e| Reject::invalid(Column::Category, e.to_string()))?
                    .ok_or_else(|| Reject::invalid(Column::Category, "整改类别不能为空"))?
            } else {
                // 限期整改 (a set date) is what a 完成时限 makes of an item not yet classed.
                item.category
                    .as_deref()
                    .and_then(|c| ItemCategory::parse(c).ok())
                    .unwrap_or(ItemCategory::TimeBound)
            };
            plan.push((
                first.column,
                LedgerChange::Assign(Assignment {
                    lead_person_id,
                    lead_post_id,
                    responsible_person_id,
                    lead_unit_id,
                    supporting_unit_ids,
                    due_on,
                    category,
                }),
            ));
        }
        if has(Column::Measures) {
            let measures = ledger::normalize(&row.cell(Column::Measures).as_text());
            if measures.is_empty() {
                return Err(Reject::invalid(Column::Measures, "整改措施不能清空"));
            }
            plan.push((Column::Measures, LedgerChange::Accept { measures }));
        }
        if has(Column::Progress) {
            let progress = ledger::normalize(&row.cell(Column::Progress).as_text());
            if progress.is_empty() {
                return Err(Reject::invalid(Column::Progress, "进展情况不能清空"));
            }
            plan.push((Column::Progress, LedgerChange::Progress(progress)));
        }
        Ok(plan)
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

/// Whether the sheet has `column` and says something else there than the item now (an
/// unreadable cell counts: `diff` reports it).
fn changed(row: &SheetRow, now: &LedgerRow, column: Column) -> bool {
    row.cells.contains_key(&column)
        && ledger::differs(column, &now.cell(column), row.cell(column)).unwrap_or(true)
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

/// The one person called `name` the actor may name for `item`: in the item's agency if
/// there is exactly one there, else the only one within the actor's reach.
fn person_named(
    actor: &Actor,
    item: &ItemRow,
    name: &str,
    persons: &[PersonRow],
) -> Result<Uuid, String> {
    let named: Vec<&PersonRow> = persons
        .iter()
        .filter(|p| p.name == name && actor.reaches(p.agency_id))
        .collect();
    let here: Vec<&&PersonRow> = named
        .iter()
        .filter(|p| p.agency_id == item.agency_id)
        .collect();
    match (here.as_slice(), named.as_slice()) {
        ([one], _) => Ok(one.id),
        (_, [one]) => Ok(one.id),
        (_, []) => Err(format!("未找到名为“{name}”的人员（或岗位）")),
        (_, many) => Err(format!(
            "有 {} 位名为“{name}”的人员，无法确定是哪一位",
            many.len()
        )),
    }
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
