//! Sample files built in code, never downloaded: Word documents with automatic
//! numbering, PDFs with a Chinese text layer (a Type0/Identity-H font and a ToUnicode
//! CMap, written byte by byte), a scan, and hostile files (bombs, deep nesting).
//! For tests, benches and fuzz seeds (the `samples` feature).

use std::io::Write;

use zip::{CompressionMethod, ZipWriter, write::SimpleFileOptions};

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

/// A `.docx` holding `document_body` (the children of `w:body`) and, when given,
/// `numbering_xml` and `styles_xml`.
pub fn docx(document_body: &str, numbering_xml: Option<&str>, styles_xml: Option<&str>) -> Vec<u8> {
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="{W}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>{document_body}<w:sectPr/></w:body></w:document>"#
    );
    let mut parts = vec![
        ("[Content_Types].xml", CONTENT_TYPES.to_owned()),
        ("_rels/.rels", RELS.to_owned()),
        ("word/document.xml", document),
    ];
    if let Some(n) = numbering_xml {
        parts.push(("word/numbering.xml", n.to_owned()));
    }
    if let Some(s) = styles_xml {
        parts.push(("word/styles.xml", s.to_owned()));
    }
    zip_of(parts.iter().map(|(n, c)| (*n, c.as_bytes())))
}

/// A zip of `(name, content)` entries, deflated.
pub fn zip_of<'a>(entries: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Vec<u8> {
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(false);
    for (name, content) in entries {
        zip.start_file(name, options).expect("zip entry");
        zip.write_all(content).expect("zip write");
    }
    zip.finish().expect("zip finish").into_inner()
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

