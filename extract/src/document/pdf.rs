//! The text layer of a PDF, as plain lines (one per text line on the page, a form feed
//! between pages), so the extractor sees what it sees in PDF text copied by hand.
//!
//! Parsing is lopdf's (0.47): it reads Chinese Type0/Identity-H fonts through their
//! ToUnicode CMaps, and since 0.47 bounds every stream it inflates, while loading
//! (object and cross-reference streams) and per page. `pdf-extract` (built on an older
//! lopdf) lays text out more finely but inflates without bounds and panics on many
//! malformed files. The walk over each page's text operators is ours, to break lines
//! where the text moves down rather than only at `ET`.
//!
//! Bounds: the file ≤ [`super::MAX_FILE_BYTES`]; each stream inflated while loading ≤
//! [`MAX_STREAM`]; at most [`MAX_OBJECTS`] objects and [`MAX_NODES`] values kept (counted
//! by a load filter, which also drops image data, the bulk of a scan); at most
//! [`MAX_PAGES`] pages; page content inflated ≤ [`MAX_PAGE_CONTENT`] per page and
//! [`MAX_CONTENT_TOTAL`] in all; [`MAX_TIME`] of page walking. lopdf is called under
//! `catch_unwind` (see [`super::guarded`]): a malformed file is an error, never a panic.

use std::{
    cell::Cell,
    time::{Duration, Instant},
};

use lopdf::{Document, LoadOptions, Object, ObjectId, content::Content};

use super::{FileError, push_bounded};

/// The largest stream inflated while loading (object and cross-reference streams) or
/// for a font's ToUnicode map. lopdf parses an object stream whole, and a value takes
/// ~120 bytes in memory against 2 in the file: 1 MB of `0 0 0…` is ~60 MB for a moment.
/// Real object streams hold 100–200 objects in tens of KB.
pub(super) const MAX_STREAM: usize = 1024 * 1024;
/// The most objects kept.
pub(super) const MAX_OBJECTS: usize = 200_000;
/// The most values (numbers, names, array and dictionary entries…) kept in all, ~60 MB.
/// A 300-page tagged report has about 150,000.
pub(super) const MAX_NODES: usize = 500_000;
/// The most pages read.
pub(super) const MAX_PAGES: usize = 2_000;
/// The most content inflated for one page.
pub(super) const MAX_PAGE_CONTENT: usize = 8 * 1024 * 1024;
/// The most content inflated for all pages together.
pub(super) const MAX_CONTENT_TOTAL: usize = 64 * 1024 * 1024;
/// The longest the page walk may take.
pub(super) const MAX_TIME: Duration = Duration::from_secs(10);

thread_local! {
    /// What the load filter has counted (lopdf's filter is a plain `fn`; without the
    /// `rayon` feature it runs on the loading thread).
    static LOAD: Cell<LoadCount> = const { Cell::new(LoadCount { objects: 0, nodes: 0, images: 0, over: false }) };
}

#[derive(Clone, Copy, Debug)]
struct LoadCount {
    objects: usize,
    nodes: usize,
    images: usize,
    over: bool,
}

/// Counts what is kept; past the limits keeps nothing more; drops image data.
fn filter(id: ObjectId, object: &mut Object) -> Option<(ObjectId, Object)> {
    let mut count = LOAD.get();
    if count.over {
        return None;
    }
    if let Object::Stream(s) = object
        && s.dict
            .get(b"Subtype")
            .and_then(Object::as_name)
            .is_ok_and(|n| n == b"Image")
    {
        count.images += 1;
        s.content = Vec::new();
    }
    count.objects += 1;
    count.nodes += nodes(object, 0);
    if count.objects > MAX_OBJECTS || count.nodes > MAX_NODES {
        count.over = true;
        LOAD.set(count);
        return None;
    }
    LOAD.set(count);
    // lopdf keeps the object it passed in for top-level objects (streams are only ever
    // top-level) and the returned one for those unpacked from an object stream.
    match object {
        Object::Stream(_) => Some((id, Object::Null)),
        other => Some((id, other.clone())),
    }
}

