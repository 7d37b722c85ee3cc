//! The 整改台账 ledger as a table: its columns (Chinese headers, widths, which ones an import
//! may change), one item as a row of cells, and how what people type into a sheet is read
//! back — dates, 整改类别, names with a title in brackets, lists of units. No I/O: the XLSX
//! codec and the export and import use cases build on this.

use chrono::{Duration, NaiveDate};
use uuid::Uuid;

use super::ItemCategory;

/// A column of the ledger, in sheet order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    Code,
    Source,
    Description,
    Category,
    Measures,
    Commitments,
    Lead,
    LeadUnit,
    SupportingUnits,
    Responsible,
    DueOn,
    Progress,
    Evidence,
    State,
    Escalation,
    SubmittedOn,
    Verifier,
    ClosedOn,
    Outcome,
    Recurrence,
    ItemId,
    Version,
}

/// What a column's cells hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellKind {
    Text,
    Date,
    Number,
}

impl Column {
    /// Every column, in sheet order.
    pub const ALL: &'static [Column] = &[
        Column::Code,
        Column::Source,
        Column::Description,
        Column::Category,
        Column::Measures,
        Column::Commitments,
        Column::Lead,
        Column::LeadUnit,
        Column::SupportingUnits,
        Column::Responsible,
        Column::DueOn,
        Column::Progress,
        Column::Evidence,
        Column::State,
        Column::Escalation,
        Column::SubmittedOn,
        Column::Verifier,
        Column::ClosedOn,
        Column::Outcome,
        Column::Recurrence,
        Column::ItemId,
        Column::Version,
    ];

    /// The header offices know the column by.
    pub fn header(self) -> &'static str {
        match self {
            Column::Code => "台账编号",
            Column::Source => "问题来源",
            Column::Description => "问题描述",
            Column::Category => "整改类别",
            Column::Measures => "整改措施",
            Column::Commitments => "关联下一年度举措",
            Column::Lead => "责任领导",
            Column::LeadUnit => "责任单位",
            Column::SupportingUnits => "配合单位",
            Column::Responsible => "责任人",
            Column::DueOn => "完成时限",
            Column::Progress => "进展情况",
            Column::Evidence => "佐证材料",
            Column::State => "状态",
            Column::Escalation => "督办等级",
            Column::SubmittedOn => "验收申请日期",
            Column::Verifier => "验收人",
            Column::ClosedOn => "销号日期",
            Column::Outcome => "整改结果",
            Column::Recurrence => "是否复发",
            Column::ItemId => "事项ID",
            Column::Version => "版本",
        }
    }

    /// The column whose header is `text` (surrounding blanks ignored).
    pub fn from_header(text: &str) -> Option<Column> {
        let text = text.trim();
        Column::ALL.iter().copied().find(|c| c.header() == text)
    }

    /// Width in Excel character units: long texts wide, dates and numbers narrow.
    pub fn width(self) -> f64 {
        match self {
            Column::Description | Column::Measures => 42.0,
            Column::Commitments | Column::Progress | Column::Evidence => 36.0,
            Column::Source => 24.0,
            Column::ItemId => 38.0,
            Column::Lead | Column::LeadUnit | Column::SupportingUnits | Column::Verifier => 18.0,
            Column::Code | Column::Responsible | Column::Recurrence => 14.0,
            Column::DueOn | Column::SubmittedOn | Column::ClosedOn => 13.0,
            Column::Category | Column::State | Column::Outcome | Column::Escalation => 10.0,
            Column::Version => 7.0,
        }
    }

    /// What the column's cells hold.
    pub fn kind(self) -> CellKind {
        match self {
            Column::DueOn | Column::SubmittedOn | Column::ClosedOn => CellKind::Date,
            Column::Escalation | Column::Version => CellKind::Number,
            _ => CellKind::Text,
        }
    }

    /// Whether an import reads changes from this column (each maps to a workflow action:
    /// 交办 assign, 签收 accept with measures, 报告进展 report progress). Every other column
    /// is for reading; an import ignores edits there.
    pub fn editable(self) -> bool {
        matches!(
            self,
            Column::Category
                | Column::Measures
                | Column::Lead
                | Column::LeadUnit
                | Column::SupportingUnits
                | Column::Responsible
                | Column::DueOn
                | Column::Progress
        )
    }

    /// Whether a change in this column is an assignment (交办).
    pub fn assigns(self) -> bool {
        matches!(
            self,
            Column::Category
                | Column::Lead
                | Column::LeadUnit
                | Column::SupportingUnits
                | Column::Responsible
                | Column::DueOn
        )
    }
}

/// One cell's value, as written to or read from a sheet.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
}

impl Cell {
    fn text(s: &str) -> Cell {
        if s.trim().is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s.to_owned())
        }
    }

    fn date(d: Option<NaiveDate>) -> Cell {
        d.map_or(Cell::Empty, Cell::Date)
    }

    /// The cell as text, the way a person reads it (numbers without a needless `.0`).
    pub fn as_text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string(),
            Cell::Date(d) => d.to_string(),
        }
    }
}

