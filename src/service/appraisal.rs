//! The 考核 export: the dashboard's per-unit figures for an agency and its jurisdiction as an
//! XLSX sheet, the table an office attaches to its appraisal (考核) report. Authorized and
//! counted exactly as the dashboard ([`Services::board`]), so the file says what the page
//! shows; written by the ledger's XLSX writer.

use uuid::Uuid;

use super::{
    Actor, ServiceError, Services,
    ledger::{
        LedgerFile,
        sheet::{TableColumn, table_workbook},
    },
};
use crate::domain::{dashboard::Figures, ledger::Cell};

const fn column(header: &'static str, width: f64, percent: bool) -> TableColumn {
    TableColumn {
        header,
        width,
        percent,
    }
}

/// The sheet's columns, in order.
const COLUMNS: [TableColumn; 14] = [
    column("单位", 28.0, false),
    column("事项总数", 9.0, false),
    column("已销号", 9.0, false),
    column("未完成", 9.0, false),
    column("已逾期", 9.0, false),
    column("7日内到期", 10.0, false),
    column("整改完成率", 11.0, true),
    column("按期完成率", 11.0, true),
    column("逾期天数合计", 12.0, false),
    column("退回重改次数", 12.0, false),
    column("批准延期次数", 12.0, false),
    column("红色督办", 9.0, false),
    column("黄色预警", 9.0, false),
    column("蓝色提醒", 9.0, false),
];

fn count(n: u64) -> Cell {
    // Counts are far below 2^52: exact as f64.
    #[allow(clippy::cast_precision_loss)]
    let n = n as f64;
    Cell::Number(n)
}

fn rate(r: Option<f64>) -> Cell {
    r.map_or(Cell::Empty, Cell::Number)
}

fn line(name: String, f: &Figures, rework: u64, extensions: u64, levels: [u64; 3]) -> Vec<Cell> {
    vec![
        Cell::Text(name),
        count(f.total),
        count(f.closed),
        count(f.open),
        count(f.overdue),
        count(f.due_within_7_days),
        rate(f.completion_rate()),
        rate(f.on_time_rate()),
        count(f.total_overdue_days),
        count(rework),
        count(extensions),
        count(levels[2]),
        count(levels[1]),
        count(levels[0]),
    ]
}

impl Services {
    /// The per-unit figures of `agency_id` (or the caller's first dashboard root) and every
    /// unit under it within reach, most overdue first, with a 合计 line, as XLSX.
    #[tracing::instrument(skip(self, actor))]
    pub async fn appraisal_export(
        &self,
        actor: &Actor,
        agency_id: Option<Uuid>,
    ) -> Result<LedgerFile, ServiceError> {
        let board = self.board(actor, agency_id).await?;
        let d = &board.dashboard;
        let as_of = d.scope.as_of();
        let name_of = |id: &Uuid| board.names.get(id).cloned().unwrap_or_default();
        let mut rows: Vec<Vec<Cell>> = d
            .units
            .iter()
            .map(|u| {
                line(
                    name_of(&u.agency_id),
                    &u.figures,
                    u.rework,
                    u.extensions,
                    board.levels.get(&u.agency_id).copied().unwrap_or_default(),
                )
            })
            .collect();
        let units = rows.len();
        rows.push(line(
            "合计".to_owned(),
            &d.figures,
            d.rework,
            d.extensions,
            board.total_levels(),
        ));
        let title = format!(
            "{}及下属单位整改考核统计（截至{}）",
            board.agency.name,
            as_of.format("%Y年%-m月%-d日")
        );
        let bytes = self
            .cpu
            .run(move || table_workbook("考核统计", &title, &COLUMNS, &rows))
            .await??;
        Ok(LedgerFile {
            file_name: format!("{}整改考核统计{as_of}.xlsx", board.agency.name),
            bytes,
            rows: units,
        })
    }
}