/// How many values an object holds (lopdf's parser bounds nesting at 100).
fn nodes(object: &Object, depth: usize) -> usize {
    if depth > 128 {
        return 1;
    }
    match object {
        Object::Array(a) => 1 + a.iter().map(|o| nodes(o, depth + 1)).sum::<usize>(),
        Object::Dictionary(d) => 1 + d.iter().map(|(_, o)| nodes(o, depth + 1)).sum::<usize>(),
        Object::Stream(s) => {
            1 + s
                .dict
                .iter()
                .map(|(_, o)| nodes(o, depth + 1))
                .sum::<usize>()
        }
        _ => 1,
    }
}

/// The text of a PDF.
pub(super) fn text(bytes: &[u8]) -> Result<String, FileError> {
    LOAD.set(LoadCount {
        objects: 0,
        nodes: 0,
        images: 0,
        over: false,
    });
    let options = LoadOptions {
        max_decompressed_size: Some(MAX_STREAM),
        filter: Some(filter),
        ..LoadOptions::default()
    };
    let loaded = Document::load_mem_with_options(bytes, options);
    let count = LOAD.get();
    if count.over {
        return Err(FileError::OverLimit {
            what: "PDF 对象数",
            limit: MAX_OBJECTS,
        });
    }
    let doc = loaded.map_err(|e| match e {
        lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }) => {
            FileError::OverLimit {
                what: "PDF 数据流解压后的大小（字节）",
                limit: MAX_STREAM,
            }
        }
        e if format!("{e:?}").contains("ecrypt") => {
            FileError::Unsupported("加密的 PDF（需要密码），请先解除加密后再导入".to_owned())
        }
        e => FileError::malformed(format!("PDF：{e}")),
    })?;
    // lopdf loads an encrypted file (one with an empty user password: print or copy
    // restrictions only, common for published reports) without calling the filter, so
    // its objects are counted here, after loading.
    if doc.objects.len() > MAX_OBJECTS {
        return Err(FileError::OverLimit {
            what: "PDF 对象数",
            limit: MAX_OBJECTS,
        });
    }
    if doc.is_encrypted() {
        return Err(FileError::Unsupported(
            "加密的 PDF（需要密码），请先解除加密后再导入".to_owned(),
        ));
    }
    let pages = doc.get_pages();
    if pages.len() > MAX_PAGES {
        return Err(FileError::OverLimit {
            what: "PDF 页数",
            limit: MAX_PAGES,
        });
    }
    let started = Instant::now();
    let mut out = String::new();
    let mut budget = MAX_CONTENT_TOTAL;
    for (_, &page) in pages.iter() {
        if started.elapsed() > MAX_TIME {
            return Err(FileError::OverLimit {
                what: "PDF 解析时间（秒）",
                limit: MAX_TIME.as_secs() as usize,
            });
        }
        let text = page_text(&doc, page, &mut budget)?;
        push_bounded(&mut out, &text)?;
        push_bounded(&mut out, "\n\u{c}")?;
    }
    let shown: Vec<char> = out.chars().filter(|c| !c.is_whitespace()).collect();
    if shown.is_empty() {
        return Err(FileError::ScannedPdf);
    }
    // Glyph codes with no ToUnicode map come out as private-use or control characters.
    let unreadable = shown
        .iter()
        .filter(|c| c.is_control() || ('\u{E000}'..='\u{F8FF}').contains(*c) || **c == '\u{FFFD}')
        .count();
    if unreadable * 2 > shown.len() {
        return Err(FileError::Unsupported(
            "PDF 的字体没有字符映射(ToUnicode)，文字无法还原；请用文字识别(OCR)或导出为 Word/文本"
                .to_owned(),
        ));
    }
    Ok(out)
}

