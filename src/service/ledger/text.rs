//! A ledger import's report as text, for the command line.

use std::fmt;

use super::LedgerImportReport;

impl fmt::Display for LedgerImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = match (self.dry_run, self.applied) {
            (true, _) => "试导入（dry run）：未写入任何数据",
            (false, true) => "已导入：修改已写入",
            (false, false) if self.changed.is_empty() => "未写入：没有需要修改的行",
            (false, false) => {
                "未写入：有被拒绝的行（修正后重新导入，或用 --apply-valid-rows 只导入有效行）"
            }
        };
        writeln!(f, "{verdict}")?;
        writeln!(
            f,
            "读取 {} 行：修改 {} 行，未变 {} 行，拒绝 {} 行",
            self.rows_read,
            self.changed.len(),
            self.unchanged,
            self.rejected.len()
        )?;
        for c in &self.changed {
            writeln!(
                f,
                "第 {} 行 {} [{}]",
                c.row,
                c.code.as_deref().unwrap_or(&c.item_id.to_string()),
                c.actions.join(", ")
            )?;
            for change in &c.changes {
                writeln!(
                    f,
                    "    {}：{:?} → {:?}",
                    change.column.header(),
                    change.from,
                    change.to
                )?;
            }
        }
        for r in &self.rejected {
            let item = r.item_id.map(|i| format!(" {i}")).unwrap_or_default();
            writeln!(f, "第 {} 行{item} 拒绝 [{}]：{}", r.row, r.code, r.reason)?;
        }
        Ok(())
    }
}
