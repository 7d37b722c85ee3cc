//! The ledger's XLSX codec: [`LedgerWriter`] writes rows as a workbook offices open in
//! Excel or WPS (Chinese headers, frozen header row, widths, wrapped text with row heights
//! that show it, real dates, a drop-down list for 整改类别) and prints on A4 landscape, all
//! columns on one page wide with the header row on every page; and
//! [`read_ledger`] reads such a sheet back (xlsx only), by header, wherever the columns are.

use std::{
    collections::{BTreeMap, HashMap},
    io::{Cursor, Read},
};

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, ExcelDateTime, Format,
    FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use crate::domain::{
    ItemCategory,
    ledger::{Cell, CellKind, Column, LedgerRow},
};

/// A4 in Excel's paper-size codes.
const PAPER_A4: u8 = 9;

/// The height of one line of 11-point text, in points.
const LINE_HEIGHT: f64 = 15.0;

/// The tallest row Excel allows, in points.
const MAX_ROW_HEIGHT: f64 = 409.0;

/// Sets a sheet to print on A4 landscape, `wide` pages wide (as many tall as it needs),
/// with margins for binding and the page number in the footer.
fn print_setup(sheet: &mut Worksheet, wide: u16) {
    sheet
        .set_paper_size(PAPER_A4)
        .set_landscape()
        .set_print_fit_to_pages(wide, 0)
        .set_print_center_horizontally(true)
        .set_margins(0.5, 0.4, 0.6, 0.6, 0.3, 0.3)
        .set_footer("&C第 &P 页，共 &N 页");
}

/// The lines `text` takes in a column `width` characters wide (a CJK character is two).
fn lines_in(text: &str, width: f64) -> usize {
    let per_line = (width - 1.0).max(1.0);
    text.split('\n')
        .map(|line| {
            let units: f64 = line
                .chars()
                .map(|c| if c.is_ascii() { 1.0 } else { 2.0 })
                .sum();
            ((units / per_line).ceil() as usize).max(1)
        })
        .sum()
}

/// A row height (points) that shows `lines` lines of wrapped text.
fn height_for(lines: usize) -> f64 {
    (lines as f64 * LINE_HEIGHT + 3.0).min(MAX_ROW_HEIGHT)
}

/// The ledger sheet's name; an import reads this sheet, or the first one.
pub const SHEET_NAME: &str = "整改台账";

