//! The section as a Word document (DOCX), the format in which agencies draft reports: a
//! minimal WordprocessingML package — content types, relationships, styles and the
//! document — in official-document dress (title in 黑体 二号, body in 仿宋 三号 with a
//! two-character first-line indent and a fixed 28-point line, each paragraph's lead in 楷体).
//!
//! The footer carries the page number as official documents print it (— 1 —, a PAGE
//! field), and the package its core properties: the title, the agency as author and
//! company, the as-of date.
//!
//! The XML is written by hand and zipped with the `zip` crate: the DOCX writer crates
//! bring large dependency trees (and templating) for the four small parts needed here.

use std::io::{Cursor, Write};

use zip::{CompressionMethod, ZipWriter, write::SimpleFileOptions};

use super::{Section, prose::cn_date};

/// The MIME type of a DOCX file.
pub const CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// Why the package could not be written (only an in-memory write: not expected).
#[derive(Debug, thiserror::Error)]
#[error("writing the DOCX package: {0}")]
pub struct DocxError(#[from] zip::result::ZipError);

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>"#;

const PACKAGE_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/></Relationships>"#;

const DOCUMENT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/></Relationships>"#;

/// The footer: the page number centred between dashes, 宋体 四号 (14 pt), as in GB/T 9704.
const FOOTER: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p><w:pPr><w:ind w:firstLineChars="0" w:firstLine="0"/><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:rFonts w:ascii="宋体" w:hAnsi="宋体" w:eastAsia="宋体"/><w:sz w:val="28"/></w:rPr><w:t xml:space="preserve">— </w:t></w:r><w:fldSimple w:instr=" PAGE "><w:r><w:rPr><w:rFonts w:ascii="宋体" w:hAnsi="宋体" w:eastAsia="宋体"/><w:sz w:val="28"/></w:rPr><w:t>1</w:t></w:r></w:fldSimple><w:r><w:rPr><w:rFonts w:ascii="宋体" w:hAnsi="宋体" w:eastAsia="宋体"/><w:sz w:val="28"/></w:rPr><w:t xml:space="preserve"> —</w:t></w:r></w:p></w:ftr>"#;

/// Body 仿宋 三号 (16 pt = 32 half-points), 28-point exact line spacing, first line
/// indented two characters; the title 黑体 二号 centred; the subtitle and leads 楷体.
/// Children of `pPr` and `rPr` keep the schema's order (Word rejects a file otherwise).
const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="仿宋" w:cs="Times New Roman"/><w:sz w:val="32"/><w:szCs w:val="32"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:line="560" w:lineRule="exact"/><w:jc w:val="both"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:pPr><w:ind w:firstLineChars="200" w:firstLine="640"/></w:pPr></w:style><w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="240" w:line="720" w:lineRule="exact"/><w:ind w:firstLineChars="0" w:firstLine="0"/><w:jc w:val="center"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:rFonts w:eastAsia="黑体"/><w:sz w:val="44"/><w:szCs w:val="44"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:pPr><w:spacing w:after="240"/><w:ind w:firstLineChars="0" w:firstLine="0"/><w:jc w:val="center"/></w:pPr><w:rPr><w:rFonts w:eastAsia="楷体"/></w:rPr></w:style><w:style w:type="character" w:styleId="Lead"><w:name w:val="Lead"/><w:rPr><w:rFonts w:eastAsia="楷体"/><w:b/></w:rPr></w:style></w:styles>"#;

/// Renders `section` as a DOCX file.
pub fn docx(section: &Section) -> Result<Vec<u8>, DocxError> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, content) in [
        ("[Content_Types].xml", CONTENT_TYPES.to_owned()),
        ("_rels/.rels", PACKAGE_RELS.to_owned()),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS.to_owned()),
        ("word/styles.xml", STYLES.to_owned()),
        ("word/document.xml", document_xml(section)),
        ("word/footer1.xml", FOOTER.to_owned()),
        ("docProps/core.xml", core_xml(section)),
        ("docProps/app.xml", app_xml(section)),
    ] {
        zip.start_file(name, options)?;
        zip.write_all(content.as_bytes())
            .map_err(zip::result::ZipError::Io)?;
    }
    Ok(zip.finish()?.into_inner())
}

/// `word/document.xml`: the title, the as-of line, the summary and one paragraph per
/// shortcoming with its lead as a separate run.
pub fn document_xml(section: &Section) -> String {
    let mut body = String::new();
    paragraph(
        &mut body,
        Some("Title"),
        &[(None, &format!("{}{}", section.agency_name, section.title))],
    );
    paragraph(
        &mut body,
        Some("Subtitle"),
        &[(None, &format!("（截至{}）", cn_date(section.as_of)))],
    );
    paragraph(&mut body, None, &[(None, &section.summary)]);
    for s in &section.shortcomings {
        let rest = s.paragraph.strip_prefix(&s.heading).unwrap_or(&s.paragraph);
        paragraph(&mut body, None, &[(Some("Lead"), &s.heading), (None, rest)]);
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>{body}<w:sectPr><w:footerReference w:type="default" r:id="rId2"/><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1588" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr></w:body></w:document>"#
    )
}

/// `docProps/core.xml`: the title, the agency as author, the as-of day as created.
pub fn core_xml(section: &Section) -> String {
    let title = xml_text(&format!("{}{}", section.agency_name, section.title));
    let agency = xml_text(&section.agency_name);
    let day = section.as_of.format("%Y-%m-%dT00:00:00Z");
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{title}</dc:title><dc:subject>上一年度报告所列问题整改情况</dc:subject><dc:creator>{agency}</dc:creator><cp:lastModifiedBy>{agency}</cp:lastModifiedBy><dc:language>zh-CN</dc:language><dcterms:created xsi:type="dcterms:W3CDTF">{day}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{day}</dcterms:modified></cp:coreProperties>"#
    )
}

/// `docProps/app.xml`: the agency as company, and the writing application.
pub fn app_xml(section: &Section) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>rectify</Application><Company>{}</Company></Properties>"#,
        xml_text(&section.agency_name)
    )
}

/// Appends a paragraph of runs, each with an optional character style.
fn paragraph(out: &mut String, style: Option<&str>, runs: &[(Option<&str>, &str)]) {
    out.push_str("<w:p>");
    if let Some(style) = style {
        out.push_str(&format!("<w:pPr><w:pStyle w:val=\"{style}\"/></w:pPr>"));
    }
    for (run_style, text) in runs {
        if text.is_empty() {
            continue;
        }
        out.push_str("<w:r>");
        if let Some(run_style) = run_style {
            out.push_str(&format!("<w:rPr><w:rStyle w:val=\"{run_style}\"/></w:rPr>"));
        }
        out.push_str(&format!(
            "<w:t xml:space=\"preserve\">{}</w:t></w:r>",
            xml_text(text)
        ));
    }
    out.push_str("</w:p>");
}

/// Text escaped for XML, without the control characters XML 1.0 forbids.
fn xml_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::xml_text;

    #[test]
    fn text_is_escaped_and_stripped_of_forbidden_characters() {
        assert_eq!(
            xml_text("A&B <C> \"D\"\u{1}整改"),
            "A&amp;B &lt;C&gt; &quot;D&quot;整改"
        );
    }
}
