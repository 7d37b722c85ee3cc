//! Peak memory of `ReportText::from_file` on hostile files, one case per process:
//! `cargo run --release --example worst_case --features samples -- CASE`, then read
//! `VmHWM` (printed) — CASE is one of `docx`, `pdf-objstm`, `pdf-objects`, `pdf-page`.

use rectify_extract::{ReportText, samples};

fn main() {
    let case = std::env::args().nth(1).unwrap_or_default();
    let file = match case.as_str() {
        // document.xml just under its limit, all one text run: stops at the text limit.
        "docx" => {
            let mut xml = String::from(r#"<w:document xmlns:w="x"><w:body>"#);
            while xml.len() < 19 * 1024 * 1024 {
                xml.push_str("<w:p><w:r><w:t>存在的问题存在的问题存在的问题</w:t></w:r></w:p>");
            }
            xml.push_str("</w:body></w:document>");
            samples::zip_of([("word/document.xml", xml.as_bytes())])
        }
        // An object stream inflating to just under its limit (1 MB), one array of numbers.
        "pdf-objstm" => {
            let mut body = b"[".to_vec();
            while body.len() < 1024 * 1024 - 16 {
                body.extend_from_slice(b"0 ");
            }
            body.push(b']');
            let header = b"5 0 ".to_vec();
            let content = [header.clone(), body].concat();
            let stream = stream(
                &format!(
                    "/Type /ObjStm /N 1 /First {} /Filter /FlateDecode",
                    header.len()
                ),
                &deflate(&content),
            );
            samples::pdf_of(&[
                b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
                b"<< /Type /Pages /Kids [] /Count 0 >>".to_vec(),
                stream,
            ])
        }
        // 20 MB of top-level arrays of numbers: kept until the value budget runs out.
        "pdf-objects" => {
            let mut objects = vec![
                b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
                b"<< /Type /Pages /Kids [] /Count 0 >>".to_vec(),
            ];
            let array = format!("[{}]", "0 ".repeat(50_000)).into_bytes();
            while objects.len() * array.len() < 19 * 1024 * 1024 {
                objects.push(array.clone());
            }
            samples::pdf_of(&objects)
        }
        "pdf-page" => samples::bomb_pdf(8 * 1024 * 1024 - 1024),
        _ => panic!("case: docx | pdf-objstm | pdf-objects | pdf-page"),
    };
    let started = std::time::Instant::now();
    let result = ReportText::from_file(&file, None).map(|t| t.as_str().len());
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let hwm = status
        .lines()
        .find(|l| l.starts_with("VmHWM"))
        .unwrap_or("");
    println!(
        "{case}: {} KB file, {:?} in {:?}; {hwm}",
        file.len() / 1024,
        result.map_err(|e| e.code()),
        started.elapsed()
    );
}

fn stream(dict: &str, content: &[u8]) -> Vec<u8> {
    let mut s = format!("<< {dict} /Length {} >>\nstream\n", content.len()).into_bytes();
    s.extend_from_slice(content);
    s.extend_from_slice(b"\nendstream");
    s
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}