/// A paragraph; `num` = `(numId, ilvl)` for Word's automatic numbering.
pub fn para(text: &str, num: Option<(u32, u32)>) -> String {
    let props = match num {
        Some((id, lvl)) => format!(
            r#"<w:pPr><w:numPr><w:ilvl w:val="{lvl}"/><w:numId w:val="{id}"/></w:numPr></w:pPr>"#
        ),
        None => String::new(),
    };
    // Split the text over two runs, as Word does when formatting changes mid-sentence.
    let cut = text
        .char_indices()
        .nth(text.chars().count() / 2)
        .map_or(text.len(), |(i, _)| i);
    format!(
        r#"<w:p>{props}<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r><w:r><w:t>{}</w:t></w:r></w:p>"#,
        escape(&text[..cut]),
        escape(&text[cut..])
    )
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The numbering definitions of [`numbered_report_docx`]: list 1 is `一、` / `（一）` /
/// `1.`; list 2 (a `w:num` of the same definition) restarts its level 1 at （一）.
pub const REPORT_NUMBERING: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
  <w:abstractNum w:abstractNumId="0">
    <w:multiLevelType w:val="multilevel"/>
    <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCountingThousand"/><w:lvlText w:val="%1、"/><w:lvlJc w:val="left"/></w:lvl>
    <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/><w:suff w:val="nothing"/></w:lvl>
    <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
  </w:abstractNum>
  <w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
  <w:num w:numId="2"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="1"><w:startOverride w:val="1"/></w:lvlOverride></w:num>
</w:numbering>"#;

/// A report drafted in Word whose headings and items are numbered automatically: no
/// `一、` or `（一）` is in its text. Its table holds one more paragraph per cell.
pub fn numbered_report_docx() -> Vec<u8> {
    let body = [
        para("某某县司法局2024年法治政府建设年度报告", None),
        para(
            "2024年，在县委、县政府的坚强领导下，我局深入推进法治政府建设。",
            None,
        ),
        para("主要举措和成效", Some((1, 0))),
        para("完善依法行政制度体系，全年审查规范性文件12件。", None),
        para("存在的问题", Some((1, 0))),
        para("普法宣传形式较为单一，针对性和实效性不强。", Some((1, 1))),
        para(
            "行政执法人员培训不足，执法规范化水平有待提高。",
            Some((1, 1)),
        ),
        para("基层法治力量薄弱，专业人才缺乏。", Some((1, 1))),
        para("2025年工作安排", Some((1, 0))),
        para(
            "创新普法宣传方式，推进“谁执法谁普法”责任制落实。",
            Some((2, 1)),
        ),
        para(
            "加强行政执法人员培训，每年开展执法培训不少于两次。",
            Some((2, 1)),
        ),
        para("充实基层法治工作力量，引进法律专业人才。", Some((2, 1))),
        format!(
            "<w:tbl><w:tr><w:tc>{}</w:tc><w:tc>{}</w:tc></w:tr></w:tbl>",
            para("附表：执法培训", None),
            para("共2期", None)
        ),
        para("某某县司法局", None),
        para("2025年1月20日", None),
    ]
    .concat();
    docx(&body, Some(REPORT_NUMBERING), None)
}

/// A `.docx` whose `document.xml` inflates to `size` bytes (a few hundred KB on disk).
pub fn bomb_docx(size: usize) -> Vec<u8> {
    let head = format!(r#"<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>"#);
    let mut xml = Vec::with_capacity(size);
    xml.extend_from_slice(head.as_bytes());
    xml.resize(size, b'a');
    zip_of([("word/document.xml", xml.as_slice())])
}

/// A `.docx` whose `document.xml` nests `depth` elements.
pub fn deep_docx(depth: usize) -> Vec<u8> {
    let xml = format!(
        r#"<w:document xmlns:w="{W}">{}{}</w:document>"#,
        "<w:x>".repeat(depth),
        "</w:x>".repeat(depth)
    );
    zip_of([("word/document.xml", xml.as_bytes())])
}

/// A PDF whose pages show `pages` (each a list of lines) in a Chinese CID font
/// (Type0, Identity-H, no embedded program) with a ToUnicode CMap; content streams
/// are deflated.
pub fn text_pdf(pages: &[Vec<String>]) -> Vec<u8> {
    // Glyph ids: 1, 2, … in order of first use.
    let mut glyphs: Vec<char> = Vec::new();
    let mut cid = |c: char| -> u16 {
        let i = glyphs.iter().position(|g| *g == c).unwrap_or_else(|| {
            glyphs.push(c);
            glyphs.len() - 1
        });
        (i + 1) as u16
    };
    let mut contents = Vec::new();
    for lines in pages {
        let mut s = String::from("BT\n/F1 12 Tf\n1 0 0 1 72 770 Tm\n14 TL\n");
        for (n, line) in lines.iter().enumerate() {
            let hex: String = line.chars().map(|c| format!("{:04X}", cid(c))).collect();
            match n % 3 {
                // Three ways writers move to a line: Td, T*, and a TJ with kerning after Td.
                0 => s.push_str(&format!("0 -18 Td <{hex}> Tj\n")),
                1 => s.push_str(&format!("T* <{hex}> Tj\n")),
                _ => {
                    let mid = hex.len() / 8 * 4;
                    s.push_str(&format!(
                        "0 -18 Td [<{}> -20 <{}>] TJ\n",
                        &hex[..mid],
                        &hex[mid..]
                    ));
                }
            }
        }
        s.push_str("ET\n");
        contents.push(deflate(s.as_bytes()));
    }
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    for chunk in glyphs.chunks(100).enumerate() {
        let (start, chars) = chunk;
        cmap.push_str(&format!("{} beginbfchar\n", chars.len()));
        for (i, c) in chars.iter().enumerate() {
            let mut units = [0u16; 2];
            let utf16: String = c
                .encode_utf16(&mut units)
                .iter()
                .map(|u| format!("{u:04X}"))
                .collect();
            cmap.push_str(&format!("<{:04X}> <{utf16}>\n", start * 100 + i + 1));
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");

    // Objects: 1 catalog, 2 pages, 3 font, 4 CID font, 5 ToUnicode, then page + content pairs.
    let n = pages.len();
    let kids: String = (0..n).map(|i| format!("{} 0 R ", 6 + 2 * i)).collect();
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!("<< /Type /Pages /Kids [{kids}] /Count {n} >>").into_bytes(),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [4 0 R] /ToUnicode 5 0 R >>".to_vec(),
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>".to_vec(),
        stream("", cmap.as_bytes()),
    ];
    for (i, content) in contents.iter().enumerate() {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
                7 + 2 * i
            )
            .into_bytes(),
        );
        objects.push(stream("/Filter /FlateDecode", content));
    }
    pdf_of(&objects)
}

/// A scanned page: an image and no text.
pub fn scanned_pdf() -> Vec<u8> {
    let pixels = deflate(&vec![200u8; 64 * 64]);
    pdf_of(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>".to_vec(),
        stream("", b"q 595 0 0 842 0 0 cm /Im1 Do Q"),
        stream(
            "/Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode",
            &pixels,
        ),
    ])
}

/// A one-page PDF whose content stream inflates to `size` bytes.
pub fn bomb_pdf(size: usize) -> Vec<u8> {
    let content = deflate(&vec![b' '; size]);
    pdf_of(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
        stream("/Filter /FlateDecode", &content),
    ])
}

fn stream(dict: &str, content: &[u8]) -> Vec<u8> {
    let mut s = format!("<< {dict} /Length {} >>\nstream\n", content.len()).into_bytes();
    s.extend_from_slice(content);
    s.extend_from_slice(b"\nendstream");
    s
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("deflate");
    e.finish().expect("deflate")
}

/// A PDF file of `objects` (numbered from 1) with a correct cross-reference table.
pub fn pdf_of(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}