/// Why a file could not be read or written as a ledger.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("文件不是 XLSX 工作簿（Excel 2007 及以后的格式）：{0}")]
    NotXlsx(String),
    #[error(
        "找不到表头：工作表“{sheet}”的前几行没有“事项ID”和“版本”两列（请先导出台账，在导出的文件上修改）"
    )]
    NoHeader { sheet: String },
    #[error("表头缺少以下列：{}", .0.join("、"))]
    MissingColumns(Vec<&'static str>),
    #[error("工作表有 {0} 行，台账导入最多 {1} 行")]
    TooManyRows(usize, usize),
    /// The file is larger than any ledger: too many parts, unpacks too large, or a cell
    /// beyond the ledger's columns and rows.
    #[error("{0}")]
    TooBig(String),
    #[error("无法生成工作簿：{0}")]
    Write(#[from] XlsxError),
}

/// Writes ledger rows into a workbook, one row at a time.
pub struct LedgerWriter {
    sheet: Worksheet,
    next_row: u32,
    text: Format,
    date: Format,
    number: Format,
}

impl LedgerWriter {
    /// A workbook with the header row written and frozen.
    pub fn new() -> Result<Self, SheetError> {
        let mut sheet = Worksheet::new();
        sheet.set_name(SHEET_NAME)?;
        let header = Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_border(FormatBorder::Thin)
            .set_background_color(Color::RGB(0xD9E1F2));
        // Columns an import reads changes from stand out.
        let editable = header.clone().set_background_color(Color::RGB(0xFFF2CC));
        for (col, column) in Column::ALL.iter().enumerate() {
            let col = col as u16;
            let format = if column.editable() {
                &editable
            } else {
                &header
            };
            sheet.write_string_with_format(0, col, column.header(), format)?;
            sheet.set_column_width(col, column.width())?;
        }
        sheet.set_row_height(0, 30)?;
        sheet.set_freeze_panes(1, 0)?;
        sheet.set_repeat_rows(0, 0)?;
        print_setup(&mut sheet, 1);
        let cell = Format::new()
            .set_align(FormatAlign::Top)
            .set_border(FormatBorder::Thin);
        Ok(Self {
            sheet,
            next_row: 1,
            text: cell.clone().set_text_wrap(),
            date: cell.clone().set_num_format("yyyy-mm-dd"),
            number: cell.set_align(FormatAlign::Center),
        })
    }

    /// Appends one item's row.
    pub fn push(&mut self, row: &LedgerRow) -> Result<(), SheetError> {
        let r = self.next_row;
        let mut lines = 1;
        for (col, column) in Column::ALL.iter().enumerate() {
            let col = col as u16;
            let cell = row.cell(*column);
            if let Cell::Text(t) = &cell {
                lines = lines.max(lines_in(t, column.width()));
            }
            match cell {
                Cell::Empty => {
                    let format = match column.kind() {
                        CellKind::Date => &self.date,
                        _ => &self.text,
                    };
                    self.sheet.write_blank(r, col, format)?;
                }
                Cell::Text(t) => {
                    self.sheet.write_string_with_format(r, col, t, &self.text)?;
                }
                Cell::Number(n) => {
                    self.sheet
                        .write_number_with_format(r, col, n, &self.number)?;
                }
                Cell::Date(d) => {
                    self.sheet
                        .write_datetime_with_format(r, col, excel_date(d)?, &self.date)?;
                }
            }
        }
        if lines > 1 {
            self.sheet.set_row_height(r, height_for(lines))?;
        }
        self.next_row += 1;
        Ok(())
    }

    /// How many item rows were written.
    pub fn rows(&self) -> usize {
        (self.next_row - 1) as usize
    }

    /// The finished workbook's bytes, with a second sheet explaining how to fill it in.
    pub fn finish(mut self) -> Result<Vec<u8>, SheetError> {
        let last_col = (Column::ALL.len() - 1) as u16;
        let last_row = self.next_row.saturating_sub(1).max(1);
        self.sheet.autofilter(0, 0, last_row, last_col)?;
        self.validations(last_row)?;
        let mut workbook = Workbook::new();
        workbook.push_worksheet(self.sheet);
        workbook.push_worksheet(instructions()?);
        Ok(workbook.save_to_buffer()?)
    }
}

/// A column of [`table_workbook`].
#[derive(Clone, Copy, Debug)]
pub struct TableColumn {
    pub header: &'static str,
    /// In characters (a CJK character is two).
    pub width: f64,
    /// Numbers are fractions shown as percentages (0.853 → 85.3%).
    pub percent: bool,
}

/// A plain table on one sheet, in the ledger's look (bold shaded header, frozen, thin
/// borders, A4 landscape one page wide): for other reports offices keep in Excel, such as
/// the per-unit 考核 figures. Each row holds one cell per column.
pub fn table_workbook(
    sheet_name: &str,
    title: &str,
    columns: &[TableColumn],
    rows: &[Vec<Cell>],
) -> Result<Vec<u8>, SheetError> {
    let mut sheet = Worksheet::new();
    sheet.set_name(sheet_name)?;
    let heading = Format::new()
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::VerticalCenter);
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin)
        .set_background_color(Color::RGB(0xD9E1F2));
    let cell = Format::new()
        .set_align(FormatAlign::Top)
        .set_border(FormatBorder::Thin);
    let text = cell.clone().set_text_wrap();
    let number = cell.clone().set_align(FormatAlign::Right);
    let percent = number.clone().set_num_format("0.0%");
    let date = cell.set_num_format("yyyy-mm-dd");
    sheet.write_string_with_format(0, 0, title, &heading)?;
    sheet.set_row_height(0, 24)?;
    for (col, c) in columns.iter().enumerate() {
        let col = col as u16;
        sheet.write_string_with_format(1, col, c.header, &header)?;
        sheet.set_column_width(col, c.width)?;
    }
    sheet.set_row_height(1, 30)?;
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 2;
        for (col, (value, column)) in row.iter().zip(columns).enumerate() {
            let col = col as u16;
            match value {
                Cell::Empty => {
                    sheet.write_blank(r, col, &text)?;
                }
                Cell::Text(t) => {
                    sheet.write_string_with_format(r, col, t, &text)?;
                }
                Cell::Number(n) => {
                    let format = if column.percent { &percent } else { &number };
                    sheet.write_number_with_format(r, col, *n, format)?;
                }
                Cell::Date(d) => {
                    sheet.write_datetime_with_format(r, col, excel_date(*d)?, &date)?;
                }
            }
        }
    }
    sheet.set_freeze_panes(2, 1)?;
    sheet.set_repeat_rows(1, 1)?;
    print_setup(&mut sheet, 1);
    let mut workbook = Workbook::new();
    workbook.push_worksheet(sheet);
    Ok(workbook.save_to_buffer()?)
}

