//! The 整改台账 ledger: every item of an agency (or of a jurisdiction) as one XLSX sheet in
//! the columns offices use, and the same sheet imported back to bulk-assign and update items
//! through the workflow.

mod export;
mod import;
mod plan;
mod rows;
pub mod sheet;
mod text;

pub use export::{LedgerFile, LedgerScope};
pub use import::{
    FieldChange, LedgerImportOptions, LedgerImportReport, MAX_IMPORT_ROWS, RowChange, RowRejection,
};

use super::ServiceError;
use sheet::SheetError;

impl From<SheetError> for ServiceError {
    fn from(e: SheetError) -> Self {
        match e {
            SheetError::NotXlsx(_) => ServiceError::Rule {
                code: "UNSUPPORTED_TYPE",
                message: e.to_string(),
            },
            SheetError::NoHeader { .. } | SheetError::MissingColumns(_) => {
                ServiceError::invalid("file", e.to_string())
            }
            SheetError::TooManyRows(..) | SheetError::TooBig(_) => {
                ServiceError::TooLarge(e.to_string())
            }
            SheetError::Write(cause) => ServiceError::Fault(format!("生成台账文件失败：{cause}")),
        }
    }
}