/// The text of one page: a line break wherever the text moves to another line.
fn page_text(doc: &Document, page: ObjectId, budget: &mut usize) -> Result<String, FileError> {
    let limit = MAX_PAGE_CONTENT.min(*budget);
    let content = doc
        .get_page_content_with_limit(page, limit)
        .map_err(|e| match e {
            lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }) => {
                FileError::OverLimit {
                    what: "PDF 页面内容解压后的大小（字节）",
                    limit,
                }
            }
            e => FileError::malformed(format!("PDF 页面：{e}")),
        })?;
    *budget -= content.len().min(*budget);
    let Ok(content) = Content::decode(&content) else {
        // A page whose content does not parse shows nothing; the others still count.
        return Ok(String::new());
    };
    let fonts = doc.get_page_fonts(page).unwrap_or_default();
    let encodings: std::collections::BTreeMap<&[u8], lopdf::Encoding<'_>> = fonts
        .iter()
        .filter_map(|(name, font)| {
            font.get_font_encoding_with_limit(doc, MAX_STREAM)
                .ok()
                .map(|e| (name.as_slice(), e))
        })
        .collect();

    let mut out = String::new();
    let mut encoding = None;
    let mut lines = Lines::default();
    for op in &content.operations {
        let num = |i: usize| op.operands.get(i).and_then(number).unwrap_or(0.0);
        match op.operator.as_str() {
            "BT" => lines.begin(),
            "Tf" => {
                encoding = op
                    .operands
                    .first()
                    .and_then(|o| o.as_name().ok())
                    .and_then(|n| encodings.get(n));
            }
            "Tm" => lines.set(num(3), num(5)),
            "Td" => lines.move_by(num(1)),
            "TD" => {
                lines.leading = -num(1);
                lines.move_by(num(1));
            }
            "TL" => lines.leading = num(0),
            "T*" => lines.next_line(),
            "Tj" | "'" | "\"" | "TJ" => {
                if op.operator != "Tj" && op.operator != "TJ" {
                    lines.next_line();
                }
                let Some(encoding) = encoding else { continue };
                let shown = match op.operator.as_str() {
                    "\"" => op.operands.get(2),
                    _ => op.operands.first(),
                };
                let mut piece = String::new();
                match shown {
                    Some(Object::Array(parts)) => {
                        for part in parts {
                            match part {
                                Object::String(bytes, _) => {
                                    piece.push_str(
                                        &Document::decode_text(encoding, bytes).unwrap_or_default(),
                                    );
                                }
                                // A wide gap between Latin words is a space.
                                other
                                    if number(other).is_some_and(|n| n < -250.0)
                                        && piece
                                            .chars()
                                            .last()
                                            .is_some_and(|c| c.is_ascii_alphanumeric()) =>
                                {
                                    piece.push(' ');
                                }
                                _ => {}
                            }
                        }
                    }
                    Some(Object::String(bytes, _)) => {
                        piece = Document::decode_text(encoding, bytes).unwrap_or_default();
                    }
                    _ => {}
                }
                if piece.is_empty() {
                    continue;
                }
                if lines.breaks_before_text() && !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str(&piece);
            }
            _ => {}
        }
        if out.len() > super::MAX_REPORT_BYTES {
            return Err(FileError::OverLimit {
                what: "提取出的文字（字节）",
                limit: super::MAX_REPORT_BYTES,
            });
        }
    }
    Ok(out)
}

fn number(o: &Object) -> Option<f64> {
    match o {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
}

/// Where text is being shown, vertically: enough to tell when a line ends.
#[derive(Default)]
struct Lines {
    /// The text line's y, in user space.
    y: f64,
    /// The text matrix's vertical scale (Td moves in text space).
    scale: f64,
    leading: f64,
    /// The y of the last text shown on this page.
    shown_at: Option<f64>,
    /// A `T*`, `'` or `"` asked for a new line.
    forced: bool,
}

impl Lines {
    fn begin(&mut self) {
        self.y = 0.0;
        self.scale = 1.0;
    }

    fn set(&mut self, d: f64, f: f64) {
        self.scale = if d == 0.0 { 1.0 } else { d };
        self.y = f;
    }

    fn move_by(&mut self, ty: f64) {
        self.y += ty * if self.scale == 0.0 { 1.0 } else { self.scale };
    }

    fn next_line(&mut self) {
        self.move_by(-self.leading);
        self.forced = true;
    }

    /// Whether the text about to be shown starts a new line; records where it is.
    fn breaks_before_text(&mut self) -> bool {
        let moved = self.shown_at.is_some_and(|y| (y - self.y).abs() > 1.0);
        let breaks = moved || (self.forced && self.shown_at.is_some());
        self.shown_at = Some(self.y);
        self.forced = false;
        breaks
    }
}