impl LedgerWriter {
    /// Drop-down lists and checks on the editable columns with fixed values: 整改类别
    /// from its three values, 完成时限 a date.
    fn validations(&mut self, last_row: u32) -> Result<(), SheetError> {
        let col = |c: Column| Column::ALL.iter().position(|x| *x == c).unwrap_or(0) as u16;
        let categories: Vec<&str> = ItemCategory::ALL.iter().map(|c| c.label()).collect();
        let category = DataValidation::new()
            .allow_list_strings(&categories)?
            .set_input_title("整改类别")?
            .set_input_message(format!("请从下拉列表中选择：{}", categories.join("、")))?
            .set_error_title("整改类别")?
            .set_error_message(format!("整改类别只能是{}之一", categories.join("、")))?;
        let c = col(Column::Category);
        self.sheet
            .add_data_validation(1, c, last_row, c, &category)?;
        let due = DataValidation::new()
            .allow_date(DataValidationRule::GreaterThanOrEqualTo(
                ExcelDateTime::from_ymd(2000, 1, 1)?,
            ))
            .set_input_title("完成时限")?
            .set_input_message("请填写日期，如 2026-12-31")?
            .set_error_title("完成时限")?
            .set_error_message("完成时限须为日期，如 2026-12-31")?
            .set_error_style(DataValidationErrorStyle::Warning);
        let c = col(Column::DueOn);
        self.sheet.add_data_validation(1, c, last_row, c, &due)?;
        Ok(())
    }
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    use chrono::Datelike;
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
}

fn instructions() -> Result<Worksheet, SheetError> {
    let mut sheet = Worksheet::new();
    sheet.set_name("填写说明")?;
    sheet.set_column_width(0, 110.0)?;
    let lines = [
        "整改台账填写说明",
        "黄色表头的列可以修改后导入：整改类别、整改措施、责任领导、责任单位、配合单位、责任人、完成时限、进展情况。其他列仅供查阅，导入时不读取。",
        "修改责任领导、责任人、责任单位、配合单位、完成时限或整改类别，按“交办”处理（需联络员、督办部门或管理员权限）；责任领导填姓名（括号内的职务可保留），也可填岗位名称。",
        "填写或修改整改措施，按“签收”处理（由责任领导或责任人在“已交办”状态下签收）；修改进展情况，按“报告进展”处理。",
        "完成时限请填日期（如 2026-12-31）；配合单位之间用顿号“、”分隔。",
        "请勿修改“事项ID”和“版本”两列：导入时按事项ID找到事项，版本与系统不一致（导出后事项已被修改）的行会被拒绝，请重新导出。",
        "建议先“试导入”（dry run）：系统列出每一行将作的修改和被拒绝的原因，不写入任何数据。",
    ];
    let bold = Format::new()
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::VerticalCenter);
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let width = 110.0;
    for (i, line) in lines.iter().enumerate() {
        let row = i as u32;
        if i == 0 {
            sheet.write_string_with_format(row, 0, *line, &bold)?;
            sheet.set_row_height(row, 24)?;
        } else {
            sheet.write_string_with_format(row, 0, *line, &wrap)?;
            sheet.set_row_height(row, height_for(lines_in(line, width)))?;
        }
    }
    print_setup(&mut sheet, 1);
    Ok(sheet)
}

