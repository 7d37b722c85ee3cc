//! Word `.docx`: the paragraphs of `word/document.xml` in document order (table cells'
//! paragraphs in reading order), each preceded by the number Word's automatic numbering
//! shows for it (see [`super::numbering`]), one paragraph a line.
//!
//! Bounds, checked before anything is inflated: the archive's entry count (read from its
//! end record before the zip reader builds its index), and the inflated size of each part
//! read — `document.xml` ≤ [`MAX_DOCUMENT_XML`], `numbering.xml` and `styles.xml` ≤
//! [`MAX_SIDE_XML`] each — read through a `take` so a part that lies about its size
//! stops at the limit. Nothing else (images, fonts) is inflated.

use std::{
    collections::HashMap,
    io::{Cursor, Read},
};

use super::{
    FileError,
    numbering::Numbering,
    push_bounded,
    xml::{self, Node},
};

/// The most entries an archive may have (a report with many images has a few hundred).
pub(super) const MAX_ENTRIES: usize = 2_000;
/// The largest `word/document.xml` inflated.
pub(super) const MAX_DOCUMENT_XML: usize = 20 * 1024 * 1024;
/// The largest `numbering.xml` or `styles.xml` inflated.
pub(super) const MAX_SIDE_XML: usize = 8 * 1024 * 1024;
/// The most `w:basedOn` links followed from one style.
const MAX_STYLE_CHAIN: usize = 16;

/// The report text of a `.docx`.
pub(super) fn text(bytes: &[u8]) -> Result<String, FileError> {
    check_entry_count(bytes)?;
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| FileError::malformed(format!("不是有效的 zip/Word 文件：{e}")))?;
    if archive.len() > MAX_ENTRIES {
        return Err(FileError::OverLimit {
            what: "压缩包条目数",
            limit: MAX_ENTRIES,
        });
    }
    if archive.index_for_name("word/document.xml").is_none() {
        let what = if archive.index_for_name("xl/workbook.xml").is_some() {
            "Excel 表格（.xlsx）不是报告"
        } else if archive.index_for_name("ppt/presentation.xml").is_some() {
            "PowerPoint 演示文稿（.pptx）"
        } else {
            "压缩包中没有 Word 文档（word/document.xml）"
        };
        return Err(FileError::Unsupported(what.to_owned()));
    }
    let document = part(&mut archive, "word/document.xml", MAX_DOCUMENT_XML)?
        .ok_or_else(|| FileError::malformed("缺少 word/document.xml"))?;
    let numbering = match part(&mut archive, "word/numbering.xml", MAX_SIDE_XML)? {
        Some(xml) => Numbering::parse(&xml)?,
        None => Numbering::default(),
    };
    let styles = match part(&mut archive, "word/styles.xml", MAX_SIDE_XML)? {
        Some(xml) => Styles::parse(&xml)?,
        None => Styles::default(),
    };
    paragraphs(&document, numbering, &styles)
}

/// Reads the end-of-central-directory record's entry count, so a crafted archive with
/// millions of entries is refused before the zip reader allocates an index for them.
fn check_entry_count(bytes: &[u8]) -> Result<(), FileError> {
    const EOCD: &[u8] = b"PK\x05\x06";
    let from = bytes.len().saturating_sub(22 + 65_535);
    let Some(at) = bytes[from..]
        .windows(4)
        .rposition(|w| w == EOCD)
        .map(|p| from + p)
    else {
        return Err(FileError::malformed("zip 文件缺少目录"));
    };
    let entries = bytes
        .get(at + 10..at + 12)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .ok_or_else(|| FileError::malformed("zip 目录不完整"))?;
    // 0xFFFF defers to a ZIP64 record; Word never writes one for a file this small.
    if entries == u16::MAX || usize::from(entries) > MAX_ENTRIES {
        return Err(FileError::OverLimit {
            what: "压缩包条目数",
            limit: MAX_ENTRIES,
        });
    }
    Ok(())
}

/// One part of the archive, inflated to at most `limit` bytes, as UTF-8.
fn part(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    limit: usize,
) -> Result<Option<String>, FileError> {
    let file = match archive.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(FileError::malformed(format!("{name}：{e}"))),
    };
    let too_large = FileError::OverLimit {
        what: "Word 文档解压后的大小（字节）",
        limit,
    };
    if file.size() > limit as u64 {
        return Err(too_large);
    }
    let mut buf = Vec::with_capacity(file.size() as usize);
    file.take(limit as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| FileError::malformed(format!("{name} 解压失败：{e}")))?;
    if buf.len() > limit {
        return Err(too_large);
    }
    let text = String::from_utf8(buf)
        .map_err(|_| FileError::malformed(format!("{name} 不是 UTF-8 编码的 XML")))?;
    Ok(Some(text))
}

/// A paragraph style's numbering (`w:pPr/w:numPr` in `styles.xml`) and parent.
#[derive(Clone, Debug, Default)]
struct Style {
    num_id: Option<i64>,
    ilvl: Option<i64>,
    based_on: Option<String>,
}

/// Paragraph styles that carry numbering (headings numbered through their style).
#[derive(Debug, Default)]
struct Styles(HashMap<String, Style>);