/// One item as a ledger row. Texts are already rendered (names with titles, lists joined by
/// 、, labels in Chinese); an empty text is an empty cell.
#[derive(Clone, Debug, PartialEq)]
pub struct LedgerRow {
    pub code: String,
    pub source: String,
    pub description: String,
    pub category: String,
    pub measures: String,
    pub commitments: String,
    pub lead: String,
    pub lead_unit: String,
    pub supporting_units: String,
    pub responsible: String,
    pub due_on: Option<NaiveDate>,
    pub progress: String,
    pub evidence: String,
    pub state: String,
    pub escalation: u8,
    pub submitted_on: Option<NaiveDate>,
    pub verifier: String,
    pub closed_on: Option<NaiveDate>,
    pub outcome: String,
    pub recurrence: String,
    pub item_id: Uuid,
    pub version: i32,
}

impl LedgerRow {
    /// The row's cell in `column`.
    pub fn cell(&self, column: Column) -> Cell {
        match column {
            Column::Code => Cell::text(&self.code),
            Column::Source => Cell::text(&self.source),
            Column::Description => Cell::text(&self.description),
            Column::Category => Cell::text(&self.category),
            Column::Measures => Cell::text(&self.measures),
            Column::Commitments => Cell::text(&self.commitments),
            Column::Lead => Cell::text(&self.lead),
            Column::LeadUnit => Cell::text(&self.lead_unit),
            Column::SupportingUnits => Cell::text(&self.supporting_units),
            Column::Responsible => Cell::text(&self.responsible),
            Column::DueOn => Cell::date(self.due_on),
            Column::Progress => Cell::text(&self.progress),
            Column::Evidence => Cell::text(&self.evidence),
            Column::State => Cell::text(&self.state),
            Column::Escalation => Cell::Number(f64::from(self.escalation)),
            Column::SubmittedOn => Cell::date(self.submitted_on),
            Column::Verifier => Cell::text(&self.verifier),
            Column::ClosedOn => Cell::date(self.closed_on),
            Column::Outcome => Cell::text(&self.outcome),
            Column::Recurrence => Cell::text(&self.recurrence),
            Column::ItemId => Cell::Text(self.item_id.to_string()),
            Column::Version => Cell::Number(f64::from(self.version)),
        }
    }
}

/// Text as compared between the sheet and the store: line breaks unified (Excel writes
/// `\r\n` in places), surrounding blanks dropped.
pub fn normalize(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .trim()
        .to_owned()
}

/// Why a cell could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CellError {
    #[error("{0:?} 不是有效日期（请填写 Excel 日期，或 2026-12-31、2026/12/31、2026年12月31日）")]
    Date(String),
    #[error("{0:?} 不是已知的整改类别（立行立改、限期整改、长期坚持）")]
    Category(String),
}

/// A date cell: a real Excel date, a serial number, or text such as 2026-12-31,
/// 2026/12/31, 2026.12.31 or 2026年12月31日. Empty is `None`.
pub fn read_date(cell: &Cell) -> Result<Option<NaiveDate>, CellError> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Date(d) => Ok(Some(*d)),
        Cell::Number(n) => from_serial(*n)
            .map(Some)
            .ok_or_else(|| CellError::Date(cell.as_text())),
        Cell::Text(t) => {
            let t = t.trim();
            if t.is_empty() {
                return Ok(None);
            }
            let unified: String = t
                .trim_end_matches('日')
                .chars()
                .map(|c| match c {
                    '/' | '.' | '年' | '月' => '-',
                    c => c,
                })
                .collect();
            NaiveDate::parse_from_str(&unified, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| CellError::Date(t.to_owned()))
        }
    }
}

/// An Excel serial date (1900 date system, whole days; times of day ignored).
pub fn from_serial(serial: f64) -> Option<NaiveDate> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    // Excel counts 1900-02-29, which never was: from 1900-03-01 on, day 0 is 1899-12-30.
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    base.checked_add_signed(Duration::days(serial.floor() as i64))
}

/// A 整改类别 cell: its Chinese label or stored name. Empty is `None`.
pub fn read_category(cell: &Cell) -> Result<Option<ItemCategory>, CellError> {
    let text = normalize(&cell.as_text());
    if text.is_empty() {
        return Ok(None);
    }
    ItemCategory::ALL
        .iter()
        .copied()
        .find(|c| c.label() == text || c.as_str() == text)
        .map(Some)
        .ok_or(CellError::Category(text))
}

/// The name in a 责任领导 / 责任人 cell: what precedes a bracketed title or note, e.g.
/// 张三 in 张三（副局长）. Empty is `None`.
pub fn read_name(cell: &Cell) -> Option<String> {
    let text = normalize(&cell.as_text());
    let name = text
        .split(['（', '('])
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    (!name.is_empty()).then_some(name)
}