/// One data row of an imported sheet: its row number as Excel shows it (1-based) and a
/// cell for every column the sheet has (blank ones included).
#[derive(Clone, Debug, PartialEq)]
pub struct SheetRow {
    pub row: u32,
    pub cells: HashMap<Column, Cell>,
}

impl SheetRow {
    /// The cell in `column` (empty when blank or when the sheet lacks the column).
    pub fn cell(&self, column: Column) -> &Cell {
        self.cells.get(&column).unwrap_or(&Cell::Empty)
    }
}

/// The most columns a ledger sheet may use: the ledger's own and room for an office's
/// added notes. A cell further right is refused before anything is allocated for it.
pub const MAX_SHEET_COLUMNS: u32 = 64;

/// The most parts an XLSX file may hold (an exported ledger has about a dozen).
pub const MAX_ARCHIVE_ENTRIES: usize = 256;

/// The most bytes an XLSX file may unpack to, all parts together. A 5,000-row ledger
/// unpacks to about 15 MB; a zip bomb is refused when this is reached, not when memory is.
pub const MAX_UNPACKED_BYTES: u64 = 48 * 1024 * 1024;

/// Rows beyond the data rows that a sheet may span: the header's place (top ten rows) and
/// blank rows between data rows.
const ROW_SLACK: u32 = 1000;

/// Reads the ledger sheet of an XLSX workbook: the header row is the first of the top ten
/// rows that names 事项ID; columns are found by header (order and extra columns do not
/// matter; 事项ID and 版本 are required). Blank rows are skipped.
///
/// Bounded before it allocates: the archive's parts are unpacked once into a counting sink
/// (at most [`MAX_ARCHIVE_ENTRIES`] parts and [`MAX_UNPACKED_BYTES`] in all, whatever their
/// headers claim), and the sheet is read as a stream of cells, so a cell placed far away
/// (say XFD1048576) is refused instead of making a dense grid out to it.
pub fn read_ledger(bytes: &[u8], max_rows: usize) -> Result<Vec<SheetRow>, SheetError> {
    check_archive(bytes)?;
    let mut workbook: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| SheetError::NotXlsx(e.to_string()))?;
    let names = workbook.sheet_names();
    let name = names
        .iter()
        .find(|n| n.as_str() == SHEET_NAME)
        .or_else(|| names.first())
        .cloned()
        .ok_or_else(|| SheetError::NotXlsx("the workbook has no sheet".into()))?;
    let grid = read_cells(&mut workbook, &name, max_rows)?;
    let rows: Vec<(u32, &Vec<(u32, Data)>)> = grid.iter().map(|(r, c)| (*r, c)).collect();

    let header_at = rows
        .iter()
        .take(10)
        .position(|(_, cells)| {
            cells.iter().any(
                |(_, c)| matches!(c, Data::String(s) if Column::from_header(s) == Some(Column::ItemId)),
            )
        })
        .ok_or(SheetError::NoHeader { sheet: name })?;
    let mut columns: Vec<(u32, Column)> = Vec::new();
    for (i, cell) in rows[header_at].1 {
        if let Data::String(s) = cell
            && let Some(column) = Column::from_header(s)
            && !columns.iter().any(|(_, c)| *c == column)
        {
            columns.push((*i, column));
        }
    }
    let missing: Vec<&'static str> = [Column::ItemId, Column::Version]
        .into_iter()
        .filter(|c| !columns.iter().any(|(_, have)| have == c))
        .map(Column::header)
        .collect();
    if !missing.is_empty() {
        return Err(SheetError::MissingColumns(missing));
    }

    let data = &rows[header_at + 1..];
    let mut out = Vec::new();
    for (row_index, cells) in data {
        // Every column the sheet has, blank or not: a blank cell clears, a missing column
        // leaves alone.
        let row: HashMap<Column, Cell> = columns
            .iter()
            .map(|(i, column)| {
                let cell = cells
                    .iter()
                    .find(|(c, _)| c == i)
                    .map_or(Cell::Empty, |(_, d)| to_cell(d));
                (*column, cell)
            })
            .collect();
        if row.values().all(|c| *c == Cell::Empty) {
            continue;
        }
        if out.len() == max_rows {
            return Err(SheetError::TooManyRows(data.len(), max_rows));
        }
        out.push(SheetRow {
            row: row_index + 1,
            cells: row,
        });
    }
    Ok(out)
}

