//! Round trips through [`ReportText::from_file`] for each kind of file, and the files
//! it must refuse.

use super::{samples, *};

fn lines(text: &ReportText) -> Vec<&str> {
    text.as_str()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn docx_paragraphs_come_with_the_numbers_word_shows() {
    let text = ReportText::from_file(&samples::numbered_report_docx(), Some("报告.docx")).unwrap();
    assert_eq!(
        lines(&text),
        [
            "某某县司法局2024年法治政府建设年度报告",
            "2024年，在县委、县政府的坚强领导下，我局深入推进法治政府建设。",
            "一、主要举措和成效",
            "完善依法行政制度体系，全年审查规范性文件12件。",
            "二、存在的问题",
            "（一）普法宣传形式较为单一，针对性和实效性不强。",
            "（二）行政执法人员培训不足，执法规范化水平有待提高。",
            "（三）基层法治力量薄弱，专业人才缺乏。",
            "三、2025年工作安排",
            "（一）创新普法宣传方式，推进“谁执法谁普法”责任制落实。",
            "（二）加强行政执法人员培训，每年开展执法培训不少于两次。",
            "（三）充实基层法治工作力量，引进法律专业人才。",
            "附表：执法培训",
            "共2期",
            "某某县司法局",
            "2025年1月20日",
        ]
    );
    // The rebuilt numbers are what the extractor cuts items by.
    let e = crate::extract(&text);
    assert_eq!(e.shortcomings.len(), 3, "{:?}", e.shortcomings);
    assert_eq!(e.commitments.len(), 3, "{:?}", e.commitments);
}

#[test]
fn docx_numbering_through_styles_and_skipped_fallbacks() {
    let styles = r#"<w:styles xmlns:w="x">
      <w:style w:type="paragraph" w:styleId="Heading1"><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>
      <w:style w:type="paragraph" w:styleId="MyHeading"><w:basedOn w:val="Heading1"/></w:style>
    </w:styles>"#;
    let body = format!(
        "{}{}<w:p><w:r><w:t>甲</w:t></w:r><w:r><mc:AlternateContent><mc:Choice><w:t>乙</w:t></mc:Choice><mc:Fallback><w:t>乙</w:t></mc:Fallback></mc:AlternateContent></w:r><w:del><w:r><w:delText>删</w:delText></w:r></w:del><w:r><w:t>&amp;&#x4E19;</w:t></w:r></w:p>",
        r#"<w:p><w:pPr><w:pStyle w:val="MyHeading"/></w:pPr><w:r><w:t>存在的问题</w:t></w:r></w:p>"#,
        r#"<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>下一步打算</w:t></w:r></w:p>"#,
    );
    let file = samples::docx(&body, Some(samples::REPORT_NUMBERING), Some(styles));
    let text = ReportText::from_file(&file, None).unwrap();
    assert_eq!(
        lines(&text),
        ["一、存在的问题", "二、下一步打算", "甲乙&丙"]
    );
}

#[test]
fn pdf_text_layer_with_a_chinese_cid_font_reads_back_line_by_line() {
    let page1: Vec<String> = [
        "某某市生态环境局2024年法治政府建设年度报告",
        "三、存在的问题",
        "一是普法宣传针对性不强。",
        "二是执法人员培训不足。",
    ]
    .map(String::from)
    .to_vec();
    let page2: Vec<String> = [
        "四、2025年工作安排",
        "一是创新普法宣传方式。",
        "二是加强执法人员培训。",
    ]
    .map(String::from)
    .to_vec();
    let pdf = samples::text_pdf(&[page1.clone(), page2.clone()]);
    let text = ReportText::from_file(&pdf, Some("report.pdf")).unwrap();
    let expected: Vec<&str> = page1.iter().chain(&page2).map(String::as_str).collect();
    assert_eq!(lines(&text), expected);
    assert_eq!(
        text.as_str().matches('\u{c}').count(),
        2,
        "a form feed ends each page"
    );
    let e = crate::extract(&text);
    assert_eq!(e.shortcomings.len(), 2, "{:?}", e.shortcomings);
}

#[test]
fn scanned_pdf_asks_for_ocr() {
    let err = ReportText::from_file(&samples::scanned_pdf(), Some("scan.pdf")).unwrap_err();
    assert_eq!(err, InputError::File(FileError::ScannedPdf));
    assert_eq!(err.code(), "UNSUPPORTED_TYPE");
    assert!(err.to_string().contains("OCR"));
}

#[test]
fn gbk_and_utf16_text_files_are_decoded() {
    let report = "三、存在的问题\n一是普法形式单一。\n二是执法培训不足。\n四、下一步工作安排\n一是丰富普法形式。";
    let (gbk, _, _) = encoding_rs::GBK.encode(report);
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(report.encode_utf16().flat_map(u16::to_le_bytes));
    for bytes in [gbk.into_owned(), utf16] {
        let text = ReportText::from_file(&bytes, Some("报告.txt")).unwrap();
        assert_eq!(text.as_str(), report);
        assert_eq!(crate::extract(&text).shortcomings.len(), 2);
    }
}

#[test]
fn shift_jis_text_is_refused_not_garbled() {
    let (sjis, _, _) =
        encoding_rs::SHIFT_JIS.encode("令和6年度の課題：研修が不足している。改善に取り組む。");
    let err = ReportText::from_file(&sjis, Some("report.txt")).unwrap_err();
    assert_eq!(err, InputError::File(FileError::UnknownEncoding));
    assert_eq!(err.code(), "NOT_TEXT");
}

#[test]
fn a_docx_bomb_is_refused_before_it_is_inflated() {
    let bomb = samples::bomb_docx(docx::MAX_DOCUMENT_XML + 1024);
    assert!(bomb.len() < 200 * 1024, "the bomb is small: {}", bomb.len());
    let err = ReportText::from_file(&bomb, Some("a.docx")).unwrap_err();
    assert!(
        matches!(err, InputError::File(FileError::OverLimit { .. })),
        "{err:?}"
    );
    assert_eq!(err.code(), "TOO_LARGE");
}

#[test]
fn a_docx_that_lies_about_its_size_stops_at_the_limit() {
    let mut bomb = samples::bomb_docx(docx::MAX_DOCUMENT_XML + 1024);
    // Claim 100 bytes in the local and central headers' uncompressed-size fields.
    for (sig, at) in [(b"PK\x03\x04", 22), (b"PK\x01\x02", 24)] {
        let p = bomb.windows(4).position(|w| w == sig).unwrap();
        bomb[p + at..p + at + 4].copy_from_slice(&100u32.to_le_bytes());
    }
    let err = ReportText::from_file(&bomb, Some("a.docx")).unwrap_err();
    assert!(
        matches!(
            err,
            InputError::File(FileError::OverLimit { .. } | FileError::Malformed(_))
        ),
        "{err:?}"
    );
}

#[test]
fn deep_xml_and_many_entries_are_refused() {
    let err = ReportText::from_file(&samples::deep_docx(xml::MAX_DEPTH + 1), None).unwrap_err();
    assert_eq!(err.code(), "TOO_LARGE", "{err:?}");
    assert!(
        ReportText::from_file(&samples::deep_docx(40), None).is_err_and(|e| e == InputError::Empty)
    );
    let names: Vec<String> = (0..=docx::MAX_ENTRIES).map(|i| format!("f{i}")).collect();
    let many = samples::zip_of(names.iter().map(|n| (n.as_str(), &b"x"[..])));
    let err = ReportText::from_file(&many, Some("a.docx")).unwrap_err();
    assert_eq!(err.code(), "TOO_LARGE", "{err:?}");
}

#[test]
fn a_pdf_bomb_is_refused() {
    let bomb = samples::bomb_pdf(pdf::MAX_PAGE_CONTENT + 1024);
    assert!(bomb.len() < 100 * 1024);
    let err = ReportText::from_file(&bomb, None).unwrap_err();
    assert_eq!(err.code(), "TOO_LARGE", "{err:?}");
}

#[test]
fn malformed_pdfs_are_errors_not_panics() {
    let good = samples::text_pdf(&[vec![
        "三、存在的问题".to_owned(),
        "一是学习不深入。".to_owned(),
    ]]);
    let mut cases: Vec<Vec<u8>> = vec![
        b"%PDF-1.7\n".to_vec(),
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 1 0 R >> endobj trailer << /Root 1 0 R >>"
            .to_vec(),
        [b"%PDF-1.4\n".as_slice(), &b"[".repeat(100_000)].concat(),
        good[..good.len() / 2].to_vec(),
    ];
    // Every byte flipped in turn in the first 2 KB.
    for i in (0..good.len().min(2048)).step_by(7) {
        let mut c = good.clone();
        c[i] ^= 0x5A;
        cases.push(c);
    }
    for case in cases {
        if let Err(e) = ReportText::from_file(&case, Some("x.pdf")) {
            assert!(!e.code().is_empty());
        }
    }
    let err = ReportText::from_file(b"%PDF-1.7\n", None).unwrap_err();
    assert_eq!(err.code(), "MALFORMED", "{err:?}");
}

#[test]
fn kinds_are_sniffed_from_content_and_names_only_break_ties() {
    assert_eq!(sniff(b"%PDF-1.4", Some("a.txt")), Ok(FileKind::Pdf));
    assert_eq!(sniff(b"PK\x03\x04", Some("a.txt")), Ok(FileKind::Docx));
    assert_eq!(sniff("报告".as_bytes(), Some("a.htm")), Ok(FileKind::Text));
    assert_eq!(
        sniff("报告".as_bytes(), Some("a.pdf")).unwrap_err().code(),
        "MALFORMED"
    );
    assert_eq!(
        sniff(&[0xD0, 0xCF, 0x11, 0xE0, 0], None)
            .unwrap_err()
            .code(),
        "UNSUPPORTED_TYPE"
    );
    assert_eq!(
        sniff(b"\x89PNG\r\n", None).unwrap_err().code(),
        "UNSUPPORTED_TYPE"
    );
    let xlsx = samples::zip_of([("xl/workbook.xml", &b"<x/>"[..])]);
    assert_eq!(
        ReportText::from_file(&xlsx, Some("a.xlsx"))
            .unwrap_err()
            .code(),
        "UNSUPPORTED_TYPE"
    );
}

#[test]
fn html_files_still_reduce_to_text() {
    let (page, _, _) = encoding_rs::GBK.encode(
        "<html><head><meta charset=gbk></head><body><p>三、存在的问题</p><p>一是学习不深入。</p></body></html>",
    );
    let text = ReportText::from_file(&page, Some("a.html")).unwrap();
    assert_eq!(lines(&text), ["三、存在的问题", "一是学习不深入。"]);
}