/// The names in a list cell (配合单位), split at 、 , ， ; ； or line breaks.
pub fn read_list(cell: &Cell) -> Vec<String> {
    normalize(&cell.as_text())
        .split(['、', ',', '，', ';', '；', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(ToOwned::to_owned)
        .collect()
}

/// The separator of list cells written by an export.
pub const LIST_SEPARATOR: &str = "、";

/// Whether the sheet's `cell` says something other than the store's `current` for `column`:
/// dates compared as dates, everything else as normalized text.
pub fn differs(column: Column, current: &Cell, cell: &Cell) -> Result<bool, CellError> {
    match column.kind() {
        CellKind::Date => Ok(read_date(current)? != read_date(cell)?),
        _ => Ok(normalize(&current.as_text()) != normalize(&cell.as_text())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn headers_are_unique_and_found_again() {
        for c in Column::ALL {
            assert_eq!(Column::from_header(&format!(" {} ", c.header())), Some(*c));
        }
        let mut headers: Vec<_> = Column::ALL.iter().map(|c| c.header()).collect();
        headers.sort();
        headers.dedup();
        assert_eq!(headers.len(), Column::ALL.len());
        assert_eq!(Column::from_header("备注"), None);
    }

    #[test]
    fn every_assigning_column_is_editable() {
        for c in Column::ALL {
            if c.assigns() {
                assert!(c.editable(), "{c:?}");
            }
        }
        assert!(!Column::State.editable());
        assert!(!Column::ItemId.editable());
    }

    #[test]
    fn dates_are_read_from_date_cells_serials_and_the_usual_ways_of_writing_them() {
        assert_eq!(
            read_date(&Cell::Date(d("2026-12-31"))),
            Ok(Some(d("2026-12-31")))
        );
        assert_eq!(read_date(&Cell::Number(46387.0)), Ok(Some(d("2026-12-31"))));
        assert_eq!(
            read_date(&Cell::Number(45658.75)),
            Ok(Some(d("2025-01-01")))
        );
        for text in [
            "2026-12-31",
            "2026/12/31",
            "2026.12.31",
            "2026年12月31日",
            " 2026-12-31 ",
        ] {
            assert_eq!(
                read_date(&Cell::Text(text.into())),
                Ok(Some(d("2026-12-31"))),
                "{text}"
            );
        }
        assert_eq!(read_date(&Cell::Empty), Ok(None));
        assert!(matches!(
            read_date(&Cell::Text("年底前".into())),
            Err(CellError::Date(_))
        ));
        assert!(read_date(&Cell::Text("2026-02-30".into())).is_err());
        assert!(read_date(&Cell::Number(-3.0)).is_err());
    }

    #[test]
    fn categories_names_and_lists_are_read_as_people_write_them() {
        assert_eq!(
            read_category(&Cell::Text("长期坚持".into())),
            Ok(Some(ItemCategory::LongTerm))
        );
        assert_eq!(
            read_category(&Cell::Text("time_bound".into())),
            Ok(Some(ItemCategory::TimeBound))
        );
        assert!(read_category(&Cell::Text("马上办".into())).is_err());
        assert_eq!(
            read_name(&Cell::Text("张三（副局长）".into())).as_deref(),
            Some("张三")
        );
        assert_eq!(
            read_name(&Cell::Text("李四(科长)".into())).as_deref(),
            Some("李四")
        );
        assert_eq!(read_name(&Cell::Text("  ".into())), None);
        assert_eq!(
            read_list(&Cell::Text("市财政局、市人社局，市审计局\n市公安局".into())),
            vec!["市财政局", "市人社局", "市审计局", "市公安局"]
        );
    }

    #[test]
    fn differences_ignore_line_endings_and_blanks_and_compare_dates_as_dates() {
        let text = |s: &str| Cell::Text(s.into());
        assert!(
            !differs(
                Column::Measures,
                &text("一是\n二是"),
                &text(" 一是\r\n二是 ")
            )
            .unwrap()
        );
        assert!(differs(Column::Measures, &text("一是"), &text("一是；二是")).unwrap());
        assert!(!differs(Column::Progress, &Cell::Empty, &text("  ")).unwrap());
        assert!(
            !differs(
                Column::DueOn,
                &Cell::Date(d("2026-12-31")),
                &text("2026/12/31")
            )
            .unwrap()
        );
        assert!(
            differs(
                Column::DueOn,
                &Cell::Date(d("2026-12-31")),
                &Cell::Number(46388.0)
            )
            .unwrap()
        );
        assert!(differs(Column::DueOn, &Cell::Empty, &text("明年")).is_err());
        assert!(!differs(Column::Code, &text("7"), &Cell::Number(7.0)).unwrap());
    }
}