/// Unpacks every part of the archive into a counting sink, so that what calamine unpacks
/// afterwards is known to be small, whatever the parts' headers claim.
fn check_archive(bytes: &[u8]) -> Result<(), SheetError> {
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| SheetError::NotXlsx(e.to_string()))?;
    if zip.len() > MAX_ARCHIVE_ENTRIES {
        return Err(SheetError::TooBig(format!(
            "文件包含 {} 个部件，台账文件最多 {MAX_ARCHIVE_ENTRIES} 个",
            zip.len()
        )));
    }
    let mut unpacked = 0u64;
    for i in 0..zip.len() {
        let mut part = zip
            .by_index(i)
            .map_err(|e| SheetError::NotXlsx(e.to_string()))?;
        let budget = MAX_UNPACKED_BYTES - unpacked;
        let read = std::io::copy(&mut (&mut part).take(budget + 1), &mut std::io::sink())
            .map_err(|e| SheetError::NotXlsx(e.to_string()))?;
        unpacked += read;
        if unpacked > MAX_UNPACKED_BYTES {
            return Err(SheetError::TooBig(format!(
                "文件解压后超过 {} MB，不像是整改台账",
                MAX_UNPACKED_BYTES / (1024 * 1024)
            )));
        }
    }
    Ok(())
}

/// The sheet's non-blank cells by row, read as a stream: a cell beyond the ledger's columns
/// or rows is refused when it is met, so memory follows the cells present, never the
/// sheet's extent.
fn read_cells<RS: std::io::Read + std::io::Seek>(
    workbook: &mut Xlsx<RS>,
    sheet: &str,
    max_rows: usize,
) -> Result<BTreeMap<u32, Vec<(u32, Data)>>, SheetError> {
    let max_row = u32::try_from(max_rows)
        .unwrap_or(u32::MAX)
        .saturating_add(ROW_SLACK);
    let too_big = |row: u32, col: u32| {
        SheetError::TooBig(format!(
            "单元格 {} 超出台账范围：台账最多 {MAX_SHEET_COLUMNS} 列、{max_row} 行",
            cell_name(row, col)
        ))
    };
    let mut cells = workbook
        .worksheet_cells_reader(sheet)
        .map_err(|e| SheetError::NotXlsx(e.to_string()))?;
    let declared = cells.dimensions();
    if declared.end.0 >= max_row || declared.end.1 >= MAX_SHEET_COLUMNS {
        return Err(too_big(declared.end.0, declared.end.1));
    }
    let mut grid: BTreeMap<u32, Vec<(u32, Data)>> = BTreeMap::new();
    while let Some(cell) = cells
        .next_cell()
        .map_err(|e| SheetError::NotXlsx(e.to_string()))?
    {
        let (row, col) = cell.get_position();
        if row >= max_row || col >= MAX_SHEET_COLUMNS {
            return Err(too_big(row, col));
        }
        let value = Data::from(cell.get_value().clone());
        if value == Data::Empty {
            continue;
        }
        let row_cells = grid.entry(row).or_default();
        match row_cells.iter_mut().find(|(c, _)| *c == col) {
            Some(slot) => slot.1 = value,
            None => row_cells.push((col, value)),
        }
    }
    Ok(grid)
}

