//! The files offices really have — Word `.docx`, PDF with a text layer, web pages, and
//! text in UTF-8, UTF-16 or GBK/GB18030 — turned into report text, with every size and
//! cost bounded before it is spent.
//!
//! The kind is sniffed from the first bytes (`%PDF`, a zip holding `word/document.xml`,
//! else text); the file name's extension only breaks ties and catches mislabelled files.

mod docx;
mod encoding;
mod numbering;
mod pdf;
#[cfg(any(test, feature = "samples"))]
pub mod samples;
mod xml;

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::input::{InputError, MAX_REPORT_BYTES, ReportText};

/// The largest file accepted (Word or PDF; a text file is held to
/// [`MAX_TEXT_FILE_BYTES`]). Reports with photographs reach a few MB.
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;

/// The largest text file accepted before decoding: UTF-16 takes up to twice the bytes of
/// the UTF-8 text it holds, which is then held to [`MAX_REPORT_BYTES`].
pub const MAX_TEXT_FILE_BYTES: usize = 2 * MAX_REPORT_BYTES;

/// What kind of file the bytes are, by their content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Docx,
    Pdf,
    /// Plain text or a saved web page, in any encoding [`ReportText::from_file`] accepts.
    Text,
}

/// Why a file could not be read as a report. Each carries a message for people
/// ([`Display`](std::fmt::Display), in Chinese) and a stable [`FileError::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    /// A PDF with no text layer (a scan).
    #[error(
        "扫描件没有文字层，需要先做文字识别(OCR)后再导入（the PDF has no text layer: run OCR first)"
    )]
    ScannedPdf,
    /// A kind of file that is not read (old .doc, images, spreadsheets, encrypted PDF…).
    #[error("不支持的文件类型：{0}")]
    Unsupported(String),
    /// Text in an encoding that is neither UTF-8, UTF-16 with BOM nor GBK/GB18030.
    #[error(
        "无法识别文本编码（不是 UTF-8、带 BOM 的 UTF-16 或 GBK/GB18030，或不是文本文件），请另存为 UTF-8 文本后再导入"
    )]
    UnknownEncoding,
    /// Over one of the decoding limits (entries, decompressed size, objects, pages, depth).
    #[error("文件超出处理上限：{what}超过 {limit}")]
    OverLimit { what: &'static str, limit: usize },
    /// Damaged, or not the kind its name or first bytes claim.
    #[error("文件已损坏或格式不正确：{0}")]
    Malformed(String),
}

impl FileError {
    /// The stable code programs read.
    pub fn code(&self) -> &'static str {
        match self {
            Self::ScannedPdf | Self::Unsupported(_) => "UNSUPPORTED_TYPE",
            Self::UnknownEncoding => "NOT_TEXT",
            Self::OverLimit { .. } => "TOO_LARGE",
            Self::Malformed(_) => "MALFORMED",
        }
    }

    pub(crate) fn malformed(what: impl std::fmt::Display) -> Self {
        Self::Malformed(what.to_string())
    }
}

impl InputError {
    /// The stable code programs read: `EMPTY`, `NOT_TEXT`, `TOO_LARGE`,
    /// `UNSUPPORTED_TYPE` or `MALFORMED`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "EMPTY",
            Self::NotText => "NOT_TEXT",
            Self::TooLarge { .. } => "TOO_LARGE",
            Self::File(e) => e.code(),
        }
    }

    /// A message for people, in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            Self::Empty => "报告内容为空".to_owned(),
            Self::NotText => "内容不是文本（二进制数据或无法识别的编码）".to_owned(),
            Self::TooLarge { size, limit } => {
                format!("报告有 {size} 字节，超过上限 {limit} 字节")
            }
            Self::File(e) => e.to_string(),
        }
    }
}

/// Sniffs the kind of `bytes`; `file_name`'s extension breaks ties and catches a file
/// whose name promises a kind its content is not.
pub fn sniff(bytes: &[u8], file_name: Option<&str>) -> Result<FileKind, FileError> {
    let ext = file_name
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase());
    let head = &bytes[..bytes.len().min(1024)];
    if head.starts_with(b"%PDF") || find(head, b"%PDF-").is_some() {
        return Ok(FileKind::Pdf);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Ok(FileKind::Docx);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(FileError::Unsupported(
            "旧版 Word/WPS（.doc/.wps）或 Excel 文件，请在 Word 中另存为 .docx 后再导入".to_owned(),
        ));
    }
    let images: [&[u8]; 5] = [b"\x89PNG", b"\xFF\xD8\xFF", b"GIF8", b"II*\0", b"MM\0*"];
    if images.iter().any(|m| bytes.starts_with(m)) {
        return Err(FileError::Unsupported(
            "图片没有文字层，需要先做文字识别(OCR)".to_owned(),
        ));
    }
    if bytes.starts_with(b"{\\rtf") {
        return Err(FileError::Unsupported(
            "RTF 文件，请另存为 .docx 或文本后再导入".to_owned(),
        ));
    }
    match ext.as_deref() {
        Some("pdf") => Err(FileError::malformed("文件名为 .pdf，但内容不是 PDF")),
        Some("docx") => Err(FileError::malformed("文件名为 .docx，但内容不是 Word 文档")),
        Some("doc" | "wps" | "xls" | "xlsx" | "ppt" | "pptx" | "ofd" | "zip" | "rar") => Err(
            FileError::Unsupported(format!(".{} 文件", ext.unwrap_or_default())),
        ),
        _ => Ok(FileKind::Text),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

impl ReportText {
    /// Reads a report from a file as an office has it: Word (`.docx`, with its automatic
    /// numbering written out), PDF with a text layer, a saved web page, or text in UTF-8,
    /// UTF-16 (with BOM) or GBK/GB18030. Never panics, whatever the bytes: third-party
    /// parsing runs under `catch_unwind`, and every size is checked before it is spent.
    pub fn from_file(bytes: &[u8], file_name: Option<&str>) -> Result<Self, InputError> {
        let kind = sniff(bytes, file_name)?;
        let limit = if kind == FileKind::Text {
            MAX_TEXT_FILE_BYTES
        } else {
            MAX_FILE_BYTES
        };
        if bytes.len() > limit {
            return Err(InputError::TooLarge {
                size: bytes.len(),
                limit,
            });
        }
        let text = match kind {
            FileKind::Text => encoding::decode(bytes)?,
            FileKind::Docx => guarded(|| docx::text(bytes))?,
            FileKind::Pdf => guarded(|| pdf::text(bytes))?,
        };
        if text.len() > MAX_REPORT_BYTES {
            return Err(InputError::TooLarge {
                size: text.len(),
                limit: MAX_REPORT_BYTES,
            });
        }
        Self::from_str_checked(&text)
    }
}

/// Runs a parser over untrusted bytes, turning a panic in it (or in a crate it calls)
/// into [`FileError::Malformed`].
fn guarded(parse: impl FnOnce() -> Result<String, FileError>) -> Result<String, FileError> {
    catch_unwind(AssertUnwindSafe(parse))
        .unwrap_or_else(|_| Err(FileError::malformed("解析时出现内部错误")))
}

/// Appends to `out` unless that would pass [`MAX_REPORT_BYTES`].
pub(crate) fn push_bounded(out: &mut String, s: &str) -> Result<(), FileError> {
    if out.len() + s.len() > MAX_REPORT_BYTES {
        return Err(FileError::OverLimit {
            what: "提取出的文字（字节）",
            limit: MAX_REPORT_BYTES,
        });
    }
    out.push_str(s);
    Ok(())
}

#[cfg(test)]
mod tests;
