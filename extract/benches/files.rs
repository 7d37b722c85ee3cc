//! How long reading a report file takes, warm: a 10-page PDF (Chinese CID font with a
//! ToUnicode map, ~1,100 characters a page), a Word file with automatic numbering of the
//! same length, and a GBK text. Files are built in code (`samples`).

use criterion::{Criterion, criterion_group, criterion_main};
use rectify_extract::{ReportText, samples};

/// `n` lines of report prose, about 38 characters each, with varied characters.
fn lines(n: usize) -> Vec<String> {
    const PROSE: &str = "持续深化法治宣传教育组织专题学习覆盖干部职工推动普法责任制落实落细规范行政执法行为提升依法行政水平健全重大行政决策程序加强合法性审查完善行政复议应诉工作机制";
    let chars: Vec<char> = PROSE.chars().collect();
    (0..n)
        .map(|i| {
            let mut line = format!("（{}）", i + 1);
            line.extend((0..38).map(|k| chars[(i * 7 + k * 3) % chars.len()]));
            line.push('。');
            line
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let pages: Vec<Vec<String>> = (0..10).map(|_| lines(30)).collect();
    let pdf = samples::text_pdf(&pages);
    let text = ReportText::from_file(&pdf, Some("r.pdf")).expect("the PDF reads");
    c.bench_function(
        &format!(
            "pdf 10 pages ({} KB file, {} KB text)",
            pdf.len() / 1024,
            text.as_str().len() / 1024
        ),
        |b| b.iter(|| ReportText::from_file(std::hint::black_box(&pdf), None).unwrap()),
    );
    // What an import of the PDF costs before the database: reading it and extracting.
    c.bench_function("pdf 10 pages read and extracted", |b| {
        b.iter(|| {
            let text = ReportText::from_file(std::hint::black_box(&pdf), None).unwrap();
            rectify_extract::extract(&text)
        })
    });

    let body: String = lines(300)
        .iter()
        .enumerate()
        .map(|(i, l)| samples::para(l, (i % 10 != 0).then_some((1, 1))))
        .collect();
    let docx = samples::docx(&body, Some(samples::REPORT_NUMBERING), None);
    c.bench_function(
        &format!(
            "docx 300 numbered paragraphs ({} KB file)",
            docx.len() / 1024
        ),
        |b| b.iter(|| ReportText::from_file(std::hint::black_box(&docx), None).unwrap()),
    );

    let plain = lines(60).join("\n");
    let (gbk, _, _) = encoding_rs::GBK.encode(&plain);
    let gbk = gbk.into_owned();
    c.bench_function(&format!("gbk text ({} KB)", gbk.len() / 1024), |b| {
        b.iter(|| ReportText::from_file(std::hint::black_box(&gbk), None).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