impl Styles {
    fn parse(xml: &str) -> Result<Self, FileError> {
        let mut styles = HashMap::new();
        let mut current: Option<(String, Style)> = None;
        xml::walk(xml, |node| {
            match node {
                Node::Open { tag, empty } => match (xml::name(tag), current.as_mut()) {
                    ("w:style", _) if !empty => {
                        current = xml::attr(tag, "w:styleId").map(|id| (id, Style::default()));
                    }
                    ("w:basedOn", Some((_, s))) => s.based_on = xml::attr(tag, "w:val"),
                    ("w:numId", Some((_, s))) => s.num_id = xml::int_attr(tag, "w:val"),
                    ("w:ilvl", Some((_, s))) => s.ilvl = xml::int_attr(tag, "w:val"),
                    _ => {}
                },
                Node::Close { name: "w:style" } => {
                    if let Some((id, s)) = current.take() {
                        styles.insert(id, s);
                    }
                }
                _ => {}
            }
            if styles.len() > 100_000 {
                return Err(FileError::OverLimit {
                    what: "样式数",
                    limit: 100_000,
                });
            }
            Ok(())
        })?;
        Ok(Self(styles))
    }

    /// The numbering a style gives, following `w:basedOn` a bounded number of steps.
    fn numbering(&self, style: &str) -> (Option<i64>, Option<i64>) {
        let (mut num_id, mut ilvl) = (None, None);
        let mut id = Some(style);
        for _ in 0..MAX_STYLE_CHAIN {
            let Some(s) = id.and_then(|i| self.0.get(i)) else {
                break;
            };
            num_id = num_id.or(s.num_id);
            ilvl = ilvl.or(s.ilvl);
            id = s.based_on.as_deref();
        }
        (num_id, ilvl)
    }
}

/// A paragraph being read.
#[derive(Default)]
struct Paragraph {
    text: String,
    style: Option<String>,
    num_id: Option<i64>,
    ilvl: Option<i64>,
    in_props: bool,
}

/// Walks `document.xml`, writing one line per paragraph.
fn paragraphs(xml: &str, mut numbering: Numbering, styles: &Styles) -> Result<String, FileError> {
    let mut out = String::new();
    // Paragraphs nest through text boxes (w:p › … › w:txbxContent › w:p).
    let mut open: Vec<Paragraph> = Vec::new();
    let mut in_text = false;
    // Depth inside subtrees whose text is not shown: the VML fallback that repeats a
    // text box, deleted text, field instructions.
    let mut skip = 0usize;
    xml::walk(xml, |node| {
        match node {
            Node::Open { tag, empty } => {
                let name = xml::name(tag);
                if skip > 0 {
                    skip += usize::from(!empty);
                    return Ok(());
                }
                match name {
                    "mc:Fallback" | "w:del" | "w:instrText" | "w:delText" if !empty => skip = 1,
                    "w:p" if !empty => open.push(Paragraph::default()),
                    "w:pPr" if !empty => {
                        if let Some(p) = open.last_mut() {
                            p.in_props = true;
                        }
                    }
                    "w:t" if !empty => in_text = true,
                    "w:tab" | "w:ptab" => push_char(&mut open, '\t'),
                    "w:br" | "w:cr" => push_char(&mut open, '\n'),
                    "w:noBreakHyphen" => push_char(&mut open, '-'),
                    "w:sym" => {
                        if let Some(c) = xml::attr(tag, "w:char")
                            .and_then(|h| u32::from_str_radix(&h, 16).ok())
                            .and_then(char::from_u32)
                            .filter(|c| !('\u{E000}'..='\u{F8FF}').contains(c))
                        {
                            push_char(&mut open, c);
                        }
                    }
                    _ => {
                        if let Some(p) = open.last_mut().filter(|p| p.in_props) {
                            match name {
                                "w:pStyle" => p.style = xml::attr(tag, "w:val"),
                                "w:numId" => p.num_id = xml::int_attr(tag, "w:val"),
                                "w:ilvl" => p.ilvl = xml::int_attr(tag, "w:val"),
                                _ => {}
                            }
                        }
                    }
                }
            }
            Node::Close { name } => {
                if skip > 0 {
                    skip -= 1;
                    return Ok(());
                }
                match name {
                    "w:t" => in_text = false,
                    "w:pPr" => {
                        if let Some(p) = open.last_mut() {
                            p.in_props = false;
                        }
                    }
                    "w:p" => {
                        if let Some(p) = open.pop() {
                            let line = render(p, &mut numbering, styles);
                            push_bounded(&mut out, &line)?;
                        }
                    }
                    _ => {}
                }
            }
            Node::Text(t) => {
                if in_text
                    && skip == 0
                    && let Some(p) = open.last_mut()
                {
                    if p.text.len() + t.len() > super::MAX_REPORT_BYTES {
                        return Err(FileError::OverLimit {
                            what: "段落长度（字节）",
                            limit: super::MAX_REPORT_BYTES,
                        });
                    }
                    p.text.push_str(&t);
                }
            }
        }
        Ok(())
    })?;
    Ok(out)
}

fn push_char(open: &mut [Paragraph], c: char) {
    if let Some(p) = open.last_mut().filter(|p| !p.in_props) {
        p.text.push(c);
    }
}

/// A paragraph's line: its number (if Word numbers it), its text, a line break.
fn render(p: Paragraph, numbering: &mut Numbering, styles: &Styles) -> String {
    let (style_num, style_ilvl) = p
        .style
        .as_deref()
        .map_or((None, None), |s| styles.numbering(s));
    let num_id = p.num_id.or(style_num);
    let ilvl = p.ilvl.or(style_ilvl).unwrap_or(0);
    let label = num_id
        .filter(|id| *id != 0)
        .and_then(|id| numbering.next_label(id, usize::try_from(ilvl).unwrap_or(0)));
    let mut line = label.unwrap_or_default();
    line.push_str(&p.text);
    line.push('\n');
    line
}