/// A cell's name as Excel shows it (0-based row and column in): `A1`, `XFD1048576`.
fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = col + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!(
        "{}{}",
        letters.into_iter().collect::<String>(),
        u64::from(row) + 1
    )
}

fn to_cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) if s.trim().is_empty() => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Text(if *b { "TRUE" } else { "FALSE" }.into()),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(d))
                .map_or_else(|| Cell::Number(dt.as_f64()), Cell::Date)
        }
        Data::DateTime(dt) => Cell::Number(dt.as_f64()),
        Data::DateTimeIso(s) => s
            .get(..10)
            .and_then(|d| d.parse().ok())
            .map_or_else(|| Cell::Text(s.clone()), Cell::Date),
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Text(format!("#{e}")),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn wrapped_text_gets_the_lines_it_needs() {
        assert_eq!(lines_in("短", 10.0), 1);
        assert_eq!(lines_in(&"整".repeat(20), 11.0), 4);
        assert_eq!(lines_in("a\nb\nc", 10.0), 3);
        assert_eq!(height_for(1000), MAX_ROW_HEIGHT);
    }

    #[test]
    fn cells_are_named_as_excel_names_them() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(9, 25), "Z10");
        assert_eq!(cell_name(0, 26), "AA1");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
    }

    /// A workbook with the ledger's two required headers and `cells` written where they say.
    fn workbook(cells: &[(u32, u16, String)]) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "事项ID").unwrap();
        sheet.write_string(0, 1, "版本").unwrap();
        for (row, col, text) in cells {
            sheet.write_string(*row, *col, text).unwrap();
        }
        book.save_to_buffer().unwrap()
    }

    /// Rewrites one part of an archive with `bytes` (the rest copied as they are).
    fn with_part(archive: &[u8], name: &str, bytes: &[u8]) -> Vec<u8> {
        let mut source = zip::ZipArchive::new(Cursor::new(archive)).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..source.len() {
            let file = source.by_index(i).unwrap();
            if file.name().is_ok_and(|n| n == name) {
                continue;
            }
            out.raw_copy_file(file).unwrap();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(bytes).unwrap();
        out.finish().unwrap().into_inner()
    }

    fn any_cell() -> impl Strategy<Value = (u32, u16, String)> {
        (
            prop_oneof![0u32..50, 0u32..1_048_576],
            prop_oneof![0u16..30, 0u16..16_384],
            "[a-z0-9事项版本]{0,12}",
        )
    }

    proptest! {
        // `PROPTEST_CASES=100000 cargo test --lib ledger::sheet` runs it for minutes.
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Cells anywhere, a sheet XML cut or spliced anywhere, or bytes flipped in the
        /// archive: the reader answers rows or an error, never a panic, and never allocates
        /// for the sheet's extent.
        #[test]
        fn any_workbook_is_read_or_refused_without_panicking(
            cells in proptest::collection::vec(any_cell(), 0..12),
            cut in 0usize..4000,
            flips in proptest::collection::vec((0usize..20_000, any::<u8>()), 0..4),
        ) {
            let book = workbook(&cells);
            let _ = read_ledger(&book, 5000);

            let mut sheet = Vec::new();
            zip::ZipArchive::new(Cursor::new(book.as_slice()))
                .unwrap()
                .by_name("xl/worksheets/sheet1.xml")
                .unwrap()
                .read_to_end(&mut sheet)
                .unwrap();
            let spliced = with_part(&book, "xl/worksheets/sheet1.xml", &sheet[..cut.min(sheet.len())]);
            let _ = read_ledger(&spliced, 5000);

            let mut flipped = book.clone();
            for (at, byte) in flips {
                let len = flipped.len();
                flipped[at % len] = byte;
            }
            let _ = read_ledger(&flipped, 5000);
        }
    }
}
